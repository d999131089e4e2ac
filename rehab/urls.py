from django.urls import path

from rehab import (
    views,
    views_coach,
    views_discharge,
    views_offline,
    views_pdf,
    views_reminders,
    views_runs,
    views_strava,
)

app_name = "rehab"

urlpatterns = [
    path("athletes/<int:athlete_pk>/plans/assign/", views.plan_assign, name="plan_assign"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/phases/<int:phase_pk>/edit/", views.phase_edit, name="phase_edit"),
    path("plans/<int:pk>/move/", views.plan_move, name="plan_move"),
    path("plans/<int:pk>/phases/<int:phase_pk>/clearance/", views.phase_clear, name="phase_clear"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan_status"),
    path("plans/<int:pk>/cancel/", views.plan_cancel, name="plan_cancel"),
    path("plans/<int:pk>/save-as-protocol/", views.plan_save_template, name="plan_save_template"),
    path("plans/<int:pk>/print/", views_pdf.plan_print, name="plan_print"),
    path("plans/<int:pk>/discharge-report/", views_discharge.plan_discharge_pdf, name="plan_discharge_pdf"),
    path("my-plan/", views.my_plan, name="my_plan"),
    path("today/", views.athlete_today, name="athlete_today"),
    path("log/", views.log_today, name="log_today"),
    # The athlete's phone app (rehab.views_offline): the service worker sits at the root to look after /today/,
    # /log/ and /my-plan/.
    path("log/sync/", views_offline.log_sync, name="log_sync"),
    path("sw.js", views_offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", views_offline.manifest, name="manifest"),
    path("runs/import/", views_runs.run_import, name="run_import"),
    # The Strava connection (rehab.views_strava): 404 unless STRAVA_CLIENT_ID is set.
    path("strava/connect/", views_strava.strava_connect, name="strava_connect"),
    path("strava/callback/", views_strava.strava_callback, name="strava_callback"),
    path("strava/disconnect/", views_strava.strava_disconnect, name="strava_disconnect"),
    path("strava/webhook/", views_strava.strava_webhook, name="strava_webhook"),
    path("reminders/", views_reminders.reminder_settings, name="reminder_settings"),
    path(
        "reminders/unsubscribe/<str:token>/",
        views_reminders.reminders_unsubscribe,
        name="reminders_unsubscribe",
    ),
    path("athletes/<int:athlete_pk>/timeline/", views.timeline, name="timeline"),
    path("plans/<int:pk>/recommendation/", views.recommendation_apply, name="recommendation_apply"),
    # The coach's part of a plan (rehab.views_coach).
    path("plans/<int:pk>/coach-limits/", views_coach.coach_limits, name="coach_limits"),
    path("plans/<int:pk>/running/", views_coach.coach_running, name="coach_running"),
    path("plans/<int:pk>/coach-advance/", views_coach.coach_advance, name="coach_advance"),
    path("plans/<int:pk>/requests/new/", views_coach.change_request_new, name="change_request_new"),
    path(
        "plans/<int:pk>/requests/<int:request_pk>/decide/",
        views_coach.change_request_decide,
        name="change_request_decide",
    ),
]
