"""Read the Idempotency-Key header: one Structured Field string, or a bare key.

The IETF draft defines the header as an RFC 9651 Item whose value is a String:
``Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"``. Strings are parsed
by http-sfv (escapes decoded, parameters ignored, as Structured Fields require).
Most clients written before the draft send the key unquoted, so a *bare key*
of token characters is accepted too, verbatim; ``"abc"`` and ``abc`` are the
same key.

A comma is never part of a key. It is how a server joins a header sent twice
(``K`` and ``K`` arrive as ``K,K``), so a value with one may be two keys, or a
list: either way it is refused rather than read as a third key.
"""

from __future__ import annotations

import re

from http_sfv import Item

from idempotency.exceptions import IdempotencyKeyInvalid

KEY_MAX_LENGTH = 255
# RFC 9110 tchar plus ":" and "/", as in an sf-token, but any one may come first:
# half of all UUIDs start with a digit, which an sf-token may not.
BARE_KEY = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z:/]+")
# Both forms as one regular expression, for the OpenAPI schema and generated
# requests: a String of printable ASCII without a comma (\" and \\ escaped), or
# a bare key. The parser below is the rule; a test keeps the two in step.
SCHEMA_PATTERN = (
    r'^(?:"(?:[\x20\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]|\\["\\]){1,255}"'
    r"|[!#$%&'*+\-.^_`|~0-9A-Za-z:/]{1,255})$"
)

REPEATED = (
    "The header holds a comma: it was sent more than once, or holds a list. "
    "Send one Idempotency-Key header with one key."
)
NOT_A_STRING = (
    'The key must be a quoted string, e.g. "8e03978e-40d5", or a bare key of '
    "letters, digits and !#$%&'*+-.^_`|~:/ characters."
)
BAD_LENGTH = f"The key must be 1 to {KEY_MAX_LENGTH} characters long."


def idempotency_key_parse(value: str) -> str:
    """Return the key an Idempotency-Key header value carries.

    Raise IdempotencyKeyInvalid, with the reason as its message, for anything
    but one String or one bare key of 1 to 255 characters.
    """
    if "," in value:
        raise IdempotencyKeyInvalid(REPEATED)
    value = value.strip(" \t")
    if value.startswith('"'):
        key = _sf_string(value)
    elif BARE_KEY.fullmatch(value):
        key = value
    else:
        raise IdempotencyKeyInvalid(NOT_A_STRING)
    if not 1 <= len(key) <= KEY_MAX_LENGTH:
        raise IdempotencyKeyInvalid(BAD_LENGTH)
    return key


def _sf_string(value: str) -> str:
    """Return the String a Structured Field Item holds; refuse any other Item."""
    item = Item()
    try:
        # Header values reach Django decoded as latin-1; a character outside it
        # can only come from in-process code, and is no more a String than others.
        item.parse(value.encode("latin-1"))
    except (ValueError, UnicodeEncodeError) as error:
        raise IdempotencyKeyInvalid(NOT_A_STRING) from error
    if not isinstance(item.value, str):
        raise IdempotencyKeyInvalid(NOT_A_STRING)
    return item.value
