"""rehab's kinds of alert in words (portal.alert_kinds): the labels of rehab.codes, and what an email may say."""

from django.utils.translation import gettext_noop

from portal.alert_kinds import AlertKindWords, register
from rehab.codes import ALERT_KIND_LABELS, AlertKind

# What each kind is about, in words general enough for an email (no pain scores, no warning signs). A coach's
# request is told in the generic words: it carries no clinical news.
EMAIL_WORDS = {
    AlertKind.LOG_RED_FLAG: gettext_noop("a daily log to review"),
    AlertKind.BONE_STRESS_PAIN: gettext_noop("a daily log to review"),
    AlertKind.PAIN_SPIKE: gettext_noop("a daily log to review"),
    AlertKind.READY_TO_ADVANCE: gettext_noop("ready for the next phase"),
    AlertKind.CLEARANCE_DUE: gettext_noop("waiting for a clearance"),
    AlertKind.NO_LOG: gettext_noop("no log for a few days"),
    AlertKind.LOW_COMPLIANCE: gettext_noop("doing less of the plan than planned"),
}

register(
    *(AlertKindWords(kind, label, EMAIL_WORDS.get(kind, "")) for kind, label in ALERT_KIND_LABELS.items())
)
