"""Run the beat schedule's ticks once, in this process: for a deployment without Redis (the embedded default),
from cron every five minutes. With REDIS_URL, run `celery -A portal beat` instead (exactly one)."""

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from portal.celery import app


class Command(BaseCommand):
    help = (
        "Run each periodic job of CELERY_BEAT_SCHEDULE once (the nightly status refresh, reminders, digests, "
        "the alert-email sweep, download clean-up). Each one picks only what is due, so running it often is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", default=[], help="Run only this task (repeatable).")

    def handle(self, *args, only, **options):
        app.autodiscover_tasks(force=True)
        names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
        unknown = set(only) - set(names)
        if unknown:
            raise CommandError(
                f"Not a periodic task: {', '.join(sorted(unknown))}. Known: {', '.join(names)}"
            )
        for name in only or names:
            result = app.tasks[name].apply()
            outcome = "failed" if result.failed() else "done"
            self.stdout.write(f"{name}: {outcome}")
            if result.failed():
                self.stderr.write(str(result.result))
