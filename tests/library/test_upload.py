"""Exercise images and video links: real pictures are accepted, anything else gets a clear message."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from library.models import Exercise
from portal import uploads as validators
from tests.images import png_of_size

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
        ("http://video.example/bridge", False),
        ("javascript:alert(1)", False),
        ("ftp://video.example/bridge.mp4", False),
        ("not a link", False),
    ],
)
def test_video_links_must_be_https_web_addresses(client_for, url, ok):
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


# --------------------------------------------------------------------------- pixels, re-encoding, metadata


def stored_bytes(exercise) -> bytes:
    with exercise.image.open("rb") as file:
        return file.read()


@pytest.mark.parametrize(
    "width,height,message",
    [
        (13_000, 13_000, "Images can be at most 4,096 × 4,096 pixels."),
        (5_000, 100, "Images can be at most 4,096 × 4,096 pixels and this one is 5,000 × 100."),
        (4_097, 4_000, "Images can be at most 4,096 × 4,096 pixels and this one is 4,097 × 4,000."),
    ],
    ids=["decompression-bomb", "too-wide", "just-over"],
)
def test_pictures_with_too_many_pixels_get_a_clear_form_error(client_for, width, height, message):
    bomb = SimpleUploadedFile("bomb.png", png_of_size(width, height), "image/png")
    assert bomb.size < 100_000  # small as a file: the byte limit alone lets it through
    response = add(client_for("clinician"), image=bomb)
    assert response.status_code == 200
    assert response.context["form"].errors["image"] == [message + " Save it smaller and upload it again."]
    assert not Exercise.objects.filter(name="Banded bridge").exists()


def test_a_picture_of_exactly_the_pixel_limit_is_accepted_and_stored_smaller(client_for):
    upload = SimpleUploadedFile("big.png", png_of_size(4096, 4096), "image/png")
    assert add(client_for("clinician"), image=upload).status_code == 302
    stored = Image.open(BytesIO(stored_bytes(Exercise.objects.get(name="Banded bridge"))))
    assert stored.size == (1600, 1600)


def test_the_api_refuses_a_decompression_bomb(client_for):
    fields = {"name": "API bridge", "kind": "strength", "steps": ["Lie down."], "regions": ["glutes"]}
    bomb = SimpleUploadedFile("bomb.png", png_of_size(13_000, 13_000), "image/png")
    response = client_for("clinician").post("/api/v1/exercises/", {**fields, "image": bomb})
    assert response.status_code == 400
    assert response.json()["errors"]["image"][0].startswith("Images can be at most 4,096 × 4,096 pixels")


def test_bytes_hidden_after_a_png_are_not_stored(client_for):
    polyglot = picture("PNG").read() + b"<html><script>alert(document.cookie)</script></html>"
    upload = SimpleUploadedFile("bridge.png", polyglot, "image/png")
    assert add(client_for("clinician"), image=upload).status_code == 302
    stored = stored_bytes(Exercise.objects.get(name="Banded bridge"))
    assert b"<script" not in stored and stored.endswith(b"IEND\xaeB`\x82")
    assert Image.open(BytesIO(stored)).size == (8, 6)


def test_a_photo_is_stored_upright_without_its_location(client_for):
    # 40 × 20 pixels, red on the left and blue on the right, taken with the camera turned: the orientation tag
    # (6) says "turn 90° clockwise to view", and the EXIF holds where it was taken.
    photo = Image.new("RGB", (40, 20), (220, 0, 0))
    photo.paste((0, 0, 220), (20, 0, 40, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.0)})
    buffer = BytesIO()
    photo.save(buffer, "JPEG", exif=exif, quality=95)
    assert Image.open(BytesIO(buffer.getvalue())).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it is there

    upload = SimpleUploadedFile("IMG_0042.jpg", buffer.getvalue(), "image/jpeg")
    assert add(client_for("clinician"), image=upload).status_code == 302
    data = stored_bytes(Exercise.objects.get(name="Banded bridge"))
    stored = Image.open(BytesIO(data))
    assert (stored.format, stored.size) == ("JPEG", (20, 40))  # upright: taller than wide
    top, bottom = stored.convert("RGB").getpixel((10, 5)), stored.convert("RGB").getpixel((10, 35))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # the left (red) side is now the top
    assert not stored.getexif() and b"Exif" not in data and b"PhoneCo" not in data


def test_a_large_photo_is_stored_at_most_1600_pixels_wide(client_for):
    upload = picture("JPEG", "wide.jpg", size=(4000, 1000))
    assert add(client_for("clinician"), image=upload).status_code == 302
    stored = Image.open(BytesIO(stored_bytes(Exercise.objects.get(name="Banded bridge"))))
    assert stored.size == (1600, 400)


def test_a_transparent_webp_is_stored_as_a_png_and_an_opaque_one_as_a_jpeg(client_for):
    client = client_for("clinician")
    buffer = BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buffer, "WEBP", lossless=True)
    assert (
        add(client, image=SimpleUploadedFile("clear.webp", buffer.getvalue(), "image/webp")).status_code
        == 302
    )
    stored = Exercise.objects.get(name="Banded bridge").image.name
    add(client, name="Opaque bridge", image=picture("WEBP", "bridge.webp"))
    assert stored.endswith(".png") and Exercise.objects.get(name="Opaque bridge").image.name.endswith(".jpg")
