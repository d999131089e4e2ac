"""{% exercise_figure %}: an exercise's picture — the clinic's own upload, else the drawn start and end positions."""

from django import template
from django.core.files.storage import default_storage
from django.urls import reverse

from library import figures

register = template.Library()


@register.inclusion_tag("library/exercise_figure.html")
def exercise_figure(exercise=None, *, size="thumb", slug="", name="", image=""):
    """Either an Exercise (`{% exercise_figure row.exercise %}`) or its annotated fields, for lists that read
    only a few columns (`{% exercise_figure slug=row.exercise_slug name=row.exercise_name image=row.exercise_image %}`).
    size: "thumb" (a small fixed box beside a list entry: the drawing's end position) or "large" (the full
    card width: start and end)."""
    if exercise is not None:
        slug, name, image = exercise.slug, exercise.name, exercise.image.name if exercise.image else ""
    figure_url = reverse("library:exercise_figure", args=[slug]) if slug and figures.has_figure(slug) else ""
    if figure_url and size == "thumb":
        figure_url += "?frame=end"  # the end position alone stays legible at thumbnail size
    return {
        "name": name,
        "image_url": default_storage.url(image) if image else "",
        "figure_url": figure_url,
        "size": size,
    }
