"""Every uploaded image (exercise pictures, clinic logos) is stored as a new picture drawn from the upload, never as
the file that came in.

Re-encoding keeps the pixels and nothing else: no camera metadata (EXIF with GPS position, time, device), no
text chunks, and no bytes hidden after the picture's end (a "polyglot" PNG carrying HTML or script). A photo
is turned upright as the camera's orientation tag says, since the tag itself is dropped, and stored at most
STORED_IMAGE_SIDE pixels each way: the pages show it at a few hundred pixels and the printout smaller still.
"""

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.uploads import within_pixel_limits

STORED_IMAGE_SIDE = 1600
JPEG_QUALITY = 85


def reencode(file) -> ContentFile:
    """`file` (a checked upload: portal.uploads) as a fresh PNG (drawings, anything transparent) or JPEG
    (photos), upright, at most STORED_IMAGE_SIDE pixels each way, with only its colour profile kept."""
    file.seek(0)
    try:
        with Image.open(file) as source:
            if not within_pixel_limits(source.size):
                raise ValidationError({"image": _("This image has too many pixels to be stored.")})
            as_png = source.format == "PNG" or _has_alpha(source)
            if source.format == "JPEG":
                # Decode a large photo at a reduced scale straight away (JPEG can: 1/2, 1/4, 1/8).
                source.draft("RGB", (STORED_IMAGE_SIDE, STORED_IMAGE_SIDE))
            image = ImageOps.exif_transpose(source)
            profile = source.info.get("icc_profile")
            image = _plain_mode(image, alpha=_has_alpha(source))
            image.thumbnail((STORED_IMAGE_SIDE, STORED_IMAGE_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if as_png:
                image.save(out, "PNG", icc_profile=profile)
            else:
                image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, icc_profile=profile)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            {
                "image": _(
                    "This image could not be read (it may be damaged). Upload a PNG, JPEG or WebP image."
                )
            }
        ) from None
    finally:
        file.seek(0)
    stem = PurePath(getattr(file, "name", "") or "image").stem or "image"
    return ContentFile(out.getvalue(), name=f"{stem}.{'png' if as_png else 'jpg'}")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _plain_mode(image: Image.Image, *, alpha: bool) -> Image.Image:
    """RGBA for anything transparent, L or RGB otherwise: modes every encoder takes and resizing handles well
    (a palette image would be shrunk without smoothing)."""
    if alpha:
        return image.convert("RGBA")
    if image.mode in ("L", "RGB"):
        return image
    return image.convert("L" if image.mode in ("1", "I", "I;16", "F") else "RGB")
