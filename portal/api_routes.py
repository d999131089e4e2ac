"""portal's part of /api/v1/ (portal.api_registry): API tokens, the care team's alerts, messages and the
athlete's own data export."""

from portal.api_export import MyExportView
from portal.api_messages import MessageViewSet
from portal.api_registry import add_path, register
from portal.api_views import AlertViewSet, ApiTokenViewSet, TokenView

add_path("auth/token/", TokenView, name="api-token")
add_path("me/export/", MyExportView, name="api-me-export")
register("alerts", AlertViewSet, basename="alert")
register("auth/tokens", ApiTokenViewSet, basename="api-token")
register("messages", MessageViewSet, basename="message")
