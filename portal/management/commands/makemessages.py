"""`manage.py makemessages` with the project's options built in, so `make messages` and the test that the
catalog is current (tests/portal/test_translations.py) write the same file: the project's own code only (not the
venv, tests, benchmarks or the docs), no source line numbers (a moved line does not change the catalog) and no
entries for strings that are gone. Django's documentation suggests this subclass for changing its options."""

from django.core.management.commands import makemessages

IGNORED = [".venv", "bench", "tests", "docs", "staticfiles", "media", "node_modules", "*/migrations/*"]


class Command(makemessages.Command):
    # N_("...") marks a text in a module that cannot import Django (triage/text.py: the triage engine's wording).
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        options["no_location"] = True
        options["no_obsolete"] = True
        return super().handle(*args, **options)
