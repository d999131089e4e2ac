from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from library import services
from library.fields import TagsField
from library.forms import BaseExerciseForm
from library.models import Equipment, Exercise, Region
from library.selectors import matching
from portal.admin_base import ClinicScopedAdmin, ReadableListsMixin, readable_list
from portal.capabilities import Cap
from portal.permissions import clinician_of, scope_catalog
from portal.uploads import ACCEPT


class ExerciseAdminForm(BaseExerciseForm):
    # Set by ExerciseAdmin.get_form for clinicians, who never see the clinic field.
    owner_clinic = None

    class Meta(BaseExerciseForm.Meta):
        fields = ["clinic", "slug", *services.EDITABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "image" in self.fields:
            self.fields["image"].widget = AdminFileWidget(attrs={"accept": ACCEPT})
        if "source" in self.fields:
            source = self.fields["source"]
            source.help_text = _(
                "Where the exercise comes from, as a citation a colleague can look up: author, title, year."
            )

    def clean(self):
        cleaned = super().clean()
        slug = cleaned.get("slug")
        if "clinic" in self.fields:
            if self.instance.pk is None and cleaned.get("clinic") is None and "clinic" not in self.errors:
                self.add_error(
                    "clinic",
                    _(
                        "Choose the clinic that owns this exercise: the shipped catalog is changed only by a "
                        "library update."
                    ),
                )
        elif slug:
            # The clinic is not on the form, so Django's own check of the per-clinic unique slug skips it.
            taken = Exercise.objects.filter(clinic=self.owner_clinic, slug=slug).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("slug", _("Your clinic already has an exercise with this slug."))
        return cleaned


class OwnerFilter(admin.SimpleListFilter):
    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("shipped", _("Shipped catalog")), ("clinic", _("Clinic's own"))]

    def queryset(self, request, queryset):
        if self.value() == "shipped":
            return queryset.filter(clinic__isnull=True)
        if self.value() == "clinic":
            return queryset.filter(clinic__isnull=False)
        return queryset


class TagFilter(admin.SimpleListFilter):
    tag_choices = ()

    def lookups(self, request, model_admin):
        return self.tag_choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.parameter_name}__contains": TagsField.lookup(self.value())})
        return queryset


class RegionFilter(TagFilter):
    title = "region"
    parameter_name = "regions"
    tag_choices = Region.choices


class EquipmentFilter(TagFilter):
    title = "equipment"
    parameter_name = "equipment"
    tag_choices = Equipment.choices


@admin.register(Exercise)
class ExerciseAdmin(ReadableListsMixin, ClinicScopedAdmin):
    """Everyone with access sees the shipped catalog and their clinic's exercises; shipped rows are
    read-only except for superusers (the data file and load_library stay the source of truth)."""

    edit_capability = Cap.EDIT_PROTOCOLS
    form = ExerciseAdminForm
    readable_lists = {
        "regions": "regions_readable",
        "equipment": "equipment_readable",
        "steps": "steps_readable",
        "cues": "cues_readable",
        "mistakes": "mistakes_readable",
        "avoid_when": "avoid_when_readable",
        "aliases": "aliases_readable",
    }
    regions_readable = readable_list("regions", _("Regions"), dict(Region.choices).get)
    equipment_readable = readable_list("equipment", _("Equipment"), dict(Equipment.choices).get)
    steps_readable = readable_list("steps", _("Steps"), ordered=True)
    cues_readable = readable_list("cues", _("Cues"))
    mistakes_readable = readable_list("mistakes", _("Common mistakes"))
    avoid_when_readable = readable_list("avoid_when", _("Avoid when"))
    aliases_readable = readable_list("aliases", _("Aliases"))
    list_display = ["name", "kind", "difficulty", "owner", "active", "thumbnail"]
    list_filter = ["kind", "difficulty", "active", OwnerFilter, RegionFilter, EquipmentFilter]
    list_select_related = ["clinic"]
    search_fields = ["name"]  # replaced by the library's accent-insensitive search below
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["image_preview", "copied_from", "created", "updated"]
    fieldsets = [
        (
            None,
            {"fields": ["clinic", "name", "slug", "kind", "difficulty", "regions", "equipment", "active"]},
        ),
        (_("Instructions"), {"fields": ["steps", "cues", "mistakes", "avoid_when", "aliases"]}),
        (
            _("Default dosage"),
            {
                "fields": [
                    ("sets", "sets_max"),
                    ("reps", "reps_max"),
                    ("hold_seconds", "hold_seconds_max"),
                    "duration_minutes",
                    "per_side",
                    ("times_per_day", "days_per_week"),
                    "dosage_note",
                ]
            },
        ),
        (
            _("Picture, video and source"),
            {"fields": ["image", "image_preview", "video_url", "source", "copied_from"]},
        ),
        (_("Record"), {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # The catalog rule (shipped rows plus the clinic's own), not ClinicScopedAdmin's clinic-only rule.
        return scope_catalog(super(ClinicScopedAdmin, self).get_queryset(request), request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        first = dict(fieldsets[0][1])
        first["fields"] = [field for field in first["fields"] if field != "clinic"]
        return [(fieldsets[0][0], first), *fieldsets[1:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        clinician = clinician_of(request.user)
        form.owner_clinic = obj.clinic if obj is not None else (clinician.clinic if clinician else None)
        return form

    def get_search_results(self, request, queryset, search_term):
        return matching(queryset, search_term), False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_shipped and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_shipped and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        clinician = clinician_of(request.user)
        if not change and clinician is not None and not request.user.is_superuser:
            obj.clinic = clinician.clinic
        services.exercise_save(obj)

    @admin.display(description=_("Owner"), ordering="clinic__name")
    def owner(self, obj):
        return obj.clinic or gettext("Shipped catalog")

    @admin.display(description=_("Picture"))
    def thumbnail(self, obj):
        if obj.image:
            return format_html('<img src="{}" alt="" class="stride-thumbnail">', obj.image.url)
        if obj.figure_url:  # the drawing, as on the library pages
            return format_html('<img src="{}?frame=end" alt="" class="stride-thumbnail">', obj.figure_url)
        return "—"

    @admin.display(description=_("Preview"))
    def image_preview(self, obj):
        if obj.image:
            return format_html('<img src="{}" alt="" class="stride-preview">', obj.image.url)
        if obj.figure_url:
            return format_html(
                '<img src="{}" alt="{}" class="stride-preview"><p>{}</p>',
                obj.figure_url,
                gettext("Drawn start and end positions"),
                gettext(
                    "The drawing shipped with the library; an uploaded picture replaces it for your clinic."
                ),
            )
        return gettext("No picture yet.")
