"""The athlete's "Import runs from your watch" form (rehab.views_runs): one or more GPX, TCX or FIT files."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rehab.runfiles import MAX_BYTES, MAX_FILES

ACCEPT = ".gpx,.tcx,.fit"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by the service (size first, then its content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput({"accept": ACCEPT, "class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                ngettext(
                    "Choose at most %(most)d file at a time (you chose %(chosen)d).",
                    "Choose at most %(most)d files at a time (you chose %(chosen)d).",
                    MAX_FILES,
                )
                % {"most": MAX_FILES, "chosen": len(files)},
                code="max_files",
            )
        return list(files)


class RunImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Run files"),
        help_text=format_lazy(
            _(
                "GPX, TCX or FIT files, as your watch or running app exports them: up to {files} at a time, "
                "{megabytes} MB each. They are read and not kept."
            ),
            files=MAX_FILES,
            megabytes=MAX_BYTES // (1024 * 1024),
        ),
        error_messages={"required": _("Choose one or more files from your watch or running app.")},
    )
