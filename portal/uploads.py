"""Checks on what clinicians upload or link (exercise pictures and videos, clinic logos): images are opened with
Pillow, never trusted by name.

An image is checked before it is decoded: a small file can hold a huge picture (a 700 KB PNG of
13,000 × 13,000 pixels takes gigabytes to decode), so its size in pixels is read from its header first.
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 4096  # pixels, each way: a phone's 12-megapixel photo (4032 × 3024) fits
MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE  # also Pillow's own limit (LibraryConfig.ready)
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp"}
ACCEPT = "image/png,image/jpeg,image/webp"

# https only: the link is opened from a patient's phone and printed as a QR code, so it must not be readable
# or changeable on the way.
validate_video_url = URLValidator(
    schemes=["https"], message="Enter a full web address starting with https://."
)


def validate_exercise_image(file) -> None:
    """A PNG, JPEG or WebP picture of at most MAX_IMAGE_BYTES and MAX_IMAGE_SIDE pixels each way; anything else
    gets a plain message."""
    if getattr(file, "_committed", False):
        return  # already stored: it was checked when it was uploaded
    if file.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _(
                "Images can be at most %(limit)s and this file is %(size)s. Save it smaller and upload it again."
            ),
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(MAX_IMAGE_BYTES)},
        )
    extension = PurePath(file.name or "").suffix.lower()
    if extension == ".svg" or _looks_like_svg(file):
        raise ValidationError(
            _("SVG drawings are not accepted. Upload a PNG, JPEG or WebP image."), code="image_svg"
        )
    image_format, size = _pillow_format(file)
    if size is TOO_MANY_PIXELS or (size is not None and not within_pixel_limits(size)):
        actual = (
            ""
            if size is TOO_MANY_PIXELS
            else gettext(" and this one is %(size)s") % {"size": f"{size[0]:,} × {size[1]:,}"}
        )
        raise ValidationError(
            _("Images can be at most %(limit)s pixels%(actual)s. Save it smaller and upload it again."),
            code="image_too_many_pixels",
            params={"limit": f"{MAX_IMAGE_SIDE:,} × {MAX_IMAGE_SIDE:,}", "actual": actual},
        )
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            _(
                "This file is not a PNG, JPEG or WebP image (or it is damaged). Upload a PNG, JPEG or WebP image."
            ),
            code="image_invalid",
        )
    if extension not in IMAGE_EXTENSIONS:
        raise ValidationError(
            _("The file name should end in .png, .jpg, .jpeg or .webp."), code="image_extension"
        )


def _looks_like_svg(file) -> bool:
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    if isinstance(head, str):
        head = head.encode()
    return b"<svg" in head.lower()


def within_pixel_limits(size: tuple[int, int]) -> bool:
    width, height = size
    return max(width, height) <= MAX_IMAGE_SIDE and width * height <= MAX_IMAGE_PIXELS


TOO_MANY_PIXELS = object()  # so many that Pillow refuses to open the file (DecompressionBombError)


def _pillow_format(file):
    """(format, (width, height)) read from the header, (None, None) for a file that is not a picture, or
    (None, TOO_MANY_PIXELS). Only a picture within the limits is then decoded once, so that a damaged one is
    refused here rather than when it is stored."""
    file.seek(0)
    try:
        with Image.open(file) as image:  # reads the header only
            image_format, size = image.format, image.size
            if not within_pixel_limits(size):
                return image_format, size
            image.verify()
        file.seek(0)
        with Image.open(file) as image:  # verify() leaves an image unusable: open it again to decode it
            image.load()
    except Image.DecompressionBombError:
        return None, TOO_MANY_PIXELS
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None, None
    finally:
        file.seek(0)
    return image_format, size
