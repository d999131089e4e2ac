from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "People and clinics"

    def ready(self):
        from portal import audit, validators

        audit.register_models()
        validators.register_visible_text_fields()
