"""manage.py backup: the database and the uploaded files, in one directory with a manifest (portal.backup)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import BaseCommand, CommandError

from portal.backup import MANIFEST, BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump, consistent while the site runs; SQLite: its online backup) "
        "and the uploaded files into a new directory stride-backup-<UTC time> under --output, with a manifest of "
        "row counts and checksums that `manage.py restore` checks. The backup holds health data: keep it encrypted "
        "and readable only by the people who restore (README, Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "backups",
            help="The directory the backup is made in (created if missing; default: backups/ in the project).",
        )

    def handle(self, *args, output: Path, **options):
        try:
            folder = backup(output=output, storage=default_storage)
        except BackupError as error:
            raise CommandError(str(error)) from error
        data = json.loads((folder / MANIFEST).read_text())
        rows = sum(data["tables"].values())
        self.stdout.write(
            f"Backed up {len(data['tables'])} tables ({rows} rows) and {data['media']['files']} uploaded files "
            f"to {folder}"
        )
