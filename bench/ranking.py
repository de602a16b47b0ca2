"""Time the pure evaluation pipeline: 200 proposals × 7 evaluators × 8 criteria, seeded.

    .venv/bin/python bench/ranking.py [--proposals 200] [--evaluators 7] [--runs 15] [--seed 9]

Per run, on random but seeded data (scale 0..10, 6 quality and 2 formula criteria, 3 minimum
requirements of which about 5% of proposals fail one, about 3% of declarations a conflict): the
recusals, the exclusions, the spread of every criterion's individual scores, a consensus per
quality criterion (the median here, standing in for the chair), both formula criteria, every
weighted total and the ranking. Scores are whole numbers from a narrow band, so ties, the
criterion tie-break and the lot all occur. Prints the median and spread of the runs, per step and
in total (wall clock, and the CPU time this process used, which a busy machine disturbs less);
the target for the whole pipeline is under 50 ms. The figure is for reading, not for
asserting: it depends on the machine.
"""

import argparse
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.evaluation.eligibility import (  # noqa: E402
    Declaration,
    RequirementVerdict,
    exclusions,
    recusals,
)
from app.evaluation.formula import FormulaIndicator, formula_scores  # noqa: E402
from app.evaluation.ranking import Standing, rank  # noqa: E402
from app.evaluation.scores import Criterion, Scale, spread, weighted_total  # noqa: E402

SCALE = Scale(0, 10)
CRITERIA = [
    Criterion("q1", 20, 0, name="Approach"),
    Criterion("q2", 15, 1, name="Theory of change"),
    Criterion("q3", 15, 2, name="Coalition"),
    Criterion("q4", 10, 3, name="Target group"),
    Criterion("q5", 10, 4, name="Continuity"),
    Criterion("q6", 10, 5, name="Learning"),
    Criterion("f1", 10, 6, kind="formula", name="Ambition: work", indicator="i1"),
    Criterion("f2", 10, 7, kind="formula", name="Ambition: debts", indicator="i2"),
]
INDICATORS = {
    "i1": FormulaIndicator(40, "increase", "%"),
    "i2": FormulaIndicator(120, "decrease", "days"),
}
REQUIREMENTS = [1, 2, 3]


def make_data(proposals: int, evaluators: int, seed: int) -> dict:
    rng = random.Random(seed)
    keys = [f"proposal-{n:04d}" for n in range(proposals)]
    members = [f"evaluator-{n}" for n in range(evaluators)]
    declarations = [
        Declaration(m, p, conflict, "works there" if conflict else "")
        for m in members
        for p in keys
        for conflict in [rng.random() < 0.03]
    ]
    verdicts = [
        RequirementVerdict(p, r, passed, "" if passed else "not met")
        for p in keys
        for r in REQUIREMENTS
        for passed in [rng.random() >= 0.017]
    ]
    quality = [c for c in CRITERIA if c.kind == "quality"]
    scores = {(m, p, c.key): rng.randint(4, 9) for m in members for p in keys for c in quality}
    targets = {
        "i1": {p: 40 + rng.randint(-2, 20) for p in keys},
        "i2": {p: 120 - rng.randint(-5, 40) for p in keys},
    }
    # Every 40th proposal copies the scores and targets of the one before (not its declarations),
    # so that some ties go all the way to the lot.
    for n in range(1, proposals, 40):
        twin, original = keys[n], keys[n - 1]
        for m in members:
            for c in quality:
                scores[(m, twin, c.key)] = scores[(m, original, c.key)]
        for values in targets.values():
            values[twin] = values[original]
    return {
        "keys": keys,
        "members": members,
        "declarations": declarations,
        "verdicts": verdicts,
        "scores": scores,
        "targets": targets,
    }


def pipeline(data: dict, lot_seed: str, timings: dict[str, list[float]]) -> object:
    def lap(name: str, started: float) -> float:
        now = time.perf_counter()
        timings.setdefault(name, []).append((now - started) * 1000)
        return now

    started = time.perf_counter()
    first, first_cpu = started, time.process_time()
    keys, members = data["keys"], data["members"]
    who = recusals(members, keys, data["declarations"])
    excluded = exclusions(data["verdicts"])
    started = lap("recusals and exclusions", started)

    consensus: dict[str, dict[str, object]] = {p: {} for p in keys}
    large = 0
    for p in keys:
        judges = [m for m in members if who.may_judge(m, p)]
        for c in CRITERIA:
            if c.kind != "quality":
                continue
            individual = [data["scores"][(m, p, c.key)] for m in judges]
            large += spread(individual, SCALE).large
            consensus[p][c.key] = int(statistics.median_low(individual))
    started = lap("spread and consensus", started)

    for c in CRITERIA:
        if c.kind == "formula":
            result = formula_scores(
                INDICATORS[c.indicator], SCALE, data["targets"][c.indicator], excluded
            )
            for p, score in result.scores.items():
                consensus[p][c.key] = score.score
    started = lap("formula criteria", started)

    standings = []
    for p in keys:
        reasons = tuple(v.reason for v in excluded.get(p, ()))
        if reasons:
            standings.append(Standing(p, Decimal(0), consensus[p], reasons))
            continue
        standings.append(Standing(p, weighted_total(CRITERIA, SCALE, consensus[p]), consensus[p]))
    started = lap("weighted totals", started)

    ranking = rank(standings, CRITERIA, seed=lot_seed)
    lap("ranking", started)
    timings.setdefault("total", []).append((time.perf_counter() - first) * 1000)
    timings.setdefault("total, CPU time", []).append((time.process_time() - first_cpu) * 1000)
    return ranking, large


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=200)
    parser.add_argument("--evaluators", type=int, default=7)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    data = make_data(args.proposals, args.evaluators, args.seed)
    timings: dict[str, list[float]] = {}
    pipeline(data, "warm-up", {})
    for _ in range(args.runs):
        ranking, large = pipeline(data, f"lot-{args.seed}", timings)

    steps = [p.decided_by.step for p in ranking.places]
    print(
        f"{args.proposals} proposals × {args.evaluators} evaluators × {len(CRITERIA)} criteria, "
        f"{args.runs} runs, Python {platform.python_version()} on {platform.machine()}"
    )
    print(
        f"ranked {len(ranking.places)}, excluded {len(ranking.excluded)}; places decided by "
        f"total {steps.count('total')}, criterion {steps.count('criterion')}, "
        f"lot {steps.count('lot')} ({len(ranking.lots)} lots); large spreads {large}"
    )
    print(f"{'step':<26}{'median ms':>10}{'min ms':>9}{'max ms':>9}")
    for name, values in timings.items():
        print(f"{name:<26}{statistics.median(values):>10.2f}{min(values):>9.2f}{max(values):>9.2f}")
    total = statistics.median(timings["total"])
    cpu = statistics.median(timings["total, CPU time"])
    print(
        f"median total {total:.2f} ms, {cpu:.2f} ms of CPU "
        f"(target under 50 ms): {'met' if total < 50 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
