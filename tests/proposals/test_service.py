"""Drafting, submitting, resubmitting, withdrawing and opening a proposal."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.service import canonical, verify_chain
from app.challenges import lifecycle
from app.documents.store import LocalDocumentStore
from app.errors import Conflict, Forbidden, Unauthenticated, ValidationFailed
from app.organisations.models import Role
from app.proposals import opening as openings
from app.proposals import service
from app.proposals.models import ProposalDraft, ProposalSubmission, SubmissionStatus
from app.proposals.schemas import ProposalContent
from tests.documents.samples import make_pdf
from tests.factories import coalition_of, complete_content

LATE = 30.001  # days after the factory's start: just past the submission deadline


@pytest.fixture
async def world(make, tmp_path):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    partner = await make.user(Role.provider_member)
    coalition = await coalition_of(make, challenge, lead, partner)
    store = LocalDocumentStore(tmp_path / "documents")
    return officer, challenge, lead, partner, coalition, store


async def test_draft_saves_incomplete_and_lists_what_is_missing(make, world):
    _officer, challenge, lead, partner, coalition, _store = world
    await service.save_draft(
        make.ctx(partner), coalition.public_id, ProposalContent(approach="Begin.")
    )
    content, _draft = await service.load_draft(make.ctx(lead), coalition)
    assert content.approach == "Begin."
    missing = service.missing(challenge, coalition, content)
    indicator = challenge.indicators[0]
    requirement = challenge.requirements[0]
    assert set(missing) == {
        "theory_of_change",
        f"target.{indicator.id}",
        f"requirement.{requirement.id}",
        "budget",
    }
    with pytest.raises(ValidationFailed):
        await service.submit(make.ctx(lead), coalition.public_id)


async def test_references_must_belong_to_the_challenge_and_coalition(make, world):
    _officer, challenge, lead, _partner, coalition, _store = world
    outsider = await make.user(Role.provider_member)
    bad = complete_content(
        challenge,
        coalition,
        targets=[{"indicator_id": 999_999, "value": 1}],
        budget=[{"organisation_id": outsider.organisation_id, "amount_cents": 5}],
    )
    with pytest.raises(ValidationFailed) as refused:
        await service.save_draft(make.ctx(lead), coalition.public_id, bad)
    assert {"targets.0", "budget.0"} <= set(refused.value.errors)


async def test_budget_may_not_exceed_the_challenge(make, world):
    _officer, challenge, lead, _partner, coalition, _store = world
    shares = [
        {"organisation_id": m.organisation_id, "amount_cents": challenge.budget_cents}
        for m in coalition.members
    ]
    content = complete_content(challenge, coalition, budget=shares)
    assert "budget" in service.missing(challenge, coalition, content)


async def test_every_member_must_have_accepted(make, world):
    _officer, challenge, lead, _partner, coalition, _store = world
    invited = await make.user(Role.provider_member)
    from app.coalitions import service as coalitions

    await coalitions.invite(make.ctx(lead), coalition.public_id, invited.organisation_id)
    coalition = await coalitions.load_coalition(make.ctx(lead), coalition.id)
    await service.save_draft(
        make.ctx(lead), coalition.public_id, complete_content(challenge, coalition)
    )
    with pytest.raises(ValidationFailed) as refused:
        await service.submit(make.ctx(lead), coalition.public_id)
    assert "members" in refused.value.errors


async def test_submit_gives_a_receipt_over_content_and_attachments(make, world):
    _officer, challenge, lead, _partner, coalition, store = world
    ctx = make.ctx(lead)
    await service.save_draft(ctx, coalition.public_id, complete_content(challenge, coalition))
    pdf = make_pdf("plan")
    await service.add_attachment(
        ctx, store, coalition.public_id, "plan.pdf", io.BytesIO(pdf), 1_000_000
    )
    receipt = await service.submit(ctx, coalition.public_id)
    assert receipt.receipt_number.startswith(f"UK-{challenge.id}-")
    assert receipt.submitted_at == ctx.now
    assert receipt.version == 1 and receipt.status == SubmissionStatus.current
    stored, content = await service.submission_content(ctx, coalition.public_id, 1)
    assert hashlib.sha256(canonical(content).encode()).hexdigest() == receipt.content_hash
    assert content["attachments"] == [
        {
            "filename": "plan.pdf",
            "content_type": "application/pdf",
            "size": len(pdf),
            "sha256": hashlib.sha256(pdf).hexdigest(),
        }
    ]
    assert [m["lead"] for m in content["coalition"]["members"]].count(True) == 1


async def test_resubmission_keeps_every_version(make, world):
    _officer, challenge, lead, _partner, coalition, _store = world
    ctx = make.ctx(lead)
    await service.save_draft(ctx, coalition.public_id, complete_content(challenge, coalition))
    first = await service.submit(ctx, coalition.public_id)
    await service.save_draft(
        make.ctx(lead, days=1),
        coalition.public_id,
        complete_content(challenge, coalition, approach="Beter"),
    )
    second = await service.submit(make.ctx(lead, days=1), coalition.public_id)
    versions = await service.receipts(ctx, coalition.public_id)
    assert [(v.version, v.status) for v in versions] == [
        (1, SubmissionStatus.superseded),
        (2, SubmissionStatus.current),
    ]
    assert first.receipt_number != second.receipt_number
    assert first.content_hash != second.content_hash


async def test_only_the_lead_submits_and_withdraws(make, world):
    _officer, challenge, lead, partner, coalition, _store = world
    await service.save_draft(
        make.ctx(partner), coalition.public_id, complete_content(challenge, coalition)
    )
    with pytest.raises(Forbidden):
        await service.submit(make.ctx(partner), coalition.public_id)
    await service.submit(make.ctx(lead), coalition.public_id)
    with pytest.raises(Forbidden):
        await service.withdraw(make.ctx(partner), coalition.public_id)
    withdrawn = await service.withdraw(make.ctx(lead), coalition.public_id)
    assert withdrawn.status == SubmissionStatus.withdrawn
    with pytest.raises(Conflict):
        await service.withdraw(make.ctx(lead), coalition.public_id)


async def test_late_submission_is_refused_and_the_draft_stays(make, world, db):
    _officer, challenge, lead, _partner, coalition, _store = world
    content = complete_content(challenge, coalition)
    await service.save_draft(make.ctx(lead), coalition.public_id, content)
    await service.submit(make.ctx(lead), coalition.public_id)
    for call in (
        service.submit(make.ctx(lead, days=LATE), coalition.public_id),
        service.withdraw(make.ctx(lead, days=LATE), coalition.public_id),
        service.save_draft(make.ctx(lead, days=LATE), coalition.public_id, ProposalContent()),
    ):
        with pytest.raises(Conflict) as refused:
            await call
        assert refused.value.code == "deadline_passed"
    kept, _draft = await service.load_draft(make.ctx(lead), coalition)
    assert kept == content
    statuses = (await db.scalars(select(ProposalSubmission.status))).all()
    assert statuses == [SubmissionStatus.current]


async def test_content_is_encrypted_at_rest(make, world, db):
    _officer, challenge, lead, _partner, coalition, store = world
    ctx = make.ctx(lead)
    secret = "Geheime aanpak met de wijkagent"
    await service.save_draft(
        ctx, coalition.public_id, complete_content(challenge, coalition, approach=secret)
    )
    pdf = make_pdf("Vertrouwelijk plan")
    attachment = await service.add_attachment(
        ctx, store, coalition.public_id, "vertrouwelijk.pdf", io.BytesIO(pdf), 1_000_000
    )
    await service.submit(ctx, coalition.public_id)
    draft = await db.scalar(select(ProposalDraft))
    submission = await db.scalar(select(ProposalSubmission))
    for blob in (draft.sealed_content, submission.sealed_content):
        assert secret.encode() not in blob and b"approach" not in blob
    on_disk = store.path(attachment.document.storage_key).read_bytes()
    assert b"%PDF" not in on_disk and b"Vertrouwelijk" not in on_disk
    assert b"vertrouwelijk.pdf" not in attachment.sealed_filename


async def test_opening_lists_current_submissions_received_before_the_deadline(make, world, db):
    officer, challenge, lead, partner, coalition, _store = world
    other_lead = await make.user(Role.provider_member)
    withdrawn = await coalition_of(make, challenge, other_lead)
    for c, who in ((coalition, lead), (withdrawn, other_lead)):
        await service.save_draft(make.ctx(who), c.public_id, complete_content(challenge, c))
        await service.submit(make.ctx(who), c.public_id)
    await service.save_draft(
        make.ctx(lead, days=2),
        coalition.public_id,
        complete_content(challenge, coalition, approach="Versie twee"),
    )
    final = await service.submit(make.ctx(lead, days=2), coalition.public_id)
    await service.withdraw(make.ctx(other_lead, days=3), withdrawn.public_id)

    with pytest.raises(Conflict) as sealed:
        await openings.opening(make.ctx(officer, days=29), challenge.id)
    assert sealed.value.code == "sealed"
    assert set(sealed.value.params) == {"deadline"}  # the answer carries nothing else

    record = await openings.opening(make.ctx(officer, days=LATE), challenge.id)
    assert [(e["receipt_number"], e["version"], e["content_hash"]) for e in record.entries] == [
        (final.receipt_number, 2, final.content_hash)
    ]
    again = await openings.opening(make.ctx(officer, days=LATE + 1), challenge.id)
    assert again.id == record.id
    opened = await db.scalars(select(AuditEvent).where(AuditEvent.action == "proposals.opened"))
    assert [e.stream for e in opened] == ["platform"]
    assert (await verify_chain(db)).ok

    proposals = await openings.opened_proposals(make.ctx(officer, days=LATE), challenge.id)
    assert [content["approach"] for _s, content in proposals] == ["Versie twee"]


async def test_opening_is_for_the_owner_municipality_and_auditors(make, world):
    officer, challenge, _lead, _partner, _coalition, _store = world
    other_officer = await make.user(Role.policy_officer)
    auditor = await make.user(Role.auditor, org=officer.organisation)
    provider = await make.user(Role.provider_member)
    assert (await openings.opening(make.ctx(auditor, days=LATE), challenge.id)).entries == []
    for user in (other_officer, provider, None):
        with pytest.raises((Forbidden, Unauthenticated)):
            await openings.opening(make.ctx(user, days=LATE), challenge.id)


def test_canonical_json_is_stable():
    assert canonical({"b": 1, "a": [2, "é"]}) == '{"a":[2,"é"],"b":1}'
    assert json.loads(canonical({"x": 1.5})) == {"x": 1.5}


async def test_receipt_time_is_the_server_time(make, world):
    _officer, challenge, lead, _partner, coalition, _store = world
    await service.save_draft(
        make.ctx(lead), coalition.public_id, complete_content(challenge, coalition)
    )
    ctx = make.ctx(lead, days=timedelta(hours=5).total_seconds() / 86400)
    receipt = await service.submit(ctx, coalition.public_id)
    assert receipt.submitted_at == ctx.now
