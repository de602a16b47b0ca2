"""Who is in the race and who may judge whom: minimum requirements and conflicts of interest."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from app.evaluation.scores import Criterion, Key


@dataclass(frozen=True)
class RequirementVerdict:
    """The chair's pass/fail on one minimum requirement for one proposal, with the reason."""

    proposal: str
    requirement: Key
    passed: bool
    reason: str = ""


def exclusions(verdicts: Iterable[RequirementVerdict]) -> dict[str, tuple[RequirementVerdict, ...]]:
    """The proposals that fail at least one minimum requirement, each with its failed verdicts.

    An excluded proposal stays in the evaluation (and the report) with these reasons; it is never
    ranked and does not count as the most ambitious proposal of a formula criterion."""
    seen: set[tuple[str, Key]] = set()
    failed: dict[str, list[RequirementVerdict]] = {}
    for verdict in verdicts:
        pair = (verdict.proposal, verdict.requirement)
        if pair in seen:
            raise ValueError(
                f"two verdicts on requirement {verdict.requirement!r} "
                f"for proposal {verdict.proposal!r}"
            )
        seen.add(pair)
        if not verdict.passed:
            if not verdict.reason.strip():
                raise ValueError(
                    f"the failed requirement {verdict.requirement!r} of proposal "
                    f"{verdict.proposal!r} needs a reason"
                )
            failed.setdefault(verdict.proposal, []).append(verdict)
    return {proposal: tuple(found) for proposal, found in sorted(failed.items())}


def missing_verdicts(
    proposals: Collection[str],
    requirements: Collection[Key],
    verdicts: Iterable[RequirementVerdict],
) -> set[tuple[str, Key]]:
    """The (proposal, requirement) pairs the chair has not judged yet."""
    judged = {(verdict.proposal, verdict.requirement) for verdict in verdicts}
    return {(p, r) for p in proposals for r in requirements if (p, r) not in judged}


@dataclass(frozen=True)
class Declaration:
    """A committee member's statement on one proposal: a conflict of interest or none."""

    member: Key
    proposal: str
    conflict: bool
    explanation: str = ""


@dataclass(frozen=True)
class Recusals:
    """Who may judge what: only a member who declared no conflict for that proposal.

    A member who has not declared on a proposal yet may not judge it either (nobody sees a
    proposal before declaring), so `allowed` grows as declarations come in."""

    allowed: frozenset[tuple[Key, str]]
    recused: frozenset[tuple[Key, str]]
    undeclared: frozenset[tuple[Key, str]]

    def may_judge(self, member: Key, proposal: str) -> bool:
        return (member, proposal) in self.allowed

    def judges(self, proposal: str) -> frozenset[Key]:
        return frozenset(m for m, p in self.allowed if p == proposal)

    def proposals_for(self, member: Key) -> frozenset[str]:
        return frozenset(p for m, p in self.allowed if m == member)


def recusals(
    members: Collection[Key], proposals: Collection[str], declarations: Iterable[Declaration]
) -> Recusals:
    """Sort every (member, proposal) pair into allowed, recused (a conflict) and undeclared."""
    member_set, proposal_set = set(members), set(proposals)
    declared: dict[tuple[Key, str], Declaration] = {}
    for declaration in declarations:
        pair = (declaration.member, declaration.proposal)
        if declaration.member not in member_set:
            raise ValueError(f"{declaration.member!r} is not on the committee")
        if declaration.proposal not in proposal_set:
            raise ValueError(f"{declaration.proposal!r} is not a proposal of this evaluation")
        if pair in declared:
            raise ValueError(
                f"{declaration.member!r} declared twice on proposal {declaration.proposal!r}"
            )
        if declaration.conflict and not declaration.explanation.strip():
            raise ValueError(
                f"the conflict of {declaration.member!r} on proposal {declaration.proposal!r} "
                "needs an explanation"
            )
        declared[pair] = declaration
    pairs = {(m, p) for m in member_set for p in proposal_set}
    recused = {pair for pair, d in declared.items() if d.conflict}
    allowed = {pair for pair, d in declared.items() if not d.conflict}
    return Recusals(
        allowed=frozenset(allowed),
        recused=frozenset(recused),
        undeclared=frozenset(pairs - recused - allowed),
    )


def scoring_tasks(
    judging: Recusals, member: Key, criteria: Iterable[Criterion]
) -> frozenset[tuple[str, Key]]:
    """The (proposal, criterion) pairs a member scores: every quality criterion of every
    proposal they may judge (formula criteria are computed, never scored by hand)."""
    quality = [criterion.key for criterion in criteria if criterion.kind == "quality"]
    return frozenset((p, c) for p in judging.proposals_for(member) for c in quality)
