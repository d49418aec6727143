"""RFC 9457 problem responses."""

from __future__ import annotations

import json

import pytest

from problems.responses import problem_response


def test_problem_response_is_problem_json_with_the_standard_members():
    response = problem_response(
        status=409, code="out_of_stock", title="Not enough stock.", detail="MUG-1"
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content) == {
        "type": "/problems/out_of_stock",
        "title": "Not enough stock.",
        "status": 409,
        "detail": "MUG-1",
        "code": "out_of_stock",
    }


def test_extra_members_and_headers_are_added():
    response = problem_response(
        status=429,
        code="throttled",
        title="Too many requests.",
        headers={"Retry-After": "5"},
        skus=["MUG-1"],
    )

    body = json.loads(response.content)
    assert response["Retry-After"] == "5"
    assert body["skus"] == ["MUG-1"]
    assert "detail" not in body


def test_type_base_comes_from_settings(settings):
    settings.PROBLEM_TYPE_BASE = "https://docs.example.com/problems/"

    response = problem_response(status=400, code="bad", title="Bad.")

    assert json.loads(response.content)["type"] == (
        "https://docs.example.com/problems/bad"
    )


def test_extension_member_may_not_replace_a_standard_one():
    with pytest.raises(ValueError, match="type"):
        problem_response(status=400, code="bad", title="Bad.", type="x")
