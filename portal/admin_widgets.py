"""Admin widgets that survive hostile input, and that name every box they draw."""

from django.contrib.admin import widgets
from django.core.exceptions import ValidationError


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's, except that a posted value which is no id of a row ("abc", a number past 64 bits) is shown as
    nothing chosen when the form comes back with errors. Django's own runs it through a `pk__in` query while
    rendering, and that query fails (a 500) instead of the form showing "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        field = self.choices.field
        usable = []
        for item in value:
            try:
                field.to_python(item)
            except ValidationError:
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


class AdminSplitDateTime(widgets.AdminSplitDateTime):
    """Django's date and time pair, with each box named after its field ("Last login: date"). Django's label for
    the pair points at neither box (a MultiWidget has no single id), so a screen reader heard only "edit text"."""

    def __init__(self, attrs=None, *, label=""):
        super().__init__(attrs)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, part in zip(context["widget"]["subwidgets"], ("date", "time"), strict=True):
            subwidget["attrs"]["aria-label"] = f"{self.label}: {part}" if self.label else part
        return context
