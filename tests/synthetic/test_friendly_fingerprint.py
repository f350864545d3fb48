"""The friendly world is the one every stored report snapshot was built from: its bytes
must not move when other worlds are added beside it.

The digests were taken from the generators before named worlds existed. A change
to them is a change to every synthetic report: make it deliberately, regenerate
the report snapshots, and update the digests here in the same commit.

Columns added since (:data:`ADDED_COLUMNS`, drawn from a stream of their own) are
left out of the digest, so it proves the columns that predate them did not move.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from analysis.synthetic import SyntheticData, generate

#: sha256 of the tables (names, dtypes, values, index) and the truth at seed 7, scale 0.1.
FRIENDLY_DIGESTS = {
    "op_focus": "56f09deb5ce3fe8a43acc6297a86eac6fe250ab2b6bd04f3ab5d0420dbe26945",
    "perpetrator_programmes": "c75906d38ca73e3af288d7531d13371322368d5101184bb7647ccd1d8423a357",
    "lsavi": "ce397cf984c773e3c0e95783c81ced2d440bff5f25373164b9f21254d885c437",
}

#: Columns added to the friendly world after the digests were taken, by programme and table.
ADDED_COLUMNS = {
    "op_focus": {"suspects": ("sex", "ethnicity")},
    "perpetrator_programmes": {"people": ("sex", "ethnicity")},
}


def fingerprint(data: SyntheticData) -> str:
    """A digest of every table (names, dtypes, values, row index) and the truth.

    The columns of :data:`ADDED_COLUMNS` are left out.
    """
    digest = hashlib.sha256()
    added = ADDED_COLUMNS.get(data.programme, {})
    for name in sorted(data.tables):
        table = data.tables[name].drop(columns=list(added.get(name, ())))
        digest.update(name.encode())
        digest.update(json.dumps([[c, str(t)] for c, t in table.dtypes.items()]).encode())
        digest.update(pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes())
    digest.update(json.dumps(data.truth, sort_keys=True).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("programme", sorted(FRIENDLY_DIGESTS))
def test_friendly_world_is_byte_for_byte_what_it_was(programme):
    data = generate(programme, seed=7, scale=0.1)
    assert fingerprint(data) == FRIENDLY_DIGESTS[programme]


@pytest.mark.parametrize("programme", sorted(ADDED_COLUMNS))
def test_added_columns_are_there_and_move_nothing_else(programme):
    """The added columns exist and are not a copy of the main stream's draws."""
    data = generate(programme, seed=7, scale=0.1)
    for table, columns in ADDED_COLUMNS[programme].items():
        assert set(columns) <= set(data.tables[table].columns)
    other_seed = generate(programme, seed=8, scale=0.1)
    for table, columns in ADDED_COLUMNS[programme].items():
        for column in columns:
            assert data.tables[table][column].notna().all()
            n = min(len(data.tables[table]), len(other_seed.tables[table]))
            assert not (
                data.tables[table][column].iloc[:n].to_numpy()
                == other_seed.tables[table][column].iloc[:n].to_numpy()
            ).all()
