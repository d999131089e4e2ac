"""What a web or job worker process loads as it starts, before its first request or job (portal/wsgi.py,
portal.celery), so that the first one is as quick as the next.

Each app registers its steps from its AppConfig.ready() by dotted path: the modules a step needs (the printout's
PDF code, for one) are imported only by the processes that run the steps, never by a management command or the
tests, and portal names no app above it.
"""

from django.utils.module_loading import import_string

_steps: list[str] = []


def register(path: str) -> None:
    """A function to call as a serving process starts, by its dotted path ("rehab.pdf.warm_up")."""
    if path not in _steps:
        _steps.append(path)


def warm_up() -> None:
    """Run every registered step, in the order the apps registered them."""
    for path in _steps:
        import_string(path)()
