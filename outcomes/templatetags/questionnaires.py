"""`{% load questionnaires %}`: questionnaires on other apps' pages, each a fixed number of queries.

- `{% questionnaires_today %}` (the athlete's Today): a card per questionnaire due, and the latest score of each
  one filled in, with its change since the first round in words.
- `{% questionnaires_timeline %}` (the clinician's timeline): per questionnaire the rounds with score and
  subscales, the change since the baseline and whether it matters, a small trend; what is due now.
- `{% questionnaires_plan %}` (the plan page): which questionnaires the plan asks, and a link to change them.
"""

from django import template
from django.utils import timezone

from outcomes import questionnaires, wording
from outcomes.charts import trend_svg
from portal.capabilities import Cap, can

register = template.Library()


@register.inclusion_tag("outcomes/today_card.html", takes_context=True)
def questionnaires_today(context):
    """Two queries: the schedules, then every round of the athlete's (when they have a schedule or a round)."""
    athlete = context["athlete"]
    schedules = questionnaires.current_schedules(athlete)
    responses = questionnaires.athlete_responses(athlete)
    due = questionnaires.due_for(athlete, schedules=schedules, responses=responses)
    results = questionnaires.results_for(athlete, responses=responses)
    for result in results:
        main = result.latest.main
        result.words = wording.change_words(result.instrument, main.change) if main else ""
    return {"due": due, "results": results}


@register.inclusion_tag("outcomes/timeline_panel.html", takes_context=True)
def questionnaires_timeline(context):
    athlete = context["athlete"]
    responses = questionnaires.athlete_responses(athlete, context["user"])
    schedules = questionnaires.current_schedules(athlete)
    results = questionnaires.results_for(athlete, responses=responses)
    for result in results:
        result.svg = trend_svg(result)
    plan = context.get("plan")
    return {
        "athlete": athlete,
        "results": results,
        "due": questionnaires.due_for(athlete, schedules=schedules, responses=responses),
        "schedules": schedules,
        "plan": plan,
        "can_schedule": plan is not None and can(context["user"], Cap.TAILOR_PLAN, athlete),
        "can_enter": can(context["user"], Cap.RECORD_CLEARANCE, athlete) and not athlete.is_anonymised,
        "today": timezone.localdate(),
    }


@register.inclusion_tag("outcomes/plan_card.html", takes_context=True)
def questionnaires_plan(context):
    """One query: the plan's schedules."""
    plan = context["plan"]
    return {
        "plan": plan,
        "schedules": list(plan.questionnaire_schedules.all()),
        "can_schedule": can(context["user"], Cap.TAILOR_PLAN, plan.athlete),
    }
