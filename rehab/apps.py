from django.apps import AppConfig

from portal import start_up


class RehabConfig(AppConfig):
    name = "rehab"
    verbose_name = "Rehab and return to run"

    def ready(self):
        # A web or job worker loads the printout's fonts, stylesheet, template and drawings as it starts (by
        # name: only those processes import the PDF code).
        start_up.register("rehab.pdf.warm_up")
        # Imported here, once every app is loaded (as Django asks of ready()): rehab says its
        # alert codes for portal, which names no app above it (portal.alert_words).
        from portal import alert_words
        from rehab import codes, wording

        alert_words.register(codes.ALERT_CODES, wording.reason_text)
