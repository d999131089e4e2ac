"""The /api/v1/ router. Each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from library.api import ExerciseViewSet
from rehab.api import DailyLogViewSet, PlanTemplateViewSet, PlanViewSet
from triage.api import IntakeViewSet

router = DefaultRouter()
router.register("intakes", IntakeViewSet, basename="intake")
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-templates", PlanTemplateViewSet, basename="plantemplate")
router.register("daily-logs", DailyLogViewSet, basename="dailylog")
