"""DRF's browsable API (docs/api.md) under the site's Content-Security-Policy."""

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API with one narrow allowance, on its own pages only.

    Its page has no inline script (the CSRF token sits in a JSON data block, which never runs), so script-src
    stays 'self'. DRF's templates do put a few presentational style="" attributes on buttons and form fields
    (the Filters button, the ordering ticks); `style-src-attr 'unsafe-inline'` lets just those attributes
    through: they cannot run code, and img-src still keeps any url() to this site. Overriding a dozen of DRF's
    templates instead would break on every DRF upgrade. Pygments' inline <style> (colours for code in
    docstrings, which ours do not have) is left out rather than allowed.
    """

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        return context

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src-attr": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
