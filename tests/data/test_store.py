"""Synthetic extracts on disk: manifest, same seed same bytes, and the synthetic read path."""

import hashlib
import json

import pandas as pd
import pytest

import analysis.data.store as store
from analysis.data import load, write_synthetic
from analysis.errors import ConfigError
from analysis.synthetic import generate

SEED, SCALE = 7, 0.02


@pytest.fixture
def synthetic_dir(tmp_path, monkeypatch):
    folder = tmp_path / "synthetic"
    monkeypatch.setattr(store, "SYNTHETIC_DIR", folder)
    return folder


def test_write_synthetic_writes_tables_and_manifest(synthetic_dir):
    folder = write_synthetic("lsavi", seed=SEED, scale=SCALE)
    assert folder == synthetic_dir / "lsavi"
    manifest = json.loads((folder / "manifest.json").read_text())
    data = generate("lsavi", seed=SEED, scale=SCALE)
    assert manifest["programme"] == "lsavi"
    assert (manifest["seed"], manifest["scale"], manifest["format"]) == (SEED, SCALE, "csv")
    assert manifest["extract_date"] == f"{data.extract_date:%Y-%m-%d}"
    assert manifest["truth"] == pytest.approx(data.truth)
    assert manifest["rows"] == {name: len(t) for name, t in data.tables.items()}
    assert manifest["generator_version"] == store.generator_version("lsavi")
    for name, entry in manifest["files"].items():
        payload = (folder / entry["file"]).read_bytes()
        assert hashlib.sha256(payload).hexdigest() == entry["sha256"]
        written = pd.read_csv(folder / entry["file"])
        assert len(written) == len(data.tables[name])
        assert list(written.columns) == list(data.tables[name].columns)


def test_same_seed_same_bytes(tmp_path):
    one = write_synthetic("lsavi", seed=SEED, scale=SCALE, folder=tmp_path / "one")
    two = write_synthetic("lsavi", seed=SEED, scale=SCALE, folder=tmp_path / "two")
    for path in one.glob("*.csv"):
        assert path.read_bytes() == (two / path.name).read_bytes()


def test_synthetic_source_reads_the_matching_folder(synthetic_dir):
    folder = write_synthetic("lsavi", seed=SEED, scale=SCALE)
    data = load("lsavi", seed=SEED, scale=SCALE)
    assert data.synthetic
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        assert data.provenance[name]["source"].endswith(f"lsavi/{entry['file']}")
        assert data.provenance[name]["sha256"] == entry["sha256"]
    assert data.truth == pytest.approx(manifest["truth"])
    assert data.extract_date == pd.Timestamp(manifest["extract_date"])


def test_in_memory_and_on_disk_give_the_same_dataset(synthetic_dir):
    in_memory = load("lsavi", seed=SEED, scale=SCALE)
    write_synthetic("lsavi", seed=SEED, scale=SCALE)
    on_disk = load("lsavi", seed=SEED, scale=SCALE)
    assert "generated in memory" in in_memory.provenance["premises"]["source"]
    assert "generated in memory" not in on_disk.provenance["premises"]["source"]
    for name in in_memory:
        pd.testing.assert_frame_equal(in_memory[name], on_disk[name])
        # The fingerprint of generated tables is that of the CSV file the writer makes.
        assert in_memory.provenance[name]["sha256"] == on_disk.provenance[name]["sha256"]


def test_other_seed_is_generated_in_memory(synthetic_dir):
    write_synthetic("lsavi", seed=SEED, scale=SCALE)
    data = load("lsavi", seed=SEED + 1, scale=SCALE)
    assert "generated in memory" in data.provenance["premises"]["source"]
    expected = generate("lsavi", seed=SEED + 1, scale=SCALE).tables["premises"]
    assert len(data["premises"]) == len(expected)


def test_edited_file_is_not_trusted(synthetic_dir):
    folder = write_synthetic("lsavi", seed=SEED, scale=SCALE)
    with (folder / "premises.csv").open("a") as handle:
        handle.write("P-EDITED,pub,Poole,under_50,false,\n")
    data = load("lsavi", seed=SEED, scale=SCALE)
    assert "generated in memory" in data.provenance["premises"]["source"]
    expected = generate("lsavi", seed=SEED, scale=SCALE).tables["premises"]
    assert len(data["premises"]) == len(expected)


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_other_formats_round_trip(tmp_path, fmt):
    folder = write_synthetic("lsavi", seed=SEED, scale=SCALE, folder=tmp_path / fmt, fmt=fmt)
    assert (folder / f"premises.{fmt}").exists()
    data = load("lsavi", folder)
    assert data.synthetic
    reference = load("lsavi", seed=SEED, scale=SCALE)
    for name in reference:
        pd.testing.assert_frame_equal(data[name], reference[name])


def test_existing_folder_with_other_files_is_not_overwritten(tmp_path):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "crimes.csv").write_text("crime_id\nC1\n")
    with pytest.raises(ConfigError, match="not synthetic data"):
        write_synthetic("lsavi", seed=SEED, scale=SCALE, folder=folder)
    assert (folder / "crimes.csv").read_text() == "crime_id\nC1\n"


def test_rewriting_replaces_a_synthetic_folder(tmp_path):
    folder = write_synthetic("lsavi", seed=SEED, scale=SCALE, folder=tmp_path / "s")
    write_synthetic("lsavi", seed=SEED + 1, scale=SCALE, folder=folder)
    assert json.loads((folder / "manifest.json").read_text())["seed"] == SEED + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_unknown_format(tmp_path):
    with pytest.raises(ConfigError, match="unknown format 'json'"):
        write_synthetic("lsavi", seed=SEED, scale=SCALE, folder=tmp_path / "x", fmt="json")
