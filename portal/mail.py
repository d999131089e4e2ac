"""Account emails (an invite, a password reset) are rendered in the request and sent by a job.

A slow or unreachable mail server then never holds up the page: `send_later` enqueues the rendered message
for the `portal.send_email` task (portal/tasks/mail.py), which sends it after the transaction commits. The
message carries a one-time link, a key to an account: the task keeps its arguments out of the logs.

A mail server that is down never fails the page: a worker retries with backoff; without one (no REDIS_URL) the
task runs in this process after the commit, tries once within EMAIL_TIMEOUT and records the failure, and the
athlete page tells the clinician "Email not sent" with the link to pass on and a button to send it again.
"""

import logging

from django.contrib.auth import forms as auth_forms
from django.template import loader
from django.utils import translation

from portal.jobs import enqueue
from portal.languages import language_of
from portal.links import absolute_url
from portal.throttles import password_reset_allowed

SEND_EMAIL = "portal.send_email"
logger = logging.getLogger(__name__)


def send_later(*, subject: str, body: str, to: list[str], html: str = "", invite: int | None = None) -> None:
    """Send this email from a job once the transaction commits (`html`, if given, as the HTML alternative).

    `invite`: the id of the Invite whose link it carries; the job records on it whether the email went out.
    """
    # A subject is one line: a name with a line break in it must not fail the send (BadHeaderError).
    subject = " ".join(subject.split())
    message = {"subject": subject, "body": body, "to": list(to), "html": html}
    if invite is not None:
        message["invite"] = invite
    enqueue(SEND_EMAIL, message)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password-reset form, whose email goes out through the job instead of inside the request, at most
    PASSWORD_RESET_RATE times per address and per client (portal.throttles)."""

    def save(self, *args, request=None, **kwargs):
        if not password_reset_allowed(request, self.cleaned_data["email"]):
            # The page says "sent" all the same: a different answer would tell whether the address has a login.
            logger.warning("Password-reset email not sent: over PASSWORD_RESET_RATE.")
            return
        self.request = request  # for the link's host in send_mail (portal.links)
        super().save(*args, request=request, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # The link starts with SITE_URL, as every other email's, not with the host and scheme of the request
        # (behind a proxy that ends HTTPS the request may say http), unless SITE_URL is left at its development
        # default (portal.links).
        context = {**context, "site_url": absolute_url("/", getattr(self, "request", None)).rstrip("/")}
        # In the login's language, or, when nobody chose one, the language the reset was asked for in.
        with translation.override(language_of(context.get("user")) or translation.get_language()):
            html = (
                loader.render_to_string(html_email_template_name, context) if html_email_template_name else ""
            )
            subject = loader.render_to_string(subject_template_name, context)
            body = loader.render_to_string(email_template_name, context)
        send_later(subject=subject, body=body, to=[to_email], html=html)
