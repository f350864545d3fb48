"""Notebooks take non-default parameters through papermill, as the batch runner injects them."""

import json

import papermill
import pytest

from analysis import PROGRAMMES
from analysis.data import load
from analysis.paths import NOTEBOOKS_DIR, PROJ_ROOT

pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("notebooks")]


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_notebook_runs_with_injected_parameters(programme, tmp_path):
    findings_path = tmp_path / "findings.json"
    parameters = {
        "synthetic_seed": 7,
        "suppression_threshold": 5,
        "findings_path": str(findings_path),
    }
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / f"{programme}.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters=parameters,
        kernel_name="dorset-eval",
        cwd=str(PROJ_ROOT),
        progress_bar=False,
    )
    record = json.loads(findings_path.read_text())
    expected = load(programme, source="synthetic", seed=7).provenance
    assert {t: v["sha256"] for t, v in record["inputs"].items()} == {
        t: v["sha256"] for t, v in expected.items()
    }, "the notebook analysed the data of the injected seed"
    assert record["findings"] and all(
        f["truth"] is not None or f.get("truth_not_planted") for f in record["findings"]
    )
