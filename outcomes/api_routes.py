"""outcomes' part of /api/v1/ (portal.api_registry): instruments, the objective tests, questionnaire responses and
visits."""

from outcomes.api import InstrumentViewSet, ObjectiveTestViewSet, QuestionnaireResponseViewSet, VisitViewSet
from portal.api_registry import register

register("instruments", InstrumentViewSet, basename="instrument")
register("objective-tests", ObjectiveTestViewSet, basename="objectivetest")
register("questionnaire-responses", QuestionnaireResponseViewSet, basename="questionnaireresponse")
register("visits", VisitViewSet, basename="visit")
