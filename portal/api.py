"""The /api/v1/ URLs: each app's viewsets on one router, plus the token and "me" endpoints (docs/api.md)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from library.api import ExerciseViewSet
from outcomes.api import InstrumentViewSet, QuestionnaireResponseViewSet, VisitViewSet
from portal.api_export import MyExportView
from portal.api_messages import MessageViewSet
from portal.api_views import AlertViewSet, ApiTokenViewSet, AthleteViewSet, MeView, TokenView
from rehab.api import DailyLogViewSet, PlanTemplateViewSet, PlanViewSet
from rehab.api_runs import RunImportView
from triage.api import ConditionViewSet, IntakeViewSet


class Router(DefaultRouter):
    """Ids in URLs are whole numbers that fit a 64-bit column: anything else is a 404, never a database error."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_field", "pk") == "pk" and not hasattr(viewset, "lookup_value_regex"):
            return f"(?P<{lookup_prefix}pk>[0-9]{{1,18}})"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
router.register("athletes", AthleteViewSet, basename="athlete")
router.register("alerts", AlertViewSet, basename="alert")
router.register("conditions", ConditionViewSet, basename="condition")
router.register("intakes", IntakeViewSet, basename="intake")
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-templates", PlanTemplateViewSet, basename="plantemplate")
router.register("daily-logs", DailyLogViewSet, basename="dailylog")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")
router.register("messages", MessageViewSet, basename="message")
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("questionnaire-responses", QuestionnaireResponseViewSet, basename="questionnaireresponse")
router.register("visits", VisitViewSet, basename="visit")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/export/", MyExportView.as_view(), name="api-me-export"),
    path("me/runs/import/", RunImportView.as_view(), name="api-run-import"),
    *router.urls,
]
