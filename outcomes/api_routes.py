"""outcomes' part of /api/v1/ (portal.api_registry): instruments, questionnaire responses and visits."""

from outcomes.api import InstrumentViewSet, QuestionnaireResponseViewSet, VisitViewSet
from portal.api_registry import register

register("instruments", InstrumentViewSet, basename="instrument")
register("questionnaire-responses", QuestionnaireResponseViewSet, basename="questionnaireresponse")
register("visits", VisitViewSet, basename="visit")
