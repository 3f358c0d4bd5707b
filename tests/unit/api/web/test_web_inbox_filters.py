"""The inbox's filters as a link gives them: those it offers apply, the others are named."""

from __future__ import annotations

from shared.batches import Batch, BatchItem
from shared.batchstore import BatchStore
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


def test_a_batch_filter_naming_no_batch_of_the_tenant_says_so_rather_than_an_empty_batch(
    site: Site,
) -> None:
    ours = Batch(tenant="acme", source="manifest")
    theirs = Batch(tenant="globex", source="manifest")
    for batch in (ours, theirs):
        BatchStore(site.jobs.redis).create(batch, [BatchItem(url="https://example.com/1.wav")])
    site.add(voicemail())
    site.sign_in()

    mistyped = site.client.get("/inbox?batch=bat_0123456789abcdef").text
    other_tenants = site.client.get(f"/inbox?batch={theirs.id}").text
    own = site.client.get(f"/inbox?batch={ours.id}").text

    assert 'id="no-such-batch"' in mistyped
    assert "There is no batch bat_0123456789abcdef in this inbox" in mistyped
    assert "Report of batch" not in mistyped
    assert 'id="no-such-batch"' in other_tenants  # the same answer as for none at all
    assert 'id="no-such-batch"' not in own
    assert "Report of batch" in own
