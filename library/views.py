import hashlib
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from library import figures, services
from library.forms import ExerciseFilterForm, ExerciseForm
from library.permissions import can_add_exercises, exercise_editable_by, get_exercise_for_user
from library.selectors import clinic_copy_of, exercise_search, page_with_total
from portal.capabilities import Cap, can, capability_required
from portal.permissions import clinician_of

PER_PAGE = 24


def _load_roles(request: HttpRequest) -> None:
    """Reload the user with their clinician, clinic and athlete record in one query.

    Scoping, the cards and base.html all read them; loaded lazily they cost up to three more queries,
    which would make the list's query budget depend on the role.
    """
    request.user = (
        get_user_model().objects.select_related("clinician__clinic", "athlete").get(pk=request.user.pk)
    )


@login_required
def exercise_list(request: HttpRequest) -> HttpResponse:
    _load_roles(request)
    filters = ExerciseFilterForm(request.GET)
    filters.is_valid()  # invalid values are shown on the form and left out of the search
    page = page_with_total(
        exercise_search(request.user, filters.cleaned_data), request.GET.get("page"), PER_PAGE
    )
    context = {
        "page": page,
        "filters": filters,
        "query": filters.cleaned_data.get("q", ""),
        "can_add": can_add_exercises(request.user),
    }
    return render(request, "library/exercise_list.html", context)


@login_required
def exercise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_exercise_for_user(request.user, pk)
    clinician = clinician_of(request.user)
    can_copy = exercise.is_shipped and clinician is not None and can(request.user, Cap.EDIT_PROTOCOLS)
    context = {
        "exercise": exercise,
        "can_edit": exercise_editable_by(request.user, exercise),
        "can_copy": can_copy,
        "clinic_copy": clinic_copy_of(exercise, clinician.clinic_id) if can_copy else None,
    }
    return render(request, "library/exercise_detail.html", context)


@login_required
@capability_required(Cap.EDIT_PROTOCOLS)
def exercise_add(request: HttpRequest) -> HttpResponse:
    form = ExerciseForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        clinic = data.pop("clinic", None) or clinician_of(request.user).clinic
        try:
            exercise = services.exercise_create(clinic=clinic, by=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, gettext("“%(name)s” was added to the library.") % {"name": exercise.name}
            )
            return redirect(exercise)
    return render(request, "library/exercise_form.html", {"form": form})


@login_required
@capability_required(Cap.EDIT_PROTOCOLS)
def exercise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_exercise_for_user(request.user, pk)
    if not exercise_editable_by(request.user, exercise):
        raise PermissionDenied(
            gettext("Shipped exercises are read-only: copy it to your clinic to tailor it.")
        )
    title = exercise.name  # the form changes the instance while validating; keep the saved name for headings
    form = ExerciseForm(request.POST or None, request.FILES or None, instance=exercise, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.exercise_update(exercise=exercise, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("“%(name)s” was saved.") % {"name": exercise.name})
            return redirect(exercise)
    return render(request, "library/exercise_form.html", {"form": form, "exercise": exercise, "title": title})


@login_required
@capability_required(Cap.EDIT_PROTOCOLS)
@require_POST
def exercise_copy(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_exercise_for_user(request.user, pk)
    clinician = clinician_of(request.user)
    if clinician is None:
        raise PermissionDenied(gettext("Only clinicians can copy exercises into their clinic."))
    try:
        copy, created = services.exercise_copy_to_clinic(
            exercise=exercise, clinic=clinician.clinic, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(exercise)
    if created:
        messages.success(
            request,
            gettext("“%(name)s” is now in %(clinic)s's library. Tailor it below.")
            % {"name": copy.name, "clinic": clinician.clinic},
        )
        return redirect("library:exercise_edit", copy.pk)
    messages.info(
        request,
        gettext("%(clinic)s already has its own copy of “%(name)s”.")
        % {"clinic": clinician.clinic, "name": exercise.name},
    )
    return redirect(copy)


# ?frame=end draws only the end position: it stays legible in a thumbnail beside a list entry.
FIGURE_FRAMES = {"": None, "end": -1}


@lru_cache(maxsize=256)
def _figure(slug: str, frame: str) -> tuple[str, str]:
    svg = figures.exercise_svg(slug, frame=FIGURE_FRAMES[frame])
    return svg, '"' + hashlib.sha256(svg.encode()).hexdigest()[:32] + '"'


@login_required
def exercise_figure(request: HttpRequest, slug: str) -> HttpResponse:
    """The drawn start and end positions of a shipped exercise (the same for every clinic, so cacheable)."""
    frame = request.GET.get("frame", "")
    if not figures.has_figure(slug) or frame not in FIGURE_FRAMES:
        raise Http404("No drawing for this exercise.")
    svg, etag = _figure(slug, frame)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(svg, content_type="image/svg+xml")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=86400"
    return response
