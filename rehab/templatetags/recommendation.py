"""`{% load recommendation %}`: the progression engine's advice in the words of rehab.models.Action."""

from django import template

from rehab.models import Action

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """ "stop_and_refer" → "Stop and refer"."""
    return Action(action).label
