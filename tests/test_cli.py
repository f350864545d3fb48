"""The command line: readable errors with exit status 2, never a traceback."""

import subprocess
import sys

import pytest

from analysis import PROGRAMMES
from analysis.cli import main
from analysis.paths import PROJ_ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_list_shows_every_programme_and_its_parameters(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for programme in PROGRAMMES:
        assert f"{programme}:" in out
    assert "synthetic_seed: int = 2026" in out
    assert "suppression_threshold: int = 10" in out
    assert "findings_path" not in out, "runner-only parameters are not offered to users"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "op_fcus"], "unknown programme 'op_fcus'"),
        (["run", "lsavi", "-p", "synthetic_seed=seven"], "'synthetic_seed' must be int"),
        (["run", "lsavi", "-p", "suppresion_threshold=5"], "did you mean 'suppression_threshold'"),
        (["run", "lsavi", "-p", "nonsense"], "must be written NAME=VALUE"),
        (["run", "--config", "config/lsavi.yaml"], "--config applies to one programme"),
        (["run", "lsavi", "--config", "no/such.yaml"], "no/such.yaml does not exist"),
        (["run", "lsavi", "--jobs", "0"], "--jobs must be at least 1"),
        (["synth", "nowhere"], "unknown programme 'nowhere'"),
    ],
)
def test_bad_command_lines_exit_2_with_a_clear_message(args, message, capsys, tmp_path):
    status = main([*args, *(["--output", str(tmp_path)] if args[0] == "run" else [])])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err
    assert "Traceback" not in err


def test_argument_errors_exit_2_without_traceback():
    result = run_cli("run", "--jobs", "many")
    assert result.returncode == 2
    assert "invalid int value" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("run", "list", "synth", "validate", "index"):
        assert command in result.stdout


def test_the_command_leaves_without_collecting_what_it_made(tmp_path):
    """The heap is frozen once the command is done: leaving skips a last full collection."""
    probe = (
        "import atexit, gc, runpy, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['analysis', 'index', '--output', {str(tmp_path)!r}]\n"
        "runpy.run_module('analysis', run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJ_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Index:" in result.stdout and "frozen at exit: True" in result.stdout
    assert (tmp_path / "index.html").exists()
