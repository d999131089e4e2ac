"""triage's part of /api/v1/ (portal.api_registry): conditions and intakes. The assessment itself
(/api/v1/triage/assess/) is in triage.urls."""

from portal.api_registry import register
from triage.api import ConditionViewSet, IntakeViewSet

register("conditions", ConditionViewSet, basename="condition")
register("intakes", IntakeViewSet, basename="intake")
