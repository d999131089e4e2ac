"""Each rehab word family is written once (rehab.codes); the models' choices add the words people read."""

from rehab import codes, models


def test_the_actions_choices_are_the_engines_actions():
    assert models.Action.values == [action.value for action in codes.Action]
