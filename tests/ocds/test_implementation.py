"""Results and payments as implementation releases (the pure mapping): a worked example, the
small counts, the payer and payee, and properties over many reports and payments (valid, ids
stable and unique whatever the order, the compiled release holds every period and payment)."""

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocds.implementation import SMALL_NOTE, implementation_events
from app.ocds.records import compile_release
from app.ocds.releases import _compact, record_package, release_package, releases
from app.ocds.schema import validate_record_package, validate_release, validate_release_package
from app.ocds.snapshots import AcceptedReport, ObservedValue, PaymentSnapshot
from tests.ocds.examples import (
    AWARD,
    BIDS,
    BUYER,
    LEAD,
    PARTNER,
    PAYMENTS,
    PUBLISHER,
    REPORTS,
    TWO_INDICATORS,
    later,
    process,
    with_results,
)

OCID = "ocds-test01-7"


def by_id(found):
    return {r["id"].removeprefix(f"{OCID}-"): r for r in found}


def implementation(release):
    (contract,) = release["contracts"]
    assert contract == {
        "id": "5",
        "awardID": "3",
        "implementation": contract["implementation"],
    }
    return contract["implementation"]


def test_one_implementation_release_per_accepted_report_and_per_payment():
    found = releases(PUBLISHER, with_results())
    tail = [(r["id"].removeprefix(f"{OCID}-"), r["tag"]) for r in found][-5:]
    assert tail == [
        ("contract-5", ["contract", "awardUpdate"]),
        ("implementation-report-17", ["implementation"]),
        ("implementation-payment-4", ["implementation"]),
        ("implementation-report-21", ["implementation"]),
        ("implementation-payment-9", ["implementation"]),
    ]
    assert by_id(found)["implementation-report-17"]["date"] == "2026-10-17T09:00:00Z"
    assert by_id(found)["implementation-payment-4"]["date"] == "2026-11-01T09:00:00Z"
    package = release_package(PUBLISHER, found, later(301), "https://x.nl/r")
    assert validate_release_package(package) == []


def test_a_report_is_a_metric_per_indicator_with_the_period_observed():
    metrics = implementation(by_id(releases(PUBLISHER, with_results()))["implementation-report-21"])
    assert metrics == {
        "metrics": [
            {
                "id": "1",
                "title": "Jongeren aan het werk",
                "observations": [
                    {
                        "id": "period-2",
                        "period": {
                            "startDate": "2026-09-01T00:00:00Z",
                            "endDate": "2026-11-30T23:59:59Z",
                        },
                        "measure": 52.0,
                        "unit": {"name": "jongeren"},
                        "dimensions": {"numberOfPeople": "52"},
                    }
                ],
            },
            {
                "id": "2",
                "title": "Dagen tot een plan",
                "observations": [
                    {
                        "id": "period-2",
                        "period": {
                            "startDate": "2026-09-01T00:00:00Z",
                            "endDate": "2026-11-30T23:59:59Z",
                        },
                        "measure": 101.5,
                        "dimensions": {"numberOfPeople": "12"},
                    }
                ],
            },
        ]
    }


def test_a_small_count_reads_less_than_five_without_the_value():
    report = by_id(releases(PUBLISHER, with_results()))["implementation-report-17"]
    small = implementation(report)["metrics"][1]["observations"][0]
    assert small == {
        "id": "period-1",
        "period": {"startDate": "2026-06-01T00:00:00Z", "endDate": "2026-08-31T23:59:59Z"},
        "dimensions": {"numberOfPeople": "<5"},
        "notes": SMALL_NOTE,
    }
    assert validate_release(report) == []


def test_a_payment_is_a_transaction_from_the_municipality_to_the_lead():
    found = by_id(releases(PUBLISHER, with_results()))
    payment = found["implementation-payment-4"]
    assert implementation(payment) == {
        "transactions": [
            {
                "id": "4",
                "date": "2026-10-30T00:00:00Z",
                "value": {"amount": 31250.01, "currency": "EUR"},
                "payer": {"id": BUYER.party_id, "name": BUYER.name},
                "payee": {"id": LEAD.party_id, "name": LEAD.name},
            }
        ]
    }
    roles = {p["id"]: p["roles"] for p in payment["parties"]}
    assert roles == {
        BUYER.party_id: ["buyer", "procuringEntity", "payer"],
        LEAD.party_id: ["tenderer", "leadTenderer", "supplier", "payee"],
    }
    # Before the first payment the buyer is not yet a payer; from then on every release says so.
    before = found["implementation-report-17"]["parties"]
    after = found["implementation-report-21"]["parties"]
    assert before == [
        {"id": BUYER.party_id, "name": BUYER.name, "roles": ["buyer", "procuringEntity"]}
    ]
    assert after[0]["roles"] == ["buyer", "procuringEntity", "payer"]


def test_the_compiled_release_has_every_period_and_every_payment():
    found = releases(PUBLISHER, with_results())
    compiled = compile_release(found)
    (contract,) = compiled["contracts"]
    assert contract["status"] == "active" and contract["agreedMetrics"]
    metrics = contract["implementation"]["metrics"]
    assert [(m["id"], [o["id"] for o in m["observations"]]) for m in metrics] == [
        ("1", ["period-1", "period-2"]),
        ("2", ["period-1", "period-2"]),
    ]
    assert [o.get("measure") for o in metrics[0]["observations"]] == [45.0, 52.0]
    assert [o.get("measure") for o in metrics[1]["observations"]] == [None, 101.5]
    transactions = contract["implementation"]["transactions"]
    assert [(t["id"], t["value"]["amount"]) for t in transactions] == [
        ("4", 31250.01),
        ("9", 31250),
    ]
    roles = {p["id"]: p["roles"] for p in compiled["parties"]}
    assert roles[BUYER.party_id] == ["buyer", "procuringEntity", "payer"]
    assert roles[LEAD.party_id] == ["tenderer", "leadTenderer", "supplier", "payee"]
    assert roles[PARTNER.party_id] == ["tenderer", "supplier"]
    assert validate_release(compiled) == []
    package = record_package(PUBLISHER, OCID, found, compiled, later(301), "https://x.nl")
    assert validate_record_package(package) == []


def test_no_implementation_release_without_a_contract():
    events = implementation_events(BUYER, TWO_INDICATORS, REPORTS, PAYMENTS)
    found = releases(PUBLISHER, process(bids=BIDS, awards=(AWARD,), implementation=events))
    assert not any("implementation" in r["tag"] for r in found)


def test_a_report_without_a_known_indicator_publishes_nothing():
    stray = AcceptedReport(
        30, 3, later(400), (ObservedValue(9, 3, date(2027, 1, 1), date(2027, 3, 31), 1.0, "8"),)
    )
    assert implementation_events(BUYER, TWO_INDICATORS, (stray,)) == ()


# --- properties ---------------------------------------------------------------------------

people = st.integers(min_value=0, max_value=10**6)


@st.composite
def results(draw):
    """Accepted reports on some of eight quarters and payments, with random ids and counts."""
    periods = draw(st.lists(st.integers(1, 8), unique=True, max_size=8))
    ids = draw(st.lists(st.integers(1, 10**6), unique=True, min_size=16, max_size=16))
    reports = []
    for index, period in enumerate(periods):
        start = date(2026, 6, 1) + timedelta(days=91 * (period - 1))
        values = []
        for position in draw(st.sets(st.sampled_from([0, 1]), min_size=1)):
            count = draw(people)
            value = draw(st.floats(-1e6, 1e6, allow_nan=False))
            small = count < 5
            values.append(
                ObservedValue(
                    position,
                    period,
                    start,
                    start + timedelta(days=90),
                    None if small else value,
                    "<5" if small else str(count),
                )
            )
        accepted_at = later(100 + 91 * period + draw(st.integers(0, 60)))
        reports.append(AcceptedReport(ids[index], period, accepted_at, tuple(values)))
    payments = [
        PaymentSnapshot(
            ids[8 + index],
            index + 1,
            draw(st.integers(1, 10**11)),
            date(2026, 9, 1) + timedelta(days=91 * index),
            later(150 + 91 * index + draw(st.integers(0, 60))),
        )
        for index in range(draw(st.integers(0, 8)))
    ]
    return tuple(reports), tuple(payments)


@settings(max_examples=40, deadline=None)
@given(results(), st.randoms(use_true_random=False))
def test_every_implementation_release_validates_with_stable_unique_ids(
    found, shuffler: random.Random
):
    reports, payments = found
    process_ = with_results(reports, payments)
    # Published as made (releases.py does not compact it again): nothing empty in it.
    assert all(_compact(e.implementation) == e.implementation for e in process_.implementation)
    made = releases(PUBLISHER, process_)
    assert all(validate_release(r) == [] for r in made)
    assert len({r["id"] for r in made}) == len(made)
    ids = {r["id"] for r in made if "implementation" in r["tag"]}
    assert ids == {f"{OCID}-implementation-report-{r.report_id}" for r in reports} | {
        f"{OCID}-implementation-payment-{p.payment_id}" for p in payments
    }
    shuffled = list(reports), list(payments)
    for items in shuffled:
        shuffler.shuffle(items)
    assert releases(PUBLISHER, with_results(*map(tuple, shuffled))) == made
    compiled = compile_release(made)
    assert validate_release(compiled) == []
    implementation_ = compiled["contracts"][0].get("implementation", {})
    observed = {
        (m["id"], o["id"]) for m in implementation_.get("metrics", []) for o in m["observations"]
    }
    assert observed == {
        (str(v.indicator_position + 1), f"period-{v.period}") for r in reports for v in r.values
    }
    paid = [t["id"] for t in implementation_.get("transactions", [])]
    assert sorted(paid) == sorted(str(p.payment_id) for p in payments)
