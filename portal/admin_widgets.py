"""Admin widgets that survive hostile input."""

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
