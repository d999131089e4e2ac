from django.urls import path

from triage import api, views

app_name = "triage"

urlpatterns = [
    path("intake/new/", views.intake_new, name="intake_new"),
    path("intake/<int:pk>/", views.intake_detail, name="intake_detail"),
    path("intake/<int:pk>/review/", views.intake_review, name="intake_review"),
    path("athletes/<int:pk>/intake/new/", views.intake_new_for_athlete, name="intake_new_for_athlete"),
    path("api/v1/triage/assess/", api.AssessView.as_view(), name="assess"),
]
