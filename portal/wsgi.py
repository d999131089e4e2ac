import gc
import os

from django.core.wsgi import get_wsgi_application

from portal import start_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# Load the printout's fonts, stylesheet and template now, as the worker starts, not during the first program
# someone downloads (that one took 800 ms instead of 300). Only web servers import this module (runserver and
# gunicorn), so management commands and tests never pay for it; PDF_WARM_UP=0 skips it.
if os.environ.get("PDF_WARM_UP", "1") != "0":
    start_up.warm_up()  # what the apps registered (portal.start_up): the printout's, rehab.pdf.warm_up
    # What start-up made lives as long as the worker: keep the garbage collector from walking it again and
    # again (the first renders after start-up paid for those full collections).
    gc.freeze()
