"""Account emails sent off the request path: invites and password resets (portal.mail.send_later)."""

import hashlib
import json
import logging
import smtplib

from celery import shared_task
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives

from portal import services
from portal.celery import StrideTask
from portal.mail import SEND_EMAIL

logger = logging.getLogger("portal.mail")
# A refused, dropped or timed-out connection (OSError covers ConnectionError, TimeoutError, DNS failures).
MAIL_ERRORS = (smtplib.SMTPException, OSError)
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


@shared_task(name=SEND_EMAIL, base=EmailTask, bind=True)
def send_email(self, message: dict) -> bool:
    """Send one rendered email ({"subject", "body", "to", "html"}, and "invite": the id of the Invite whose link
    it carries); False if this very message was already sent, or could not be sent.

    A mail server that is away raises an SMTP or connection error (within EMAIL_TIMEOUT), which a worker
    retries with backoff. In-process (no REDIS_URL: the request that enqueued it waits) there is one try, and
    the last failure of either is recorded on the invite, whose athlete page then says the email was not sent.
    """
    key = "mail-sent:" + hashlib.sha256(json.dumps(message, sort_keys=True).encode()).hexdigest()
    if cache.get(key):
        return False
    email = EmailMultiAlternatives(subject=message["subject"], body=message["body"], to=message["to"])
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    try:
        email.send()
    except MAIL_ERRORS as error:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise  # a worker tries again later (StrideTask.autoretry_for)
        # The error's kind only: its text may name the recipient.
        logger.warning(
            "the mail server did not take an email (%s)",
            type(error).__name__,
            extra={"outcome": "mail_failed", "invite": message.get("invite")},
        )
        services.invite_email_result(invite_id=message.get("invite"), sent=False)
        return False
    cache.set(key, True, SENT_FOR)
    services.invite_email_result(invite_id=message.get("invite"), sent=True)
    return True
