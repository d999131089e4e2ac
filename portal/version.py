"""The running version: pyproject.toml's, which follows CHANGELOG.md (a test holds the two together)."""

import tomllib
from importlib import metadata
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _version() -> str:
    # A checkout reads its own pyproject.toml: an editable install's metadata keeps the version it was installed
    # with until the next install. A wheel has no pyproject.toml beside it and reads its metadata.
    if PYPROJECT.is_file():
        with PYPROJECT.open("rb") as file:
            return tomllib.load(file)["project"]["version"]
    return metadata.version("stride-clinic")


VERSION = _version()
