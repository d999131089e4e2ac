"""Where each app puts its part of the /api/v1/ URLs (docs/api.md), so that the API's URLconf (portal.api) names
no app above portal.

An app with an API has an `api_routes.py` module that registers its viewsets on `router` (`register`) and its
single views (`add_path`). The modules are found as the admin finds `admin.py` and portal.data_registry finds
`personal_data.py`: `autodiscover()` (django.utils.module_loading's `autodiscover_modules`), called by portal.api
when Django first loads the URLconf, after every app is ready. The routes are a module of their own rather than
lines at the end of an app's api.py, so that an app whose API spans several modules (rehab) registers them all
without those modules importing each other.
"""

from django.urls import URLPattern, path
from django.utils.module_loading import autodiscover_modules
from rest_framework.routers import DefaultRouter

MODULE_NAME = "api_routes"


class Router(DefaultRouter):
    """Ids in URLs are whole numbers that fit a 64-bit column: anything else is a 404, never a database error."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_field", "pk") == "pk" and not hasattr(viewset, "lookup_value_regex"):
            return f"(?P<{lookup_prefix}pk>[0-9]{{1,18}})"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
_paths: list[URLPattern] = []


def register(prefix: str, viewset, *, basename: str) -> None:
    """A viewset's URLs under /api/v1/<prefix>/ (names "<basename>-list", "<basename>-detail", …)."""
    router.register(prefix, viewset, basename=basename)


def add_path(route: str, view, *, name: str) -> None:
    """One view at /api/v1/<route> (an APIView class or a view function)."""
    _paths.append(path(route, view.as_view() if hasattr(view, "as_view") else view, name=name))


def autodiscover() -> None:
    """Import every installed app's `api_routes` module, which registers its routes."""
    autodiscover_modules(MODULE_NAME)


def urlpatterns() -> list[URLPattern]:
    """The single views first, then the router's (with its root view listing the viewsets)."""
    return [*_paths, *router.urls]
