"""The API's JSON parser (settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Its own module: DRF reads the setting while `rest_framework.views` is first imported, so the parser cannot live
in a module that imports DRF's views itself (portal.api_base does).
"""

from rest_framework import exceptions, parsers


def _has_lone_surrogate(data) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's, but two more bodies are bad requests instead of server errors: nesting deeper than Python can
    follow (a RecursionError), and escapes of half a character (a lone surrogate such as \\ud800), which no
    database column and no UTF-8 response can hold. The default parser of every endpoint (REST_FRAMEWORK)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
        if _has_lone_surrogate(data):
            raise exceptions.ParseError(
                "JSON parse error - a \\u escape stands for half a character (a lone surrogate)."
            )
        return data
