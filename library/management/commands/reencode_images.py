"""Give the exercise pictures stored before uploads were re-encoded the treatment a new upload gets."""

from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import BaseCommand
from PIL import Image, UnidentifiedImageError

from library.models import Exercise
from portal import images
from portal.jobs import enqueue
from portal.uploads import MAX_IMAGE_SIDE, within_pixel_limits

# What portal.images.reencode writes: a PNG or JPEG of these modes, at most STORED_IMAGE_SIDE each way, whose
# metadata is at most its colour profile (and JPEG's JFIF header), with nothing after the picture's end.
REENCODED = {"PNG": ({"L", "RGB", "RGBA"}, b"IEND\xaeB`\x82"), "JPEG": ({"L", "RGB"}, b"\xff\xd9")}
REENCODED_INFO = {"icc_profile", "jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg"}
LIMIT = f"{MAX_IMAGE_SIDE:,} × {MAX_IMAGE_SIDE:,}"


def already_reencoded(name: str, data: bytes) -> bool:
    """Whether the stored picture is one portal.images.reencode wrote (so running it again would only lose
    quality and rename the file)."""
    try:
        with Image.open(BytesIO(data)) as image:
            image_format, mode, size, info = image.format, image.mode, image.size, set(image.info)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return False
    if image_format not in REENCODED:
        return False
    modes, end = REENCODED[image_format]
    return (
        mode in modes
        and max(size) <= images.STORED_IMAGE_SIDE
        and info <= REENCODED_INFO
        and data.endswith(end)
        and PurePath(name).suffix.lower() == EXTENSIONS[image_format]
    )


TOO_MANY_PIXELS = (0, 0)  # so many that Pillow will not even open it (more than twice the limit)


def pixel_size(data: bytes) -> tuple[int, int] | None:
    """The picture's size from its header (nothing decoded), TOO_MANY_PIXELS, or None when it is not a picture."""
    try:
        with Image.open(BytesIO(data)) as image:
            return image.size
    except Image.DecompressionBombError:
        return TOO_MANY_PIXELS
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


class Command(BaseCommand):
    help = (
        "Re-encode every stored exercise picture as a new upload is (library/images.py: upright, at most "
        f"{images.STORED_IMAGE_SIDE} pixels, no EXIF, nothing after the picture). Pictures over the upload "
        "limits or unreadable are listed and left as they are (the printout leaves them out): replace them. "
        "Safe to run again: pictures already re-encoded are not touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options):
        counts = {"reencoded": 0, "already": 0, "refused": 0, "missing": 0}
        changed = []
        exercises = Exercise.objects.exclude(image="").select_related("clinic").order_by("pk")
        for exercise in exercises.iterator():
            name = exercise.image.name
            label = (
                f"#{exercise.pk} {exercise.name} ({exercise.clinic.name if exercise.clinic else 'shipped'})"
            )
            try:
                with default_storage.open(name, "rb") as file:
                    data = file.read()
            except (FileNotFoundError, OSError):
                counts["missing"] += 1
                self.stdout.write(f"Missing: {label}: {name} is not in the storage.")
                continue
            if already_reencoded(name, data):
                counts["already"] += 1
                continue
            size = pixel_size(data)
            if size is not None and (size is TOO_MANY_PIXELS or not within_pixel_limits(size)):
                counts["refused"] += 1
                actual = "far more pixels" if size is TOO_MANY_PIXELS else f"{size[0]:,} × {size[1]:,} pixels"
                self.stdout.write(f"Refused: {label}: {actual}, over the limit of {LIMIT} pixels.")
                continue
            try:
                upload = ContentFile(data, name=PurePath(name).name)
                fresh = images.reencode(upload)
            except ValidationError:
                counts["refused"] += 1
                self.stdout.write(f"Refused: {label}: {name} could not be read as a picture.")
                continue
            counts["reencoded"] += 1
            if dry_run:
                continue
            # A new name (upload_to): printed programs and browsers do not keep showing the old picture.
            exercise.image.save(fresh.name, fresh, save=False)
            exercise.save(update_fields=["image", "updated"])
            default_storage.delete(name)
            changed.append(exercise.pk)
        if changed:
            enqueue("rehab.prerender_exercises", changed)  # printed programs showing them are rendered again
        done = "to re-encode" if dry_run else "re-encoded"
        summary = (
            f"Exercise pictures: {counts['reencoded']} {done}, {counts['already']} already re-encoded, "
            f"{counts['refused']} refused, {counts['missing']} missing."
        )
        if dry_run:
            summary += " Dry run: nothing was changed."
        self.stdout.write(
            self.style.SUCCESS(summary) if not counts["refused"] else self.style.WARNING(summary)
        )
