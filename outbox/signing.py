"""Webhook signatures: HMAC-SHA256 over a timestamp and the body, several allowed.

The header reads ``t=<unix time>,v1=<hex digest>[,v1=<hex digest>...]``; each
digest is HMAC-SHA256 of ``"<t>.<body>"`` under one of the endpoint's secrets,
so a receiver that knows either the new or the old secret accepts the delivery
while a secret is being rotated. The timestamp is signed too: a captured request
replayed later than the tolerance is rejected.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from outbox.exceptions import SignatureError

HEADER = "Webhook-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


def signature_digest(body: bytes, secret: str, timestamp: int) -> str:
    """Return the hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, secrets: list[str], timestamp: int) -> str:
    """Return the signature header value, with one ``v1`` per secret."""
    if not secrets:
        raise ValueError("sign() needs at least one secret.")
    parts = [f"t={int(timestamp)}"]
    parts += [f"{SCHEME}={signature_digest(body, s, timestamp)}" for s in secrets]
    return ",".join(parts)


def parse(header: str) -> tuple[int, list[str]]:
    """Return the timestamp and the ``v1`` signatures of a header value."""
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(SignatureError.MALFORMED)
        if key == "t":
            timestamps.append(value)
        elif key == SCHEME:
            signatures.append(value)
        # Other schemes are ignored: a receiver can move to a new scheme while
        # senders still add the old one.
    if len(timestamps) != 1 or not signatures:
        raise SignatureError(SignatureError.MALFORMED)
    if not (timestamps[0].isascii() and timestamps[0].isdigit()):
        raise SignatureError(SignatureError.MALFORMED)
    return int(timestamps[0]), signatures


def verify(
    body: bytes,
    header: str,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Raise SignatureError unless ``header`` signs ``body`` under ``secret``.

    The timestamp may differ from ``now`` (unix time; the clock by default) by
    at most ``tolerance`` seconds either way; one matching ``v1`` is enough.
    """
    timestamp, signatures = parse(header)
    current = int(time.time() if now is None else now)
    if current - timestamp > tolerance:
        raise SignatureError(SignatureError.TOO_OLD)
    if timestamp - current > tolerance:
        raise SignatureError(SignatureError.TOO_NEW)
    expected = signature_digest(body, secret, timestamp).encode()
    # compare_digest takes the same time wherever the strings differ, so the
    # response time does not reveal how much of a forged signature was right.
    # Bytes, because it refuses str with non-ASCII characters an attacker may send.
    if not any(hmac.compare_digest(expected, s.encode()) for s in signatures):
        raise SignatureError(SignatureError.MISMATCH)
