import json
import sys

from django.core.management import BaseCommand, CommandError

from triage.engine import InvalidAnswers, assess

INVALID_INPUT = 2


def _no_constants(name: str):
    raise ValueError(f"{name} is not allowed in JSON")


class Command(BaseCommand):
    help = (
        "Assess one answers JSON object with the triage engine and print the result as JSON. FILE is a path, "
        "or - to read standard input. Invalid input exits with status 2 and lists each wrong field and why. "
        "Nothing is stored."
    )
    requires_system_checks = []  # a pure computation: works in a fresh clone without a database
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="answers JSON file, or - for standard input")

    def handle(self, *args, file: str, **options):
        text = self.read(file, options.get("stdin") or sys.stdin)
        source = "standard input" if file == "-" else file
        try:
            answers = json.loads(text, parse_constant=_no_constants)
        except (ValueError, RecursionError) as error:
            raise CommandError(f"{source}: not valid JSON ({error}).", returncode=INVALID_INPUT) from None
        try:
            assessment = assess(answers)
        except InvalidAnswers as error:
            for field, messages in sorted(error.errors.items()):
                for message in messages:
                    self.stderr.write(f"{field}: {message}")
            count = sum(len(m) for m in error.errors.values())
            raise CommandError(
                f"{source}: invalid answers ({count} problem{'s' if count != 1 else ''} listed above).",
                returncode=INVALID_INPUT,
            ) from None
        self.stdout.write(json.dumps(assessment.to_dict(), indent=2))

    def read(self, file: str, stdin) -> str:
        try:
            if file == "-":
                return stdin.read()
            with open(file, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}", returncode=INVALID_INPUT) from None
