"""`{% load capabilities %}` … `{% if user|can:"tailor_plan" %}` — the same question views ask (portal.capabilities).

Templates hide what a user may not do; the views still refuse it (the template is never the only check).
"""

from django import template

from portal.capabilities import can as _can

register = template.Library()


@register.filter
def can(user, cap: str) -> bool:
    return _can(user, cap)
