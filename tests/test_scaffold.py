"""``python -m analysis new``: a new programme runs end to end and passes its tests unedited.

The scaffold is written into a copy of the project (the repository's own files, no
environment), so the real tree is never touched; the copy's ``analysis`` package is the
one imported because each command runs from the copy's folder.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.paths import PROJ_ROOT
from analysis.scaffold import check_slug, new_programme, notebook

pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("scaffold")]

SLUG = "demo_pilot"


def project_copy(target: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        source = PROJ_ROOT / name
        if source.is_file() and not name.startswith(("tests/snapshots/", "reports/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run_in(root: Path, *args: str) -> subprocess.CompletedProcess:
    # The copy's package must win over the installed (editable) one, in kernels too, which
    # nbval starts in the notebook's folder.
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_PROJECT_ROOT"}
    env["PYTHONPATH"] = str(root)
    return subprocess.run(
        [sys.executable, *args], cwd=root, capture_output=True, text=True, timeout=600, env=env
    )


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory):
    root = project_copy(tmp_path_factory.mktemp("project"))
    created = run_in(root, "-m", "analysis", "new", SLUG, "--title", "Demo pilot")
    return root, created


def test_new_writes_every_part_and_says_what_to_fill_in(scaffolded):
    root, created = scaffolded
    assert created.returncode == 0, created.stdout + created.stderr
    for part in ("tables", "designs", "evaluation", "findings", "narrative"):
        assert (root / "analysis" / "programmes" / SLUG / f"{part}.py").is_file()
    for path in (
        f"analysis/data/contracts/{SLUG}.py",
        f"analysis/synthetic/{SLUG}.py",
        f"config/{SLUG}.yaml",
        f"notebooks/{SLUG}.ipynb",
        f"tests/programmes/{SLUG}/test_evaluation.py",
    ):
        assert (root / path).is_file(), path
    assert f"`{SLUG}`" in (root / "data" / "README.md").read_text(encoding="utf-8")
    assert "contract" in created.stdout and "docs/architecture.md" in created.stdout


def test_the_new_programme_runs_end_to_end(scaffolded):
    root, _ = scaffolded
    output = root / "reports-out"
    result = run_in(root, "-m", "analysis", "run", SLUG, "--no-pdf", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    for name in (f"{SLUG}.html", f"{SLUG}.ipynb", "findings.json"):
        assert (output / SLUG / name).is_file()
    assert "Demo pilot" in (output / "index.html").read_text(encoding="utf-8")


def test_the_new_programme_passes_the_suites_checks_unedited(scaffolded):
    root, _ = scaffolded
    result = run_in(
        root,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"tests/programmes/{SLUG}",
        "tests/notebooks",
        "tests/data/test_dictionary.py",
        f"analysis/programmes/{SLUG}",
        f"analysis/synthetic/{SLUG}.py",
        "-k",
        f"{SLUG} or dictionary or thin",
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    lint = run_in(root, "-m", "ruff", "check", "analysis", "tests", "notebooks")
    assert lint.returncode == 0, lint.stdout
    nbval = run_in(
        root,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "-o",
        "addopts=",
        "-q",
        "-p",
        "no:cacheprovider",
        f"notebooks/{SLUG}.ipynb",
    )
    assert nbval.returncode == 0, nbval.stdout[-4000:]


@pytest.mark.parametrize(
    "slug, words",
    [("Op-Viper", "lower-case"), ("class", "lower-case"), ("lsavi", "already exists")],
)
def test_a_bad_or_taken_name_is_refused_before_anything_is_written(slug, words):
    with pytest.raises(ConfigError, match=words):
        check_slug(slug, PROJ_ROOT)


def test_a_title_that_would_break_the_files_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="double quotes"):
        new_programme("fresh_pilot", 'The "best" pilot', root=tmp_path)
    assert not any(tmp_path.iterdir())


def test_the_notebook_has_a_tagged_parameters_cell_and_the_project_kernel():
    book = notebook(SLUG, "Demo pilot")
    tagged = [cell for cell in book["cells"] if "parameters" in cell["metadata"].get("tags", [])]
    assert len(tagged) == 1
    assert book["metadata"]["kernelspec"]["name"] == "dorset-eval"
