"""The building blocks of every app's admin: clinic scoping, capability checks, labelled inline rows, filters
and read-only lists in words. Apps' admin modules (portal's included) build on these; registrations live in
each app's admin.py."""

from django.contrib import admin
from django.contrib.admin.utils import display_for_field
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms.utils import pretty_name

from portal import audit
from portal.admin_widgets import AutocompleteSelect, list_display_html
from portal.capabilities import Cap, can
from portal.permissions import clinician_of, scope_by_clinic


class ScopedFormFieldsMixin:
    """Foreign-key dropdowns offer only records the user may see (clinics, clinicians, athletes…)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "visible_to"):
            kwargs["queryset"] = related.objects.visible_to(request.user)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LabelledRowsFormSet:
    """A tabular inline's formset whose every box is named after its column and row ("Run minutes, row 2").

    Django's tabular inline shows the field's name only as the column's heading, which is tied to no box: a
    screen reader announced 24 unnamed boxes on a plan's phases. Rows added in the browser are copies of the
    empty form: they are "new row".
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            widget = field.widget
            # The box itself, not the wrapper that draws the "+" and pencil links around it.
            while isinstance(widget, RelatedFieldWidgetWrapper):
                widget = widget.widget
            widget.attrs["aria-label"] = f"{field.label or pretty_name(name)}, {row}"


class TabularInline(admin.TabularInline):
    """Django's, with every box in its rows named (LabelledRowsFormSet). Every tabular inline derives from it."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (LabelledRowsFormSet, formset), {})


class CapabilityAdminMixin:
    """What a user may do with a model in the admin asks portal.capabilities, on top of the model permissions
    (the Clinicians group's): `view_capability` to list and open its records, `edit_capability` to add, change
    and delete them. The admin site itself asks for USE_ADMIN (portal.admin_site).

    The clinic's health records (athletes, plans, logs, alerts, intakes) name a clinical capability, so a manager
    who is a coach gets the clinic's own administration only: its details, clinicians, protocols and exercises.
    """

    view_capability: Cap = Cap.USE_ADMIN
    edit_capability: Cap = Cap.USE_ADMIN

    def has_module_permission(self, request):
        return can(request.user, self.view_capability) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can(request.user, self.view_capability) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return can(request.user, self.edit_capability) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return can(request.user, self.edit_capability) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can(request.user, self.edit_capability) and super().has_delete_permission(request, obj)


class ClinicScopedAdmin(CapabilityAdminMixin, ScopedFormFieldsMixin, admin.ModelAdmin):
    """Base admin for clinic-owned records: clinicians see and edit only their clinic's rows.

    `clinic_field` is the lookup path from the model to its Clinic. A clinician never picks a clinic:
    new rows are put in theirs.
    """

    clinic_field = "clinic"
    # Lists of health records (logs, intakes, alerts, plans): a list shown is in the audit trail, one entry per
    # athlete on the page (audit.record_list_access).
    audit_list_reads = False

    def get_queryset(self, request):
        return scope_by_clinic(super().get_queryset(request), request.user, clinic_field=self.clinic_field)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.clinic_field == "clinic":
            exclude.append("clinic")
        return exclude

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser and self.clinic_field == "clinic":
            filters.append("clinic")
        return filters

    def save_model(self, request, obj, form, change):
        clinician = clinician_of(request.user)
        if not change and clinician is not None and self.clinic_field == "clinic":
            obj.clinic = clinician.clinic
        super().save_model(request, obj, form, change)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if self.audit_list_reads and request.method == "GET":  # a POST runs an action: not a read
            audit.record_list_access(request.user, changelist.result_list)
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET":
            audit.record_access(
                request.user, obj
            )  # health records opened in the admin are in the audit trail
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )


class SetOrEmptyFilter(admin.SimpleListFilter):
    """A yes/no filter on a nullable field, with its two choices in words ("Open" / "Resolved") instead of
    Django's "Empty" / "Not empty". Subclasses name the field and the words."""

    field = ""
    empty_label = ""
    set_label = ""

    def lookups(self, request, model_admin):
        return [("empty", self.empty_label), ("set", self.set_label)]

    def queryset(self, request, queryset):
        if self.value() == "empty":
            return queryset.filter(**{f"{self.field}__isnull": True})
        if self.value() == "set":
            return queryset.filter(**{f"{self.field}__isnull": False})
        return queryset


def set_or_empty_filter(field: str, title: str, empty_label: str, set_label: str, parameter: str = ""):
    return type(
        f"{field.title().replace('_', '')}Filter",
        (SetOrEmptyFilter,),
        {
            "field": field,
            "title": title,
            "parameter_name": parameter or field.removesuffix("_at"),
            "empty_label": empty_label,
            "set_label": set_label,
        },
    )


def readable_list(field: str, description: str, label=None, *, ordered=False):
    """A read-only display method showing the list stored in `field` as a bulleted list of words."""

    @admin.display(description=description)
    def show(self, obj):
        return list_display_html(getattr(obj, field), label=label, ordered=ordered)

    return show


def labelled_value(field: str, description: str):
    """A read-only display method showing a field as Django would, under a clearer label than the model's."""

    @admin.display(description=description)
    def show(self, obj):
        model_field = obj._meta.get_field(field)
        return display_for_field(getattr(obj, field), model_field, self.get_empty_value_display())

    return show


class ReadableListsMixin:
    """Change pages the user may only view show stored lists (steps, tags, a walk/jog ladder) as words, not as
    JSON: `readable_lists` maps each list field to the display method shown in its place."""

    readable_lists: dict[str, str] = {}
    hidden_when_read_only: list[str] = []  # form-only fields with nothing to show (a hidden version number)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets

        def swap(fields):
            return [
                tuple(swap(item)) if isinstance(item, list | tuple) else self.readable_lists.get(item, item)
                for item in fields
                if item not in self.hidden_when_read_only
            ]

        return [(name, {**options, "fields": swap(options["fields"])}) for name, options in fieldsets]


class ScopedInline(ScopedFormFieldsMixin, TabularInline):
    extra = 0
