"""The failure lab's panels: each idea with its chapter, its scenario, its faults."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scenarios.registry import SCENARIOS, scenario_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client, buyer):
    client.force_login(buyer)
    return client


def test_every_scenario_has_a_panel_with_its_chapter_and_its_command(shopper):
    page = shopper.get(reverse("storefront:lab")).content.decode()

    for scenario in SCENARIOS:
        chapter = reverse("storefront:chapter", args=[scenario.chapter_name])
        assert f'data-scenario="{scenario.name}"' in page
        assert f'href="{chapter}"' in page
        assert f"python manage.py saga_demo {scenario.name}" in page


def test_a_panel_fills_the_faults_of_its_scenario(shopper):
    response = shopper.get(
        reverse("storefront:lab"), {"scenario": "compensation-fails"}
    )

    faults = response.context["faults"]
    assert {
        name: faults[name].value() for name in faults.fields if faults[name].value()
    } == (scenario_get("compensation-fails").lab_faults)
    assert "The faults of <strong>the refund keeps failing</strong>" in (
        response.content.decode()
    )


def test_a_scenario_the_web_cannot_show_fills_nothing(shopper):
    response = shopper.get(reverse("storefront:lab"), {"scenario": "crash-and-resume"})

    faults = response.context["faults"]
    assert not any(faults[name].value() for name in faults.fields)
    assert response.context["chosen"] is None


def test_every_chapter_a_panel_links_is_served(client):
    for scenario in SCENARIOS:
        response = client.get(
            reverse("storefront:chapter", args=[scenario.chapter_name])
        )
        assert response.status_code == 200, scenario.chapter


def test_a_chapter_links_chapters_and_shows_source_paths_as_text(client):
    response = client.get(reverse("storefront:chapter", args=["01-partial-failure"]))

    html = response.content.decode()
    assert f'href="{reverse("storefront:chapter", args=["02-state-machine"])}"' in html
    assert 'href="../orders/models.py"' not in html
    assert "orders/models.py" in html
    assert '<h2 id="see-it">See it</h2>' in html
    assert '<pre class="mermaid">' in html
    assert "mermaid.min.js" in html


def test_an_unknown_chapter_is_404(client):
    assert (
        client.get(reverse("storefront:chapter", args=["99-nothing"])).status_code
        == 404
    )
