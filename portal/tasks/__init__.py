"""This app's background jobs, one module per concern. Celery's autodiscovery imports this package; every
module in it is imported here, so a new module's tasks register without editing this file."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
