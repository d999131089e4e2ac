"""triage's kind of alert in words (portal.alert_kinds): a submitted hip check waiting for its review."""

from django.utils.translation import gettext_noop

from portal.alert_kinds import AlertKindWords, register
from triage.services import ALERT_KIND

register(
    AlertKindWords(ALERT_KIND, gettext_noop("Hip check to review"), gettext_noop("a hip check to review"))
)
