"""The Idempotency-Key header: one Structured Field String, or one bare key."""

from __future__ import annotations

import re

import pytest

from idempotency.exceptions import IdempotencyKeyInvalid
from idempotency.headers import (
    BAD_LENGTH,
    NOT_A_STRING,
    REPEATED,
    SCHEMA_PATTERN,
    idempotency_key_parse,
)

UUID = "8e03978e-40d5-43e8-bc93-6894a57f9324"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        (f'"{UUID}"', UUID),
        (UUID, UUID),
        ("3f1c9b52-order-1", "3f1c9b52-order-1"),
        ('"with space and \\"quote\\" and \\\\"', 'with space and "quote" and \\'),
        ('"abc";scope=cart', "abc"),
        ('  "abc"  ', "abc"),
        ("checkout:42/retry.1", "checkout:42/retry.1"),
        ('"' + "k" * 255 + '"', "k" * 255),
    ],
    ids=[
        "sf-string",
        "bare-uuid",
        "bare-starting-with-a-digit",
        "escapes-decoded",
        "parameters-ignored",
        "surrounding-space",
        "bare-token-characters",
        "255-characters",
    ],
)
def test_a_string_or_a_bare_key_is_read(header, key):
    """The draft's String form and the bare form both give the key itself."""
    assert idempotency_key_parse(header) == key


def test_the_quoted_and_the_bare_form_are_one_key():
    """A client that starts quoting its keys still gets its replays."""
    assert idempotency_key_parse('"abc"') == idempotency_key_parse("abc")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("K,K", REPEATED),
        ('"K", "K"', REPEATED),
        ('"a,b"', REPEATED),
        ("(a b)", NOT_A_STRING),
        ("?1", NOT_A_STRING),
        ('"unterminated', NOT_A_STRING),
        ("bare with space", NOT_A_STRING),
        ('"tab\there"', NOT_A_STRING),
        ('"caf\xe9"', NOT_A_STRING),
        ("caf\u20ac", NOT_A_STRING),
        ('"a";', NOT_A_STRING),
        ("", NOT_A_STRING),
        ('""', BAD_LENGTH),
        ("k" * 256, BAD_LENGTH),
        ('"' + "k" * 256 + '"', BAD_LENGTH),
    ],
    ids=[
        "repeated-header",
        "list-of-strings",
        "comma-in-string",
        "inner-list",
        "boolean",
        "unterminated",
        "bare-space",
        "control-character",
        "latin-1",
        "beyond-latin-1",
        "empty-parameter",
        "empty",
        "empty-string",
        "256-bare",
        "256-string",
    ],
)
def test_anything_else_is_refused_with_its_reason(header, reason):
    """More than one key, another type or a bad length: IdempotencyKeyInvalid."""
    with pytest.raises(IdempotencyKeyInvalid) as refused:
        idempotency_key_parse(header)

    assert refused.value.message == reason


@pytest.mark.parametrize(
    "header",
    [
        f'"{UUID}"',
        UUID,
        '"a \\"b\\""',
        "k" * 255,
        "K,K",
        '"a,b"',
        '""',
        "k" * 256,
        "two words",
        '"bad\\escape"',
    ],
)
def test_the_schema_pattern_accepts_what_the_parser_accepts(header):
    """The OpenAPI pattern and the parser agree (parameters and spaces aside)."""
    try:
        idempotency_key_parse(header)
        accepted = True
    except IdempotencyKeyInvalid:
        accepted = False

    assert bool(re.fullmatch(SCHEMA_PATTERN, header)) is accepted
