"""Each rehab word family is written once (rehab.codes); the models' choices add the words people read."""

from rehab import codes, models, progression, status
from rehab.alert_kinds import EMAIL_WORDS
from rehab.forms import LOG_FORM_FIELDS


def test_the_actions_choices_are_the_engines_actions():
    assert models.Action.values == [action.value for action in codes.Action]


def test_the_red_flag_choices_are_the_engines_red_flags():
    assert models.RedFlag.values == [flag.value for flag in codes.RedFlag]


def test_every_red_flag_has_a_log_column_and_the_engines_words():
    columns = {field.name for field in models.DailyLog._meta.get_fields()}
    assert set(codes.RedFlag) <= columns
    assert set(progression.RED_FLAG_LABELS) == set(codes.RedFlag)
    assert set(progression.EMERGENCY_RED_FLAGS) < set(codes.RedFlag)


def test_the_alerts_the_engine_closes_or_waits_on_are_rehab_alert_kinds():
    assert set(status.STOP_ALERT_KINDS) | set(status.STATE_ALERT_KINDS) < set(codes.AlertKind)
    assert all(
        isinstance(kind, codes.AlertKind) for kind in (*status.STOP_ALERT_KINDS, *status.STATE_ALERT_KINDS)
    )
    assert set(codes.ALERT_KIND_LABELS) == set(codes.AlertKind)


def test_every_rehab_alert_kind_but_the_coachs_request_has_email_words():
    # A coach's request is told in the generic words ("an alert to look at"): it carries no clinical news.
    assert set(codes.AlertKind) - set(EMAIL_WORDS) == {codes.AlertKind.COACH_REQUEST}


def test_the_phase_field_list_names_every_field_of_a_phase():
    # Copies (assign, save as protocol), the API and the phase form read this one list: a new phase field
    # missing from it would silently not be copied.
    assert sorted(models.PHASE_FIELDS) == sorted(field.name for field in models.PhaseFields._meta.fields)


def test_the_log_form_asks_only_what_an_athlete_reports():
    columns = {field.name for field in models.DailyLog._meta.get_fields()}
    assert set(models.REPORTED_LOG_FIELDS) <= columns
    assert set(LOG_FORM_FIELDS) <= set(models.REPORTED_LOG_FIELDS)
