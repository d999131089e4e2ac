"""Backups that restore: the demo clinic backed up, restored into a fresh database, and found identical.

Runs on the database the suite runs on: SQLite in `make test`, PostgreSQL in CI's second run (DATABASE_URL), where
the restore goes into a database created for the test and dropped after it.
"""

import json
import shutil
import uuid
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from portal.backup import HEALTH_MODELS, open_database, storage_files, summary
from rehab.models import DailyLog
from triage.models import Intake

# The demo clinic is loaded outside a test transaction: pg_dump and the SQLite backup read committed data only.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PICTURE = b"\x89PNG\r\n\x1a\n" + b"not really a picture, but bytes to bring back" * 20


@pytest.fixture
def demo(jobs):
    """The demo clinic (its jobs held: printed programs are not what is backed up) and an uploaded file."""
    call_command("load_demo", stdout=StringIO())
    name = default_storage.save("exercises/clamshell-demo.png", ContentFile(PICTURE))
    yield name
    default_storage.delete(name)


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the suite's kind; a PostgreSQL one is created here and dropped after."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"Backups cover PostgreSQL and SQLite, not {connection.vendor}.")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump / pg_restore not installed (apt-get install postgresql-client-15).")
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = open_database()
    admin.settings_dict["NAME"] = "postgres"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host, port = settings_dict.get("HOST") or "localhost", settings_dict.get("PORT") or 5432
    try:
        yield f"postgres://{user}{password}@{host}:{port}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_the_demo_clinic_comes_back_identical(demo, fresh_database, tmp_path):
    before = summary(connection)
    files = storage_files(default_storage)  # the demo's picture, and any an earlier test left in the storage
    assert demo in files
    assert DailyLog.objects.exists() and Intake.objects.exists()  # there is health data to lose

    out = StringIO()
    call_command("backup", output=tmp_path / "backups", stdout=out)
    [folder] = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("stride-backup-") and f"to {folder}" in out.getvalue()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"  # health data: the owner only
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"] == before["tables"] and manifest["media"]["files"] == len(files)

    call_command(
        "restore", str(folder), database_url=fresh_database, media_root=tmp_path / "media", stdout=out
    )

    restored_db = open_database(fresh_database)
    try:
        after = summary(restored_db)
    finally:
        restored_db.close()
    assert after["tables"] == before["tables"]  # every table, row for row
    health = {table for table, count in after["tables"].items() if count}
    assert {"rehab_dailylog", "triage_intake", "rehab_plan", "portal_alert"} <= health
    assert len(after["health_checksums"]) == len(HEALTH_MODELS)
    assert after["health_checksums"] == before["health_checksums"]
    assert (tmp_path / "media" / demo).read_bytes() == PICTURE
    assert storage_files(FileSystemStorage(location=tmp_path / "media")) == files
    assert "all matching the manifest" in out.getvalue()

    # A second restore would overwrite what is there now: refused without --force.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(folder), database_url=fresh_database, media_root=tmp_path / "other")


def test_a_damaged_backup_is_refused_before_anything_is_written(people, fresh_database, tmp_path):
    call_command("backup", output=tmp_path / "backups", stdout=StringIO())
    [folder] = (tmp_path / "backups").iterdir()
    dump = next(path for path in folder.iterdir() if path.name.startswith("database."))
    with dump.open("r+b") as file:
        file.seek(dump.stat().st_size // 2)
        file.write(b"\x00damaged\x00")

    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(folder), database_url=fresh_database, media_root=tmp_path / "media")

    target = open_database(fresh_database)
    try:
        assert summary(target)["tables"] == {}
    finally:
        target.close()
    assert not (tmp_path / "media").exists()


def test_restore_checks_the_result_against_the_manifest(people, fresh_database, tmp_path):
    """A backup whose manifest promises other rows than the dump holds does not pass as restored."""
    call_command("backup", output=tmp_path / "backups", stdout=StringIO())
    [folder] = (tmp_path / "backups").iterdir()
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["tables"]["portal_athlete"] += 1
    path.write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match="portal_athlete: 4 rows in the backup, 3 restored"):
        call_command("restore", str(folder), database_url=fresh_database, media_root=tmp_path / "media")
