"""/api/v1/exercises/: the library over HTTP, with the same scoping, search and filters as the pages."""

from contextlib import contextmanager

from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from library import caching, services
from library.forms import ExerciseFilterForm
from library.models import Difficulty, Equipment, Exercise, Kind, Region
from library.permissions import can_add_exercises, exercise_editable_by
from library.selectors import MAX_PAGE, exercise_search, rows_with_total
from portal.api_base import CharField, ModelSerializer, Pagination, PrimaryKeyField
from portal.models import Clinic
from portal.parsers import JSONParser
from portal.permissions import clinician_of
from portal.uploads import validate_exercise_image, validate_video_url


class CanEditExercises(permissions.BasePermission):
    message = _(
        "Only clinicians who edit the clinic's protocols can add or change exercises, and only their own clinic's."
    )

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or can_add_exercises(request.user)

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or exercise_editable_by(request.user, obj)


class OneQueryPagination(Pagination):
    """Page-number pagination whose page and count come from one query (see library.selectors)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        try:
            number = int(request.query_params.get(self.page_query_param, 1))
            if not 1 <= number <= MAX_PAGE:
                raise ValueError
        except ValueError:
            raise NotFound(_("Invalid page.")) from None
        rows, total = rows_with_total(queryset, (number - 1) * page_size, page_size)
        if total is None and number > 1:
            raise NotFound(_("Invalid page."))
        paginator = Paginator(queryset, page_size)
        paginator.count = total or 0
        self.page = Page(rows, number, paginator)
        return rows


def _lines(**kwargs):
    return serializers.ListField(child=CharField(max_length=1000), **kwargs)


class ExerciseSerializer(ModelSerializer):
    aliases = _lines(required=False)
    steps = _lines(allow_empty=False)
    cues = _lines(required=False)
    mistakes = _lines(required=False)
    avoid_when = _lines(required=False)
    regions = serializers.ListField(child=serializers.ChoiceField(Region.choices), required=False)
    equipment = serializers.ListField(child=serializers.ChoiceField(Equipment.choices), required=False)
    image = serializers.FileField(required=False, allow_null=True, validators=[validate_exercise_image])
    video_url = CharField(required=False, allow_blank=True, max_length=300, validators=[validate_video_url])
    clinic = PrimaryKeyField(
        queryset=Clinic.objects.none(),
        required=False,
        allow_null=True,  # null: a shipped exercise
        help_text="Owner of a new exercise; only superusers choose it, clinicians always add to their own.",
    )
    shipped = serializers.BooleanField(source="is_shipped", read_only=True)
    dosage_text = CharField(read_only=True)
    editable = serializers.SerializerMethodField()
    figure_url = serializers.SerializerMethodField(
        help_text="The drawn start and end positions (SVG; add ?frame=end for the end alone), or null when the "
        "exercise has no drawing. `image`, the clinic's own picture, takes its place where there is one."
    )

    class Meta:
        model = Exercise
        fields = [
            "id",
            "slug",
            *services.EDITABLE_FIELDS,
            "dosage_text",
            "shipped",
            "clinic",
            "copied_from",
            "editable",
            "figure_url",
            "created",
            "updated",
        ]
        read_only_fields = ["slug", "copied_from", "created", "updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "clinic" in self.fields:
            self.fields["clinic"].queryset = Clinic.objects.visible_to(request.user)

    def get_figure_url(self, exercise) -> str | None:
        url = exercise.figure_url
        request = self.context.get("request")
        return (request.build_absolute_uri(url) if request else url) or None

    def get_editable(self, exercise) -> bool:
        return exercise_editable_by(self.context["request"].user, exercise)

    def validate_image(self, value):
        return False if value is None else value  # null clears the image


# ExerciseFilterForm's fields, for the OpenAPI schema (the form itself validates them).
FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to find in the name, aliases or cues (accents ignored)."),
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("region", str, enum=Region.values),
    OpenApiParameter("equipment", str, enum=Equipment.values),
    OpenApiParameter("difficulty", int, enum=Difficulty.values),
]


class ExerciseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Exercises the user may see. List filters: q, kind, region, equipment, difficulty (as on /library/).

    Clinicians create and update their clinic's exercises; shipped ones are read-only to them. There is
    no delete: set `active` to false instead, so plans that use the exercise keep it.
    """

    serializer_class = ExerciseSerializer
    permission_classes = [permissions.IsAuthenticated, CanEditExercises]
    pagination_class = OneQueryPagination
    parser_classes = [JSONParser, MultiPartParser]  # multipart for image uploads
    ordering_fields = ["name", "difficulty", "updated"]
    list_parameters = list(ExerciseFilterForm.base_fields)

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        # The first page is the same for everyone of a role in a clinic (what they see and may edit), so it is
        # serialized once per clinic, role, host and query string until an exercise changes (library.caching).
        key = caching.first_page_key(request)
        if key is None:
            return super().list(request, *args, **kwargs)
        data = cache.get(key)
        if data is None:
            data = super().list(request, *args, **kwargs).data
            cache.set(key, data, caching.FIRST_PAGE_SECONDS)
        return Response(data)

    def get_queryset(self):
        if self.action == "list":
            filters = ExerciseFilterForm(self.request.query_params)
            if not filters.is_valid():
                raise DRFValidationError(filters.errors)
            return exercise_search(self.request.user, filters.cleaned_data)
        return Exercise.objects.visible_to(self.request.user).select_related("clinic")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        chosen = data.pop("clinic", None)
        clinician = clinician_of(self.request.user)
        clinic = clinician.clinic if clinician is not None else chosen
        if clinic is None:
            raise DRFValidationError({"clinic": [_("Choose the clinic that owns this exercise.")]})
        with _as_api_errors():
            serializer.instance = services.exercise_create(clinic=clinic, by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("clinic", None)  # an exercise never moves between clinics
        with _as_api_errors():
            serializer.instance = services.exercise_update(
                exercise=serializer.instance, by=self.request.user, **data
            )


@contextmanager
def _as_api_errors():
    """Model validation (ranges, steps, unique slugs…) answered as a 400 with field messages, never a 500."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        raise DRFValidationError(
            {("non_field_errors" if key == NON_FIELD_ERRORS else key): value for key, value in detail.items()}
        ) from error
