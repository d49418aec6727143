"""The API's one request parser: JSON, refused with 400 when nested too deep.

DRF's JSONParser hands the body to ``json.load``, which recurses once per
level of nesting: a 2 kB body of a thousand ``[`` exhausts the interpreter's
stack and raises ``RecursionError``, a 500 with a traceback. Nothing this API
accepts is more than three levels deep, so a document deeper than
``max_depth`` is malformed whatever it holds, and is refused before any
serializer walks it (serializers and error rendering recurse too).
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

TOO_DEEP = "JSON parse error - the document is nested more than {depth} levels deep."


def json_depth_exceeds(document: Any, limit: int) -> bool:
    """Return whether ``document`` nests lists and objects more than ``limit`` deep.

    Iterative, so that measuring a deep document cannot exhaust the stack.
    """
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """Parse a JSON body, refusing one nested deeper than ``max_depth``."""

    max_depth = 16

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        """Return the parsed body; raise ParseError (400) if it is too deep."""
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            # The stack unwound when the error was raised: nothing is left
            # half-done, and the answer is the same as for a measured document.
            raise ParseError(TOO_DEEP.format(depth=self.max_depth)) from error
        if json_depth_exceeds(document, self.max_depth):
            raise ParseError(TOO_DEEP.format(depth=self.max_depth))
        return document
