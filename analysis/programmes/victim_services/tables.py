"""Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service): analysis and display tables."""

from __future__ import annotations

import pandas as pd

from ...evidence.disclosure import suppress


def group_counts(participants: pd.DataFrame) -> pd.DataFrame:
    """People and outcomes by whether they took part.

    Examples
    --------
    >>> people = pd.DataFrame({"took_part": [True, False, True], "outcome": [True, False, False]})
    >>> group_counts(people).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'group': 'took part', 'people': 2, 'with outcome': 1},
     {'group': 'did not take part', 'people': 1, 'with outcome': 0}]
    """
    rows = []
    for label, took_part in (("took part", True), ("did not take part", False)):
        group = participants[participants["took_part"] == took_part]
        rows.append(
            {"group": label, "people": len(group), "with outcome": int(group["outcome"].sum())}
        )
    return pd.DataFrame(rows)


def group_counts_display(counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`group_counts` safe to publish: counts below ``threshold`` suppressed."""
    return suppress(counts.set_index("group"), threshold=threshold)
