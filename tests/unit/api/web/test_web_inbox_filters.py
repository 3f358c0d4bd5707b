"""The inbox's filters as a link gives them: those it offers apply, the others are named."""

from __future__ import annotations

from tests.unit.api.web.conftest import Site, voicemail


def test_a_link_with_a_filter_the_inbox_does_not_offer_says_its_list_is_not_filtered_by_it(
    site: Site,
) -> None:
    site.add(voicemail())
    site.sign_in()

    edited = site.client.get("/inbox?urgency=urgent").text
    offered = site.client.get("/inbox?urgency=high").text

    assert 'id="filters-ignored"' in edited
    assert "filter urgency=urgent is not one the inbox offers" in edited
    assert 'id="filters-ignored"' not in offered
    assert "<b>x</b>" not in site.client.get("/inbox?intent=<b>x</b>").text  # escaped
