"""Each rehab word family is written once (rehab.codes); the models' choices add the words people read."""

from rehab import codes, models, progression


def test_the_actions_choices_are_the_engines_actions():
    assert models.Action.values == [action.value for action in codes.Action]


def test_the_red_flag_choices_are_the_engines_red_flags():
    assert models.RedFlag.values == [flag.value for flag in codes.RedFlag]


def test_every_red_flag_has_a_log_column_and_the_engines_words():
    columns = {field.name for field in models.DailyLog._meta.get_fields()}
    assert set(codes.RedFlag) <= columns
    assert set(progression.RED_FLAG_LABELS) == set(codes.RedFlag)
    assert set(progression.EMERGENCY_RED_FLAGS) < set(codes.RedFlag)
