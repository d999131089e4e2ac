"""Fails unless this environment holds exactly what a lock file pins: `python requirements/check_installed.py
requirements/dev.txt`. Compares `pip freeze` (the project itself left out) with the lock's pins whose environment
markers apply here, so a fresh `make test` or CI install is shown to be the locked one, package for package."""

import subprocess
import sys
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name


def locked(path: Path) -> dict[str, str]:
    """The lock's `name==version` pins that apply to this interpreter and platform."""
    pins = {}
    for line in path.read_text().splitlines():
        if not line or line[0] in " #-":
            continue
        spec, _, marker = line.rstrip(" \\").partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        name, _, version = spec.strip().partition("==")
        pins[canonicalize_name(name)] = version
    return pins


def installed() -> dict[str, str]:
    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = {}
    for line in freeze.splitlines():
        name, _, version = line.partition("==")
        found[canonicalize_name(name)] = version
    return found


def main(lock: str) -> int:
    want, have = locked(Path(lock)), installed()
    problems = [
        f"{name}: locked {want[name]}, installed {have.get(name, 'nothing')}"
        for name in sorted(want)
        if have.get(name) != want[name]
    ]
    problems += [f"{name}: installed {have[name]}, not in {lock}" for name in sorted(set(have) - set(want))]
    if problems:
        print(f"This environment is not {lock}:", *problems, sep="\n  ")
        return 1
    print(f"Installed exactly {lock}: {len(want)} packages.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements/dev.txt"))
