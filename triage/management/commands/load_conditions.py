from django.core.management import BaseCommand
from django.db import transaction

from triage.services import conditions_sync


class Command(BaseCommand):
    help = (
        "Copy the triage engine's condition catalogue (triage/engine.py CONDITIONS) into the database. "
        "Safe to run again: new conditions are created, changed ones updated, nothing is deleted."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = conditions_sync()
        self.stdout.write(
            f"Conditions: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged."
        )
