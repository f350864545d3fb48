"""Pseudonymising identifiers with a keyed hash, and canaries to prove none leak.

Every column a contract marks ``identifier`` (suspect, victim, person,
premises, crime references) is replaced on load by the HMAC-SHA256 of its
value under a secret key, written as 64 hexadecimal characters. The same raw
identifier always gives the same pseudonym under the same key, so joins
between tables (and between quarterly extracts) survive; without the key a
pseudonym cannot be turned back into the identifier, nor can a guessed
identifier be checked against it.

The key comes from the environment variable ``ANALYSIS_PSEUDONYM_KEY`` and is
never read from, or written to, the repository, a report, a log or a
provenance record. Real extracts are refused without it::

    export ANALYSIS_PSEUDONYM_KEY=$(python -c "import secrets; print(secrets.token_hex(32))")

Keep that value in a password manager or the force's secret store: the same
key must be used for every extract that is to be linked. Synthetic data,
whose identifiers belong to nobody, uses :data:`SYNTHETIC_KEY`, a fixed
public key.

Canaries (:func:`plant_canaries`, :func:`find_canaries`) are distinctive
made-up identifiers planted in an extract; a privacy test loads or reports on
the extract and checks that none of them appears anywhere downstream.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .schema import Contract

#: Environment variable holding the pseudonymisation key.
KEY_VARIABLE = "ANALYSIS_PSEUDONYM_KEY"
#: Shortest key accepted: 32 characters (the suggested key is 64 hex characters, 256 bits).
MIN_KEY_LENGTH = 32
#: Public key for synthetic data only: its identifiers are made up, so nothing is protected.
SYNTHETIC_KEY = b"dorset-pilot-evaluation/synthetic-data/public-key/v1"
#: Prefix of planted canary identifiers.
CANARY_PREFIX = "CANARY"

HOW_TO_SET_KEY = (
    f"set the environment variable {KEY_VARIABLE} to a secret of at least {MIN_KEY_LENGTH} "
    "characters, kept outside the repository, and use the same key for every extract you "
    f'want to link. To make one: export {KEY_VARIABLE}=$(python -c "import secrets; '
    'print(secrets.token_hex(32))")'
)


def pseudonym_key(*, synthetic: bool = False) -> bytes:
    """The key identifiers are hashed with.

    Parameters
    ----------
    synthetic : bool
        True for synthetic data: the fixed public :data:`SYNTHETIC_KEY`.

    Returns
    -------
    bytes

    Raises
    ------
    ConfigError
        For real data when ``ANALYSIS_PSEUDONYM_KEY`` is unset or too short; the
        message says how to set one (it never repeats the key).

    Examples
    --------
    >>> pseudonym_key(synthetic=True) == SYNTHETIC_KEY
    True
    """
    if synthetic:
        return SYNTHETIC_KEY
    value = os.environ.get(KEY_VARIABLE, "")
    if not value.strip():
        raise ConfigError(
            "real data is pseudonymised on load and needs a key, but "
            f"{KEY_VARIABLE} is not set: {HOW_TO_SET_KEY}"
        )
    if len(value.strip()) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"{KEY_VARIABLE} is too short ({len(value.strip())} characters; at least "
            f"{MIN_KEY_LENGTH} are needed so the pseudonyms cannot be reversed by guessing "
            f"the key): {HOW_TO_SET_KEY}"
        )
    return value.strip().encode("utf-8")


def pseudonymise(
    values: pd.Series | pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    key: bytes | str | None = None,
) -> pd.Series | pd.DataFrame:
    """Replace identifiers by their HMAC-SHA256 pseudonyms (64 hex characters).

    Parameters
    ----------
    values : Series or DataFrame
        Identifiers (a Series), or a table whose ``columns`` hold identifiers.
    columns : sequence of str, optional
        For a DataFrame: the identifier columns (required).
    key : bytes or str, optional
        The key; default the ``ANALYSIS_PSEUDONYM_KEY`` environment variable
        (see :func:`pseudonym_key`).

    Returns
    -------
    Series or DataFrame
        A copy with identifiers replaced (str dtype); blanks stay blank. Values
        are hashed as text with surrounding spaces removed, so ``12345`` read
        from a spreadsheet as a number and from CSV as text give the same pseudonym.

    Examples
    --------
    >>> ids = pd.Series(["S001", "S002", "S001", None])
    >>> out = pseudonymise(ids, key=SYNTHETIC_KEY)
    >>> out[0] == out[2], out[0] != out[1], len(out[0]), out.isna().tolist()[3]
    (True, True, 64, True)
    """
    if isinstance(values, pd.DataFrame):
        if columns is None:
            raise ConfigError("pseudonymise(table, columns): name the identifier columns")
        missing = [c for c in columns if c not in values]
        if missing:
            raise ConfigError(f"cannot pseudonymise: no column(s) {', '.join(missing)}")
    secret = pseudonym_key() if key is None else key
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    if isinstance(values, pd.DataFrame):
        out = values.copy()
        for column in columns:
            out[column] = _hash_series(values[column], secret)
        return out
    return _hash_series(values, secret)


def _hash_series(values: pd.Series, key: bytes) -> pd.Series:
    from .coercion import as_text

    text = as_text(values)
    present = text.notna() & (text != "")
    # Identifiers repeat (a suspect on many crimes): hash each distinct value once.
    codes, uniques = pd.factorize(text[present])
    # Copying a keyed HMAC state is much cheaper than keying a new one for every value.
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def digest(value: str) -> str:
        state = keyed.copy()
        state.update(value.encode("utf-8"))
        return state.hexdigest()

    hashed = np.array([digest(str(u)) for u in uniques.tolist()], dtype=object)
    out = pd.Series(np.nan, index=values.index, dtype=object)
    if len(codes):
        out[present] = hashed[codes]
    return out.astype("str")


def pseudonymise_tables(
    contract: Contract, tables: Mapping[str, pd.DataFrame], *, key: bytes | str
) -> dict[str, pd.DataFrame]:
    """Pseudonymise every identifier column of a programme's tables.

    Examples
    --------
    >>> from analysis.data.contracts import get_contract
    >>> tables = {"premises": pd.DataFrame({"premises_id": ["P1"], "area": ["Poole"]})}
    >>> out = pseudonymise_tables(get_contract("lsavi"), tables, key=SYNTHETIC_KEY)
    >>> out["premises"]["premises_id"][0] == pseudonymise(pd.Series(["P1"]), key=SYNTHETIC_KEY)[0]
    True
    """
    out = {}
    for name, table in tables.items():
        spec = contract.table(name)
        columns = [c for c in spec.identifiers if c in table]
        out[name] = pseudonymise(table, columns, key=key) if columns else table.copy()
    return out


# --------------------------------------------------------------------------- canaries


def plant_canaries(
    contract: Contract,
    tables: Mapping[str, pd.DataFrame],
    *,
    per_column: int = 3,
    prefix: str = CANARY_PREFIX,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Replace some raw identifiers by distinctive canary values, keeping every join intact.

    Each chosen identifier is replaced wherever it appears, in every identifier
    column of every table, so foreign keys still match and the extract still
    meets its contract.

    Parameters
    ----------
    contract : Contract
        The programme's contract (which columns are identifiers).
    tables : mapping of str to DataFrame
        Raw tables (as a synthetic generator or an extract gives them).
    per_column : int
        How many distinct identifiers to replace in each identifier column.
    prefix : str
        Start of every canary value.

    Returns
    -------
    tables : dict of str to DataFrame
        Copies with the canaries planted.
    canaries : list of str
        The planted values: none may appear in anything built from the tables.

    Examples
    --------
    >>> from analysis.data.contracts import get_contract
    >>> premises = pd.DataFrame({"premises_id": ["P1", "P2"], "area": ["Poole", "Poole"]})
    >>> incidents = pd.DataFrame({"incident_id": ["I1"], "premises_id": ["P2"]})
    >>> planted, canaries = plant_canaries(
    ...     get_contract("lsavi"), {"premises": premises, "incidents": incidents}, per_column=2)
    >>> planted["incidents"]["premises_id"][0] == planted["premises"]["premises_id"][1]
    True
    >>> all(c.startswith("CANARY") for c in canaries)
    True
    """
    from .coercion import as_text

    chosen: dict[str, str] = {}
    for name, table in tables.items():
        spec = contract.table(name)
        for column in spec.identifiers:
            if column not in table:
                continue
            distinct = as_text(table[column]).dropna().unique()
            for raw in [v for v in distinct if v not in chosen][:per_column]:
                chosen[raw] = f"{prefix}{len(chosen):04d}X{_check_letters(len(chosen))}"
    planted = {}
    for name, table in tables.items():
        spec = contract.table(name)
        copy = table.copy()
        for column in spec.identifiers:
            if column in copy:
                text = as_text(copy[column])
                copy[column] = text.map(lambda v: chosen.get(v, v), na_action="ignore")
        planted[name] = copy
    return planted, list(chosen.values())


def _check_letters(number: int) -> str:
    """Letters that make each canary unlikely to occur by chance in any text."""
    alphabet = "QZJXKV"
    return "".join(alphabet[(number // 6**i) % 6] for i in range(4))


def find_canaries(haystack: Any, canaries: Iterable[str]) -> list[str]:
    """The canaries that appear in tables, a Dataset, text or bytes.

    Parameters
    ----------
    haystack : DataFrame, mapping of DataFrames, Dataset, str or bytes
        Where to look: every cell and column name of a table; every table of a
        mapping or :class:`~analysis.data.dataset.Dataset` (plus its
        provenance and warnings); or raw text.
    canaries : iterable of str
        The planted values.

    Returns
    -------
    list of str
        The canaries found (empty when nothing leaked).

    Examples
    --------
    >>> find_canaries("row 3: CANARY0001XZQQQ", ["CANARY0001XZQQQ", "CANARY0002XJQQQ"])
    ['CANARY0001XZQQQ']
    """
    canaries = list(canaries)
    if isinstance(haystack, bytes):
        return [c for c in canaries if c.encode("utf-8") in haystack]
    if isinstance(haystack, str):
        return [c for c in canaries if c in haystack]
    if isinstance(haystack, pd.DataFrame):
        text = " ".join(map(str, haystack.columns)) + "\n" + haystack.to_csv(index=True)
        return find_canaries(text, canaries)
    if isinstance(haystack, Mapping):
        found: list[str] = []
        for value in haystack.values():
            found += [c for c in find_canaries(value, canaries) if c not in found]
        return found
    tables = getattr(haystack, "tables", None)
    if isinstance(tables, Mapping):
        found = find_canaries(tables, canaries)
        extra = repr(getattr(haystack, "provenance", "")) + repr(getattr(haystack, "warnings", ""))
        return found + [c for c in find_canaries(extra, canaries) if c not in found]
    return find_canaries(repr(haystack), canaries)
