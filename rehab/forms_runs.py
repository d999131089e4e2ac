"""The athlete's "Import runs from your watch" form (rehab.views_runs): one or more GPX, TCX or FIT files."""

from django import forms

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
                f"Choose at most {MAX_FILES} files at a time (you chose {len(files)}).", code="max_files"
            )
        return list(files)


class RunImportForm(forms.Form):
    files = MultipleFileField(
        label="Run files",
        help_text=(
            f"GPX, TCX or FIT files, as your watch or running app exports them: up to {MAX_FILES} at a time, "
            f"{MAX_BYTES // (1024 * 1024)} MB each. They are read and not kept."
        ),
        error_messages={"required": "Choose one or more files from your watch or running app."},
    )
