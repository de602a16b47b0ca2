"""The challenge use cases, called directly."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.challenges import lifecycle, questions, search
from app.challenges.models import ChallengeStatus
from app.challenges.schemas import ChallengeIn
from app.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.organisations.models import OrganisationKind, Role
from tests.factories import challenge_data


@pytest.fixture
async def officer(make):
    return await make.user(Role.policy_officer)


async def test_draft_may_be_incomplete_but_cannot_be_published(make, officer):
    ctx = make.ctx(officer)
    draft = await lifecycle.create_draft(ctx, ChallengeIn(title="Alleen een titel"))
    assert draft.status == ChallengeStatus.draft
    with pytest.raises(ValidationFailed) as failed:
        await lifecycle.publish(ctx, draft.id)
    assert {"summary", "budget_cents", "indicators", "criteria", "submission_deadline"} <= set(
        failed.value.errors
    )
    assert (await lifecycle.get_challenge(ctx, draft.id)).status == ChallengeStatus.draft


async def test_weights_must_sum_to_100(make, officer):
    data = challenge_data(make.clock.now())
    data["criteria"][0]["weight"] = 50
    draft = await make.challenge(officer, **{"criteria": data["criteria"]})
    with pytest.raises(ValidationFailed) as failed:
        await lifecycle.publish(make.ctx(officer), draft.id)
    assert failed.value.errors["criteria"].params == {"total": 90}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"submission_deadline_days": -1}, "submission_deadline"),
        ({"question_after_submission": True}, "question_deadline"),
        ({"target_worse": True}, "indicators.0.target_value"),
    ],
)
async def test_publication_rules(make, officer, overrides, field):
    now = make.clock.now()
    data = challenge_data(now)
    if "submission_deadline_days" in overrides:
        data["submission_deadline"] = now + timedelta(days=overrides["submission_deadline_days"])
        data["question_deadline"] = now - timedelta(days=2)
    if "question_after_submission" in overrides:
        data["question_deadline"] = data["submission_deadline"] + timedelta(hours=1)
    if "target_worse" in overrides:
        data["indicators"][0]["target_value"] = 10
    draft = await make.challenge(officer, **data)
    with pytest.raises(ValidationFailed) as failed:
        await lifecycle.publish(make.ctx(officer), draft.id)
    assert field in failed.value.errors


async def test_publish_sets_state_and_writes_audit_event(make, officer, db):
    challenge = await make.challenge(officer, publish=True)
    assert challenge.status == ChallengeStatus.published
    assert challenge.published_at == make.clock.now()
    actions = (await db.scalars(select(AuditEvent.action).order_by(AuditEvent.id))).all()
    assert actions[-2:] == ["challenge.created", "challenge.published"]


async def test_publish_twice_is_an_invalid_transition(make, officer):
    challenge = await make.challenge(officer, publish=True)
    with pytest.raises(InvalidTransition):
        await lifecycle.publish(make.ctx(officer), challenge.id)


async def test_provider_cannot_create_or_publish(make, officer):
    provider = await make.user(Role.provider_member)
    with pytest.raises(Forbidden):
        await lifecycle.create_draft(make.ctx(provider), ChallengeIn(title="x"))
    draft = await make.challenge(officer)
    # A draft is invisible to the provider: not found before forbidden.
    with pytest.raises(NotFound):
        await lifecycle.publish(make.ctx(provider), draft.id)


async def test_officer_of_another_municipality_cannot_touch_a_published_challenge(make, officer):
    challenge = await make.challenge(officer, publish=True)
    other = await make.user(Role.policy_officer)
    with pytest.raises(Forbidden):
        await lifecycle.cancel(make.ctx(other), challenge.id, "mag niet")
    with pytest.raises(NotFound):
        await lifecycle.get_challenge(make.ctx(other), (await make.challenge(officer)).id)


async def test_policy_officer_of_a_provider_organisation_cannot_create(make):
    org = await make.org(OrganisationKind.welfare_organisation)
    odd = await make.user(Role.policy_officer, org=org)
    with pytest.raises(Forbidden):
        await lifecycle.create_draft(make.ctx(odd), ChallengeIn(title="x"))


async def test_amend_keeps_history_and_only_extends_deadline(make, officer):
    challenge = await make.challenge(officer, publish=True)
    ctx = make.ctx(officer, days=1)
    data = lifecycle.as_input(challenge)
    shorter = data.model_copy(
        update={"submission_deadline": data.submission_deadline - timedelta(days=1)}
    )
    with pytest.raises(ValidationFailed) as failed:
        await lifecycle.amend(ctx, challenge.id, shorter, "Korter")
    assert "submission_deadline" in failed.value.errors

    later = data.model_copy(
        update={
            "submission_deadline": data.submission_deadline + timedelta(days=7),
            "summary": "Nieuwe samenvatting.",
        }
    )
    first = await lifecycle.amend(ctx, challenge.id, later, "Meer tijd voor coalities")
    assert first.number == 1
    assert set(first.changes) == {"submission_deadline", "summary"}
    assert first.changes["summary"] == {
        "old": "Leerlingen die thuiszitten gaan weer naar school.",
        "new": "Nieuwe samenvatting.",
    }
    second = await lifecycle.amend(
        ctx, challenge.id, later.model_copy(update={"context": "Meer context."}), "Aanvulling"
    )
    assert second.number == 2
    history = await lifecycle.list_amendments(make.ctx(None), challenge)
    assert [a.number for a in history] == [1, 2]
    assert (await lifecycle.get_challenge(ctx, challenge.id)).context == "Meer context."


async def test_amend_refuses_reasonless_empty_and_weight_changes(make, officer):
    challenge = await make.challenge(officer, publish=True)
    ctx = make.ctx(officer)
    data = lifecycle.as_input(challenge)
    with pytest.raises(ValidationFailed) as failed:
        await lifecycle.amend(ctx, challenge.id, data, "Niets veranderd")
    assert "form" in failed.value.errors
    changed = data.model_copy(update={"summary": "Anders."})
    with pytest.raises(ValidationFailed) as failed:
        await lifecycle.amend(ctx, challenge.id, changed, "")
    assert "reason" in failed.value.errors
    criteria = [
        c.model_copy(update={"weight": w}) for c, w in zip(data.criteria, [50, 35, 15], strict=True)
    ]
    with pytest.raises(ValidationFailed) as failed:
        await lifecycle.amend(
            ctx, challenge.id, data.model_copy(update={"criteria": criteria}), "W"
        )
    assert "criteria" in failed.value.errors


async def test_amend_after_deadline_is_refused(make, officer):
    challenge = await make.challenge(officer, publish=True)
    data = lifecycle.as_input(challenge).model_copy(update={"summary": "Te laat."})
    with pytest.raises(Conflict) as refused:
        await lifecycle.amend(make.ctx(officer, days=31), challenge.id, data, "Te laat")
    assert refused.value.code == "deadline_passed"


async def test_draft_cannot_be_amended_and_published_cannot_be_edited(make, officer):
    draft = await make.challenge(officer)
    data = lifecycle.as_input(draft)
    with pytest.raises(InvalidTransition):
        await lifecycle.amend(make.ctx(officer), draft.id, data, "reden")
    await lifecycle.publish(make.ctx(officer), draft.id)
    with pytest.raises(InvalidTransition):
        await lifecycle.update_draft(make.ctx(officer), draft.id, data)


async def test_cancel_needs_reason_and_is_final(make, officer):
    challenge = await make.challenge(officer, publish=True)
    ctx = make.ctx(officer)
    with pytest.raises(ValidationFailed):
        await lifecycle.cancel(ctx, challenge.id, "   ")
    cancelled = await lifecycle.cancel(ctx, challenge.id, "Budget vervalt")
    assert cancelled.status == ChallengeStatus.cancelled
    assert cancelled.cancel_reason == "Budget vervalt"
    with pytest.raises(InvalidTransition):
        await lifecycle.cancel(ctx, challenge.id, "nog eens")
    # Still public, with the reason.
    seen = await lifecycle.get_challenge(make.ctx(None), challenge.id)
    assert lifecycle.display_status(seen, ctx.now) == "cancelled"


async def test_cancelled_draft_stays_private(make, officer):
    draft = await make.challenge(officer)
    await lifecycle.cancel(make.ctx(officer), draft.id, "Toch niet")
    with pytest.raises(NotFound):
        await lifecycle.get_challenge(make.ctx(None), draft.id)


async def test_list_filters_search_and_pagination(make, officer):
    other_officer = await make.user(Role.policy_officer)
    await make.challenge(officer, publish=True, title="Schuldhulp zonder wachtlijst", theme="debt")
    await make.challenge(officer, publish=True, title="Sport in de wijk", theme="sport")
    await make.challenge(other_officer, publish=True, title="Wijkcoaches", theme="care")
    await make.challenge(officer, title="Geheim concept")
    public = make.ctx(None)

    everything = await search.list_challenges(public, search.ChallengeFilter())
    assert everything.total == 3
    assert "Geheim concept" not in [c.title for c in everything.items]

    by_theme = await search.list_challenges(public, search.ChallengeFilter(theme="sport"))
    assert [c.title for c in by_theme.items] == ["Sport in de wijk"]

    by_text = await search.list_challenges(public, search.ChallengeFilter(q="WACHTLIJST schuld"))
    assert [c.title for c in by_text.items] == ["Schuldhulp zonder wachtlijst"]

    by_municipality = await search.list_challenges(
        public, search.ChallengeFilter(municipality=other_officer.organisation_id)
    )
    assert [c.title for c in by_municipality.items] == ["Wijkcoaches"]

    page2 = await search.list_challenges(public, search.ChallengeFilter(page=2, per_page=2))
    assert (page2.total, page2.pages, len(page2.items)) == (3, 2, 1)

    own = await search.list_challenges(make.ctx(officer), search.ChallengeFilter(status="draft"))
    assert [c.title for c in own.items] == ["Geheim concept"]
    theirs = await search.list_challenges(
        make.ctx(other_officer), search.ChallengeFilter(status="draft")
    )
    assert theirs.total == 0


async def test_open_and_closed_follow_the_clock(make, officer):
    challenge = await make.challenge(officer, publish=True)
    assert lifecycle.display_status(challenge, make.clock.now()) == "open"
    later = make.ctx(None, days=31)
    closed = await search.list_challenges(later, search.ChallengeFilter(status="closed"))
    assert [c.id for c in closed.items] == [challenge.id]
    assert lifecycle.display_status(challenge, later.now) == "closed"


async def test_search_treats_wildcards_literally(make, officer):
    await make.challenge(officer, publish=True, title="Honderd procent")
    result = await search.list_challenges(make.ctx(None), search.ChallengeFilter(q="%"))
    assert result.total == 1  # '%' is stripped, not a wildcard that errors or leaks


async def test_questions_are_anonymous_and_public_once_answered(make, officer):
    challenge = await make.challenge(officer, publish=True)
    asker = await make.user(Role.provider_member)
    other = await make.user(Role.provider_member)
    question = await questions.ask_question(make.ctx(asker), challenge.id, "Telt vrijstelling mee?")
    assert question.number == 1
    # Unanswered: the owner and the asker see it, others do not.
    assert [q.id for q in await questions.list_questions(make.ctx(officer), challenge)] == [
        question.id
    ]
    assert [q.id for q in await questions.list_questions(make.ctx(asker), challenge)] == [
        question.id
    ]
    assert await questions.list_questions(make.ctx(other), challenge) == []
    assert await questions.list_questions(make.ctx(None), challenge) == []

    await questions.answer_question(make.ctx(officer), challenge.id, question.id, "Nee.")
    public = await questions.list_questions(make.ctx(None), challenge)
    assert [(q.text, q.answer) for q in public] == [("Telt vrijstelling mee?", "Nee.")]
    with pytest.raises(Conflict):
        await questions.answer_question(make.ctx(officer), challenge.id, question.id, "Toch ja.")


async def test_question_rules(make, officer):
    challenge = await make.challenge(officer, publish=True)
    provider = await make.user(Role.provider_member)
    with pytest.raises(Forbidden):
        await questions.ask_question(make.ctx(officer), challenge.id, "Mag ik zelf vragen?")
    with pytest.raises(Conflict) as closed:
        await questions.ask_question(make.ctx(provider, days=15), challenge.id, "Te laat gevraagd")
    assert closed.value.code == "questions_closed"
    question = await questions.ask_question(make.ctx(provider), challenge.id, "Op tijd gevraagd")
    with pytest.raises(Forbidden):
        await questions.answer_question(make.ctx(provider), challenge.id, question.id, "Zelf")
    draft = await make.challenge(officer)
    with pytest.raises(NotFound):
        await questions.ask_question(make.ctx(provider), draft.id, "Een concept?")


async def test_amending_keeps_the_ids_that_proposals_refer_to(make, officer):
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    before = (
        [i.id for i in challenge.indicators],
        [c.id for c in challenge.criteria],
        [r.id for r in challenge.requirements],
    )
    data = lifecycle.as_input(challenge)
    data.indicators[0] = data.indicators[0].model_copy(update={"definition": "Scherper."})
    changed = data.model_copy(update={"summary": "Anders.", "requirements": ["Aangepast."]})
    await lifecycle.amend(make.ctx(officer), challenge.id, changed, "Verduidelijking")
    after = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    assert (
        [i.id for i in after.indicators],
        [c.id for c in after.criteria],
        [r.id for r in after.requirements],
    ) == before
    assert after.indicators[0].definition == "Scherper."
    assert after.requirements[0].text == "Aangepast."
