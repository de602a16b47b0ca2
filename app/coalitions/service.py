"""Forming a coalition: start, invite, accept or decline, leave. All of it sealed from outsiders."""

from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit.sealed import audit_sealed
from app.auth.permissions import Action, assert_can, assert_signed_in, can, visible_coalitions
from app.challenges.lifecycle import assert_open, get_challenge
from app.challenges.models import Challenge
from app.coalitions.models import Coalition, CoalitionMember, MemberStatus
from app.coalitions.schemas import CoalitionIn, MembershipIn, ResponseIn
from app.context import Context
from app.errors import Conflict, NotFound
from app.organisations.models import Organisation, OrganisationKind
from app.proposals.queries import current_submission

ACTIVE = (MemberStatus.invited, MemberStatus.accepted)


def _loaded():
    return (
        selectinload(Coalition.members).selectinload(CoalitionMember.organisation),
        selectinload(Coalition.challenge),
    )


async def load_coalition(ctx: Context, coalition_id: int) -> Coalition:
    """A coalition by its internal id, with members and challenge, for code that already holds
    it; requests name coalitions by their public id, through `get_coalition`."""
    query = select(Coalition).options(*_loaded()).where(Coalition.id == coalition_id)
    coalition = await ctx.db.scalar(query)
    if coalition is None:
        raise NotFound("This coalition does not exist or is not visible to you.")
    return coalition


async def get_coalition(ctx: Context, public_id: UUID, *, for_update: bool = False) -> Coalition:
    """A coalition the caller may see. Invisible (the municipality before the deadline, other
    providers, admins) and missing are one and the same query that finds no row, so neither the
    answer nor its timing tells them apart; members and challenge load only for a visible one."""
    assert_signed_in(ctx.user)
    query = (
        select(Coalition)
        .options(*_loaded())
        .where(Coalition.public_id == public_id, visible_coalitions(ctx.user, ctx.now))
    )
    if for_update and ctx.db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Coalition)
    coalition = await ctx.db.scalar(query)
    if coalition is None:
        raise NotFound("This coalition does not exist or is not visible to you.")
    return coalition


async def _already_in_another(ctx: Context, challenge: Challenge, organisation_id: int) -> bool:
    if challenge.allow_multiple_coalitions:
        return False
    found = await ctx.db.scalar(
        select(func.count())
        .select_from(CoalitionMember)
        .where(
            CoalitionMember.organisation_id == organisation_id,
            CoalitionMember.exclusive_key == challenge.id,
        )
    )
    return bool(found)


def _exclusive_key(challenge: Challenge) -> int | None:
    return None if challenge.allow_multiple_coalitions else challenge.id


async def _flush_membership(ctx: Context) -> None:
    """The unique (organisation, exclusive_key) constraint has the last word under races."""
    try:
        async with ctx.db.begin_nested():
            await ctx.db.flush()
    except IntegrityError as error:
        raise Conflict(
            "Your organisation already takes part in another coalition for this challenge.",
            code="already_in_coalition",
        ) from error


async def start_coalition(ctx: Context, challenge_id: int, data: CoalitionIn) -> Coalition:
    assert_signed_in(ctx.user)
    challenge = await get_challenge(ctx, challenge_id)
    assert_can(ctx.user, Action.coalition_start, challenge)
    assert_open(challenge, ctx)
    org_id = ctx.user.organisation_id
    if await _already_in_another(ctx, challenge, org_id):
        raise Conflict(
            "Your organisation already takes part in another coalition for this challenge.",
            code="already_in_coalition",
        )
    coalition = Coalition(
        challenge_id=challenge.id,
        name=data.name,
        lead_organisation_id=org_id,
        created_by_id=ctx.user.id,
        created_at=ctx.now,
        members=[
            CoalitionMember(
                organisation_id=org_id,
                status=MemberStatus.accepted,
                role=data.role,
                contribution=data.contribution,
                exclusive_key=_exclusive_key(challenge),
                invited_by_id=ctx.user.id,
                invited_at=ctx.now,
                responded_by_id=ctx.user.id,
                responded_at=ctx.now,
            )
        ],
    )
    ctx.db.add(coalition)
    await _flush_membership(ctx)
    await audit_sealed(ctx, coalition, "coalition.started", lead_organisation_id=org_id)
    return await load_coalition(ctx, coalition.id)


async def find_organisations(ctx: Context, q: str, limit: int = 20) -> list[Organisation]:
    """Providers by name or KvK number, to invite into a coalition."""
    q = q.replace("\x00", "").strip()
    if len(q) < 2:
        return []
    pattern = f"%{q.lower().replace('%', '').replace('_', '')}%"
    query = (
        select(Organisation)
        .where(Organisation.kind != OrganisationKind.municipality)
        .where(or_(func.lower(Organisation.name).like(pattern), Organisation.kvk_number == q))
        .order_by(Organisation.name)
        .limit(limit)
    )
    return list((await ctx.db.scalars(query)).all())


async def invite(ctx: Context, coalition_id: UUID, organisation_id: int) -> CoalitionMember:
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.coalition_manage, coalition)
    assert_open(coalition.challenge, ctx)
    organisation = await ctx.db.get(Organisation, organisation_id)
    if organisation is None or organisation.kind == OrganisationKind.municipality:
        raise NotFound("This organisation does not exist or cannot join a coalition.")
    member = coalition.member(organisation_id)
    if member is not None and member.status in ACTIVE:
        raise Conflict(
            "This organisation is already in the coalition or invited.", code="already_member"
        )
    if member is None:
        member = CoalitionMember(organisation_id=organisation_id)
        member.organisation = organisation
        coalition.members.append(member)
    member.status = MemberStatus.invited
    member.invited_by_id = ctx.user.id
    member.invited_at = ctx.now
    member.responded_by_id = None
    member.responded_at = None
    await ctx.db.flush()
    await audit_sealed(ctx, coalition, "coalition.invited", organisation_id=organisation_id)
    return member


async def respond(ctx: Context, coalition_id: UUID, data: ResponseIn) -> CoalitionMember:
    """Accept or decline on behalf of one's own organisation."""
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.coalition_respond, coalition)
    assert_open(coalition.challenge, ctx)
    member = coalition.member(ctx.user.organisation_id)
    if data.accept and await _already_in_another(ctx, coalition.challenge, member.organisation_id):
        raise Conflict(
            "Your organisation already takes part in another coalition for this challenge.",
            code="already_in_coalition",
        )
    member.status = MemberStatus.accepted if data.accept else MemberStatus.declined
    member.exclusive_key = _exclusive_key(coalition.challenge) if data.accept else None
    member.role, member.contribution = data.role, data.contribution
    member.responded_by_id = ctx.user.id
    member.responded_at = ctx.now
    await _flush_membership(ctx)
    await audit_sealed(
        ctx,
        coalition,
        "coalition.accepted" if data.accept else "coalition.declined",
        organisation_id=member.organisation_id,
    )
    return member


async def update_membership(
    ctx: Context, coalition_id: UUID, data: MembershipIn
) -> CoalitionMember:
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.proposal_edit, coalition)
    assert_open(coalition.challenge, ctx)
    member = coalition.member(ctx.user.organisation_id)
    member.role, member.contribution = data.role, data.contribution
    await audit_sealed(
        ctx, coalition, "coalition.membership_updated", organisation_id=member.organisation_id
    )
    return member


async def _assert_not_submitted(ctx: Context, coalition: Coalition) -> None:
    if await current_submission(ctx, coalition) is not None:
        raise Conflict(
            "The proposal has been submitted with this membership. The lead must withdraw it "
            "before members can leave or be removed.",
            code="submitted",
        )


async def leave(ctx: Context, coalition_id: UUID) -> CoalitionMember:
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.coalition_leave, coalition)
    assert_open(coalition.challenge, ctx)
    await _assert_not_submitted(ctx, coalition)
    member = coalition.member(ctx.user.organisation_id)
    member.status, member.exclusive_key = MemberStatus.left, None
    member.responded_by_id, member.responded_at = ctx.user.id, ctx.now
    await audit_sealed(ctx, coalition, "coalition.left", organisation_id=member.organisation_id)
    return member


async def remove_member(ctx: Context, coalition_id: UUID, organisation_id: int) -> CoalitionMember:
    """The lead withdraws an invitation or removes a member (not itself)."""
    coalition = await get_coalition(ctx, coalition_id, for_update=True)
    assert_can(ctx.user, Action.coalition_manage, coalition)
    assert_open(coalition.challenge, ctx)
    member = coalition.member(organisation_id)
    if member is None or member.status not in ACTIVE:
        raise NotFound("This organisation is not in the coalition.")
    if organisation_id == coalition.lead_organisation_id:
        raise Conflict("The lead cannot remove itself.", code="lead")
    if member.status == MemberStatus.accepted:
        await _assert_not_submitted(ctx, coalition)
    member.status, member.exclusive_key = MemberStatus.left, None
    member.responded_by_id, member.responded_at = ctx.user.id, ctx.now
    await audit_sealed(ctx, coalition, "coalition.member_removed", organisation_id=organisation_id)
    return member


async def my_coalitions(ctx: Context) -> list[Coalition]:
    """The coalitions the caller's organisation is in or invited to (providers only)."""
    assert_can(ctx.user, Action.coalition_read)
    ids = select(CoalitionMember.coalition_id).where(
        CoalitionMember.organisation_id == ctx.user.organisation_id,
        CoalitionMember.status.in_(ACTIVE),
    )
    rows = await ctx.db.scalars(
        select(Coalition).options(*_loaded()).where(Coalition.id.in_(ids)).order_by(Coalition.id)
    )
    return [c for c in rows if can(ctx.user, Action.coalition_read, c)]
