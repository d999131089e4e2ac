"""The /api/v1/ router. Each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
