"""Exercise images and video links: real pictures are accepted, anything else gets a clear message."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from library import validators
from library.models import Exercise

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def picture(fmt: str = "PNG", name: str = "bridge.png", size=(8, 6)) -> SimpleUploadedFile:
    """A real, tiny image made by Pillow in memory."""
    buffer = BytesIO()
    Image.new("RGB", size, (20, 120, 110)).save(buffer, format=fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def form_data(**extra):
    return {
        "name": "Banded bridge",
        "kind": "strength",
        "difficulty": "1",
        "regions": ["glutes"],
        "equipment": ["band", "mat"],
        "steps": "Lie on your back with a band above your knees.\nPush the knees out and lift your hips.",
        "cues": "Knees out",
        "sets": "2",
        "reps": "10",
        **extra,
    }


def add(client, **extra):
    return client.post(reverse("library:exercise_add"), form_data(**extra))


@pytest.mark.parametrize(
    "upload",
    [
        picture("PNG", "bridge.png"),
        picture("JPEG", "bridge.jpg"),
        picture("JPEG", "BRIDGE.JPEG"),
        picture("WEBP", "bridge.webp"),
    ],
    ids=["png", "jpg", "jpeg-upper-case", "webp"],
)
def test_real_images_are_accepted_and_shown(client_for, people, upload):
    client = client_for("clinician")
    response = add(client, image=upload)
    assert response.status_code == 302, response.context["form"].errors
    exercise = Exercise.objects.get(name="Banded bridge")
    assert exercise.clinic == people.clinic
    assert exercise.image.name.startswith("library/") and "bridge" not in exercise.image.name
    html = client.get(exercise.get_absolute_url()).content.decode()
    assert exercise.image.url in html


@pytest.mark.parametrize(
    "upload,message",
    [
        (
            SimpleUploadedFile("fake.png", b"just some text, not a picture", "image/png"),
            "not a PNG, JPEG or WebP",
        ),
        (SimpleUploadedFile("drawing.svg", SVG, "image/svg+xml"), "SVG drawings are not accepted"),
        (SimpleUploadedFile("drawing.png", SVG, "image/png"), "SVG drawings are not accepted"),
        (picture("GIF", "anim.gif"), "not a PNG, JPEG or WebP"),
        (picture("PNG", "page.html"), "should end in .png, .jpg, .jpeg or .webp"),
        (SimpleUploadedFile("cut.png", picture("PNG").read()[:40], "image/png"), "not a PNG, JPEG or WebP"),
        (SimpleUploadedFile("empty.png", b"", "image/png"), "The submitted file is empty"),
    ],
    ids=["text-named-png", "svg", "svg-named-png", "gif", "png-named-html", "truncated-png", "empty"],
)
def test_other_files_get_a_clear_form_error(client_for, upload, message):
    response = add(client_for("clinician"), image=upload)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["image"])
    assert not Exercise.objects.filter(name="Banded bridge").exists()


def test_images_over_the_limit_are_refused(client_for, monkeypatch):
    monkeypatch.setattr(validators, "MAX_IMAGE_BYTES", 50)
    response = add(client_for("clinician"), image=picture("PNG", size=(64, 64)))
    assert response.status_code == 200
    assert "Images can be at most 50\xa0bytes" in response.context["form"].errors["image"][0]


def test_a_file_over_five_megabytes_is_refused_before_it_is_opened():
    big = SimpleUploadedFile("huge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "image/png")
    with pytest.raises(ValidationError) as error:
        validators.validate_exercise_image(big)
    assert error.value.messages[0].startswith("Images can be at most 5.0\xa0MB")


def test_images_of_exactly_the_limit_pass_the_size_check(monkeypatch):
    upload = picture("PNG")
    monkeypatch.setattr(validators, "MAX_IMAGE_BYTES", upload.size)
    validators.validate_exercise_image(upload)


def test_clearing_the_image(client_for, people):
    client = client_for("clinician")
    add(client, image=picture())
    exercise = Exercise.objects.get(name="Banded bridge")
    response = client.post(
        reverse("library:exercise_edit", args=[exercise.pk]),
        form_data(**{"image-clear": "on", "active": "on"}),
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert not exercise.image
    html = client.get(exercise.get_absolute_url()).content.decode()
    assert "<img" not in html.split("<main", 1)[1]


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://video.example/bridge", True),
        ("http://video.example/bridge", True),
        ("javascript:alert(1)", False),
        ("ftp://video.example/bridge.mp4", False),
        ("not a link", False),
    ],
)
def test_video_links_must_be_web_addresses(client_for, url, ok):
    response = add(client_for("clinician"), video_url=url)
    if ok:
        assert response.status_code == 302
        assert Exercise.objects.get(name="Banded bridge").video_url == url
    else:
        assert response.status_code == 200
        assert "video_url" in response.context["form"].errors


def test_api_upload_of_a_real_image_and_a_fake(client_for):
    client = client_for("clinician")
    fields = {
        "name": "API bridge",
        "kind": "strength",
        "steps": ["Lie down.", "Lift."],
        "regions": ["glutes"],
    }
    fake = client.post("/api/v1/exercises/", {**fields, "image": SimpleUploadedFile("x.png", b"text")})
    assert fake.status_code == 400
    assert "not a PNG, JPEG or WebP" in fake.json()["errors"]["image"][0]
    svg = client.post("/api/v1/exercises/", {**fields, "image": SimpleUploadedFile("x.svg", SVG)})
    assert svg.status_code == 400 and "SVG" in svg.json()["errors"]["image"][0]
    real = client.post("/api/v1/exercises/", {**fields, "image": picture()})
    assert real.status_code == 201, real.json()
    assert real.json()["image"].endswith(".png")
    assert Exercise.objects.get(name="API bridge").image
