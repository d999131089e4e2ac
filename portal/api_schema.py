"""The OpenAPI schema class: drf-spectacular's, plus the error responses every endpoint can give."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from portal.api_base import CharField


class ErrorSerializer(serializers.Serializer):
    detail = CharField(help_text="What went wrong, in one sentence.")
    code = CharField(help_text="Stable machine-readable code, e.g. invalid, not_found, throttled.")
    errors = serializers.DictField(
        child=serializers.ListField(child=CharField()),
        help_text="Field → messages (dotted paths for nested fields); empty unless validation failed.",
    )


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `errors` says which fields and why.",
    "401": "No valid credentials (send a session cookie or `Authorization: Token <key>`).",
    "403": "Logged in, but this role may not do this (or the CSRF token is missing).",
    "404": "Not found, or not yours to see (the API never reveals which); also a page past the end.",
    "429": "Too many requests: wait for the seconds in the `Retry-After` header.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses every endpoint can give (all in the Error shape)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["401", "403", "429"]
        has_query = any(parameter["in"] == "query" for parameter in self._get_parameters())
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view() or has_query:
            codes.append("400")
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction) | {
                    "description": ERROR_DESCRIPTIONS[code]
                }
        return responses
