"""rehab's part of /api/v1/ (portal.api_registry): the caseload and "who am I" (rehab.api_people), plans,
protocols and daily logs (rehab.api), and the athlete's run import (rehab.api_runs)."""

from portal.api_registry import add_path, register
from rehab.api import DailyLogViewSet, PlanTemplateViewSet, PlanViewSet
from rehab.api_people import AthleteViewSet, MeView
from rehab.api_runs import RunImportView

add_path("me/", MeView, name="api-me")
add_path("me/runs/import/", RunImportView, name="api-run-import")
register("athletes", AthleteViewSet, basename="athlete")
register("plans", PlanViewSet, basename="plan")
register("plan-templates", PlanTemplateViewSet, basename="plantemplate")
register("daily-logs", DailyLogViewSet, basename="dailylog")
