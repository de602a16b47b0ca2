"""Time both cuts of a scenario: 2,000 contracts × 10 target groups, seeded.

    .venv/bin/python bench/cut_scenarios.py [--contracts 2000] [--groups 10] [--runs 15] [--seed 7]

Per run, on random but seeded contracts (budgets € 10,000 to € 900,000, expected results 0 to
500 units, one to three target groups each, about 10 % marked protected, about a third with a
floor, a fifth of them estimated; results often repeat, so equal results per euro occur), a
saving of 12 % with one target group protected: the flat cut, the results-based cut, the whole
scenario (checks, both cuts, the assumptions) and its CSV export. Prints the median, min and max
of the runs per step, as wall clock and as the CPU time this process used (which a busy machine
disturbs less). The issue's target is a scenario over 1,000 contracts in under 100 ms. The figure
is for reading, not for asserting: it depends on the machine.
"""

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.results.cuts import CutContract, Saving, cut_scenario, flat_cut, results_cut  # noqa: E402
from app.results.export import scenario_csv  # noqa: E402


def make_contracts(count: int, groups: int, seed: int) -> list[CutContract]:
    rng = random.Random(seed)
    names = [f"group-{n:02d}" for n in range(groups)]
    contracts = []
    for n in range(count):
        budget = rng.randint(10_000_00, 900_000_00)
        contracts.append(
            CutContract(
                id=f"contract-{n:05d}",
                budget_cents=budget,
                expected_results=rng.choice([rng.randint(0, 500), 100, 250]),
                target_groups=tuple(rng.sample(names, rng.randint(1, 3))),
                protected=rng.random() < 0.1,
                floor_cents=budget * rng.randint(50, 90) // 100 if rng.random() < 0.33 else 0,
                estimated=rng.random() < 0.2,
                name=f"Contract {n}",
            )
        )
    rng.shuffle(contracts)
    return contracts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    contracts = make_contracts(args.contracts, args.groups, args.seed)
    saving = Saving.of_percentage(12)
    protected = {"group-03"}
    steps = {
        "flat cut": lambda: flat_cut(contracts, saving, protected),
        "results-based cut": lambda: results_cut(contracts, saving, protected),
        "scenario (both cuts)": lambda: cut_scenario(contracts, saving, protected),
    }
    scenario = cut_scenario(contracts, saving, protected)
    steps["CSV export"] = lambda: scenario_csv(scenario)
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():
        step()  # warm-up
    for _ in range(args.runs):
        for name, step in steps.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            step()
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)

    print(
        f"{args.contracts} contracts × {args.groups} target groups, {args.runs} runs, "
        f"Python {platform.python_version()} on {platform.machine()}"
    )
    print(
        f"saving {scenario.saving_cents / 100:,.2f} EUR of {scenario.total_budget_cents / 100:,.2f}"
        f"; short {scenario.flat.short_cents / 100:,.2f}; results lost: flat "
        f"{scenario.flat.results_lost_shown}, results-based {scenario.results.results_lost_shown}"
    )
    print(f"{'step':<22}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'CPU median':>12}")
    for name in steps:
        values = wall[name]
        print(
            f"{name:<22}{statistics.median(values):>10.2f}{min(values):>9.2f}"
            f"{max(values):>9.2f}{statistics.median(cpu[name]):>12.2f}"
        )
    total = statistics.median(wall["scenario (both cuts)"])
    print(
        f"median scenario {total:.2f} ms, {statistics.median(cpu['scenario (both cuts)']):.2f} ms "
        f"of CPU (target under 100 ms for 1,000 contracts)"
    )


if __name__ == "__main__":
    main()
