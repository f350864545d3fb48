"""Pseudonymisation: keyed hashes, the key's handling, and canaries that must not leak."""

import hashlib
import hmac
import json
import shutil

import pandas as pd
import pytest

from analysis.data import (
    find_canaries,
    load,
    plant_canaries,
    pseudonym_key,
    pseudonymise,
    write_synthetic,
)
from analysis.data.contracts import get_contract
from analysis.data.pseudonymise import KEY_VARIABLE, SYNTHETIC_KEY
from analysis.errors import ConfigError
from analysis.synthetic import generate

KEY = "a-test-key-that-is-long-enough-0123456789"


def reference(value, key=KEY):
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def test_pseudonyms_are_hmac_sha256_of_the_trimmed_text():
    ids = pd.Series(["S001", " S001 ", "S002", None, ""])
    out = pseudonymise(ids, key=KEY)
    assert out[0] == reference("S001")
    assert out[1] == out[0]
    assert out[2] == reference("S002")
    assert out[3:].isna().all()


def test_numbers_and_text_give_the_same_pseudonym():
    as_text = pseudonymise(pd.Series(["12345"]), key=KEY)
    as_float = pseudonymise(pd.Series([12345.0]), key=KEY)
    as_int = pseudonymise(pd.Series([12345]), key=KEY)
    assert as_text[0] == as_float[0] == as_int[0] == reference("12345")


def test_different_keys_give_unrelated_pseudonyms():
    one = pseudonymise(pd.Series(["S001"]), key=KEY)[0]
    other = pseudonymise(pd.Series(["S001"]), key=KEY + "x")[0]
    assert one != other


def test_dataframe_columns(monkeypatch):
    table = pd.DataFrame({"person_id": ["N1", "N2"], "area": ["Poole", "Poole"]})
    out = pseudonymise(table, ["person_id"], key=KEY)
    assert out["person_id"].tolist() == [reference("N1"), reference("N2")]
    assert out["area"].tolist() == ["Poole", "Poole"]
    assert table["person_id"].tolist() == ["N1", "N2"]  # the input is not changed
    with pytest.raises(ConfigError, match="name the identifier columns"):
        pseudonymise(table)


def test_real_data_without_a_key_is_refused_with_how_to(monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    with pytest.raises(ConfigError) as error:
        pseudonym_key()
    message = str(error.value)
    assert KEY_VARIABLE in message
    assert "secrets.token_hex(32)" in message
    assert "outside the repository" in message


def test_short_key_is_refused_and_not_echoed(monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "tooshort-secret")
    with pytest.raises(ConfigError, match="too short") as error:
        pseudonym_key()
    assert "tooshort-secret" not in str(error.value)


def test_loading_a_real_folder_without_a_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    with pytest.raises(ConfigError, match=KEY_VARIABLE):
        load("lsavi", tmp_path)


def test_synthetic_data_uses_the_public_key(monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    assert pseudonym_key(synthetic=True) == SYNTHETIC_KEY
    data = load("lsavi", seed=5, scale=0.02)
    raw = generate("lsavi", seed=5, scale=0.02).tables["premises"]["premises_id"]
    expected = [hmac.new(SYNTHETIC_KEY, v.encode(), hashlib.sha256).hexdigest() for v in raw]
    assert data["premises"]["premises_id"].tolist() == expected


def test_joins_survive_pseudonymisation():
    data = load("lsavi", seed=5, scale=0.02)
    linked = data["self_assessments"]["premises_id"]
    assert linked.isin(data["premises"]["premises_id"]).all()


def test_canaries_planted_in_an_extract_never_reach_a_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    synthetic = generate("lsavi", seed=5, scale=0.02)
    contract = get_contract("lsavi")
    planted, canaries = plant_canaries(contract, synthetic.tables, per_column=3)
    folder = tmp_path / "extract"
    folder.mkdir()
    for name, table in planted.items():
        table.to_csv(folder / f"{name}.csv", index=False)
    on_disk = "".join((folder / f"{n}.csv").read_text() for n in planted)
    # The canaries are really in the extract (the test could fail) ...
    assert set(find_canaries(on_disk, canaries)) == set(canaries)
    assert len(canaries) >= 6
    # ... and nowhere in what was loaded from it.
    data = load("lsavi", folder, extract_date=synthetic.extract_date)
    assert find_canaries(data, canaries) == []
    assert find_canaries(repr(data) + data._repr_html_(), canaries) == []


def test_canaries_keep_the_extract_valid():
    synthetic = generate("lsavi", seed=5, scale=0.02)
    contract = get_contract("lsavi")
    planted, canaries = plant_canaries(contract, synthetic.tables)
    premises = planted["premises"]["premises_id"]
    assert planted["incidents"]["premises_id"].dropna().isin(premises).all()
    assert sorted(find_canaries(planted, canaries)) == sorted(canaries)


def test_the_key_is_never_written(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    caplog.set_level("DEBUG")
    folder = write_synthetic("lsavi", seed=5, scale=0.02, folder=tmp_path / "synthetic")
    data = load("lsavi", folder)
    copy = shutil.copytree(folder, tmp_path / "as_real_copy")
    (copy / "manifest.json").unlink()
    real = load("lsavi", copy, extract_date="2026-07-15")
    assert data.synthetic and not real.synthetic
    for dataset in (data, real):
        text = repr(dataset) + json.dumps(dataset.provenance) + " ".join(dataset.warnings)
        assert KEY not in text
        assert KEY not in "".join(t.to_csv() for t in dataset.tables.values())
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert KEY.encode() not in written
    assert KEY not in caplog.text
