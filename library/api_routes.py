"""library's part of /api/v1/ (portal.api_registry): the exercise library."""

from library.api import ExerciseViewSet
from portal.api_registry import register

register("exercises", ExerciseViewSet, basename="exercise")
