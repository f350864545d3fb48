"""Every programme's synthetic extract round-trips through CSV, Parquet, Excel and SQLite.

The generator's raw tables are written as a user would write them (pandas'
own writers; CSV with UK day-first dates), loaded back through
``analysis.data.load`` as a real extract, and compared cell by cell with the
raw tables: identifiers against an HMAC-SHA256 computed here with the standard
library, everything else against the raw values.
"""

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
import sqlalchemy

from analysis import PROGRAMMES
from analysis.data import load, validate
from analysis.data.contracts import get_contract
from analysis.synthetic import generate

KEY = "round-trip-test-key-0123456789abcdef0123456789"

EXPECTED_DTYPES = {
    ("id", False): "str",
    ("id", True): "str",
    ("category", False): "str",
    ("category", True): "str",
    ("str", False): "str",
    ("str", True): "str",
    ("int", False): "int64",
    ("int", True): "Int64",
    ("float", False): "float64",
    ("float", True): "float64",
    ("bool", False): "bool",
    ("bool", True): "boolean",
    ("date", False): "datetime64[us]",
    ("date", True): "datetime64[us]",
}


@pytest.fixture(scope="module", params=PROGRAMMES)
def synthetic(request):
    return generate(request.param, seed=11, scale=0.02)


def write(tables, folder, fmt):
    folder.mkdir()
    if fmt == "sqlite":
        engine = sqlalchemy.create_engine(f"sqlite:///{folder / 'extract.db'}")
        with engine.begin() as connection:
            for name, frame in tables.items():
                frame.to_sql(name, connection, index=False)
        engine.dispose()
        return f"sqlite:///{folder / 'extract.db'}"
    for name, frame in tables.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False, date_format="%d/%m/%Y")
        elif fmt == "parquet":
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        else:
            frame.to_excel(folder / f"{name}.xlsx", sheet_name=name, index=False)
    return folder


def reference_pseudonym(value):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return np.nan
    return hmac.new(KEY.encode(), str(value).encode(), hashlib.sha256).hexdigest()


def expected_column(raw, column):
    if column.identifier:
        return pd.Series([reference_pseudonym(v) for v in raw], dtype="str")
    if column.kind == "date":
        return pd.to_datetime(raw).dt.normalize().astype("datetime64[us]")
    if column.kind in ("int", "float"):
        return pd.to_numeric(raw).astype("float64")
    if column.kind == "bool":
        return raw.astype("boolean")
    return raw.astype("str").replace("", np.nan)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx", "sqlite"])
def test_round_trip(synthetic, fmt, tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", KEY)
    contract = get_contract(synthetic.programme)
    source = write(synthetic.tables, tmp_path / fmt, fmt)
    data = load(synthetic.programme, source, extract_date=synthetic.extract_date)
    assert not data.synthetic
    assert data.extract_date == pd.Timestamp(synthetic.extract_date)
    for spec in contract.tables:
        loaded = data[spec.name]
        raw = synthetic.tables[spec.name].reset_index(drop=True)
        assert list(loaded.columns) == [c.name for c in spec.columns]
        assert len(loaded) == len(raw)
        assert data.provenance[spec.name]["rows"] == len(raw)
        for column in spec.columns:
            expected_dtype = EXPECTED_DTYPES[(column.kind, column.nullable)]
            # A non-nullable column keeps a nullable dtype only if it holds blanks, and
            # then validation would have failed; a nullable column may use either.
            assert str(loaded[column.name].dtype) == expected_dtype or column.nullable
            if column.name not in raw:
                continue
            got = loaded[column.name]
            if column.kind in ("int", "float"):
                got = got.astype("float64")
            pd.testing.assert_series_equal(
                got.reset_index(drop=True),
                expected_column(raw[column.name], column),
                check_names=False,
                check_dtype=column.kind not in ("bool",),
                obj=f"{spec.name}.{column.name} via {fmt}",
            )


def test_generator_output_meets_its_contract(synthetic):
    typed = validate(synthetic.programme, synthetic.tables, extract_date=synthetic.extract_date)
    assert set(typed) == set(get_contract(synthetic.programme).table_names)
