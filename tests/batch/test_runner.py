"""The batch runner: parallel runs, provenance, isolation of failures, nothing lost."""

import json
import logging
import sys

import nbformat
import pytest

import analysis.batch.runner
import analysis.config
from analysis.batch import kernels
from analysis.batch.runner import exit_code, run_programmes, summary_table
from analysis.errors import ConfigError

PARAMETERS = """\
source: str = "synthetic"  # data source
synthetic_seed: int = 1  # seed
fail_with: str = ""  # exception to raise: "", "ValueError" or "DataValidationError"
findings_path: str = ""  # set by the runner
"""

BODY = """\
from analysis import DataValidationError, Estimate, Problem
from analysis.evidence import Finding, save_findings

if fail_with == "ValueError":
    raise ValueError("the model did not converge")
if fail_with == "DataValidationError":
    problem = Problem("crimes", "crimes.csv", "outcome_code", "code 23 unknown", (5,), "0-22", 1)
    raise DataValidationError([problem], "toy")
est = Estimate(effect=synthetic_seed * 0.1, ci_low=0.0, ci_high=1.0, p_value=0.5, n=10,
               scale="difference", method="toy", estimand="toy effect")
finding = Finding("Q?", est, "descriptive", headline=True)
inputs = {"t": {"rows": 10, "sha256": "abc"}}
record = save_findings(
    findings_path, programme="toy", findings=[finding], inputs=inputs, synthetic=True
)
print(record["findings"][0]["effect"])
import gc

print("collector", gc.isenabled(), "frozen", gc.get_freeze_count() > 0)
"""


def toy_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "dorset-eval",
        "display_name": "Python (dorset-eval)",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Toy\n\n## Impact"),
        params,
        nbformat.v4.new_code_cell(BODY),
    ]
    return nb


@pytest.fixture
def toy_programmes(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("toy", "toy2"):
        nbformat.write(toy_notebook(), notebooks / f"{name}.ipynb")
    monkeypatch.setattr(analysis.config, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(analysis.config, "CONFIG_DIR", tmp_path / "config")
    monkeypatch.setattr(analysis.batch.runner, "PROGRAMMES", ("toy", "toy2"))
    return tmp_path


def test_success_writes_record_with_provenance(toy_programmes, capsys):
    out = toy_programmes / "reports"
    (result,) = run_programmes(
        ["toy"], output_dir=out, render=False, overrides={"synthetic_seed": 7}
    )
    assert result.status == "ok", result.error
    record = json.loads((out / "toy" / "findings.json").read_text())
    assert record["programme"] == "toy"
    assert record["parameters"] == {"synthetic_seed": 7}
    assert record["git_commit"] and record["run_timestamp"]
    assert record["findings"][0]["effect"] == pytest.approx(0.7)
    executed = nbformat.read(out / "toy" / "toy.ipynb", as_version=4)
    assert executed.metadata.papermill.parameters["synthetic_seed"] == 7
    assert json.loads((out / "toy" / "status.json").read_text())["status"] == "ok"
    assert exit_code([result]) == 0
    assert not list(out.glob(".staging-*")), "staging folders must be cleaned up"


@pytest.mark.skipif(not kernels.fork_available(), reason="kernels are forked warm")
def test_warm_kernels_collect_garbage_but_never_walk_the_imports(toy_programmes):
    """The host freezes what it imported before forking; the kernels' collector is on."""
    out = toy_programmes / "reports"
    (result,) = run_programmes(["toy"], output_dir=out, render=False)
    assert result.status == "ok", result.error
    executed = nbformat.read(out / "toy" / "toy.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    assert "collector True frozen True" in printed


def test_failure_keeps_last_good_report_and_names_the_cell(toy_programmes):
    out = toy_programmes / "reports"
    run_programmes(["toy"], output_dir=out, render=False, overrides={"synthetic_seed": 3})
    good = (out / "toy" / "findings.json").read_text()

    (result,) = run_programmes(
        ["toy"], output_dir=out, render=False, overrides={"fail_with": "ValueError"}
    )
    assert result.status == "failed"
    assert "cell [3] in section 'Impact'" in result.error
    assert "ValueError: the model did not converge" in result.error
    assert "\n" not in result.error
    assert (out / "toy" / "findings.json").read_text() == good, "last good findings destroyed"
    assert (out / "toy" / "failed-run" / "toy.ipynb").exists()
    status = json.loads((out / "toy" / "status.json").read_text())
    assert status["status"] == "failed" and status["cell"] == 3
    assert exit_code([result]) == 1
    assert "kept for inspection" in summary_table([result])


def test_one_failure_never_stops_the_others_and_bad_data_exits_2(toy_programmes):
    out = toy_programmes / "reports"
    results = run_programmes(
        ["toy", "toy2"],
        output_dir=out,
        render=False,
        jobs=2,
        overrides={"fail_with": "DataValidationError"},
    )
    assert [r.status for r in results] == ["input error", "input error"]
    assert "outcome_code" in results[0].error
    assert exit_code(results) == 2

    results = run_programmes(["toy", "toy2"], output_dir=out, render=False, jobs=2)
    assert [r.status for r in results] == ["ok", "ok"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"synthetic_sed": 3}, "did you mean 'synthetic_seed'"),
        ({"synthetic_seed": "three"}, "'synthetic_seed' must be int"),
        ({"findings_path": "/tmp/x.json"}, "set by the batch runner"),
    ],
)
def test_bad_parameters_are_refused_before_anything_runs(toy_programmes, overrides, message):
    out = toy_programmes / "reports"
    with pytest.raises(ConfigError, match=message):
        run_programmes(["toy"], output_dir=out, render=False, overrides=overrides)
    assert not (out / "toy").exists()


def test_unknown_programme_is_a_config_error(toy_programmes):
    with pytest.raises(ConfigError, match="choose from: toy, toy2"):
        run_programmes(["focus"], output_dir=toy_programmes / "reports", render=False)


def test_the_scorecard_figure_is_drawn_by_the_host_not_the_caller(toy_programmes, monkeypatch):
    """The caller only keeps the figure the host drew: it never imports matplotlib for it."""
    from analysis.reporting import index

    drawn_here = []
    monkeypatch.setattr(index, "_draw_forest", lambda rows: drawn_here.append(rows) or ("", ""))
    out = toy_programmes / "reports"
    results = run_programmes(["toy", "toy2"], output_dir=out, pdf=False)
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
    assert drawn_here == [], "the caller drew the figure itself"
    page = (out / "index.html").read_text()
    assert page.count('<img src="data:image/png;base64,') == 1


def test_a_figure_drawn_ahead_from_other_rows_is_drawn_again(tmp_path, monkeypatch):
    """Kept under the rows it was drawn from: the index never shows a stale figure."""
    from analysis.reporting import build_index, index
    from tests.reporting.builders import findings_record

    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "findings.json").write_text(json.dumps(findings_record()))
    key, figure = index.prepare_forest(tmp_path, {}, expected=["toy"])
    assert figure[0].startswith("<figure")
    drawn = []
    draw = index._draw_forest
    monkeypatch.setattr(index, "_draw_forest", lambda rows: drawn.append(rows) or draw(rows))
    other_rows = (key.replace("Toy", "Other"), figure)
    build_index(tmp_path, expected=["toy"], forest=other_rows)
    assert len(drawn) == 1
    build_index(tmp_path, expected=["toy"], forest=(key, figure))
    assert len(drawn) == 1, "the figure drawn ahead for these rows is reused"
    build_index(tmp_path, expected=["toy"], forest=(key, ("", "drawing failed")))
    assert len(drawn) == 2, "a figure that failed ahead is drawn again"


def test_the_caller_of_a_batch_imports_no_analysis_stack():
    """Parameters, the browser, status files and the scorecard: no pandas, papermill or plots."""
    code = """
import json, sys, tempfile
from pathlib import Path
from analysis.batch import runner
from analysis.config import load_config, resolve_parameters
from analysis.reporting import HeadlessChromium, index

for p in ("op_focus", "perpetrator_programmes", "lsavi"):
    resolve_parameters(p, config=load_config(p))
root = Path(tempfile.mkdtemp())
(root / "toy").mkdir()
record = {"programme": "toy", "title": "Toy", "findings": [{"label": "Incidents", "effect": 0.8,
          "ci_low": 0.7,
          "ci_high": 0.9, "scale": "rate ratio", "sms_level": 3, "headline": True}]}
(root / "toy" / "findings.json").write_text(json.dumps(record))
runner._write_status(root / "toy", runner.RunResult(programme="toy", status="ok", elapsed=1.0))
rows = index._forest_rows(index.collect_programmes(root, ["toy"]))
forest = (index._forest_key(rows), ("<figure>drawn by the host</figure>", ""))
page = index.build_index(root, expected=["toy"], forest=forest).read_text()
assert "drawn by the host" in page
heavy = ("pandas", "numpy", "matplotlib", "papermill", "nbformat", "scipy", "statsmodels")
print(sorted(m for m in heavy if m in sys.modules))
"""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.fixture
def no_registered_kernels(tmp_path, monkeypatch):
    """Jupyter's kernel search path pointed at an empty folder: no kernel is registered."""
    import site

    import jupyter_core.paths

    empty = tmp_path / "jupyter"
    empty.mkdir()
    for variable in ("JUPYTER_PATH", "JUPYTER_DATA_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(variable, str(empty))
    monkeypatch.setattr(jupyter_core.paths, "ENV_JUPYTER_PATH", [str(empty)])
    monkeypatch.setattr(jupyter_core.paths, "SYSTEM_JUPYTER_PATH", [str(empty)])
    monkeypatch.setattr(site, "ENABLE_USER_SITE", False)
    assert not kernels.kernel_registered(analysis.batch.runner.KERNEL_NAME)
    return empty


def interpreter_notebook(folder) -> str:
    """A notebook that prints the interpreter its kernel runs."""
    nb = toy_notebook()
    params = nbformat.v4.new_code_cell('findings_path: str = ""  # set by the runner')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")]
    path = folder / "interpreter.ipynb"
    nbformat.write(nb, path)
    return path


def toy_task(programme: str, folder) -> analysis.batch.runner._Task:
    return analysis.batch.runner._Task(
        programme, str(folder / f"{programme}.ipynb"), {}, str(folder), "", "", False, True, 1
    )


def test_an_unregistered_kernel_is_said_once_and_every_task_runs_this_python(
    no_registered_kernels, tmp_path, caplog
):
    tasks = [toy_task("toy", tmp_path), toy_task("toy2", tmp_path)]
    with caplog.at_level(logging.WARNING, logger="analysis.batch.runner"):
        chosen = analysis.batch.runner._with_a_kernel(tasks)
    assert [task.this_python for task in chosen] == [True, True]
    (said,) = [record.getMessage() for record in caplog.records]
    assert "'dorset-eval' is not registered" in said and sys.executable in said


@pytest.mark.skipif(
    not kernels.kernel_registered(analysis.batch.runner.KERNEL_NAME),
    reason="the project's kernel is not registered here (make setup registers it)",
)
def test_a_registered_kernel_is_used_as_it_is(tmp_path, caplog):
    tasks = [toy_task("toy", tmp_path)]
    assert analysis.batch.runner._with_a_kernel(tasks) == tasks
    assert not caplog.records


@pytest.mark.parametrize("warm", [False, True] if kernels.fork_available() else [False])
def test_without_the_kernel_registered_a_notebook_runs_with_this_python(
    no_registered_kernels, tmp_path, warm
):
    """Fresh or warm, the kernel keeps its name in the notebook and runs the batch's Python."""
    notebook = interpreter_notebook(tmp_path)
    staging = tmp_path / "staging"
    staging.mkdir()
    execute = analysis.batch.runner._execute
    if not warm:  # the search path is empty indeed: papermill alone finds no kernel
        status = execute("interpreter", notebook, {}, staging, None, warm=False)
        assert status["status"] == "failed" and "No such kernel" in status["error"]
    status = execute("interpreter", notebook, {}, staging, None, warm=warm, this_python=True)
    assert status["status"] == "ok", status.get("detail")
    executed = nbformat.read(staging / "interpreter.ipynb", as_version=4)
    assert executed.metadata.kernelspec.name == "dorset-eval"
    assert executed.cells[-1].outputs[0].text.strip() == sys.executable
