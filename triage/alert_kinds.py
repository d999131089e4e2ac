"""triage's kind of alert in words (portal.alert_kinds): a submitted hip check waiting for its review."""

from portal.alert_kinds import AlertKindWords, register
from triage.services import ALERT_KIND

register(AlertKindWords(ALERT_KIND, "Hip check to review", "a hip check to review"))
