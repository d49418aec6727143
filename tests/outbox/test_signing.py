"""Webhook signatures: Standard Webhooks, checked against its reference library."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from outbox.exceptions import SignatureError
from outbox.signing import secret_generate, secret_key, sign, verify

BODY = b'{"event_type":"order.paid","message_id":"m-1"}'
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
T = 1_800_000_000


def headers(*secrets: str, msg_id: str = MSG_ID, timestamp: int = T) -> dict:
    return sign(msg_id=msg_id, body=BODY, secrets=list(secrets), timestamp=timestamp)


def rejection(body: bytes, signed: dict, **kwargs) -> str:
    """Return the reason verify() rejects with (fails the test if it accepts)."""
    with pytest.raises(SignatureError) as caught:
        verify(body, signed, SECRET, **kwargs)
    return caught.value.reason


def test_a_delivery_carries_id_timestamp_and_one_v1_signature_per_secret():
    signed = headers(SECRET, secret_generate())

    assert signed["webhook-id"] == MSG_ID
    assert signed["webhook-timestamp"] == str(T)
    first, second = signed["webhook-signature"].split(" ")
    assert first.startswith("v1,") and second.startswith("v1,")
    assert first != second


def test_the_signature_is_the_specifications_example():
    """The example of the Standard Webhooks specification, byte for byte."""
    body = b'{"test": 2432232314}'
    signed = sign(
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        body=body,
        secrets=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        timestamp=1614265330,
    )

    assert signed["webhook-signature"] == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_the_reference_library_verifies_our_signature():
    """A receiver that uses standardwebhooks accepts what we send."""
    signed = headers(SECRET, timestamp=int(time.time()))

    assert Webhook(SECRET).verify(BODY, signed) == {
        "event_type": "order.paid",
        "message_id": "m-1",
    }


def test_the_reference_library_accepts_either_secret_during_a_rotation():
    old, new = secret_generate(), secret_generate()
    signed = headers(new, old, timestamp=int(time.time()))

    Webhook(old).verify(BODY, signed)
    Webhook(new).verify(BODY, signed)


def test_we_verify_what_the_reference_library_signs():
    """Our verify() (for in-process consumers) agrees with the library's sign()."""
    from datetime import UTC, datetime

    now = int(time.time())
    value = Webhook(SECRET).sign(
        MSG_ID, datetime.fromtimestamp(now, tz=UTC), BODY.decode()
    )
    verify(
        BODY,
        {
            "webhook-id": MSG_ID,
            "webhook-timestamp": str(now),
            "webhook-signature": value,
        },
        SECRET,
    )


def test_a_secret_is_whsec_and_32_random_bytes():
    secret = secret_generate()

    assert secret.startswith("whsec_")
    assert len(secret_key(secret)) == 32
    assert secret_generate() != secret


def test_a_secret_from_before_the_prefix_signs_with_its_own_bytes():
    """Old endpoints keep working: receivers pass the secret's bytes instead."""
    signed = headers("legacy-secret", timestamp=int(time.time()))

    Webhook(b"legacy-secret").verify(BODY, signed)
    assert secret_key("legacy-secret") == b"legacy-secret"


def test_a_fresh_signature_is_accepted():
    verify(BODY, headers(SECRET), SECRET, now=T + 5)


def test_header_names_are_read_in_any_case():
    signed = {name.title(): value for name, value in headers(SECRET).items()}

    verify(BODY, signed, SECRET, now=T)


def test_a_tampered_body_is_rejected():
    assert rejection(BODY.replace(b"paid", b"free"), headers(SECRET), now=T) == (
        "mismatch"
    )


def test_a_signature_made_with_another_secret_is_rejected():
    assert rejection(BODY, headers(secret_generate()), now=T) == "mismatch"


def test_a_delivery_replayed_under_another_id_is_rejected():
    """Issue 12: the id is signed, so a captured delivery cannot be sent again
    under a new id (past the receiver's duplicate check) inside the window."""
    replayed = dict(headers(SECRET), **{"webhook-id": "msg_fresh-looking-id"})

    assert rejection(BODY, replayed, now=T) == "mismatch"
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(
            BODY,
            headers(SECRET, timestamp=int(time.time()))
            | {"webhook-id": "msg_fresh-looking-id"},
        )


def test_a_signature_of_the_body_under_another_timestamp_is_rejected():
    """The timestamp is signed: moving it forward to replay a request fails."""
    moved = dict(headers(SECRET), **{"webhook-timestamp": str(T + 600)})

    assert rejection(BODY, moved, now=T + 600) == "mismatch"


def test_a_timestamp_301_seconds_old_is_rejected():
    assert rejection(BODY, headers(SECRET), now=T + 301) == "too_old"


def test_a_timestamp_301_seconds_in_the_future_is_rejected():
    assert rejection(BODY, headers(SECRET), now=T - 301) == "too_new"


@pytest.mark.parametrize("offset", [300, -300])
def test_a_timestamp_exactly_at_the_tolerance_is_accepted(offset):
    verify(BODY, headers(SECRET), SECRET, now=T + offset)


def test_the_tolerance_can_be_narrowed():
    assert rejection(BODY, headers(SECRET), now=T + 31, tolerance=30) == "too_old"


def test_unknown_schemes_are_ignored():
    signed = headers(SECRET)
    signed["webhook-signature"] = "v1a,deadbeef " + signed["webhook-signature"]

    verify(BODY, signed, SECRET, now=T)


def test_a_non_base64_signature_is_ignored_not_a_crash():
    signed = headers(SECRET)
    signed["webhook-signature"] = "v1,é " + signed["webhook-signature"]

    verify(BODY, signed, SECRET, now=T)


def test_a_signature_of_the_wrong_length_is_a_mismatch():
    short = base64.b64encode(b"short").decode()
    signed = dict(headers(SECRET), **{"webhook-signature": f"v1,{short}"})

    assert rejection(BODY, signed, now=T) == "mismatch"


@pytest.mark.parametrize(
    "changes",
    [
        {"webhook-id": ""},
        {"webhook-timestamp": ""},
        {"webhook-timestamp": "soon"},
        {"webhook-timestamp": "-5"},
        {"webhook-timestamp": "²"},
        {"webhook-signature": ""},
        {"webhook-signature": "v1"},
        {"webhook-signature": "v2,abc"},
        {"webhook-signature": "v1,é"},
    ],
)
def test_malformed_headers_are_rejected(changes):
    assert rejection(BODY, dict(headers(SECRET), **changes), now=T) == "malformed"


def test_missing_headers_are_rejected():
    assert rejection(BODY, {}, now=T) == "malformed"


def test_sign_refuses_to_sign_without_a_secret():
    with pytest.raises(ValueError, match="at least one secret"):
        sign(msg_id=MSG_ID, body=BODY, secrets=[], timestamp=T)
