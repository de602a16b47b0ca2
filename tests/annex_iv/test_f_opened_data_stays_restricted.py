"""Annex IV (f): after the date for opening, data received remains accessible only to persons
authorised to have knowledge thereof.

Once opened, a proposal, its files and the opening record are read by the publishing
municipality's policy officers and the auditors it appointed, and by the coalition itself. Not by
the municipality's platform admin, another municipality's officers or auditors, the other
coalitions, evaluators outside a committee or the public, through any address: and that stays so
however long after the deadline."""

from datetime import timedelta

import pytest

from tests.annex_iv.conftest import SECRET, past_the_deadline, proposal_urls, ref

AUTHORISED = ("officer", "auditor", "lead", "partner")
UNAUTHORISED = ("admin", "other_officer", "other_auditor", "other_provider", "evaluator", "public")


@pytest.mark.parametrize("who", UNAUTHORISED)
@pytest.mark.parametrize("after", (timedelta(minutes=1), timedelta(days=400)))
async def test_opened_data_stays_closed_to_others(client, tender, clock, app, who, after):
    past_the_deadline(tender, app, clock, by=after)
    for url in proposal_urls(tender):
        response = await client.get(url, headers=tender.headers(who))
        assert response.status_code in (401, 403, 404), (url, response.status_code)
        assert SECRET not in response.text


@pytest.mark.parametrize("who", AUTHORISED)
async def test_the_authorised_read_the_opened_proposal_and_its_file(
    client, tender, clock, app, who
):
    past_the_deadline(tender, app, clock)
    c, version = ref(tender.coalition), tender.submission.version
    content = await client.get(
        f"/api/v1/coalitions/{c}/submissions/{version}", headers=tender.headers(who)
    )
    assert content.status_code == 200 and SECRET in content.text
    document = await client.get(
        f"/api/v1/coalitions/{c}/submissions/{version}/attachments/{tender.attachment_sha256}",
        headers=tender.headers(who),
    )
    assert document.status_code == 200 and document.content.startswith(b"%PDF")


async def test_the_rival_coalition_reads_its_own_proposal_but_not_ours(client, tender, clock, app):
    past_the_deadline(tender, app, clock)
    own = await client.get(
        f"/api/v1/coalitions/{ref(tender.rival)}/submissions",
        headers=tender.headers("other_provider"),
    )
    assert own.status_code == 200
    ours = await client.get(
        f"/api/v1/coalitions/{ref(tender.coalition)}/submissions",
        headers=tender.headers("other_provider"),
    )
    assert ours.status_code == 404


async def test_the_opening_in_the_audit_log_is_for_the_own_auditors_only(
    client, tender, clock, app
):
    """The platform stream records the opening with its receipts, coalitions and leads; another
    municipality's auditor sees that event only as a redacted link in the chain."""
    past_the_deadline(tender, app, clock)
    opening = await client.get(
        f"/api/v1/challenges/{tender.challenge.id}/opening", headers=tender.headers("officer")
    )
    assert opening.status_code == 200
    receipt = tender.submission.receipt_number
    for who, sees in (("auditor", True), ("other_auditor", False)):
        feed = await client.get("/api/v1/audit/events?limit=1000", headers=tender.headers(who))
        assert feed.status_code == 200
        assert (receipt in feed.text) is sees, who
        opened = [e for e in feed.json() if e["action"] == "proposals.opened"]
        assert len(opened) == int(sees), who
