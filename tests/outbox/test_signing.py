"""Webhook signatures: what the verification helper accepts and rejects."""

from __future__ import annotations

import pytest

from outbox.exceptions import SignatureError
from outbox.signing import sign, verify

BODY = b'{"event_type":"order.paid","message_id":"m-1"}'
SECRET = "whsec-current"
T = 1_800_000_000


def rejection(body: bytes, header: str, **kwargs) -> str:
    """Return the reason verify() rejects with (fails the test if it accepts)."""
    with pytest.raises(SignatureError) as caught:
        verify(body, header, SECRET, **kwargs)
    return caught.value.reason


def test_sign_adds_one_v1_per_secret_after_the_timestamp():
    header = sign(BODY, ["a", "b"], T)
    parts = header.split(",")
    assert parts[0] == f"t={T}"
    assert [p[:3] for p in parts[1:]] == ["v1=", "v1="]
    assert parts[1] != parts[2]


def test_a_fresh_signature_is_accepted():
    verify(BODY, sign(BODY, [SECRET], T), SECRET, now=T + 5)


def test_a_tampered_body_is_rejected():
    header = sign(BODY, [SECRET], T)
    assert rejection(BODY.replace(b"paid", b"free"), header, now=T) == "mismatch"


def test_a_signature_made_with_another_secret_is_rejected():
    header = sign(BODY, ["someone-else"], T)
    assert rejection(BODY, header, now=T) == "mismatch"


def test_a_timestamp_301_seconds_old_is_rejected():
    assert rejection(BODY, sign(BODY, [SECRET], T), now=T + 301) == "too_old"


def test_a_timestamp_301_seconds_in_the_future_is_rejected():
    assert rejection(BODY, sign(BODY, [SECRET], T), now=T - 301) == "too_new"


@pytest.mark.parametrize("offset", [300, -300])
def test_a_timestamp_exactly_at_the_tolerance_is_accepted(offset):
    verify(BODY, sign(BODY, [SECRET], T), SECRET, now=T + offset)


def test_the_tolerance_can_be_narrowed():
    assert rejection(BODY, sign(BODY, [SECRET], T), now=T + 31, tolerance=30) == (
        "too_old"
    )


def test_two_signatures_of_which_one_is_valid_are_accepted():
    """During a secret rotation the sender signs with the old and the new secret."""
    header = sign(BODY, ["whsec-retired", SECRET], T)
    verify(BODY, header, SECRET, now=T)


def test_a_signature_of_the_body_under_another_timestamp_is_rejected():
    """The timestamp is signed: moving it forward to replay a request fails."""
    digest = sign(BODY, [SECRET], T).split(",")[1]
    assert rejection(BODY, f"t={T + 600},{digest}", now=T + 600) == "mismatch"


def test_unknown_schemes_are_ignored():
    header = sign(BODY, [SECRET], T) + ",v0=deadbeef"
    verify(BODY, header, SECRET, now=T)


def test_a_non_ascii_signature_is_a_mismatch_not_a_crash():
    assert rejection(BODY, f"t={T},v1=é", now=T) == "mismatch"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"t={T}",
        "v1=abc",
        "t=soon,v1=abc",
        "t=-5,v1=abc",
        f"t={T},t={T},v1=abc",
        "t=²,v1=abc",
    ],
)
def test_a_malformed_header_is_rejected(header):
    assert rejection(BODY, header, now=T) == "malformed"


def test_sign_refuses_to_sign_without_a_secret():
    with pytest.raises(ValueError, match="at least one secret"):
        sign(BODY, [], T)
