"""The project's own promises: installs come from locks that match pyproject.toml, the optional pre-commit hook
runs the locked ruff, and the version shown to users is the changelog's latest release."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from portal.version import VERSION

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(lock: str) -> dict[str, tuple[str, str]]:
    """name -> (version, marker) for every package a lock file pins."""
    found = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if line and line[0] not in " #-":
            spec, _, marker = line.rstrip(" \\").partition(";")
            name, _, version = spec.strip().partition("==")
            found[canonicalize_name(name)] = (version, marker.strip())
    return found


RUNTIME, DEV = pins("runtime.txt"), pins("dev.txt")
CASES = [(r, "runtime.txt") for r in PYPROJECT["dependencies"]]
CASES += [(r, "dev.txt") for r in PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]]


@pytest.mark.parametrize(
    ("requirement", "lock"), CASES, ids=[f"{lock}:{r.split('>')[0]}" for r, lock in CASES]
)
def test_every_declared_dependency_is_locked_within_its_range(requirement, lock):
    wanted = Requirement(requirement)
    locked = (RUNTIME if lock == "runtime.txt" else DEV).get(canonicalize_name(wanted.name))
    assert locked, f"{wanted.name} is in pyproject.toml but not in requirements/{lock}: run make lock"
    assert wanted.specifier.contains(locked[0], prereleases=True), (
        f"requirements/{lock} pins {wanted.name}=={locked[0]}, outside pyproject.toml's {wanted.specifier}: "
        "run make lock"
    )


def test_tests_run_on_the_versions_production_runs():
    differ = {
        name: (version, DEV.get(name))
        for name, (version, _) in RUNTIME.items()
        if DEV.get(name, ("",))[0] != version
    }
    assert not differ, f"dev.txt must keep runtime.txt's versions: {differ}"


def test_locks_pin_hashes_for_every_package():
    for lock in ("runtime.txt", "dev.txt"):
        text = (ROOT / "requirements" / lock).read_text()
        packages = re.findall(r"^[a-z0-9][^\s]*==", text, flags=re.MULTILINE)
        entries = re.split(r"^(?=[a-z0-9])", text, flags=re.MULTILINE)[1:]
        assert len(entries) == len(packages) > 20
        assert all("--hash=sha256:" in entry for entry in entries), f"{lock} has a package without a hash"


def test_the_lock_applies_here():
    # Markers are evaluated for this interpreter: a lock resolved for another Python would leave Django out.
    version, marker = RUNTIME["django"]
    assert version.startswith("5.2.") and (not marker or Marker(marker).evaluate())


def test_pre_commit_runs_the_locked_ruff():
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    rev = re.search(r"astral-sh/ruff-pre-commit\n\s+rev: v(\S+)", config)
    assert rev and rev.group(1) == DEV["ruff"][0], "move .pre-commit-config.yaml's ruff rev with the lock"


def test_the_version_is_the_changelogs_latest_release():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, flags=re.MULTILINE)
    assert releases, "CHANGELOG.md has no release heading like '## [1.2.3] - 2026-12-06'"
    assert VERSION == PYPROJECT["version"] == releases[0]


def test_the_licence_is_the_declared_one():
    assert PYPROJECT["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_the_page_footer_shows_the_running_version(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert f"Stride Clinic {VERSION}" in response.content.decode()
