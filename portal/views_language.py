"""Choosing the language (the switcher at the foot of every page): Django's set_language sets the cookie and
goes back where the person was; a signed-in person's choice is also kept on their login (User.language), so their
emails and printed program follow it (portal.languages)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
