"""What the phone app (rehab/static/rehab/offline.js) tells the athlete, in their language: the sentences are
translated here, like every other string, and handed to the script in the page as JSON (json_script, which the
Content-Security-Policy allows: it is data, not a script). The service worker keeps the page, so the
sentences are there offline too."""

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext

register = template.Library()


def offline_texts() -> dict[str, str]:
    return {
        "saved": gettext("Saved on this phone — it will be sent when you are back online."),
        "cannot_keep": gettext(
            "No connection, and this phone could not keep the log. Try again when you are online."
        ),
        "waiting_one": gettext("1 log is saved on this phone; it will be sent when you are back online."),
        "waiting_many": gettext(
            "%(count)s logs are saved on this phone; they will be sent when you are back online."
        ),
        "not_sent": gettext("The saved log could not be sent yet."),
        "not_saved": gettext("This log could not be saved."),
        "which": gettext("Which one do you want to keep?"),
        "on_phone": gettext("On this phone"),
        "on_server": gettext("On the server"),
        "keep_phone": gettext("Keep this phone's log"),
        "keep_server": gettext("Keep the log on the server"),
        "kept_server": gettext("Kept the log on the server; this phone's copy is deleted."),
        "delete_copy": gettext("Delete this phone's copy"),
        "deleted_copy": gettext("Deleted this phone's copy of the log."),
    }


@register.simple_tag
def offline_texts_json():
    return json_script(offline_texts(), "offline-texts")
