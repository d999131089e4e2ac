"""The /api/v1/ URLs (docs/api.md): what every app registered in its `api_routes` module (portal.api_registry)."""

from portal import api_registry

api_registry.autodiscover()

urlpatterns = api_registry.urlpatterns()
