"""End to end: the batch run a user makes, on synthetic data and on an extract with canaries.

These are the promises of the pipeline checked the way a user meets them: through
``python -m analysis run`` in a separate process.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import PROGRAMMES
from analysis.data.contracts import get_contract
from analysis.paths import PROJ_ROOT
from analysis.synthetic import generate
from analysis.synthetic.combating_drugs import COMPARATOR_CODES

pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("end_to_end")]

CANARY_KEY = "canary-key-0f3b9e-must-never-be-written"


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("reports")
    result = run_cli("run", "--output", str(output))
    return output, result


def test_batch_run_succeeds_and_prints_a_summary(synthetic_run):
    output, result = synthetic_run
    assert result.returncode == 0, result.stdout + result.stderr
    for programme in PROGRAMMES:
        assert programme in result.stdout
    assert "Traceback" not in result.stderr
    assert "cell" in result.stderr, "progress (programme, cell, elapsed) is shown"


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_each_programme_gets_the_full_report_layout(synthetic_run, programme):
    output, _ = synthetic_run
    folder = output / programme
    for name in (
        f"{programme}.ipynb",
        f"{programme}.html",
        f"{programme}-analyst.html",
        "findings.json",
    ):
        assert (folder / name).stat().st_size > 0, name
    # (The analyst version shows papermill's injected parameters as they ran, staging path
    # included: that is the record of the run.)
    assert ".staging-" not in (folder / f"{programme}.html").read_text(), "no temporary path"
    record = json.loads((folder / "findings.json").read_text())
    assert record["programme"] == programme
    assert record["synthetic"] is True
    assert record["git_commit"] and record["run_timestamp"] and record["parameters"] is not None
    assert record["inputs"], "input fingerprints recorded"
    for table in record["inputs"].values():
        assert table["rows"] > 0 and len(table["sha256"]) == 64
    findings = record["findings"]
    assert any(f["headline"] for f in findings)
    for f in findings:
        for key in (
            "question",
            "estimand",
            "method",
            "effect",
            "ci_low",
            "ci_high",
            "n",
            "scale",
            "sms_level",
            "summary",
            "caveats",
        ):
            assert key in f, f"finding lacks {key}"
        assert f["ci_low"] <= f["effect"] <= f["ci_high"], f["question"]
        if f.get("role") != "check":  # a placebo or negative control carries no level
            assert 1 <= f["sms_level"] <= 5
        if not f.get("truth_not_planted"):  # an estimand the generator plants no value for
            assert f["truth"] is not None, (
                f"synthetic finding without planted truth: {f['question']}"
            )
    # Embedded images are base64 and may contain "NaN" by chance: check the text only.
    html = re.sub(r"data:[^\"'\s)]+", "", (folder / f"{programme}.html").read_text())
    assert "NaN" not in html and ">nan<" not in html and "inf<" not in html


def test_index_links_every_programme(synthetic_run):
    output, _ = synthetic_run
    index = (output / "index.html").read_text()
    for programme in PROGRAMMES:
        assert f"{programme}/{programme}.html" in index


def test_same_inputs_give_identical_findings(synthetic_run, tmp_path):
    output, _ = synthetic_run
    programme = "lsavi"
    again = run_cli("run", programme, "--no-render", "--output", str(tmp_path))
    assert again.returncode == 0, again.stderr

    def stable(path: Path) -> dict:
        record = json.loads(path.read_text())
        record.pop("run_timestamp")
        return record

    assert stable(tmp_path / programme / "findings.json") == stable(
        output / programme / "findings.json"
    )


def write_canary_extracts(root: Path) -> tuple[dict[str, Path], list[str]]:
    """Write each programme's synthetic tables as CSV extracts with planted identifiers."""
    folders, canaries = {}, []
    for programme in PROGRAMMES:
        data = generate(programme, seed=11)
        contract = get_contract(programme)
        mapping: dict[str, str] = {}
        for spec in contract.tables:
            for column in spec.identifiers:
                values = data.tables[spec.name][column].dropna().astype(str).unique()[:3]
                for value in values:
                    mapping.setdefault(value, f"CANARY{len(mapping):04d}ZQX")
        folder = root / programme
        folder.mkdir(parents=True)
        for spec in contract.tables:
            table = data.tables[spec.name].copy()
            for column in spec.identifiers:
                table[column] = table[column].astype("string").replace(mapping)
            table.to_csv(folder / f"{spec.name}.csv", index=False, date_format="%Y-%m-%d")
        folders[programme] = folder
        canaries += list(mapping.values())
    return folders, canaries


def test_no_identifier_or_key_reaches_any_output(tmp_path):
    extracts, canaries = write_canary_extracts(tmp_path / "raw")
    output = tmp_path / "reports"
    env = {"ANALYSIS_PSEUDONYM_KEY": CANARY_KEY}
    logs = []
    # An extract names its own comparison areas; the canary extract holds the synthetic ones.
    needs = {"combating_drugs": ["-p", "comparator_codes=" + ",".join(COMPARATOR_CODES)]}
    for programme, folder in extracts.items():
        result = run_cli(
            "run",
            programme,
            "--source",
            str(folder),
            "--output",
            str(output),
            *needs.get(programme, []),
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        logs.append(result.stdout + result.stderr)
    files = [p for p in output.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files) and any(p.suffix == ".ipynb" for p in files)
    secrets = [*canaries, CANARY_KEY]
    for path in files:
        content = path.read_bytes()
        leaked = [s for s in secrets if s.encode() in content]
        assert not leaked, f"{path.relative_to(output)} contains {leaked[:3]}"
    for log in logs:
        assert not [s for s in secrets if s in log]


def test_a_cohort_with_nobody_treated_is_an_input_error(tmp_path):
    data = generate("op_focus", seed=3)
    suspects = data.tables["suspects"].assign(focus_flag=False, focus_date=None)
    if "focus_end_date" in suspects:
        suspects["focus_end_date"] = None
    extract = tmp_path / "extract"
    extract.mkdir()
    suspects.to_csv(extract / "suspects.csv", index=False)
    data.tables["crimes"].to_csv(extract / "crimes.csv", index=False, date_format="%Y-%m-%d")
    result = run_cli(
        "run",
        "op_focus",
        "--source",
        str(extract),
        "--output",
        str(tmp_path / "out"),
        "--no-pdf",
        env={"ANALYSIS_PSEUDONYM_KEY": CANARY_KEY},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "input error" in result.stdout
    assert "no treated group" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert (tmp_path / "out" / "op_focus" / "failed-run" / "op_focus.ipynb").exists()


@pytest.mark.skipif(shutil.which("pgrep") is None, reason="needs pgrep to look for processes")
def test_ctrl_c_stops_every_process_and_keeps_the_last_good_reports(synthetic_run, tmp_path):
    """Ctrl-C mid-run: exit 130, a plain message, no process left behind, nothing lost."""
    import signal
    import time

    output = tmp_path / "reports"
    shutil.copytree(synthetic_run[0], output)
    before = (output / "lsavi" / "lsavi.html").read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", "--output", str(output)],
        cwd=PROJ_ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal's foreground job
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    for line in proc.stderr:  # wait until notebooks are running
        if "cell" in line:
            break
    else:
        proc.wait(timeout=60)
        pytest.skip("the run finished before a progress line showed a notebook running")
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "interrupted: earlier reports are untouched" in stderr
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-f", str(output)], capture_output=True, text=True)
        if not left.stdout.strip():
            break
        time.sleep(0.2)
    assert not left.stdout.strip(), "the host, its workers and their kernels all stopped"
    assert (output / "lsavi" / "lsavi.html").read_bytes() == before
    assert not list(output.glob(".staging-*"))


def test_warm_and_fresh_kernels_give_the_same_notebook(synthetic_run, tmp_path):
    """The default (warm) kernels change how fast a report comes, never what it says."""
    output, _ = synthetic_run
    programme = "lsavi"
    fresh = run_cli("run", programme, "--fresh-kernels", "--no-render", "--output", str(tmp_path))
    assert fresh.returncode == 0, fresh.stderr

    def outputs(path: Path) -> list:
        # Object addresses, kernel process ids and the staging folder differ run to run.
        text = re.sub(r"0x[0-9a-f]+|ipykernel_\d+|\.staging-[\w-]+", "X", path.read_text())
        cells = json.loads(text)["cells"]
        return [cell.get("outputs", []) for cell in cells if cell["cell_type"] == "code"]

    warm_cells = outputs(output / programme / f"{programme}.ipynb")
    fresh_cells = outputs(tmp_path / programme / f"{programme}.ipynb")
    assert len(warm_cells) == len(fresh_cells)
    for index, (warm, cold) in enumerate(zip(warm_cells, fresh_cells, strict=True)):
        assert warm == cold, f"code cell {index} differs between warm and fresh kernels"


@pytest.mark.parametrize("programme", ["op_focus", "perpetrator_programmes", "lsavi"])
def test_reports_and_findings_match_the_stored_snapshot(synthetic_run, programme):
    """Reader reports and findings equal the snapshot apart from clock and commit.

    The snapshot in ``tests/snapshots/`` was written from a run of the default synthetic
    data; a refactoring must leave every number, sentence and figure as it was. A change
    that is meant to alter the results rewrites it deliberately, in its own commit:
    ``python tests/snapshots/normalise.py <reports folder>``.
    """
    sys.path.insert(0, str(PROJ_ROOT / "tests" / "snapshots"))
    try:
        import normalise
    finally:
        sys.path.pop(0)
    output, result = synthetic_run
    assert result.returncode == 0, result.stdout + result.stderr
    stored = PROJ_ROOT / "tests" / "snapshots" / programme
    for name, text in normalise.snapshot(output, programme).items():
        expected = (stored / name).read_text(encoding="utf-8")
        if text != expected:
            import difflib

            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"snapshot/{programme}/{name}",
                    f"this run/{programme}/{name}",
                    n=1,
                )
            )
            pytest.fail(f"{programme}/{name} differs from the stored snapshot:\n{diff[:6000]}")
