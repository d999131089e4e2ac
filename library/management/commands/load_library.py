from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from library.services import CATALOG_PATH, catalog_load, catalog_read, translations_read


class Command(BaseCommand):
    help = (
        "Load the shipped exercise catalog (library/data/exercises.json, its Spanish from exercises_es.json) "
        "into the library. Safe to run "
        "again: shipped exercises are matched by slug and updated, never duplicated; exercises that left "
        "the file are deactivated, not deleted; clinics' own exercises are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=CATALOG_PATH,
            help=f"Catalog JSON file (default: {CATALOG_PATH})",
        )

    def handle(self, *args, path: Path, **options):
        try:
            result = catalog_load(catalog_read(path), translations_read())
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        except ValidationError as error:
            raise CommandError(f"{path}: {' '.join(error.messages)} Nothing was changed.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Exercise library: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.deactivated} deactivated."
            )
        )
