"""Annex IV (a): the exact time and date of the receipt of tenders can be determined precisely.

The receipt a coalition gets names the moment the platform accepted its submission; the opening
record lists that moment and the content's SHA-256; the audit log holds it too. The deadline is
kept to the millisecond: before it a submission is accepted, at it the submission is refused
with a message and what was accepted earlier stays exactly as it was."""

import hashlib
import json
from datetime import datetime, timedelta

from tests.annex_iv.conftest import past_the_deadline, ref

MS = timedelta(milliseconds=1)


async def submit(client, tender, at, clock):
    clock.at = at
    return await client.post(
        f"/api/v1/coalitions/{ref(tender.coalition)}/proposal/submit",
        headers=tender.headers("lead"),
    )


async def test_the_receipt_names_the_moment_of_acceptance_to_the_millisecond(
    client, tender, clock, app
):
    accepted = await submit(client, tender, tender.deadline - MS, clock)
    assert accepted.status_code == 201
    receipt = accepted.json()
    assert datetime.fromisoformat(receipt["submitted_at"]) == tender.deadline - MS

    past_the_deadline(tender, app, clock, by=timedelta(days=3))
    opening = await client.get(
        f"/api/v1/challenges/{tender.challenge.id}/opening", headers=tender.headers("officer")
    )
    listed = {p["receipt_number"]: p for p in opening.json()["proposals"]}
    entry = listed[receipt["receipt_number"]]
    assert datetime.fromisoformat(entry["submitted_at"]) == tender.deadline - MS
    assert entry["content_hash"] == receipt["content_hash"]


async def test_at_the_deadline_a_submission_is_refused_and_the_earlier_one_stands(
    client, tender, clock, app
):
    refused = await submit(client, tender, tender.deadline, clock)
    assert refused.status_code == 409
    assert refused.json()["code"] == "deadline_passed"
    assert refused.json()["detail"]

    past_the_deadline(tender, app, clock)
    opening = await client.get(
        f"/api/v1/challenges/{tender.challenge.id}/opening", headers=tender.headers("officer")
    )
    receipts = [p["receipt_number"] for p in opening.json()["proposals"]]
    assert tender.submission.receipt_number in receipts


async def test_the_opening_is_dated_at_the_deadline_whenever_it_is_first_read(
    client, tender, clock, app
):
    past_the_deadline(tender, app, clock, by=timedelta(days=12))
    opening = await client.get(
        f"/api/v1/challenges/{tender.challenge.id}/opening", headers=tender.headers("auditor")
    )
    assert opening.status_code == 200
    assert datetime.fromisoformat(opening.json()["opened_at"]) == tender.deadline


async def test_the_receipt_hash_can_be_recomputed_from_the_opened_content(
    client, tender, clock, app
):
    past_the_deadline(tender, app, clock)
    version = await client.get(
        f"/api/v1/coalitions/{ref(tender.coalition)}/submissions/{tender.submission.version}",
        headers=tender.headers("officer"),
    )
    body = version.json()
    canonical = json.dumps(
        body["content"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == body["content_hash"]
    assert body["content_hash"] == tender.submission.content_hash


async def test_the_audit_log_holds_the_same_moment(client, tender, clock, app):
    past_the_deadline(tender, app, clock)
    stream = f"sealed:challenge:{tender.challenge.id}"
    events = await client.get(
        "/api/v1/audit/events", params={"stream": stream}, headers=tender.headers("auditor")
    )
    assert events.status_code == 200
    submitted = [
        e
        for e in events.json()
        if e["action"] == "proposal.submitted"
        and e["data"].get("receipt_number") == tender.submission.receipt_number
    ]
    assert len(submitted) == 1
    assert datetime.fromisoformat(submitted[0]["occurred_at"]) == tender.submission.submitted_at
