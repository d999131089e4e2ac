"""Rehab's writes, by concern. Read them in this order:

- `plans`: assign, edit, move between phases, pause or complete, clearances, acting on the engine's advice;
- `logs`: the athlete's daily log, the stop alerts it raises at once, and `after_log`, the job that follows it;
- `status`: each athlete's caseload status recomputed and stored, and the alerts time raises.
- `coach`: the limits a clinician sets for the running coach, the coach's running changes and advances within
  them, and their requests, which the clinician accepts or declines (`from rehab.services import coach`).

rehab/tasks/ sits above them: the jobs that run `after_log` and `status_refresh` off the request. Callers
import from here (`from rehab import services`).
"""

from rehab.services.logs import BACKFILL_DAYS, LOG_FIELDS, after_log, check_log_date, log_save
from rehab.services.plans import (
    ANSWERED_BY,
    CANCELLABLE,
    DOSAGE_FIELDS,
    PHASE_FIELDS,
    PLAN_EDITABLE_FIELDS,
    PLAN_GONE,
    PlanChanged,
    phase_clear,
    plan_advance,
    plan_assign,
    plan_cancel,
    plan_editing,
    plan_move,
    plan_regress,
    plan_save_as_template,
    plan_set_status,
    plan_start_blank,
    plan_touch,
    plan_update,
    recommendation_apply,
    template_duplicate,
)
from rehab.services.status import STATUS_FIELDS, status_refresh, status_row, status_snapshots

__all__ = [
    "ANSWERED_BY", "BACKFILL_DAYS", "CANCELLABLE", "DOSAGE_FIELDS", "LOG_FIELDS", "PHASE_FIELDS", "PLAN_EDITABLE_FIELDS",
    "PLAN_GONE", "STATUS_FIELDS", "PlanChanged", "after_log", "check_log_date", "log_save", "phase_clear",
    "plan_advance", "plan_assign", "plan_cancel", "plan_editing", "plan_move", "plan_regress", "plan_save_as_template", "plan_set_status", "plan_start_blank", "plan_touch",
    "plan_update", "recommendation_apply", "status_refresh", "status_row", "status_snapshots",
    "template_duplicate",
]  # fmt: skip
