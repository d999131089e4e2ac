from django.apps import AppConfig
from PIL import Image

from portal.uploads import MAX_IMAGE_PIXELS


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Exercise library"

    def ready(self):
        # Pillow warns past this many pixels and refuses twice as many, whoever opens the file (an upload,
        # the printout, WeasyPrint); its default (89 million) is far above any picture this site shows.
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        from library import caching  # noqa: F401 — its signals keep the API's cached pages current
