"""`{% load outcome_visits %}`: clinic visits on the athlete page and the tests' trends on the timeline, for those
who record clinical findings (Cap.RECORD_CLEARANCE) at the athlete's clinic; nothing for anyone else (a coach
reads the timeline without them). One query each."""

from django import template

from outcomes import selectors_visits
from portal.capabilities import Cap, can

register = template.Library()


def _allowed(context, athlete) -> bool:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return user is not None and can(user, Cap.RECORD_CLEARANCE, athlete)


@register.inclusion_tag("outcomes/athlete_visits.html", takes_context=True)
def athlete_visits(context, athlete):
    """The athlete page's card: the latest visits and "Record a visit"."""
    if not _allowed(context, athlete):
        return {"shown": False}
    return {"shown": True, "athlete": athlete, "visits": selectors_visits.visits_for(athlete)}


@register.inclusion_tag("outcomes/test_trends.html", takes_context=True)
def test_trends(context, athlete):
    """The timeline's card: per test and side, the results over time."""
    if not _allowed(context, athlete):
        return {"shown": False}
    return {"shown": True, "athlete": athlete, "trends": selectors_visits.test_trends(athlete)}


@register.filter
def values_text(result) -> str:
    """A TestResult's values in words ("12 reps · pain 1/10")."""
    return selectors_visits.values_text(result.test, result.values)
