from django.core.management import BaseCommand
from django.utils import timezone

from portal.models import Athlete
from rehab.services import status_refresh


class Command(BaseCommand):
    help = (
        "Recompute every athlete's caseload status and raise the alerts time brings (no log for 3 days, "
        "compliance under 50 %). Run once a day, e.g. from cron shortly after midnight."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=500, help="Athletes per batch (default 500).")

    def handle(self, *args, chunk, **options):
        today = timezone.localdate()
        ids = list(Athlete.objects.order_by("pk").values_list("pk", flat=True))
        done = 0
        for start in range(0, len(ids), chunk):
            done += status_refresh(Athlete.objects.filter(pk__in=ids[start : start + chunk]), today=today)
        self.stdout.write(self.style.SUCCESS(f"Refreshed {done} athlete statuses as of {today}."))
