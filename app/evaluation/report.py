"""The evaluation report and the final ranking: every score and rationale, consensus,
exclusions, weighted totals, the ranking and the tie-break used. Nothing of a proposal reaches a
member who may not see its scores (recused, or not yet submitted)."""

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.permissions import Action, Seat, assert_can, assert_signed_in, awaits_opening, can
from app.challenges.lifecycle import get_challenge
from app.context import Context
from app.errors import Conflict
from app.evaluation.eligibility import RequirementVerdict as VerdictFact
from app.evaluation.eligibility import exclusions, missing_verdicts
from app.evaluation.models import ConsensusScore, LotSeed, RequirementVerdict, Score
from app.evaluation.ranking import DEFAULT_TIE_BREAK, Ranking, Standing, rank
from app.evaluation.scores import weighted_total
from app.evaluation.scoring import Computed, computed, scores_of, verdicts_of
from app.evaluation.seats import current_members
from app.evaluation.state import Evaluation, load
from app.i18n import Lazy
from app.i18n.formats import moment
from app.organisations.models import User
from app.proposals.opening import OpenedProposal


@dataclass
class Facts:
    """Everything recorded in one evaluation, read once."""

    evaluation: Evaluation
    scores: list[Score]
    verdicts: list[RequirementVerdict]
    consensus: list[ConsensusScore]
    formula: dict[UUID, list[Computed]]

    def excluded(self) -> dict[str, tuple]:
        by_coalition = {p.coalition_id: str(p.proposal_id) for p in self.evaluation.opened}
        return exclusions(
            VerdictFact(by_coalition[v.coalition_id], v.requirement_id, v.passed, v.reason)
            for v in self.verdicts
            if v.coalition_id in by_coalition
        )

    def consensus_of(self, proposal: OpenedProposal) -> dict[int, ConsensusScore]:
        return {
            c.criterion_id: c for c in self.consensus if c.coalition_id == proposal.coalition_id
        }

    def total(self, proposal: OpenedProposal) -> Decimal | None:
        """The weighted total out of 100, once every criterion has its (consensus) score."""
        given: dict = {c: s.score for c, s in self.consensus_of(proposal).items()}
        for found in self.formula.get(proposal.proposal_id, []):
            if found.score is not None:
                given[found.criterion_id] = found.score
        if set(given) != {c.id for c in self.evaluation.challenge.criteria}:
            return None
        return weighted_total(self.evaluation.criterion_facts(), self.evaluation.scale, given)

    def missing(self, shown: Collection[UUID] | None = None) -> list[str]:
        """What stands between the evaluation and its ranking, in words; with `shown`, only
        the proposals the reader sees are named (a recused member learns nothing of the
        others, not even how far along they are), the rest said without a name."""
        evaluation, problems = self.evaluation, []
        hidden_open = False
        excluded = self.excluded()
        judged = missing_verdicts(
            [str(p.proposal_id) for p in evaluation.opened],
            [r.id for r in evaluation.challenge.requirements],
            [
                VerdictFact(str(p.proposal_id), v.requirement_id, v.passed, v.reason)
                for p in evaluation.opened
                for v in self.verdicts
                if v.coalition_id == p.coalition_id
            ],
        )
        for proposal in evaluation.opened:
            key = str(proposal.proposal_id)
            if shown is not None and proposal.proposal_id not in shown:
                unjudged = any(p == key for p, _r in judged)
                hidden_open |= unjudged or (key not in excluded and self.total(proposal) is None)
                continue
            if any(p == key for p, _r in judged):
                problems.append(
                    str(
                        Lazy(
                            "The minimum requirements of “%(coalition)s” are not all judged.",
                            coalition=proposal.coalition,
                        )
                    )
                )
            if key in excluded:
                continue
            if self.total(proposal) is None:
                problems.append(
                    str(
                        Lazy(
                            "“%(coalition)s” has no consensus on every criterion yet.",
                            coalition=proposal.coalition,
                        )
                    )
                )
        if hidden_open and not problems:
            problems.append(str(Lazy("Not every proposal is fully evaluated yet.")))
        if not evaluation.members:
            problems.append(str(Lazy("The committee has not been formed.")))
        return problems


async def facts(ctx: Context, evaluation: Evaluation) -> Facts:
    verdicts = await verdicts_of(ctx, evaluation)
    consensus = list(
        await ctx.db.scalars(
            select(ConsensusScore)
            .where(ConsensusScore.challenge_id == evaluation.challenge.id)
            .order_by(ConsensusScore.id)
        )
    )
    return Facts(
        evaluation,
        await scores_of(ctx, evaluation),
        verdicts,
        consensus,
        computed(evaluation, verdicts),
    )


async def for_reader(ctx: Context, challenge_id: int) -> Evaluation:
    """The evaluation, for its report's readers: the owner's policy officers and auditors and
    the committee, once the proposals are opened (before: sealed, 409, for those readers)."""
    assert_signed_in(ctx.user)
    challenge = await get_challenge(ctx, challenge_id, attachments=False)
    members = await current_members(ctx, challenge.id)
    seat = Seat(challenge, next((m.role for m in members if m.user_id == ctx.user.id), None))
    if awaits_opening(challenge, ctx.now) and can(
        ctx.user, Action.evaluation_report, seat, challenge.submission_deadline
    ):
        raise Conflict(
            "The proposals stay sealed until the submission deadline (%(deadline)s).",
            code="sealed",
            deadline=moment(challenge.submission_deadline),
        )
    assert_can(ctx.user, Action.evaluation_report, seat, ctx.now)
    evaluation = await load(ctx, challenge.id, members)
    assert_can(ctx.user, Action.evaluation_report, evaluation.seat(ctx.user.id), ctx.now)
    return evaluation


def visible(ctx: Context, evaluation: Evaluation, proposal: OpenedProposal) -> bool:
    """Whether the caller sees this proposal's scores, and so its part of the report."""
    place = evaluation.place(ctx.user.id, proposal)
    return can(ctx.user, Action.evaluation_read_scores, place, ctx.now)


async def standings_ranking(ctx: Context, found: Facts) -> Ranking | None:
    """The ranking, once the evaluation is complete; the lot's seed is drawn the first time a
    lot is needed, stored, and recorded in the audit log."""
    if found.missing():
        return None
    evaluation = found.evaluation
    excluded = found.excluded()
    standings = []
    for proposal in evaluation.opened:
        key = str(proposal.proposal_id)
        reasons = tuple(v.reason for v in excluded.get(key, ()))
        consensus: dict = {c: s.score for c, s in found.consensus_of(proposal).items()}
        for item in found.formula.get(proposal.proposal_id, []):
            if item.score is not None:
                consensus[item.criterion_id] = item.score
        total = Decimal(0) if reasons else found.total(proposal)
        standings.append(Standing(key, total, consensus, reasons))
    criteria = evaluation.criterion_facts()
    recorded = await _recorded_seed(ctx, evaluation.challenge.id)
    # Without a recorded seed, rank first with a stand-in: only if it draws a lot is the real
    # seed drawn (once), so nobody can know it before it is needed.
    ranking = rank(standings, criteria, seed=recorded or "-", rule=DEFAULT_TIE_BREAK)
    if ranking.lots and recorded is None:
        recorded = await _draw_seed(ctx, evaluation)
        ranking = rank(standings, criteria, seed=recorded, rule=DEFAULT_TIE_BREAK)
    return ranking


async def _recorded_seed(ctx: Context, challenge_id: int) -> str | None:
    return await ctx.db.scalar(select(LotSeed.seed).where(LotSeed.challenge_id == challenge_id))


async def _draw_seed(ctx: Context, evaluation: Evaluation) -> str:
    seed = secrets.token_hex(32)
    ctx.db.add(LotSeed(challenge_id=evaluation.challenge.id, seed=seed, drawn_at=ctx.now))
    try:
        async with ctx.db.begin_nested():
            await ctx.db.flush()
    except IntegrityError:
        # Drawn at the same moment by another request: theirs is the one recorded.
        return await _recorded_seed(ctx, evaluation.challenge.id)
    await ctx.record(
        "evaluation.lot_seed_drawn",
        "challenge",
        evaluation.challenge.id,
        seed=seed,
        stream=evaluation.stream,
    )
    return seed


async def final_ranking(ctx: Context, challenge_id: int) -> Ranking | None:
    """The ranking the award follows, for the report's readers; None while the evaluation is
    incomplete (every requirement judged, every valid proposal's consensus recorded)."""
    evaluation = await for_reader(ctx, challenge_id)
    return await standings_ranking(ctx, await facts(ctx, evaluation))


async def names(ctx: Context, user_ids: set[int]) -> dict[int, str]:
    """The names of people who took part, also those no longer on the committee."""
    if not user_ids:
        return {}
    rows = await ctx.db.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}


def seed_shown(ranking: Ranking) -> str | None:
    return ranking.seed if ranking.lots or ranking.seed != "-" else None
