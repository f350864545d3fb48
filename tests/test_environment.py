"""The environment is pinned in one place and mirrored exactly elsewhere."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = {}
    for spec in specs:
        name, sep, version = spec.partition("==")
        assert sep, f"pyproject.toml dependency '{spec}' is not an exact pin"
        pins[normalise(name)] = version
    return pins


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            conda[normalise(name)] = version
    assert conda.pop("python") == "3.11"
    assert conda == pyproject_pins()


def test_lock_file_agrees_with_pyproject():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            lock[normalise(name)] = version.strip()
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"{name}: pyproject {version}, lock {lock.get(name)}"


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import PackageNotFoundError, version

    for name, pinned in pyproject_pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:  # pragma: no cover - reported by the assertion
            installed = None
        assert installed == pinned, f"{name}: installed {installed}, pinned {pinned}"


def requires_python_floor() -> str:
    """The oldest Python that ``requires-python`` admits, e.g. ``3.11`` for ``>=3.11``."""
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    match = re.fullmatch(r">=\s*(\d+\.\d+(?:\.\d+)?)", spec.strip())
    assert match, f"pyproject.toml requires-python '{spec}' is not a plain '>=X.Y' floor"
    return match.group(1)


def lock_pins() -> dict[str, str]:
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            lock[normalise(name)] = version.strip()
    return lock


def test_every_locked_release_installs_on_the_oldest_supported_python():
    """Each pinned release's own Requires-Python admits the floor of requires-python.

    Read offline from the installed distributions' metadata (the same METADATA file the wheel
    carries and the index publishes as data-requires-python), so a pin that needs, say,
    Python 3.11.5 fails here rather than in ``make setup`` on Debian 12's Python 3.11.2.
    """
    from importlib.metadata import PackageNotFoundError, metadata

    from packaging.specifiers import SpecifierSet

    floor = requires_python_floor()
    too_new, not_installed = [], []
    for name, pinned in lock_pins().items():
        try:
            meta = metadata(name)
        except PackageNotFoundError:
            not_installed.append(name)
            continue
        if meta["Version"] != pinned:
            not_installed.append(f"{name} (installed {meta['Version']}, locked {pinned})")
            continue
        needs = meta.get("Requires-Python")
        if needs and not SpecifierSet(needs).contains(floor, prereleases=True):
            too_new.append(f"{name}=={pinned} needs Python {needs}")
    assert not not_installed, (
        f"requirements.lock pins not installed as locked: {not_installed}; run `make setup`"
    )
    assert not too_new, (
        f"requirements.lock: {too_new}, but pyproject.toml promises Python {floor}. Pin the newest "
        f"release whose Requires-Python admits {floor} (`pip index versions NAME`, then check its "
        "Requires-Python on the index), or raise requires-python, PYTHON_MIN in the Makefile and "
        "the README together"
    )


def test_makefile_checks_the_same_floor_as_pyproject():
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^PYTHON_MIN := (\S+)$", makefile, flags=re.MULTILINE)
    assert match, "Makefile: PYTHON_MIN is not set"
    assert match.group(1) == requires_python_floor()
