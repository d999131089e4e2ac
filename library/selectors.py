"""Reads for the library. Pages and the API both list through exercise_search, so filters cannot drift."""

from collections.abc import Mapping
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from library.fields import TagsField
from library.models import Exercise
from library.text import fold

MAX_SEARCH_WORDS = 8
MAX_PAGE = 10_000  # far past any real list; keeps absurd ?page= values from overflowing the SQL OFFSET


def exercise_search(user, params: Mapping[str, Any] | None = None) -> QuerySet[Exercise]:
    """Active exercises `user` may see, filtered by cleaned params (library.forms.ExerciseFilterForm).

    q matches every word against the name, aliases and cues, ignoring case and accents; kind, region,
    equipment and difficulty must match exactly. Empty values do not filter.
    """
    params = params or {}
    exercises = Exercise.objects.visible_to(user).active().select_related("clinic")
    exercises = matching(exercises, params.get("q") or "")
    if params.get("kind"):
        exercises = exercises.filter(kind=params["kind"])
    if params.get("region"):
        exercises = exercises.filter(regions__contains=TagsField.lookup(params["region"]))
    if params.get("equipment"):
        exercises = exercises.filter(equipment__contains=TagsField.lookup(params["equipment"]))
    if params.get("difficulty"):
        exercises = exercises.filter(difficulty=params["difficulty"])
    return exercises.order_by("name", "pk")


def rows_with_total(queryset: QuerySet, offset: int, limit: int) -> tuple[list, int | None]:
    """Rows [offset, offset + limit) and the total count in one query (COUNT(*) OVER ()).

    The total is None when the slice is empty (nothing there to carry it).
    """
    rows = list(queryset.annotate(total_rows=Window(Count("pk")))[offset : offset + limit])
    return rows, (rows[0].total_rows if rows else None)


def clinic_copy_of(exercise: Exercise, clinic_id: int) -> Exercise | None:
    """The clinic's tailored copy of a shipped exercise, if it made one."""
    return Exercise.objects.filter(clinic_id=clinic_id, copied_from=exercise).first()


def matching(exercises: QuerySet[Exercise], text: str) -> QuerySet[Exercise]:
    """Exercises whose name, aliases or cues contain every word of `text` (case and accents ignored)."""
    for word in fold(text).split()[:MAX_SEARCH_WORDS]:
        exercises = exercises.filter(search_text__contains=word)
    return exercises


def page_with_total(queryset: QuerySet, number, per_page: int) -> Page:
    """Like Paginator.get_page, but the page and the total come from a single query, not two."""
    try:
        number = min(max(int(number), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    paginator = Paginator(queryset, per_page)
    rows, total = rows_with_total(queryset, (number - 1) * per_page, per_page)
    if total is None and number > 1:
        return paginator.get_page(number)  # past the end: Django's paginator shows the last page
    paginator.count = total or 0
    return Page(rows, number, paginator)
