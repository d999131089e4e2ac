# The Celery app is loaded with Django, so that `shared_task` and `portal.jobs.enqueue` find it.
from portal.celery import app as celery_app

__all__ = ("celery_app",)
