"""What the tailor page's script (rehab/static/rehab/phase_edit.js) says, in the reader's language: the sentences
are translated here and handed to the script as JSON (json_script: data, which the Content-Security-Policy
allows). %(name)s and the like are filled in by the script."""

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext, ngettext

register = template.Library()


def tailor_texts() -> dict[str, str]:
    return {
        "exercise": gettext("The exercise"),
        "first": gettext("%(name)s is already first."),
        "last": gettext("%(name)s is already last."),
        "moved": gettext("%(name)s moved to place %(place)s of %(count)s."),
        "removed": gettext("%(name)s will be removed when you save. Undo is next to it."),
        "back": gettext("%(name)s is back, in place %(place)s."),
        "full": gettext("A phase holds at most %(num)s exercises. Remove one before adding another."),
        "group": gettext("Move or remove %(name)s"),
        "added": gettext("%(name)s added as number %(place)s. Its dosage is next."),
        "in_phase": gettext("In this phase"),
        # The measured exit criteria's rows.
        "crit_new": gettext("New criterion"),
        "crit_added": gettext("%(kind)s added as criterion %(place)s. Its first box is next."),
        "crit_removed": gettext("%(kind)s will be removed when you save. Undo is next to it."),
        "crit_back": gettext("%(kind)s is back, as criterion %(place)s."),
        "crit_full": gettext(
            "A phase holds at most %(num)s measured criteria. Remove one before adding another."
        ),
        "crit_count": gettext("At least (%(unit)s)"),
        "crit_count_any": gettext("At least (count)"),
        # The picker's count: the script picks the form for the number of exercises in the library.
        "count_one": ngettext("%(shown)s of %(total)s exercise", "%(shown)s of %(total)s exercises", 1),
        "count_many": ngettext("%(shown)s of %(total)s exercise", "%(shown)s of %(total)s exercises", 2),
    }


@register.simple_tag
def tailor_texts_json():
    return json_script(tailor_texts(), "tailor-texts")
