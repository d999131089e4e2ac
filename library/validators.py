"""Checks on what clinicians upload or link: images are opened with Pillow, never trusted by name."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp"}
ACCEPT = "image/png,image/jpeg,image/webp"

validate_video_url = URLValidator(
    schemes=["http", "https"], message="Enter a full web address starting with http:// or https://."
)


def validate_exercise_image(file) -> None:
    """A PNG, JPEG or WebP picture of at most MAX_IMAGE_BYTES; anything else gets a plain message."""
    if getattr(file, "_committed", False):
        return  # already stored: it was checked when it was uploaded
    if file.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            "Images can be at most %(limit)s and this file is %(size)s. Save it smaller and upload it again.",
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(MAX_IMAGE_BYTES)},
        )
    extension = PurePath(file.name or "").suffix.lower()
    if extension == ".svg" or _looks_like_svg(file):
        raise ValidationError(
            "SVG drawings are not accepted. Upload a PNG, JPEG or WebP image.", code="image_svg"
        )
    image_format = _pillow_format(file)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            "This file is not a PNG, JPEG or WebP image (or it is damaged). Upload a PNG, JPEG or WebP image.",
            code="image_invalid",
        )
    if extension not in IMAGE_EXTENSIONS:
        raise ValidationError(
            "The file name should end in .png, .jpg, .jpeg or .webp.", code="image_extension"
        )


def _looks_like_svg(file) -> bool:
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    if isinstance(head, str):
        head = head.encode()
    return b"<svg" in head.lower()


def _pillow_format(file) -> str | None:
    file.seek(0)
    try:
        with Image.open(file) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    finally:
        file.seek(0)
    return image_format
