from django.urls import path

from library import views

app_name = "library"

urlpatterns = [
    path("", views.exercise_list, name="exercise_list"),
    path("add/", views.exercise_add, name="exercise_add"),
    path("<int:pk>/", views.exercise_detail, name="exercise_detail"),
    path("<int:pk>/edit/", views.exercise_edit, name="exercise_edit"),
    path("<int:pk>/copy/", views.exercise_copy, name="exercise_copy"),
    path("<str:slug>/figure.svg", views.exercise_figure, name="exercise_figure"),
]
