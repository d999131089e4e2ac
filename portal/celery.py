"""The Celery app: background jobs for the daily loop (docs/design.md, "Processes and queues").

Configured from Django's settings (the CELERY_* names in portal/settings.py). Tasks live in each app's
`tasks.py` and are found by autodiscovery. Start a worker with `celery -A portal worker` and the one scheduler
with `celery -A portal beat` (`make worker` runs both for development). Without REDIS_URL every task runs
in-process right after the transaction that enqueued it commits (portal.jobs.enqueue), so nothing needs starting.
"""

import gc
import logging
import os
import time

from celery import Celery, Task
from celery.signals import worker_process_init

from portal import start_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

logger = logging.getLogger("portal.jobs")


def _operational_errors() -> tuple[type[BaseException], ...]:
    """What a retry can cure: the database, the mail server or the network were briefly away."""
    import smtplib

    from django.db import InterfaceError, OperationalError

    return (OperationalError, InterfaceError, smtplib.SMTPException, ConnectionError, TimeoutError)


class StrideTask(Task):
    """Every task: one JSON log line per run (task, args, duration, outcome), retried with backoff on
    operational errors only (a bug fails once, loudly), acknowledged after it ran (a killed worker's task is
    delivered again, which is safe because every task is idempotent)."""

    acks_late = True
    reject_on_worker_lost = True
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 6

    @property
    def autoretry_for(self):  # read when the task class is bound; the Django imports wait for the app
        return _operational_errors()

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        outcome = "ok"
        try:
            return super().__call__(*args, **kwargs)
        except Exception as error:
            outcome = "retry" if isinstance(error, _operational_errors()) else "error"
            raise
        finally:
            # One line per run; portal.logging.JsonFormatter writes the fields as one JSON object.
            logger.log(
                logging.ERROR if outcome == "error" else logging.INFO,
                "task %s: %s",
                self.name,
                outcome,
                extra={
                    "task": self.name,
                    "task_args": args,
                    "task_kwargs": kwargs,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "outcome": outcome,
                },
            )


app = Celery("portal", task_cls=StrideTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_printouts(**kwargs) -> None:
    """Each worker process renders programs ahead of their download (rehab.tasks.prints): load the printout's
    fonts, stylesheet, template and drawings as the process starts, as the web workers do (portal/wsgi.py), so
    its first program is as quick as the next (about 880 ms of CPU instead of 315 without). PDF_WARM_UP=0
    skips it."""
    if os.environ.get("PDF_WARM_UP", "1") == "0":
        return
    start_up.warm_up()  # what the apps registered as Django set them up: the printout's, rehab.pdf.warm_up
    gc.freeze()  # what start-up made lives as long as the process: the collector need not walk it again
