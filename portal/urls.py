from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import (
    views,
    views_account,
    views_downloads,
    views_language,
    views_messages,
    views_notifications,
    views_privacy,
    views_sessions,
    views_team,
)
from portal.mail import PasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("athletes/", include("rehab.urls_caseload")),  # the caseload: rehab's read model of the athletes
    path("athletes/add/", views.athlete_add, name="athlete_add"),
    path("athletes/<int:pk>/", views.athlete_detail, name="athlete_detail"),
    path("athletes/<int:pk>/edit/", views.athlete_edit, name="athlete_edit"),
    path("athletes/<int:pk>/invite/", views.athlete_invite, name="athlete_invite"),
    path("athletes/<int:pk>/export/", views_privacy.athlete_export, name="athlete_export"),
    path(
        "athletes/<int:pk>/delete-personal-data/", views_privacy.athlete_anonymise, name="athlete_anonymise"
    ),
    path("athletes/<int:pk>/messages/", views_messages.athlete_messages, name="athlete_messages"),
    path("messages/", views_messages.message_inbox, name="message_inbox"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("me/", views.my_profile, name="my_profile"),
    path("me/messages/", views_messages.my_messages, name="my_messages"),
    path("me/care-team/", views_team.my_team, name="my_team"),
    path("athletes/<int:pk>/care-team/", views_team.athlete_shared_care, name="athlete_shared_care"),
    path("care-team/<int:pk>/remove/", views_team.shared_care_remove, name="shared_care_remove"),
    path("care-team/join/<str:token>/", views_team.shared_care_accept, name="shared_care_accept"),
    path("me/export/", views_privacy.my_export, name="my_export"),
    path("me/notifications/", views_notifications.notification_settings, name="notification_settings"),
    path("me/api-tokens/", views_account.api_tokens, name="api_tokens"),
    path("me/api-tokens/<int:pk>/revoke/", views_account.api_token_revoke, name="api_token_revoke"),
    path("me/sign-out-elsewhere/", views_account.sign_out_elsewhere, name="sign_out_elsewhere"),
    path("me/devices/<int:pk>/sign-out/", views_sessions.device_sign_out, name="device_sign_out"),
    path(
        "me/devices/sign-out-others/", views_sessions.devices_sign_out_others, name="devices_sign_out_others"
    ),
    path("downloads/<int:pk>/", views_downloads.download_detail, name="download_detail"),
    path("downloads/<int:pk>/file/", views_downloads.download_file, name="download_file"),
    path("invite/<str:token>/", views.invite_accept, name="invite_accept"),
    path("language/", views_language.set_language, name="set_language"),
    path("library/", include("library.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Django's login with "This is my own phone — keep me signed in" for athletes (portal.devices).
    path("accounts/login/", views_sessions.LoginView.as_view(), name="login"),
    path("accounts/confirm-password/", views_sessions.confirm_password, name="confirm_password"),
    # The reset email is sent by a job (portal.mail); the rest of the flow is Django's.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    # A changed or reset password ends the login's other sessions and its API tokens (portal.tokens).
    path(
        "accounts/password_change/",
        views_account.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views_account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("rehab.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("", include("triage.urls")),  # before the router: it owns /api/v1/triage/assess/
    path("api/v1/", include("portal.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from ?script= instead of inline: the CSP allows no
    # inline script. The page's template swaps the view's inline <style> for a stylesheet.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="portal/swagger_ui.html"),
        name="api-docs",
    ),
]
# JSON under /api/, the site's pages elsewhere.
handler404 = "portal.api_base.not_found"
handler500 = "portal.api_base.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
