from django.apps import AppConfig

from portal import start_up


class RehabConfig(AppConfig):
    name = "rehab"
    verbose_name = "Rehab and return to run"

    def ready(self):
        # A web or job worker loads the printout's fonts, stylesheet, template and drawings as it starts (by
        # name: only those processes import the PDF code).
        start_up.register("rehab.pdf.warm_up")
