"""Many contracts of one municipality at once, inserted in bulk (no services: speed only), for the
portfolio's statement counts (tests/results/test_portfolio_queries.py) and its benchmark
(bench/portfolio_queries.py).

Every contract runs two years from 1 January 2026, reported quarterly, with two indicators: one
at contract price, and one that every other contract values with an outcome value per unit.
Themes and target groups take turns. A contract whose number is divisible by 5 has no accepted
report yet (estimated); the others have an accepted report per ended quarter, with values that
differ per contract, and a payment per ended quarter every third contract.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from app.challenges.models import Challenge, ChallengeStatus, Direction, Frequency, Indicator, Theme
from app.contracts.models import Contract, ContractIndicator, ContractStatus, ReportingPeriod
from app.contracts.periods import reporting_periods
from app.results.models import ContractPayment, ReportStatus, ReportValue, ResultReport

START, END = date(2026, 1, 1), date(2027, 12, 31)
GROUPS = (
    "Jongeren van 16 tot 23 jaar",
    "Huishoudens met problematische schulden",
    "Werkzoekenden in de bijstand",
    "Kinderen in de Oostwijk",
    "",  # a challenge that names no target group
)
THEMES = tuple(Theme)
# In the order they are inserted (parents first).
MODELS = (
    Challenge,
    Indicator,
    Contract,
    ContractIndicator,
    ReportingPeriod,
    ResultReport,
    ReportValue,
    ContractPayment,
)


def portfolio_rows(
    count: int,
    *,
    first: dict[Any, int],
    organisation_id: int,
    user_id: int,
    coalition_id: int,
    submission_id: int,
    today: date,
) -> dict[Any, list[dict[str, Any]]]:
    """The rows of `count` contracts per table, with ids from `first` (per model) on."""
    rows: dict[Any, list[dict[str, Any]]] = {model: [] for model in MODELS}
    ids = dict(first)

    def next_id(model) -> int:
        ids[model] += 1
        return ids[model] - 1

    moment = datetime(2025, 6, 1, 9, tzinfo=UTC)
    periods = reporting_periods(START, END, "quarterly")
    ended = [p for p in periods if p.end < today]
    for n in range(count):
        challenge_id, contract_id = next_id(Challenge), next_id(Contract)
        value = 100_000_00 + 1_000_00 * (n % 50)
        published = moment + timedelta(minutes=n)
        rows[Challenge].append(
            {
                "id": challenge_id,
                "organisation_id": organisation_id,
                "status": ChallengeStatus.published,
                "theme": THEMES[n % len(THEMES)],
                "title": f"Opgave {challenge_id}",
                "target_group": GROUPS[n % len(GROUPS)],
                "budget_cents": value,
                "period_start": START,
                "period_end": END,
                "submission_deadline": published + timedelta(days=30),
                "created_by_id": user_id,
                "created_at": published,
                "updated_at": published,
                "published_at": published,
            }
        )
        rows[Contract].append(
            {
                "id": contract_id,
                "reference": f"PF-{contract_id:07d}",
                "challenge_id": challenge_id,
                "coalition_id": coalition_id,
                "submission_id": submission_id,
                "coalition_name": f"Coalitie {n % 40}",
                "version": 1,
                "receipt_number": f"PF-R-{contract_id:07d}",
                "content_hash": "0" * 64,
                "value_cents": value,
                "period_start": START,
                "period_end": END,
                "status": ContractStatus.running,
                "fixed_share_bp": 8000,
                "results_cap_cents": value // 5,
                "payment_frequency": Frequency.quarterly,
                "created_at": published + timedelta(days=60),
                "created_by_id": user_id,
            }
        )
        # (name, direction, baseline, target, outcome value per unit)
        specs = [
            ("Jongeren aan het werk", Direction.increase, 40.0, 60.0, None),
            (
                "Dagen tot een plan",
                Direction.decrease,
                120.0,
                80.0,
                25_000 if n % 2 else None,
            ),
        ]
        indicator_ids = []
        for position, (name, direction, baseline, target, outcome) in enumerate(specs):
            indicator_id, own_id = next_id(Indicator), next_id(ContractIndicator)
            indicator_ids.append(own_id)
            rows[Indicator].append(
                {
                    "id": indicator_id,
                    "challenge_id": challenge_id,
                    "position": position,
                    "name": name,
                    "baseline_value": baseline,
                    "direction": direction,
                    "target_value": target,
                    "reporting_frequency": Frequency.quarterly,
                    "outcome_value_cents": outcome,
                }
            )
            rows[ContractIndicator].append(
                {
                    "id": own_id,
                    "contract_id": contract_id,
                    "indicator_id": indicator_id,
                    "position": position,
                    "name": name,
                    "direction": direction,
                    "baseline_value": baseline,
                    "committed_target": target,
                    "reporting_frequency": Frequency.quarterly,
                }
            )
            for period in periods:
                rows[ReportingPeriod].append(
                    {
                        "id": next_id(ReportingPeriod),
                        "contract_indicator_id": own_id,
                        "number": period.number,
                        "start": period.start,
                        "end": period.end,
                        "due": period.due,
                    }
                )
        if n % 5 == 0:
            continue
        for period in ended:
            report_id = next_id(ResultReport)
            submitted = datetime.combine(period.end, datetime.min.time(), UTC) + timedelta(days=9)
            rows[ResultReport].append(
                {
                    "id": report_id,
                    "contract_id": contract_id,
                    "period": period.number,
                    "version": 1,
                    "status": ReportStatus.accepted,
                    "submitted_at": submitted,
                    "submitted_by_id": user_id,
                    "decided_at": submitted + timedelta(days=3),
                    "decided_by_id": user_id,
                }
            )
            step = period.number * (n % 7)
            for position, (own_id, level) in enumerate(
                zip(indicator_ids, (40.0 + step, 120.0 - step), strict=True)
            ):
                rows[ReportValue].append(
                    {
                        "id": next_id(ReportValue),
                        "report_id": report_id,
                        "contract_indicator_id": own_id,
                        "position": position,
                        "value": level,
                        "people": 3 + n % 40,
                    }
                )
            if n % 3 == 0:
                rows[ContractPayment].append(
                    {
                        "id": next_id(ContractPayment),
                        "contract_id": contract_id,
                        "period": period.number,
                        "amount_cents": value // 10,
                        "paid_on": period.end + timedelta(days=20),
                        "recorded_at": submitted + timedelta(days=20),
                        "recorded_by_id": user_id,
                    }
                )
    return rows


def chunks(rows: list[dict[str, Any]], size: int = 2_000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def add_contracts(db, count: int, **where: Any) -> None:
    """`count` contracts more (see portfolio_rows), in the session's transaction."""
    first = {
        model: (await db.scalar(select(func.coalesce(func.max(model.id), 0)))) + 1
        for model in MODELS
    }
    rows = portfolio_rows(count, first=first, **where)
    for model in MODELS:
        for part in chunks(rows[model]):
            await db.execute(insert(model), part)


def add_contracts_sync(connection, count: int, **where: Any) -> None:
    """The same on a synchronous connection (the benchmark's)."""
    run: Callable = connection.scalar
    first = {model: run(select(func.coalesce(func.max(model.id), 0))) + 1 for model in MODELS}
    rows = portfolio_rows(count, first=first, **where)
    for model in MODELS:
        for part in chunks(rows[model]):
            connection.execute(insert(model), part)
