"""Installed either way, the toolkit runs a programme from any folder, without make.

A plain ``pip install .`` puts only the package into ``site-packages``; the
notebooks, configs and reference tables travel inside it (``analysis/_shipped``,
written by ``setup.py`` at build time) and reports go where the user asks, never
into ``site-packages``. An editable install runs from its checkout.

Speed: the new environment is a bare ``python -m venv`` (no system site-packages,
no pip of its own). Its dependencies are the ones already installed for this
interpreter from ``requirements.lock``: a ``.pth`` file in the new environment puts
this interpreter's ``site-packages`` on its path, which adds that folder only (the
``.pth`` files *inside* it, among them this checkout's own editable install, are not
processed). So the test installs nothing but the project itself
(``--no-deps --no-build-isolation``) and takes seconds rather than the minutes a
download and build of the locked tree would. The data files those packages put under
their prefix rather than beside their code (nbconvert's templates, in
``share/jupyter/nbconvert``) are linked into the new prefix, where their own install
would have put them; the kernel specs are not, so the run meets an environment with no
``dorset-eval`` kernel registered, as after a plain ``pip install``, and runs the
notebook in its own Python.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from analysis.paths import PROJ_ROOT, SHIPPED_INPUTS

pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("install")]


def tracked_files() -> list[str]:
    """The checkout's files as on disk: tracked, and new ones not ignored (uncommitted work)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJ_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (PROJ_ROOT / name).is_file()]


def copy_of_checkout(target: Path) -> Path:
    """A copy of the project's source, so that building it writes nothing into the checkout."""
    for name in tracked_files():
        source = PROJ_ROOT / name
        destination = target / name
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


def bare_environment(folder: Path) -> Path:
    """A new virtual environment whose dependencies are this interpreter's (see module doc)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "locked_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    templates = Path(sys.prefix) / "share" / "jupyter" / "nbconvert"
    if templates.is_dir():
        (folder / "share" / "jupyter").mkdir(parents=True)
        (folder / "share" / "jupyter" / "nbconvert").symlink_to(templates)
    return python


def clean_environment() -> dict[str, str]:
    """This process's environment without anything that points Python at the checkout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "ANALYSIS_PROJECT_ROOT", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def pip_install(python: Path, source: Path, *, editable: bool) -> None:
    """Install the project into ``python``'s environment with this interpreter's pip."""
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    command += ["--no-deps", "--no-build-isolation", "--no-index"]
    command += ["-e", str(source)] if editable else [str(source)]
    result = subprocess.run(
        command, capture_output=True, text=True, env=clean_environment(), timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("editable", [False, True], ids=["pip-install", "pip-install-editable"])
def test_installed_package_runs_a_programme_from_elsewhere(tmp_path, editable):
    source = copy_of_checkout(tmp_path / "source")
    python = bare_environment(tmp_path / "venv")
    pip_install(python, source, editable=editable)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_environment()

    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import analysis, analysis.paths as p; "
            "print(analysis.__file__); print(p.NOTEBOOKS_DIR); print(p.REPORTS_DIR)",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.splitlines()
    package_file, notebooks_dir, reports_dir = (Path(line) for line in probe)
    if editable:
        assert package_file.is_relative_to(source), "an editable install runs its checkout"
        assert notebooks_dir == source / "notebooks"
    else:
        assert package_file.is_relative_to(tmp_path / "venv"), "the installed copy is used"
        assert notebooks_dir == package_file.parent / "_shipped" / "notebooks"
        for folder in SHIPPED_INPUTS:
            assert any((package_file.parent / "_shipped" / folder).iterdir()), folder
        assert reports_dir == elsewhere / "reports", "outputs go to the current directory"

    output = tmp_path / "reports"
    result = subprocess.run(
        [str(python), "-m", "analysis", "run", "lsavi", "--no-pdf", "--output", str(output)],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (output / "lsavi" / "lsavi.html").stat().st_size > 0
    site_packages = tmp_path / "venv" / "lib"
    assert not list(site_packages.rglob("reports")), "nothing is written into site-packages"
