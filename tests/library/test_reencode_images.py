"""`manage.py reencode_images`: pictures stored before uploads were re-encoded get the same treatment as a new
upload (portal.images); those over the pixel limits, or unreadable, are reported and left alone."""

from io import BytesIO, StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from library.models import Exercise
from portal.images import STORED_IMAGE_SIDE
from tests.factories import ExerciseFactory
from tests.images import png_of_size

POLYGLOT_TAIL = b"<html><script>alert(document.cookie)</script></html>"


def _stored(exercise, name: str, data: bytes) -> str:
    """Put `data` in storage as the exercise's picture, as an old upload was: no check, no re-encoding."""
    name = default_storage.save(name, ContentFile(data))
    Exercise.objects.filter(pk=exercise.pk).update(image=name)
    return name


def _photo(size=(2400, 1800)) -> bytes:
    buffer = BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    Image.new("RGB", size, (30, 140, 90)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _run(*args) -> str:
    out = StringIO()
    call_command("reencode_images", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def exercises(people):
    return {
        "old_photo": ExerciseFactory(clinic=people.clinic, name="Old photo", slug="old-photo"),
        "polyglot": ExerciseFactory(clinic=people.clinic, name="Polyglot", slug="polyglot"),
        "bomb": ExerciseFactory(clinic=people.clinic, name="Bomb", slug="bomb"),
        "garbage": ExerciseFactory(clinic=people.clinic, name="Garbage", slug="garbage"),
        "none": ExerciseFactory(clinic=people.clinic, name="No picture", slug="no-picture"),
    }


def _png_with_tail() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 20, 20)).save(buffer, "PNG")
    return buffer.getvalue() + POLYGLOT_TAIL


def test_old_pictures_are_reencoded_and_the_oversized_refused(exercises):
    names = {
        "old_photo": _stored(exercises["old_photo"], "library/old.jpg", _photo()),
        "polyglot": _stored(exercises["polyglot"], "library/poly.png", _png_with_tail()),
        "bomb": _stored(exercises["bomb"], "library/bomb.png", png_of_size(13_000, 13_000)),
        "garbage": _stored(exercises["garbage"], "library/garbage.png", b"not a picture at all"),
    }
    output = _run()
    assert "2 re-encoded, 0 already re-encoded, 2 refused, 0 missing" in output
    bomb = exercises["bomb"].pk
    assert f"Refused: #{bomb} Bomb (Riverside): far more pixels, over the limit of 4,096 × 4,096" in output
    garbage = exercises["garbage"].pk
    assert f"Refused: #{garbage} Garbage (Riverside): {names['garbage']} could not be read" in output
    photo = Exercise.objects.get(pk=exercises["old_photo"].pk).image
    assert photo.name != names["old_photo"] and not default_storage.exists(names["old_photo"])
    with default_storage.open(photo.name) as file, Image.open(file) as image:
        assert max(image.size) == STORED_IMAGE_SIDE and "exif" not in image.info
    poly = Exercise.objects.get(pk=exercises["polyglot"].pk).image
    with default_storage.open(poly.name) as file:
        assert POLYGLOT_TAIL not in file.read()
    # Refused: left as they were, for someone to replace.
    for key in ("bomb", "garbage"):
        assert Exercise.objects.get(pk=exercises[key].pk).image.name == names[key]
        assert default_storage.exists(names[key])
    # Idempotent: what was re-encoded is not touched again.
    stored = {key: Exercise.objects.get(pk=exercises[key].pk).image.name for key in ("old_photo", "polyglot")}
    assert "0 re-encoded, 2 already re-encoded, 2 refused, 0 missing" in _run()
    assert stored == {key: Exercise.objects.get(pk=exercises[key].pk).image.name for key in stored}


def test_a_dry_run_changes_nothing(exercises):
    name = _stored(exercises["old_photo"], "library/old.jpg", _photo())
    output = _run("--dry-run")
    assert "Dry run: nothing was changed." in output
    assert "1 to re-encode, 0 already re-encoded, 0 refused, 0 missing" in output
    assert Exercise.objects.get(pk=exercises["old_photo"].pk).image.name == name
    with default_storage.open(name) as file, Image.open(file) as image:
        assert "exif" in image.info


def test_a_picture_over_the_side_limit_is_refused_with_its_size(exercises):
    _stored(exercises["old_photo"], "library/wide.png", png_of_size(5000, 100))
    output = _run()
    assert "Old photo (Riverside): 5,000 × 100 pixels, over the limit of 4,096 × 4,096 pixels." in output
    assert "0 re-encoded, 0 already re-encoded, 1 refused, 0 missing" in output


def test_a_missing_file_is_reported(exercises):
    Exercise.objects.filter(pk=exercises["old_photo"].pk).update(image="library/gone.jpg")
    output = _run()
    assert "0 re-encoded, 0 already re-encoded, 0 refused, 1 missing" in output
    assert "Old photo" in output


def test_a_new_upload_counts_as_already_reencoded(client_for, people):
    from tests.library.test_upload import add, picture

    assert (
        add(client_for("clinician"), image=picture("PNG", "bridge.png", size=(2000, 500))).status_code == 302
    )
    assert "0 re-encoded, 1 already re-encoded, 0 refused, 0 missing" in _run()
