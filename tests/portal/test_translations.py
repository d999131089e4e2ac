"""The Spanish catalog is complete and current (issue #25): every string marked in the code and templates is in
locale/es/LC_MESSAGES/django.po with a translation, the catalog holds nothing that is no longer marked, and the
compiled catalog Django reads was built from it (`make messages` does all three)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))

pytestmark = pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext (msgfmt) is not installed")


def test_there_is_a_spanish_catalog():
    assert LOCALE / "es" / "LC_MESSAGES" / "django.po" in CATALOGS


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: str(path.relative_to(LOCALE)))
def test_every_string_is_translated(catalog):
    checked = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalog)],
        capture_output=True, text=True, env={"LC_ALL": "C"},
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "untranslated" not in checked.stderr and "fuzzy" not in checked.stderr, checked.stderr


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: str(path.relative_to(LOCALE)))
def test_the_compiled_catalog_is_built_from_the_current_one(catalog):
    compiled = catalog.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= catalog.stat().st_mtime, (
        f"{compiled.relative_to(LOCALE)} is missing or older than its .po: run `make messages`"
    )


def test_the_catalog_holds_exactly_the_strings_marked(tmp_path, monkeypatch):
    """makemessages run again (into a copy) adds no string and drops none: msgcmp both ways, msgids only. It runs
    in a directory of links to the project's code, so it writes the copy and never the project's catalog (it puts
    each string in the catalog nearest the file that marks it)."""
    base = Path(settings.BASE_DIR)
    fresh = tmp_path / "locale"
    shutil.copytree(LOCALE, fresh, ignore=shutil.ignore_patterns("*.mo"))
    for source in base.iterdir():
        if source.is_dir() and source.name != "locale" and not source.name.startswith("."):
            (tmp_path / source.name).symlink_to(source)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[fresh]):
        call_command("makemessages", locale=["es"], symlinks=True, verbosity=0)
    for catalog in CATALOGS:
        regenerated = fresh / catalog.relative_to(LOCALE)
        for definitions, references, problem in (
            (catalog, regenerated, "marked in the code but missing from the catalog: run `make messages`"),
            (regenerated, catalog, "in the catalog but no longer marked: run `make messages`"),
        ):
            compared = subprocess.run(
                ["msgcmp", "--use-untranslated", str(definitions), str(references)],
                capture_output=True, text=True, env={"LC_ALL": "C"},
            )  # fmt: skip
            assert compared.returncode == 0, f"{problem}\n{compared.stderr}"
