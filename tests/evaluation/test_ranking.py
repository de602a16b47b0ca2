"""The ranking: total, then the heaviest criteria, then a lot with a recorded seed."""

import hashlib
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.evaluation.ranking import Standing, rank, tie_break_order, tie_break_rule_text
from app.evaluation.scores import Criterion, Scale, weighted_total

BOUNDED = settings(max_examples=100, deadline=None)
SCALE = Scale(0, 10)
# total = 4 × Q1 + 4 × Q2 + 2 × F on the scale 0..10
CRITERIA = [
    Criterion("Q1", 40, 0, name="Approach"),
    Criterion("Q2", 40, 1, name="Coalition"),
    Criterion("F", 20, 2, kind="formula", name="Ambition", indicator=0),
]


def standing(proposal: str, q1, q2, f, exclusions: tuple[str, ...] = ()) -> Standing:
    consensus = {"Q1": q1, "Q2": q2, "F": f}
    total = weighted_total(CRITERIA, SCALE, consensus)
    return Standing(proposal, total, consensus, exclusions)


WORKED = [
    standing("A", 10, 10, 0),  # 40 + 40 + 0 = 80
    standing("B", 8, 7, 6),  # 32 + 28 + 12 = 72
    standing("C", 8, 6, 8),  # 32 + 24 + 16 = 72
    standing("D", 6, 9, 6),  # 24 + 36 + 12 = 72
    standing("E", 5, 5, 5),  # 50
    standing("G", 5, 5, 5),  # 50, the same on every criterion as E
    standing("X", 10, 10, 10, ("Fails requirement 1",)),  # 100 but excluded
]


def lot_order(seed: str, proposals: list[str]) -> list[str]:
    return sorted(proposals, key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())


def test_worked_example():
    """A leads on total (80). B, C and D tie at 72. Q1 and Q2 weigh 40 each, so Q1 (published
    first) is looked at first: B 8, C 8, D 6 puts D last of the three. Q2 then separates
    B (7) from C (6). E and G tie on everything: the lot with seed "s1" decides.
    X scores 100 but fails a minimum requirement: it is listed apart, never ranked."""
    ranking = rank(WORKED, CRITERIA, seed="s1")
    lot = lot_order("s1", ["E", "G"])
    assert [p.proposal for p in ranking.places] == ["A", "B", "C", "D", *lot]
    assert [p.position for p in ranking.places] == [1, 2, 3, 4, 5, 6]
    steps = [(p.decided_by.step, p.decided_by.criterion) for p in ranking.places]
    assert steps == [
        ("total", None),
        ("criterion", "Q2"),
        ("criterion", "Q2"),
        ("criterion", "Q1"),
        ("lot", None),
        ("lot", None),
    ]
    assert ranking.places[1].tied_with == ("C", "D")
    assert ranking.places[0].tied_with == ()
    assert str(ranking.places[3].decided_by.explanation) != ""
    assert ranking.places[3].decided_by.explanation.params == {"criterion": "Approach"}
    assert [s.proposal for s in ranking.excluded] == ["X"]
    assert ranking.winner.proposal == "A"
    (drawn,) = ranking.lots
    assert drawn.seed == "s1"
    assert list(drawn.proposals) == lot
    assert list(drawn.draws) == [hashlib.sha256(f"s1:{p}".encode()).hexdigest() for p in lot]


def test_another_seed_can_turn_the_lot():
    orders = {
        tuple(p.proposal for p in rank(WORKED, CRITERIA, seed=seed).places[4:])
        for seed in "abcdefgh"
    }
    assert orders == {("E", "G"), ("G", "E")}


def test_the_lot_rule_skips_the_criteria():
    ranking = rank(WORKED, CRITERIA, seed="s1", rule="lot")
    assert [p.proposal for p in ranking.places[1:4]] == lot_order("s1", ["B", "C", "D"])
    assert {p.decided_by.step for p in ranking.places[1:]} == {"lot"}
    assert len(ranking.lots) == 2


def test_heaviest_first_then_published_order():
    criteria = [
        Criterion("a", 20, 0),
        Criterion("b", 50, 1),
        Criterion("c", 20, 2),
        Criterion("d", 10, 3),
    ]
    assert [c.key for c in tie_break_order(criteria)] == ["b", "a", "c", "d"]


def test_the_rule_is_stated_in_words():
    assert "heaviest criterion" in tie_break_rule_text("heaviest_criteria_then_lot")
    assert "heaviest" not in tie_break_rule_text("lot")


def test_nothing_to_rank():
    ranking = rank([standing("X", 1, 1, 1, ("no",))], CRITERIA, seed="s")
    assert ranking.places == () and ranking.winner is None


@pytest.mark.parametrize(
    ("standings", "kwargs", "message"),
    [
        (WORKED, {"seed": ""}, "needs a seed"),
        (WORKED, {"seed": "s", "rule": "coin"}, "unknown tie-break rule"),
        ([WORKED[0], WORKED[0]], {"seed": "s"}, "appears twice"),
        ([Standing("Z", Decimal("101"), {})], {"seed": "s"}, "0..100"),
        (
            [Standing("Z", Decimal("50"), {"Q1": 5})],
            {"seed": "s"},
            "no consensus on criterion 'Q2'",
        ),
    ],
)
def test_bad_input_is_refused(standings, kwargs, message):
    with pytest.raises(ValueError, match=message):
        rank(standings, CRITERIA, **kwargs)


# Few distinct scores, so ties on totals and on criteria are common.
scores = st.integers(0, 3).map(lambda n: n * 3)


@st.composite
def fields(draw) -> list[Standing]:
    count = draw(st.integers(0, 12))
    result = []
    for index in range(count):
        q1, q2, f = draw(scores), draw(scores), draw(scores)
        excluded = ("fails",) if draw(st.integers(0, 5)) == 0 else ()
        result.append(standing(f"p{index}", q1, q2, f, excluded))
    return result


@BOUNDED
@given(field=fields(), seed=st.text(min_size=1, max_size=8), shuffle=st.randoms())
def test_the_ranking_does_not_depend_on_input_order(field, seed, shuffle):
    shuffled = list(field)
    shuffle.shuffle(shuffled)
    assert rank(shuffled, CRITERIA, seed=seed) == rank(field, CRITERIA, seed=seed)


@BOUNDED
@given(field=fields(), seed=st.text(min_size=1, max_size=8))
def test_ranking_is_a_strict_order_that_respects_totals_and_exclusions(field, seed):
    ranking = rank(field, CRITERIA, seed=seed)
    valid = {s.proposal for s in field if not s.excluded}
    assert {p.proposal for p in ranking.places} == valid
    assert {s.proposal for s in ranking.excluded} == {s.proposal for s in field if s.excluded}
    totals = [p.total for p in ranking.places]
    assert totals == sorted(totals, reverse=True)
    assert [p.position for p in ranking.places] == list(range(1, len(valid) + 1))
    for place in ranking.places:
        if place.decided_by.step == "total":
            assert place.tied_with == ()
        else:
            assert place.tied_with


@BOUNDED
@given(field=fields(), seed=st.text(min_size=1, max_size=8))
def test_a_tie_goes_to_the_heavier_criterion_then_the_lot(field, seed):
    """Within equal totals, neighbours are ordered by (Q1, Q2, F) descending, then by draw."""
    ranking = rank(field, CRITERIA, seed=seed)
    by_key = {s.proposal: s for s in field}

    def key(proposal: str):
        s = by_key[proposal]
        draw = hashlib.sha256(f"{seed}:{proposal}".encode()).hexdigest()
        return (-s.total, -s.consensus["Q1"], -s.consensus["Q2"], -s.consensus["F"], draw)

    order = [p.proposal for p in ranking.places]
    assert order == sorted(order, key=key)


@BOUNDED
@given(seed=st.text(min_size=1, max_size=8), size=st.integers(2, 8), salt=st.integers(0, 99))
def test_a_full_tie_is_settled_by_the_seed_alone(seed, size, salt):
    field = [standing(f"p{i}", 5, 5, 5) for i in range(size)]
    first = rank(field, CRITERIA, seed=seed)
    again = rank(random.Random(salt).sample(field, size), CRITERIA, seed=seed)
    assert first == again
    assert [p.proposal for p in first.places] == lot_order(seed, [s.proposal for s in field])
