"""URLs for bench_caseload.py's gunicorn: the project's own, plus one reference page.

GET /bench/reference/ is the issue's yardstick, "a bare Django page rendering 50 rows from 3 queries" (session,
user, 50 athletes of the clinician's clinic, page 2 by name): it shows what this machine gives a page with no
domain logic, next to the caseload and the log POST. Used only by the benchmark
(DJANGO_SETTINGS_MODULE=bench.reference_settings: portal.settings with this ROOT_URLCONF, nothing else changed).
"""

from django.http import HttpResponse, HttpResponseForbidden
from django.template import engines
from django.urls import include, path

from portal.models import Athlete

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reference page</title></head><body>
<h1>Athletes</h1>
<table>
<thead><tr><th>Name</th><th>Email</th><th>Usual km</th><th>Running since</th><th>Added</th></tr></thead>
<tbody>
{% for athlete in athletes %}<tr>
<td><a href="/athletes/{{ athlete.pk }}/">{{ athlete.first_name }} {{ athlete.last_name }}</a></td>
<td>{{ athlete.email }}</td><td>{{ athlete.weekly_km|default:"–" }}</td>
<td>{% if athlete.years_running %}{{ athlete.years_running }} years{% endif %}</td>
<td>{{ athlete.created|date:"j M Y" }}</td>
</tr>{% endfor %}
</tbody></table></body></html>"""


def reference(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    athletes = Athlete.objects.filter(clinic__clinicians__user=request.user).order_by(
        "last_name", "first_name", "pk"
    )[50:100]
    if "template" not in _compiled:
        _compiled["template"] = engines["django"].from_string(TEMPLATE)
    return HttpResponse(_compiled["template"].render({"athletes": list(athletes)}, request))


_compiled = {}


urlpatterns = [path("bench/reference/", reference), path("", include("portal.urls"))]
