"""The caseload's pages under /athletes/: rehab's read model of the athletes, with names outside the rehab
namespace (`athlete_list`, `caseload_bulk`, `athlete_review`), as links and bookmarks have them."""

from django.urls import path

from rehab import views_caseload

urlpatterns = [
    path("", views_caseload.athlete_list, name="athlete_list"),
    path("bulk/", views_caseload.caseload_bulk, name="caseload_bulk"),
    path("<int:pk>/review/", views_caseload.athlete_review, name="athlete_review"),
]
