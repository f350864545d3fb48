"""Data loaded ahead by the batch host: the same data, only for the same call, once."""

import ast
import json
import os

import pandas as pd
import pytest

import analysis.data.dataset
from analysis.batch import prefetch
from analysis.batch.kernels import fork_available
from analysis.config import notebook_path
from analysis.data import load
from analysis.data.dataset import load_request
from analysis.programmes import REGISTRY

KEY = "prefetch-test-key-0123456789abcdef0123456789"
EXTRACT_DATE = "2026-09-30"

needs_fork = pytest.mark.skipif(not fork_available(), reason="loading ahead needs os.fork")


def load_signature(programme, source="synthetic", **arguments):
    """The signature the host keeps a dataset under, for a ``load`` call with these arguments."""
    return prefetch.signature(load_request(programme, source, **arguments))


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", KEY)
    prefetch.forget()
    yield
    prefetch.forget()


def test_load_returns_the_dataset_kept_for_the_same_call_once(rows, write_extract):
    folder = write_extract(rows)
    kept = load("op_focus", folder, extract_date=EXTRACT_DATE)
    prefetch.keep(load_signature("op_focus", folder, extract_date=EXTRACT_DATE), kept)
    assert load("op_focus", folder, extract_date=EXTRACT_DATE) is kept
    again = load("op_focus", folder, extract_date=EXTRACT_DATE)
    assert again is not kept  # read anew: a notebook's own changes never come back
    pd.testing.assert_frame_equal(again["crimes"], kept["crimes"])


def test_a_different_call_or_changed_files_read_the_source(rows, write_extract):
    folder = write_extract(rows)
    kept = load("op_focus", folder, extract_date=EXTRACT_DATE)
    prefetch.keep(load_signature("op_focus", folder, extract_date=EXTRACT_DATE), kept)
    assert load("op_focus", folder, extract_date="2026-09-29") is not kept
    crimes = folder / "crimes.csv"
    stat = crimes.stat()
    os.utime(crimes, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load("op_focus", folder, extract_date=EXTRACT_DATE) is not kept
    assert prefetch.has_any()  # still waiting for its own call, which never comes


def test_a_changed_part_of_a_table_kept_as_parts_reads_the_source(tmp_path):
    parts = tmp_path / "crimes"
    parts.mkdir()
    (parts / "part-0001.csv").write_text("crime_id\n1\n")
    before = load_signature("op_focus", tmp_path, extract_date=EXTRACT_DATE)
    (parts / "part-0002.csv").write_text("crime_id\n2\n")
    after_new_part = load_signature("op_focus", tmp_path, extract_date=EXTRACT_DATE)
    (parts / "part-0001.csv").write_text("crime_id\n11\n")
    after_edit = load_signature("op_focus", tmp_path, extract_date=EXTRACT_DATE)
    assert len({before, after_new_part, after_edit}) == 3


def test_another_key_never_matches(rows, write_extract, monkeypatch):
    folder = write_extract(rows)
    before = load_signature("op_focus", folder, extract_date=EXTRACT_DATE)
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", KEY[::-1])
    after = load_signature("op_focus", folder, extract_date=EXTRACT_DATE)
    assert before != after
    assert KEY not in repr(before) and KEY[::-1] not in repr(after)


def test_databases_are_not_loaded_ahead(rows, write_sqlite):
    database = write_sqlite(rows)
    assert load_signature("op_focus", database, extract_date=EXTRACT_DATE) is None
    assert load_signature("op_focus", f"sqlite:///{database}", extract_date=EXTRACT_DATE) is None
    assert load_signature("op_focus", "synthetic", queries={"crimes": "SELECT 1"}) is None


@needs_fork
def test_a_child_loads_ahead_and_the_host_keeps_it(rows, write_extract):
    folder = write_extract(rows)
    call = {"source": str(folder), "seed": 2026, "scale": 1.0, "extract_date": EXTRACT_DATE}
    synthetic = {"source": "synthetic", "seed": 5, "scale": 0.02, "extract_date": None}
    loading = prefetch.start([("op_focus", call), ("lsavi", synthetic)])
    assert loading is not None and oct(loading.folder.stat().st_mode)[-3:] == "700"
    finished = os.waitid(os.P_PID, loading.pid, os.WEXITED | os.WNOWAIT)  # a host would not wait
    assert finished.si_status == 0
    assert sorted(prefetch.collect(loading)) == ["lsavi", "op_focus"]
    assert not loading.folder.exists()
    ahead = load("op_focus", **call)
    fresh = load("op_focus", **call)
    assert ahead is not fresh
    for name in fresh:
        pd.testing.assert_frame_equal(ahead[name], fresh[name])
    assert ahead.provenance == fresh.provenance and ahead.extract_date == fresh.extract_date
    assert load("lsavi", **synthetic).truth == load("lsavi", **synthetic).truth


@needs_fork
def test_loads_that_warn_or_fail_are_left_to_the_notebook(rows, write_extract, tmp_path):
    warns = {"source": str(write_extract(rows)), "extract_date": None}  # date inferred: warns
    fails = {"source": str(tmp_path / "missing"), "extract_date": EXTRACT_DATE}
    loading = prefetch.start([("op_focus", warns), ("op_focus", fails)])
    os.waitid(os.P_PID, loading.pid, os.WEXITED | os.WNOWAIT)
    assert prefetch.collect(loading) == []
    assert not prefetch.has_any()


@needs_fork
def test_a_dataset_is_not_passed_on_where_it_would_fill_the_disk(rows, write_extract, monkeypatch):
    monkeypatch.setattr(prefetch, "SPACE_MARGIN", 2**62)  # more than any disk has
    call = {"source": str(write_extract(rows)), "extract_date": EXTRACT_DATE}
    loading = prefetch.start([("op_focus", call)])
    assert not str(loading.folder).startswith(str(prefetch.SHARED_MEMORY)), "no room there"
    os.waitid(os.P_PID, loading.pid, os.WEXITED | os.WNOWAIT)
    assert prefetch.collect(loading) == []


@needs_fork
def test_collect_stops_a_child_still_loading(monkeypatch):
    loading = prefetch.start([("op_focus", {"source": "synthetic", "scale": 5.0})])
    assert prefetch.collect(loading) == []  # stopped at once, long before it could finish
    assert not loading.folder.exists()
    with pytest.raises(ChildProcessError):
        os.waitpid(loading.pid, os.WNOHANG)


def test_nothing_to_load_starts_nothing():
    assert prefetch.start([]) is None
    assert prefetch.collect(None) == []


def test_load_offers_nothing_unless_the_batch_installs_its_lookup(rows, write_extract):
    """Outside a batch, ``load`` consults nothing: the hook is empty until someone fills it."""
    assert analysis.data.dataset._PRELOADED is None
    folder = write_extract(rows)
    kept = load("op_focus", folder, extract_date=EXTRACT_DATE)
    prefetch.keep(load_signature("op_focus", folder, extract_date=EXTRACT_DATE), kept)
    assert analysis.data.dataset._PRELOADED is prefetch.take
    prefetch.forget()
    assert analysis.data.dataset._PRELOADED is None
    assert load("op_focus", folder, extract_date=EXTRACT_DATE) is not kept


@pytest.mark.parametrize("programme", REGISTRY)
def test_load_arguments_are_what_each_notebook_passes_to_load(programme):
    """The host loads ahead what the notebook asks for: the same call, parameter by parameter.

    The programme declares its notebook's call (``Programme.load_arguments``); the
    notebook's own ``load(...)`` is checked against it here.
    """
    cells = json.loads(notebook_path(programme).read_text())["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load"
    ]
    assert len(calls) == 1
    (call,) = calls
    assert [ast.literal_eval(a) for a in call.args] == [programme]
    parameters = {
        "source": "S",
        "synthetic_seed": 11,
        "synthetic_scale": 0.5,
        "extract_date": "",
        "synthetic_world": "frailty",
    }
    namespace = dict(parameters, load=lambda programme, **kwargs: kwargs)
    declared = REGISTRY[programme].load_arguments
    passed = eval(compile(ast.Expression(call), programme, "eval"), namespace)
    assert passed == declared(parameters)
    namespace["extract_date"] = parameters["extract_date"] = "2026-03-31"
    passed = eval(compile(ast.Expression(call), programme, "eval"), namespace)
    assert passed == declared(parameters)
