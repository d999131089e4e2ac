"""Account emails sent off the request path: invites and password resets (portal.mail.send_later)."""

import hashlib
import json
import logging

from celery import shared_task
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives

from portal.celery import StrideTask
from portal.mail import SEND_EMAIL

SENT_FOR = 60 * 60 * 24  # seconds a sent message is remembered, so that a repeated job sends nothing
HIDDEN = ["<an email: its one-time link stays out of the logs>"]


class _HideEmailArguments(logging.Filter):
    """The job's arguments hold an invite or password-reset link, which opens an account: the one JSON line per
    run (portal.celery) and the "could not enqueue" line (portal.jobs) name the task without them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "task", None) == SEND_EMAIL:
            record.task_args, record.task_kwargs = HIDDEN, {}
        return True


logging.getLogger("portal.jobs").addFilter(_HideEmailArguments())


class EmailTask(StrideTask):
    def apply_async(self, args=None, kwargs=None, **options):
        # Celery's own reports (a failure, a retry) show argsrepr instead of the arguments.
        options.setdefault("argsrepr", repr(HIDDEN))
        options.setdefault("kwargsrepr", "{}")
        return super().apply_async(args, kwargs, **options)


@shared_task(name=SEND_EMAIL, base=EmailTask)
def send_email(message: dict) -> bool:
    """Send one rendered email ({"subject", "body", "to", "html"}); False if this very message was already sent.

    A mail server that is briefly away raises an SMTP or connection error, which the task retries with backoff.
    """
    key = "mail-sent:" + hashlib.sha256(json.dumps(message, sort_keys=True).encode()).hexdigest()
    if cache.get(key):
        return False
    email = EmailMultiAlternatives(subject=message["subject"], body=message["body"], to=message["to"])
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    email.send()
    cache.set(key, True, SENT_FOR)
    return True
