"""The data dictionary in data/README.md agrees with the contracts."""

import pytest

from analysis import PROGRAMMES
from analysis.data.contracts import get_contract
from analysis.data.dictionary import (
    BEGIN_MARKER,
    END_MARKER,
    dictionary_section,
    render_dictionary,
    update_readme,
)
from analysis.paths import DATA_DIR


def test_readme_dictionary_matches_the_contracts():
    section = dictionary_section((DATA_DIR / "README.md").read_text(encoding="utf-8"))
    assert section is not None, "data/README.md lost its data-dictionary markers"
    assert section.strip() == render_dictionary().strip(), (
        "data/README.md is out of date with the contracts: run "
        "`python -m analysis.data.dictionary` and commit the result"
    )


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_every_table_and_column_is_documented(programme):
    text = render_dictionary([programme])
    contract = get_contract(programme)
    assert f"(`{programme}`)" in text
    for spec in contract.tables:
        assert f"#### `{spec.name}`" in text
        for column in spec.columns:
            line = next(row for row in text.splitlines() if row.startswith(f"| `{column.name}` |"))
            assert ("pseudonymised" in line) == column.identifier
            assert ("optional" in line) == (not column.required)


def test_update_readme_rewrites_only_the_generated_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Data\n\nIntro.\n\n{BEGIN_MARKER}\nstale\n{END_MARKER}\n\nOutro.\n")
    assert update_readme(readme) is True
    text = readme.read_text()
    assert text.startswith("# Data\n\nIntro.\n\n") and text.endswith("\n\nOutro.\n")
    assert "stale" not in text
    assert dictionary_section(text).strip() == render_dictionary().strip()
    assert update_readme(readme) is False


def test_update_readme_needs_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Data\n")
    with pytest.raises(ValueError, match="lacks the data-dictionary markers"):
        update_readme(readme)
