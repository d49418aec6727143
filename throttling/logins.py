"""Limit password guesses: failed logins per user name and per client address.

Every attempt is counted before its password is checked, so an attempt over
either limit costs us one cache increment and no password hash (a hash is the
expensive part: about 0.45 s of CPU with Django's default hasher), while the
guesser gets LOGIN_THROTTLE_USERNAME_RATE guesses per user name and
LOGIN_THROTTLE_ADDRESS_RATE per address. A successful login gives its count
back: only failures add up, so a user who logs in often is never slowed down.

The per-name limit lets someone who knows a user name keep that user out for
the length of a window; that is the price of stopping a guesser who spreads
one name's guesses over many addresses.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from throttling.counters import Hit, Rate, counter_hit, counter_refund
from throttling.exceptions import LoginThrottled

USERNAME_SCOPE = "login-username"
ADDRESS_SCOPE = "login-address"


def client_address(request: HttpRequest) -> str | None:
    """Return the client's address, trusting X-Forwarded-For as far as NUM_PROXIES.

    With NUM_PROXIES = 0 (the default) only REMOTE_ADDR counts: otherwise a
    guesser would send a new X-Forwarded-For with every guess.
    """
    return BaseThrottle().get_ident(request)


def login_attempt_record(*, request: HttpRequest | None, username: str) -> list[Hit]:
    """Count one login attempt against ``username`` and the request's address.

    Raise LoginThrottled when either is over its limit; the counts that were
    still within theirs are given back, so a refused attempt adds to the limit
    that refused it only.
    """
    # A hash keeps any user name a valid cache key; casefold() stops "Alice"
    # and "ALICE" from being two budgets on a case-insensitive user table.
    name = hashlib.sha256(username.casefold().encode()).hexdigest()[:32]
    hits = [
        counter_hit(
            scope=USERNAME_SCOPE,
            ident=name,
            rate=Rate.parse(settings.LOGIN_THROTTLE_USERNAME_RATE),
        )
    ]
    address = client_address(request) if request is not None else None
    if address:
        hits.append(
            counter_hit(
                scope=ADDRESS_SCOPE,
                ident=address,
                rate=Rate.parse(settings.LOGIN_THROTTLE_ADDRESS_RATE),
            )
        )
    refused = [hit for hit in hits if not hit.allowed]
    if refused:
        login_attempt_refund(hits=[hit for hit in hits if hit.allowed])
        raise LoginThrottled(retry_after=max(hit.retry_after for hit in refused))
    return hits


def login_attempt_refund(*, hits: list[Hit]) -> None:
    """Give back the counts of an attempt that turned out not to be a failure."""
    for hit in hits:
        counter_refund(hit=hit)
