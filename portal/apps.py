from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "People and clinics"

    def ready(self):
        from portal import audit

        audit.register_models()
