"""The personal-data registry (portal.data_registry): every app's records about an athlete are declared once, so
the export and the deletion of personal data cannot forget a table."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from portal import data_registry
from portal.export import export_data, export_tables
from portal.models import Athlete


def _models_keyed_to_athlete() -> set[str]:
    return {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Athlete
    }


def test_every_model_with_a_key_to_athlete_is_declared_by_an_app():
    undeclared = _models_keyed_to_athlete() - set(data_registry.declared_models())

    assert not undeclared, f"Declare these in their app's personal_data.py: {sorted(undeclared)}"


def test_every_declared_model_exists_and_belongs_to_the_declaring_app():
    for label, app_label in data_registry.declared_models().items():
        assert apps.get_model(label)._meta.app_label == app_label, label


def test_discovery_finds_each_app_once_in_installed_apps_order():
    before = [declaration.app_label for declaration in data_registry.declarations()]

    data_registry.autodiscover()  # a second discovery (the modules are imported once) adds nothing

    assert [declaration.app_label for declaration in data_registry.declarations()] == before
    assert before == ["portal", "triage", "rehab", "outcomes"]


def test_an_app_cannot_declare_twice():
    [portal] = [
        declaration for declaration in data_registry.declarations() if declaration.app_label == "portal"
    ]

    with pytest.raises(ImproperlyConfigured, match="already declared"):
        data_registry.register(portal)


def test_sections_and_tables_have_one_name_and_place_each():
    sections = data_registry.sections()
    tables = [table.name for section in sections for table in section.tables]

    assert len({section.key for section in sections}) == len(sections)
    assert len({section.position for section in sections}) == len(sections)
    assert len(set(tables)) == len(tables)
    assert all(table.header and table.readme.startswith(table.name) for s in sections for table in s.tables)


def test_the_export_holds_every_declared_section_and_table(people):
    data = export_data(people.athlete_a)

    assert {section.key for section in data_registry.sections()} <= set(data)
    declared = {table.name for section in data_registry.sections() for table in section.tables}
    assert declared | {"profile.csv"} == set(export_tables(data))


def test_personal_fields_name_real_fields():
    for label, names in data_registry.personal_fields().items():
        model = apps.get_model(label)
        fields = {field.name for field in model._meta.get_fields()}
        assert names <= fields, (label, names - fields)
