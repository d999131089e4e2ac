"""Outcomes' pages, under /outcomes/ (portal/urls.py)."""

from django.urls import path

from outcomes import views_questionnaires, views_visits

app_name = "outcomes"

urlpatterns = [
    path("athletes/<int:athlete_pk>/visits/new/", views_visits.visit_add, name="visit_add"),
    path("visits/<int:pk>/", views_visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views_visits.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", views_visits.visit_delete, name="visit_delete"),
    # Questionnaires (outcomes.views_questionnaires): the plan's schedule; the athlete's own list and form.
    path(
        "plans/<int:pk>/questionnaires/", views_questionnaires.plan_questionnaires, name="plan_questionnaires"
    ),
    path(
        "athletes/<int:athlete_pk>/questionnaires/enter/",
        views_questionnaires.questionnaire_enter,
        name="questionnaire_enter",
    ),
    path("me/questionnaires/", views_questionnaires.my_questionnaires, name="my_questionnaires"),
    path("me/questionnaires/due/", views_questionnaires.questionnaire_next, name="questionnaire_next"),
    path(
        "me/questionnaires/<slug:code>/", views_questionnaires.questionnaire_fill, name="questionnaire_fill"
    ),
]
