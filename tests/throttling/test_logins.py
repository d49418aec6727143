"""Failed logins are throttled per user name and per address, at every door."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.orders.api.conftest import assert_problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("throttle_window_held")]

TOKEN_URL = "/api/auth/token/"
LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """A cheap hasher, so that counting guesses does not take seconds each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_THROTTLE_USERNAME_RATE = "5/min"
    settings.LOGIN_THROTTLE_ADDRESS_RATE = "20/min"


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Record every password hash computed: the cost of a guess to us."""
    computed: list[str] = []
    encode = MD5PasswordHasher.encode

    def counting(self, password, salt):
        computed.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return computed


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(
        "alice", password="right", is_staff=True
    )


def token_request(username: str, password: str, **headers: str):
    return APIClient().post(
        TOKEN_URL,
        {"username": username, "password": password},
        format="json",
        headers=headers,
    )


def form_login(url: str, username: str, password: str, **headers: str):
    return Client().post(
        url, {"username": username, "password": password}, headers=headers
    )


def test_wrong_passwords_for_a_token_are_throttled_per_user_name(alice, hashes):
    """Issue 12, case 4: of 120 wrong passwords, 5 are checked and 115 get 429
    with Retry-After, each without a password hash; no token is issued."""
    responses = [token_request("alice", f"guess-{n}") for n in range(120)]

    assert [r.status_code for r in responses[:5]] == [400] * 5
    for response in responses[5:]:
        assert_problem(response, 429, "throttled")
        assert 0 < int(response["Retry-After"]) <= 60
    assert len(hashes) == 5
    assert not Token.objects.exists()


def test_even_the_right_password_waits_once_the_name_is_throttled(alice):
    """The limit is on guesses: it does not tell a guesser which one was right."""
    for n in range(5):
        token_request("alice", f"guess-{n}")

    assert_problem(token_request("alice", "right"), 429, "throttled")


@pytest.mark.parametrize("url", [LOGIN_URL, ADMIN_LOGIN_URL])
def test_wrong_passwords_in_a_login_form_are_throttled(alice, hashes, url):
    """Issue 12, case 4: of 60 wrong passwords in the login form (and the
    admin's), 5 are checked and shown the form again, 55 get a 429 page."""
    responses = [form_login(url, "alice", f"guess-{n}") for n in range(60)]

    assert [r.status_code for r in responses[:5]] == [200] * 5
    for response in responses[5:]:
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 60
        assert b"Too many failed logins" in response.content
    assert len(hashes) == 5


def test_the_api_and_the_form_share_one_budget_per_name(alice):
    """Guesses at the token endpoint count against the login form too."""
    for n in range(5):
        token_request("alice", f"guess-{n}")

    assert form_login(LOGIN_URL, "alice", "right").status_code == 429


def test_many_names_from_one_address_are_throttled_per_address(db, hashes):
    """A guesser trying one password on many names: 20 checks, then 429."""
    responses = [token_request(f"user-{n}", "password1") for n in range(30)]

    assert [r.status_code for r in responses] == [400] * 20 + [429] * 10
    assert len(hashes) == 20


def test_a_forged_x_forwarded_for_is_not_a_new_address(db, settings):
    """With NUM_PROXIES = 0 only the socket's address counts."""
    statuses = [
        token_request(f"user-{n}", "x", **{"X-Forwarded-For": f"10.0.0.{n}"})
        for n in range(21)
    ]

    assert statuses[-1].status_code == 429


def test_behind_one_proxy_the_address_it_saw_counts(db, settings):
    """With NUM_PROXIES = 1 the last X-Forwarded-For entry is the client."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(20):
        token_request(f"user-{n}", "x", **{"X-Forwarded-For": "203.0.113.7"})

    same = token_request("x", "x", **{"X-Forwarded-For": "203.0.113.7"})
    other = token_request("y", "y", **{"X-Forwarded-For": "203.0.113.8"})

    assert (same.status_code, other.status_code) == (429, 400)


def test_successful_logins_do_not_count(alice):
    """Ten right passwords, then still five wrong ones before the 429."""
    for _ in range(10):
        assert token_request("alice", "right").status_code == 200

    statuses = [token_request("alice", f"guess-{n}").status_code for n in range(6)]

    assert statuses == [400] * 5 + [429]


def test_a_name_counts_whatever_its_case(alice):
    """ "ALICE" and "alice" share one budget."""
    for n in range(5):
        token_request("ALICE", f"guess-{n}")

    assert token_request("alice", "guess").status_code == 429
