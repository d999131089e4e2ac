"""What every /api/v1/ endpoint shares: the error format, pagination and permissions (schema: api_schema).

Every error answers with the same JSON object (docs/api.md, "Errors"):

    {"detail": "Invalid input.", "code": "invalid", "errors": {"pain_during": ["Ensure this value is …"]}}

`detail` is one sentence for people, `code` is stable for programs, and `errors` maps each field to its
messages (nested fields as dotted paths like `exercises.0.sets_done`; `non_field_errors` for the rest). It is
empty unless the request failed validation.
"""

from contextlib import contextmanager

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django_filters import rest_framework as filters
from rest_framework import exceptions, permissions, serializers
from rest_framework.filters import OrderingFilter as BaseOrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from portal.capabilities import Cap, can, narrow_to_own_clinic
from portal.permissions import is_care_team

NON_FIELD = "non_field_errors"
INVALID = _("Invalid input.")
# The largest id a 64-bit column holds. SQLite raises OverflowError (a 500) instead of matching nothing past it.
ID_MAX = 2**63 - 1


def error_body(detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict:
    return {"detail": detail, "code": code, "errors": errors or {}}


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field": [...], "exercises.0.sets_done": [...]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            key = str(key)
            if key in (NON_FIELD, NON_FIELD_ERRORS):
                name = prefix or NON_FIELD
            else:
                name = f"{prefix}.{key}" if prefix else key
            for field, messages in flatten_errors(value, name).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            for field, messages in flatten_errors(
                item, f"{prefix}.{index}" if prefix else str(index)
            ).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or NON_FIELD: [str(message) for message in messages]} if messages else {}


class TooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"

    def __init__(self):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
        super().__init__(gettext("The request is too large. Send at most %(limit)s.") % {"limit": limit})


def exception_handler(exc, context):
    """DRF's handler, with every error body in the one shape above (unexpected errors stay 500s)."""
    if isinstance(exc, RequestDataTooBig):  # Django's body limit: DRF leaves it to Django's HTML 400 page
        exc = TooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(gettext("Too many fields or files in one request."))
    elif isinstance(exc, DjangoValidationError):  # a service refused: the same 400 as a serializer's
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's message names the model; say no more than "not found"
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        only_general = set(errors) == {NON_FIELD}
        response.data = error_body(
            " ".join(errors[NON_FIELD]) if only_general else INVALID, "invalid", errors
        )
    else:
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        response.data = error_body(str(detail), getattr(exc.detail, "code", None) or exc.default_code)
    return response


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def not_found(request, exception):
    """handler404: JSON under /api/ (an unknown URL), the site's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body(gettext("Not found."), "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: JSON under /api/, the site's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body(gettext("Server error."), "server_error"), status=500)
    return defaults.server_error(request)


@contextmanager
def service_errors():
    """A service's ValidationError answered as a 400 with field messages, never a 500."""
    try:
        yield
    except DjangoValidationError as error:
        raise exceptions.ValidationError(as_serializer_error(error)) from error


class Pagination(PageNumberPagination):
    """?page= and ?page_size= (at most 100: more is 100). A page past the end is a 404; a page size that is not a
    whole number from 1 up is a 400 (DRF's would quietly answer 25 rows)."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        gettext("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return min(int(raw), self.max_page_size)


# ------------------------------------------------------------------------------------ list query parameters


class OrderingFilter(BaseOrderingFilter):
    """?ordering=, refusing (400) a field the list cannot be ordered by instead of quietly using its default."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param, "")
        if not raw:
            return self.get_default_ordering(view)
        fields = [part.strip() for part in raw.split(",")]
        ordering = self.remove_invalid_fields(queryset, fields, view, request)
        if len(ordering) != len(fields):
            valid = sorted(name for name, _ in self.get_valid_fields(queryset, view, {"request": request}))
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        gettext("Order by one of: %(fields)s (a leading - reverses the order).")
                        % {"fields": ", ".join(valid)}
                    ]
                }
            )
        return ordering


def _filterset_parameters(view, queryset) -> list[str]:
    """The query parameters of the view's django-filter FilterSet: a range filter's are `<name>_after` and
    `<name>_before` (its widget's suffixes)."""
    filterset_class = filters.DjangoFilterBackend().get_filterset_class(view, queryset)
    if filterset_class is None:
        return []
    names = []
    for name, filter_ in filterset_class.base_filters.items():
        suffixes = getattr(filter_.field.widget, "suffixes", None)
        names.extend(f"{name}_{suffix}" if suffix else name for suffix in suffixes or [""])
    return names


def list_parameters(view, queryset=None) -> list[str]:
    """Every query parameter a list endpoint takes: its filters, `ordering`, the page and page size, and those
    it reads itself (`list_parameters` on the view, e.g. the caseload's `q` and `show`). Sorted."""
    names = set(getattr(view, "list_parameters", ()))
    for backend in view.filter_backends:
        if issubclass(backend, filters.DjangoFilterBackend):
            names.update(_filterset_parameters(view, queryset))
        elif issubclass(backend, BaseOrderingFilter):
            names.add(backend.ordering_param)
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        names.add(paginator.page_query_param)
        if getattr(paginator, "page_size_query_param", None):
            names.add(paginator.page_size_query_param)
    return sorted(names)


class KnownParametersFilter:
    """A list refuses (400) a query parameter it does not know, naming it and those it takes.

    A misspelt or guessed filter (`?from=` where the daily logs take `?date_after=`) would otherwise be ignored,
    and the answer would look filtered while holding every row. `format` (DRF's `?format=json`) is always
    allowed. Only lists are checked: a single record's address takes no filters.
    """

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return queryset
        known = list_parameters(view, queryset)
        unknown = sorted(set(request.query_params) - set(known) - {api_settings.URL_FORMAT_OVERRIDE})
        if unknown:
            message = gettext("Unknown parameter. This list takes: %(known)s.") % {"known": ", ".join(known)}
            raise exceptions.ValidationError({name: [message] for name in unknown})
        return queryset

    def get_schema_operation_parameters(self, view):
        return []


class IsClinician(permissions.BasePermission):
    """The care team only, as `clinician_required` on pages: clinicians, an athlete's own coach from outside the
    clinic (who sees the athletes shared with them) and superusers; athletes get 403."""

    message = _("Only the care team can use this endpoint.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and is_care_team(user))


class HasCapability(permissions.BasePermission):
    """What each action of a view takes, from its `capabilities` (action → Cap, portal.capabilities): a coach
    gets 403 on a write the table keeps for clinical clinicians. Actions it does not name are left to the
    view's other permission classes (and object checks inside the action, e.g. which alerts one may resolve)."""

    message = _("Your role in the clinic does not allow this.")

    def has_permission(self, request, view):
        cap = getattr(view, "capabilities", {}).get(getattr(view, "action", None))
        if cap is None:
            return True
        if not can(request.user, cap):
            return False
        narrow_to_own_clinic(request.user, Cap(cap))
        return True


def _too_big(value) -> bool:
    try:
        return abs(int(value)) > ID_MAX
    except (TypeError, ValueError, OverflowError):
        return False


class PrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related object's id; one too big for any row is "does not exist", not a database error, and a number
    with a fraction is the wrong type, not the id before the point."""

    def to_internal_value(self, data):
        if isinstance(data, float):  # 1.5 would be looked up as id 1
            self.fail("incorrect_type", data_type=type(data).__name__)
        if _too_big(data):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """A related object named by a code; one with a NUL byte does not exist (PostgreSQL would refuse the query)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


# ------------------------------------------------------------------------------------------------ text fields


class StrictText:
    """Text fields take JSON strings only. DRF's would store the number 12345 as the text "12345": a client
    sending the wrong type is told so instead (form and multipart values are always strings)."""

    default_error_messages = {"not_a_string": _("Not a valid string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class CharField(StrictText, serializers.CharField):
    pass


class EmailField(StrictText, serializers.EmailField):
    pass


class SlugField(StrictText, serializers.SlugField):
    pass


class URLField(StrictText, serializers.URLField):
    pass


class IPAddressField(StrictText, serializers.IPAddressField):
    pass


class ModelSerializer(serializers.ModelSerializer):
    """The API's model serializer: its text fields, mapped from the model's, are the strict ones above. Every
    serializer of the API derives from it (and declares text fields with CharField / EmailField from here)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: CharField,
        models.TextField: CharField,
        models.EmailField: EmailField,
        models.SlugField: SlugField,
        models.URLField: URLField,
        models.GenericIPAddressField: IPAddressField,
    }


class IdFilter(filters.NumberFilter):
    """?athlete=<id>-style filters: whole numbers that fit an id column, else a 400 on that parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -ID_MAX)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class TrueFalseField(forms.NullBooleanField):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class TrueFalseFilter(filters.BooleanFilter):
    """?open=true / false; anything else is a 400 (django-filter's own would ignore it and filter nothing)."""

    field_class = TrueFalseField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)
