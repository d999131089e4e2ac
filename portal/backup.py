"""Backups that restore: the database and the uploaded files, with a manifest to check a restore against.

A backup is one directory (`stride-backup-<UTC time>`), readable by its owner only:

    manifest.json     what it holds: versions, every table's row count, a SHA-256 of each health-record table
                      (daily logs, intakes, plans, alerts…), and the size and SHA-256 of each file beside it
    database.dump     PostgreSQL: pg_dump's custom format, without owners or privileges (restores as any user)
    database.sqlite3  SQLite: a copy made with SQLite's online backup API
    media.tar         the uploaded files (exercise pictures), as the storage holds them

Consistent: on PostgreSQL the counts and checksums are read in one REPEATABLE READ transaction whose snapshot
pg_dump is handed (`--snapshot`), so they describe exactly what was dumped while the site kept running. On
SQLite the copy is made in one step and the counts are read from the copy. The files are copied after the
database: a picture uploaded meanwhile may be in media.tar with no row using it, never a row without its file.

`restore` checks every file against the manifest first, refuses a database (or storage) that is not empty, and
after restoring compares the restored database with the manifest: same row counts, same checksums.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import dj_database_url
import django
from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone

from portal.version import VERSION

FORMAT = "stride-clinic-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# The health records whose content (not only their number) must come back identical.
HEALTH_MODELS = [
    "rehab.DailyLog",
    "rehab.ExerciseLog",
    "triage.Intake",
    "rehab.Plan",
    "rehab.PlanPhase",
    "rehab.PlanExercise",
    "rehab.PhaseChange",
    "portal.Alert",
    "portal.Athlete",
]


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


# --------------------------------------------------------------------------------------------- databases


def open_database(url: str | None = None) -> BaseDatabaseWrapper:
    """A connection of its own to the configured database, or to the one at `url` (postgres://…, sqlite:///…),
    apart from Django's: its transactions and closing touch nothing else. The caller closes it."""
    default = connections["default"].settings_dict
    settings_dict = dict(default)
    if url:
        parsed = dj_database_url.parse(url)
        settings_dict |= parsed
        if parsed["ENGINE"] != default["ENGINE"]:
            settings_dict["OPTIONS"] = parsed.get("OPTIONS", {})
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias="backup")


def _canonical(value) -> str:
    """One text for a column value, the same whichever connection read it."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def summary(conn: BaseDatabaseWrapper) -> dict:
    """Every table's row count, a SHA-256 of each health-record table's rows (in primary-key order) and the
    migrations applied: what a restore must give back."""
    quote = conn.ops.quote_name
    tables, health, migrations = {}, {}, {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (a table name, quoted)
            tables[table] = cursor.fetchone()[0]
        for label in HEALTH_MODELS:
            model = apps.get_model(label)
            table = model._meta.db_table
            if table not in tables:
                continue
            columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
            cursor.execute(f"SELECT {columns} FROM {quote(table)} ORDER BY {quote(model._meta.pk.column)}")  # noqa: S608
            digest = hashlib.sha256()
            for row in cursor.fetchall():
                digest.update("\x1f".join(_canonical(value) for value in row).encode() + b"\n")
            health[table] = digest.hexdigest()
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations")
            for app, name in cursor.fetchall():
                migrations[app] = max(migrations.get(app, ""), name)
    return {"tables": tables, "health_checksums": health, "migrations": dict(sorted(migrations.items()))}


def differences(expected: dict, found: dict) -> list[str]:
    """What differs between two summaries, in words (empty when they match)."""
    said = []
    for table in sorted(set(expected["tables"]) | set(found["tables"])):
        before, after = expected["tables"].get(table), found["tables"].get(table)
        if before != after:
            said.append(f"{table}: {before} rows in the backup, {after} restored")
    for table, checksum in expected["health_checksums"].items():
        if found["health_checksums"].get(table) != checksum:
            said.append(f"{table}: the rows' content differs from the backup's")
    return said


def _vendor_of(conn: BaseDatabaseWrapper) -> str:
    if conn.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups cover PostgreSQL and SQLite; this database is {conn.vendor}.")
    return conn.vendor


# --------------------------------------------------------------------------------------------- PostgreSQL


def _pg_env(conn: BaseDatabaseWrapper) -> dict:
    """libpq's environment for pg_dump and pg_restore: the password never appears on a command line."""
    settings_dict = conn.settings_dict
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": settings_dict.get("OPTIONS", {}).get("sslmode"),
    }
    env |= {key: str(value) for key, value in pairs.items() if value}
    return env


def _tool(name: str, server_major: int) -> tuple[str, str]:
    """The path and version line of pg_dump or pg_restore, refused when older than the server."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools of the server's major version "
            f"({server_major}), e.g. apt-get install postgresql-client-{server_major}."
        )
    line = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603
    major = int(line.split()[-1].split(".")[0])
    if major < server_major:
        raise BackupError(
            f"{line} is older than the server (PostgreSQL {server_major}): install postgresql-client-{server_major}."
        )
    return path, line


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 (arguments made here)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _server_major(conn: BaseDatabaseWrapper) -> int:
    conn.ensure_connection()
    return conn.pg_version // 10000


def _backup_postgresql(conn: BaseDatabaseWrapper, target: Path) -> tuple[dict, dict]:
    pg_dump, line = _tool("pg_dump", _server_major(conn))
    conn.set_autocommit(False)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        found = summary(conn)  # in the snapshot pg_dump reads
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--file={target}"], _pg_env(conn))  # fmt: skip
    finally:
        conn.rollback()
        conn.set_autocommit(True)
    with conn.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return found, {"vendor": "postgresql", "server_version": server, "dumped_with": line}


def _restore_postgresql(conn: BaseDatabaseWrapper, source: Path, *, force: bool) -> None:
    pg_restore, _ = _tool("pg_restore", _server_major(conn))
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        command += ["--clean", "--if-exists"]
    conn.close()
    _run([*command, f"--dbname={conn.settings_dict['NAME']}", str(source)], _pg_env(conn))


# --------------------------------------------------------------------------------------------- SQLite


def _backup_sqlite(conn: BaseDatabaseWrapper, target: Path) -> tuple[dict, dict]:
    conn.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        conn.connection.backup(copy)  # one step: a consistent copy, while others keep reading and writing
    finally:
        copy.close()
    copied = open_database(f"sqlite:///{target}")
    try:
        found = summary(copied)
    finally:
        copied.close()
    return found, {"vendor": "sqlite", "server_version": sqlite3.sqlite_version}


def _restore_sqlite(conn: BaseDatabaseWrapper, source: Path) -> None:
    name = str(conn.settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        raise BackupError(f"Cannot restore into {name}: give a database file.")
    conn.close()
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(name)
    try:
        backup.backup(target)  # replaces the whole database, pages and all
    finally:
        target.close()
        backup.close()


# --------------------------------------------------------------------------------------------- files


def storage_files(storage: Storage, folder: str = "") -> list[str]:
    folders, files = storage.listdir(folder) if _exists(storage, folder) else ([], [])
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += storage_files(storage, f"{folder}/{sub}" if folder else sub)
    return sorted(names)


def _exists(storage: Storage, folder: str) -> bool:
    try:
        storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _backup_media(storage: Storage, target: Path) -> dict:
    names = storage_files(storage)
    size = 0
    with tarfile.open(target, "w") as archive:
        for name in names:
            with storage.open(name, "rb") as file:
                data = file.read()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o600
            archive.addfile(info, fileobj=io.BytesIO(data))
            size += len(data)
    return {"file": MEDIA, "files": len(names), "bytes": size}


def _restore_media(storage: Storage, source: Path, *, force: bool) -> int:
    restored = 0
    with tarfile.open(source, "r") as archive:
        for member in archive:
            name = member.name
            if not member.isfile() or name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"{MEDIA} holds an unexpected entry: {name!r}.")
            if storage.exists(name):
                if not force:
                    raise BackupError(f"The file {name} is already stored: use --force to replace it.")
                storage.delete(name)
            saved = storage.save(name, File(archive.extractfile(member), name=name))
            if saved != name:
                raise BackupError(f"The storage saved {name} as {saved}: restore into an empty storage.")
            restored += 1
    return restored


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------- backup


def backup(*, output: Path, storage: Storage, now: datetime | None = None) -> Path:
    """Back up the configured database and `storage` into a new directory under `output`; returns it.

    Written under a temporary name and renamed when complete: a directory named stride-backup-… is whole."""
    now = now or timezone.now()
    output.mkdir(parents=True, exist_ok=True)
    final = output / f"stride-backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}"
    if final.exists():
        raise BackupError(f"{final} already exists.")
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=output))  # mode 0700: health data
    conn = open_database()
    try:
        vendor = _vendor_of(conn)
        database_file = work / DATABASE_FILES[vendor]
        make = _backup_postgresql if vendor == "postgresql" else _backup_sqlite
        found, database = make(conn, database_file)
    finally:
        conn.close()
    media = _backup_media(storage, work / MEDIA)
    files = {}
    for path in (database_file, work / MEDIA):
        path.chmod(0o600)
        files[path.name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": now.astimezone(UTC).isoformat(timespec="seconds"),
        "app_version": VERSION,
        "django_version": django.get_version(),
        "database": {**database, "file": database_file.name},
        "media": media,
        "files": files,
        **found,
    }
    manifest_path = work / MANIFEST
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    manifest_path.chmod(0o600)
    work.rename(final)
    return final


# --------------------------------------------------------------------------------------------- restore


def read_manifest(folder: Path) -> dict:
    """The backup's manifest, after checking that every file it lists is there, whole (size and SHA-256)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is not a backup this version can restore (format {manifest.get('format')!r})."
        )
    for name, expected in manifest["files"].items():
        file = folder / name
        if (
            not file.is_file()
            or file.stat().st_size != expected["bytes"]
            or _sha256(file) != expected["sha256"]
        ):
            raise BackupError(
                f"{file} is missing or damaged (its size or SHA-256 differs from the manifest)."
            )
    return manifest


def restore(folder: Path, *, storage: Storage, database_url: str | None = None, force: bool = False) -> dict:
    """Restore the backup in `folder` into the configured database (or the one at `database_url`) and
    `storage`, then check the database against the manifest. Refuses a database or storage that is not empty,
    unless `force`. Returns the manifest and how many files came back."""
    manifest = read_manifest(folder)
    conn = open_database(database_url)
    try:
        vendor = _vendor_of(conn)
        if vendor != manifest["database"]["vendor"]:
            raise BackupError(
                f"This backup is of a {manifest['database']['vendor']} database; the target is {vendor}."
            )
        with conn.cursor() as cursor:
            existing = conn.introspection.table_names(cursor)
        if existing and not force:
            raise BackupError(
                f"The database {conn.settings_dict['NAME']} is not empty ({len(existing)} tables): restore into an "
                "empty database, or add --force to overwrite it."
            )
        if storage_files(storage) and not force:
            raise BackupError("The file storage is not empty: restore into an empty one, or add --force.")
        source = folder / manifest["database"]["file"]
        if vendor == "postgresql":
            _restore_postgresql(conn, source, force=force)
        else:
            _restore_sqlite(conn, source)
        conn.close()
        found = summary(conn)
    finally:
        conn.close()
    wrong = differences(manifest, found)
    if wrong:
        raise BackupError("The restored database differs from the backup:\n  " + "\n  ".join(wrong))
    files = _restore_media(storage, folder / MEDIA, force=force)
    return {"manifest": manifest, "files": files, "summary": found}
