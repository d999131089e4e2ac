import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from outcomes.instruments import InstrumentError
from outcomes.services import wording_import
from portal.models import Clinic


class Command(BaseCommand):
    help = (
        "Load a clinic's licensed wording for a questionnaire that ships with its scoring only (HOOS, HOOS-12, "
        'HAGOS, iHOT-12, VISA-G, LEFS). FILE is JSON: {"instrument": "hoos", "version": "2.0", "items": '
        '{"P1": "…", …}, "instructions": "…", "answer_labels": {"0": "…"}}; every item needs its '
        "text and the version must match the shipped scoring. Safe to run again: the clinic's wording is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the wording file (JSON)")
        parser.add_argument("--clinic", required=True, help="the clinic's slug")

    def handle(self, *args, file, clinic, **options):
        try:
            target = Clinic.objects.get(slug=clinic)
        except Clinic.DoesNotExist:
            raise CommandError(f"No clinic with slug {clinic!r}.") from None
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            row, created = wording_import(clinic=target, data=data)
        except InstrumentError as error:
            raise CommandError(f"{file}: {error}") from None
        self.stdout.write(
            f"{row}: {len(row.texts)} items {'imported' if created else 'replaced'} for {target.name}."
        )
