"""Webhook signatures as the Standard Webhooks specification defines them.

Every delivery carries three headers (https://www.standardwebhooks.com/):

- ``webhook-id``: the message id, the same on every retry, so that receivers
  drop duplicates;
- ``webhook-timestamp``: when this attempt was signed, in unix seconds;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256>``, one per secret,
  separated by spaces, so that a receiver that knows either the new or the old
  secret accepts the delivery while a secret is being rotated.

The HMAC covers ``<id>.<timestamp>.<body>``: a captured delivery can be neither
replayed under a new id (past the receiver's duplicate check) nor later than
the tolerance (5 minutes, either way). Secrets read ``whsec_<base64>`` and the
HMAC key is the decoded bytes, so any Standard Webhooks library verifies our
deliveries (the test suite checks with the ``standardwebhooks`` package).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

from outbox.exceptions import SignatureError

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SCHEME = "v1"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
DEFAULT_TOLERANCE = 300


def secret_generate() -> str:
    """Return a new random secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """Return the HMAC key of ``secret``.

    A ``whsec_`` secret is base64. A secret without the prefix (made before
    this service followed the specification) is used as its UTF-8 bytes; a
    receiver passes those bytes to its library (``Webhook(secret.encode())``).
    """
    if secret.startswith(SECRET_PREFIX):
        # Padding added as the reference library does: some providers strip it,
        # and b64decode ignores what it does not need.
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX) + "==")
    return secret.encode()


def signature(*, msg_id: str, timestamp: int, body: bytes, secret: str) -> str:
    """Return one signature, ``v1,<base64 HMAC-SHA256 of id.timestamp.body>``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{SCHEME},{base64.b64encode(digest).decode()}"


def sign(
    *, msg_id: str, body: bytes, secrets: list[str], timestamp: int
) -> dict[str, str]:
    """Return the three headers of a delivery, with one signature per secret."""
    if not secrets:
        raise ValueError("sign() needs at least one secret.")
    signatures = [
        signature(msg_id=msg_id, timestamp=timestamp, body=body, secret=secret)
        for secret in secrets
    ]
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(int(timestamp)),
        SIGNATURE_HEADER: " ".join(signatures),
    }


def parse(headers: Mapping[str, str]) -> tuple[str, int, list[bytes]]:
    """Return the id, the timestamp and the ``v1`` signatures of a delivery."""
    found = {name.lower(): value for name, value in headers.items()}
    msg_id = found.get(ID_HEADER, "")
    timestamp = found.get(TIMESTAMP_HEADER, "")
    if not msg_id or not (timestamp.isascii() and timestamp.isdigit()):
        raise SignatureError(SignatureError.MALFORMED)
    signatures = []
    for entry in found.get(SIGNATURE_HEADER, "").split():
        scheme, _, value = entry.partition(",")
        # Other schemes are ignored: a receiver can move to a new scheme while
        # senders still add the old one.
        if scheme != SCHEME or not value:
            continue
        try:
            signatures.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue  # not base64 at all: it cannot match
    if not signatures:
        raise SignatureError(SignatureError.MALFORMED)
    return msg_id, int(timestamp), signatures


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Raise SignatureError unless ``headers`` sign ``body`` under ``secret``.

    ``headers`` may name the fields in any case. The timestamp may differ from
    ``now`` (unix time; the clock by default) by at most ``tolerance`` seconds
    either way; one matching ``v1`` signature is enough.
    """
    msg_id, timestamp, signatures = parse(headers)
    current = int(time.time() if now is None else now)
    if current - timestamp > tolerance:
        raise SignatureError(SignatureError.TOO_OLD)
    if timestamp - current > tolerance:
        raise SignatureError(SignatureError.TOO_NEW)
    expected = signature(msg_id=msg_id, timestamp=timestamp, body=body, secret=secret)
    expected_digest = base64.b64decode(expected.partition(",")[2])
    # compare_digest takes the same time wherever the digests differ, so the
    # response time does not reveal how much of a forged signature was right.
    if not any(hmac.compare_digest(expected_digest, s) for s in signatures):
        raise SignatureError(SignatureError.MISMATCH)
