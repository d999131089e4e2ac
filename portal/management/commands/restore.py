"""manage.py restore: a backup made by `manage.py backup`, into an empty database, checked against its manifest."""

from pathlib import Path

from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import BaseCommand, CommandError
from django.db import connections

from portal.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup directory made by `manage.py backup` into the configured database and file storage "
        "(or, for a restore drill, into --database-url and --media-root). Every file is checked against the "
        "manifest first; a database or storage that is not empty is refused unless --force; afterwards every "
        "table's row count and the health records' checksums must match the backup's. Then run "
        "`manage.py migrate` if this code is newer than the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The backup directory (stride-backup-…).")
        parser.add_argument(
            "--database-url",
            help="Restore into this database instead of the configured one (postgres://… or sqlite:///…); "
            "for a PostgreSQL one, create it empty first (createdb).",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            help="Restore the uploaded files into this directory instead of the storage.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Overwrite a database and files that are already there."
        )

    def handle(self, *args, backup: Path, database_url, media_root, force, **options):
        storage = FileSystemStorage(location=media_root) if media_root else default_storage
        connections.close_all()  # the restore replaces what these would read
        try:
            done = restore(backup, storage=storage, database_url=database_url, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest, tables = done["manifest"], done["summary"]["tables"]
        self.stdout.write(
            f"Restored the backup of {manifest['created']} (Stride Clinic {manifest['app_version']}): "
            f"{len(tables)} tables, {sum(tables.values())} rows and {done['files']} uploaded files, all matching "
            "the manifest."
        )
