"""Forming a coalition, called directly."""

from datetime import timedelta

import pytest

from app.challenges import lifecycle
from app.coalitions import service
from app.coalitions.models import MemberStatus
from app.coalitions.schemas import CoalitionIn, MembershipIn, ResponseIn
from app.errors import Conflict, Forbidden, NotFound, Unauthenticated
from app.organisations.models import OrganisationKind, Role
from app.proposals import service as proposals
from tests.factories import coalition_of, complete_content


@pytest.fixture
async def world(make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    partner = await make.user(Role.provider_member)
    outsider = await make.user(Role.provider_member)
    return officer, challenge, lead, partner, outsider


async def test_start_invite_accept(make, world):
    _officer, challenge, lead, partner, _outsider = world
    coalition = await service.start_coalition(
        make.ctx(lead), challenge.id, CoalitionIn(name="Samen", role="penvoerder")
    )
    assert [(m.organisation_id, m.status) for m in coalition.members] == [
        (lead.organisation_id, MemberStatus.accepted)
    ]
    await service.invite(make.ctx(lead), coalition.public_id, partner.organisation_id)
    invited = await service.get_coalition(make.ctx(partner), coalition.public_id)
    assert invited.member(partner.organisation_id).status == MemberStatus.invited
    member = await service.respond(
        make.ctx(partner),
        coalition.public_id,
        ResponseIn(accept=True, role="jeugdhulp", contribution="x"),
    )
    assert (member.status, member.role) == (MemberStatus.accepted, "jeugdhulp")
    assert [c.public_id for c in await service.my_coalitions(make.ctx(partner))] == [
        coalition.public_id
    ]


async def test_only_provider_members_start_and_only_on_open_challenges(make, world):
    officer, challenge, lead, _partner, _outsider = world
    with pytest.raises(Forbidden):
        await service.start_coalition(make.ctx(officer), challenge.id, CoalitionIn(name="Gemeente"))
    draft = await make.challenge(officer)
    with pytest.raises(NotFound):
        await service.start_coalition(make.ctx(lead), draft.id, CoalitionIn(name="Te vroeg"))
    with pytest.raises(Conflict) as late:
        await service.start_coalition(
            make.ctx(lead, days=31), challenge.id, CoalitionIn(name="Te laat")
        )
    assert late.value.code == "deadline_passed"


async def test_one_coalition_per_organisation_per_challenge(make, world):
    _officer, challenge, lead, partner, outsider = world
    first = await coalition_of(make, challenge, lead, partner)
    with pytest.raises(Conflict) as twice:
        await service.start_coalition(make.ctx(partner), challenge.id, CoalitionIn(name="Tweede"))
    assert twice.value.code == "already_in_coalition"
    second = await coalition_of(make, challenge, outsider)
    await service.invite(
        make.ctx(outsider), second.public_id, partner.organisation_id
    )  # inviting is fine
    with pytest.raises(Conflict):
        await service.respond(make.ctx(partner), second.public_id, ResponseIn(accept=True))
    await service.respond(make.ctx(partner), second.public_id, ResponseIn(accept=False))
    assert (await service.get_coalition(make.ctx(partner), first.public_id)).id == first.id


async def test_a_challenge_may_allow_several_coalitions(make, world):
    officer, _challenge, lead, partner, outsider = world
    relaxed = await make.challenge(officer, publish=True, allow_multiple_coalitions=True)
    await coalition_of(make, relaxed, lead, partner)
    second = await coalition_of(make, relaxed, outsider, partner)
    assert second.member(partner.organisation_id).status == MemberStatus.accepted


async def test_only_the_lead_invites_and_only_providers_can_be_invited(make, world):
    officer, challenge, lead, partner, outsider = world
    coalition = await coalition_of(make, challenge, lead, partner)
    with pytest.raises(Forbidden):
        await service.invite(make.ctx(partner), coalition.public_id, outsider.organisation_id)
    with pytest.raises(NotFound):
        await service.invite(make.ctx(lead), coalition.public_id, officer.organisation_id)
    with pytest.raises(Conflict):
        await service.invite(make.ctx(lead), coalition.public_id, partner.organisation_id)


async def test_outsiders_do_not_see_a_coalition(make, world):
    officer, challenge, lead, partner, outsider = world
    coalition = await coalition_of(make, challenge, lead, partner)
    admin = await make.user(Role.admin, org=officer.organisation)
    auditor = await make.user(Role.auditor, org=officer.organisation)
    for user in (officer, admin, auditor, outsider):
        with pytest.raises(NotFound):
            await service.get_coalition(make.ctx(user), coalition.public_id)
        with pytest.raises(NotFound):
            await service.respond(make.ctx(user), coalition.public_id, ResponseIn(accept=True))
    # Nobody signed in is asked to sign in first, before anything is looked up.
    with pytest.raises(Unauthenticated):
        await service.get_coalition(make.ctx(None), coalition.public_id)


async def test_members_leave_and_the_lead_removes_before_submission(make, world):
    _officer, challenge, lead, partner, outsider = world
    coalition = await coalition_of(make, challenge, lead, partner)
    with pytest.raises(Forbidden):
        await service.leave(make.ctx(lead), coalition.public_id)
    await service.leave(make.ctx(partner), coalition.public_id)
    with pytest.raises(NotFound):
        await service.get_coalition(make.ctx(partner), coalition.public_id)
    # Having left, the organisation is free to join another coalition.
    await coalition_of(make, challenge, outsider, partner)

    other = await make.user(Role.provider_member)
    await service.invite(make.ctx(lead), coalition.public_id, other.organisation_id)
    removed = await service.remove_member(
        make.ctx(lead), coalition.public_id, other.organisation_id
    )
    assert removed.status == MemberStatus.left
    with pytest.raises(Conflict):
        await service.remove_member(make.ctx(lead), coalition.public_id, lead.organisation_id)


async def test_after_submission_members_cannot_leave(make, world):
    _officer, challenge, lead, partner, _outsider = world
    coalition = await coalition_of(make, challenge, lead, partner)
    await proposals.save_draft(
        make.ctx(lead), coalition.public_id, complete_content(challenge, coalition)
    )
    await proposals.submit(make.ctx(lead), coalition.public_id)
    with pytest.raises(Conflict) as refused:
        await service.leave(make.ctx(partner), coalition.public_id)
    assert refused.value.code == "submitted"


async def test_nothing_changes_after_the_deadline(make, world):
    _officer, challenge, lead, partner, outsider = world
    coalition = await coalition_of(make, challenge, lead, partner)
    await service.invite(make.ctx(lead), coalition.public_id, outsider.organisation_id)
    late = timedelta(days=30, seconds=1).total_seconds() / 86400
    calls = [
        service.invite(make.ctx(lead, days=late), coalition.public_id, outsider.organisation_id),
        service.respond(
            make.ctx(outsider, days=late), coalition.public_id, ResponseIn(accept=True)
        ),
        service.leave(make.ctx(partner, days=late), coalition.public_id),
        service.update_membership(
            make.ctx(partner, days=late), coalition.public_id, MembershipIn()
        ),
    ]
    for call in calls:
        with pytest.raises(Conflict) as refused:
            await call
        assert refused.value.code == "deadline_passed"


async def test_find_organisations_by_name_or_kvk(make):
    provider = await make.user(Role.provider_member)
    org = await make.org(OrganisationKind.social_enterprise, name="Werkplaats Vooruit")
    await make.org(OrganisationKind.municipality, name="Gemeente Werkendam")
    ctx = make.ctx(provider)
    assert [o.name for o in await service.find_organisations(ctx, "werk")] == ["Werkplaats Vooruit"]
    assert [o.id for o in await service.find_organisations(ctx, org.kvk_number)] == [org.id]
    assert await service.find_organisations(ctx, "w") == []
