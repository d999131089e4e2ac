"""`{% load strava %}{% strava_card athlete back="log" %}`: the athlete's Strava connection, where they import
runs (Log today, Import runs) and on their profile. Nothing at all while the connection is switched off
(rehab.services.strava.enabled); else "Connect Strava", or the connection's state with "Disconnect". One query."""

from django import template

from rehab.models import StravaConnection
from rehab.services import strava

register = template.Library()


@register.inclusion_tag("rehab/strava_card.html", takes_context=True)
def strava_card(context, athlete, back: str = "log"):
    if not strava.enabled() or athlete is None:
        return {"enabled": False}
    return {
        "enabled": True,
        "connection": StravaConnection.objects.filter(athlete=athlete).first(),
        "back": back,
        "csrf_token": context.get("csrf_token"),
    }
