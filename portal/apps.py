from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "People and clinics"

    def ready(self):
        # Imports inside ready(): Django loads every app's models before calling it, and these modules need them.
        from django.db.models.signals import post_delete, post_save

        from portal import alert_kinds, audit, care_messages, data_registry, devices, models, validators  # noqa: F401 — devices: its login/logout receivers

        audit.register_models()
        data_registry.autodiscover()  # every app's personal_data module, as the admin finds admin.py
        alert_kinds.autodiscover()  # every app's alert_kinds module: what its alerts are called
        validators.register_visible_text_fields()
        # What can move someone's unread-message count (portal.care_messages, "Unread counts").
        for model in (
            models.Message,
            models.MessageRead,
            models.CareTeamMember,
            models.SharedCare,
            models.Athlete,
            models.Clinician,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    care_messages.unread_changed, sender=model, dispatch_uid=f"unread-{model.__name__}"
                )
