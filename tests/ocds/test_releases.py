"""The pure mapping: a worked example event by event, and properties over many snapshots
(valid against the patched schema, stable unique ids, nothing of a sealed bid)."""

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.challenges.schemas import CriterionIn, IndicatorIn
from app.ocds.records import compile_release
from app.ocds.releases import euros, record_package, release_package, releases
from app.ocds.schema import validate_record_package, validate_release, validate_release_package
from app.ocds.snapshots import (
    AmendmentSnapshot,
    AwardSnapshot,
    CriterionSnapshot,
    IndicatorSnapshot,
)
from tests.ocds.examples import AWARD, BIDS, CONTRACT, LEAD, PARTNER, PUBLISHER, RIVAL, at, full
from tests.ocds.examples import process as make_process


def by_id(found):
    return {r["id"].removeprefix("ocds-test01-7-"): r for r in found}


def test_money_is_euros_as_a_number():
    assert euros(250_000_050) == {"amount": 2500000.5, "currency": "EUR"}
    assert euros(100) == {"amount": 1, "currency": "EUR"}
    assert euros(1) == {"amount": 0.01, "currency": "EUR"}


def test_one_release_per_event_in_date_order():
    found = releases(PUBLISHER, full())
    assert [r["id"] for r in found] == [
        "ocds-test01-7-tender",
        "ocds-test01-7-enquiry-1",
        "ocds-test01-7-amendment-1",
        "ocds-test01-7-bids",
        "ocds-test01-7-award-3",
        "ocds-test01-7-contract-5",
    ]
    assert [r["tag"] for r in found] == [
        ["tender"],
        ["tenderUpdate"],
        ["tenderAmendment"],
        ["tenderUpdate"],
        ["award"],
        ["contract", "awardUpdate"],
    ]
    assert all(r["ocid"] == "ocds-test01-7" for r in found)
    assert [r["date"] for r in found] == sorted(r["date"] for r in found)
    assert releases(PUBLISHER, full()) == found  # the same ids and content every time


def test_the_tender_release_is_the_challenge_as_published():
    tender = by_id(releases(PUBLISHER, full()))["tender"]["tender"]
    assert tender["value"] == {"amount": 2500000.5, "currency": "EUR"}
    assert tender["awardCriteria"] == "qualityOnly"
    # Before the amendment the deadline was the 15th; the amendment moved it to the 20th.
    assert tender["tenderPeriod"] == {
        "startDate": "2026-03-01T09:00:00Z",
        "endDate": "2026-03-15T12:00:00Z",
    }
    (lot,) = tender["lots"]
    assert lot["awardCriteria"]["criteria"] == [
        {
            "type": "quality",
            "name": "Aanpak",
            "numbers": [{"number": 60, "weight": "percentageExact"}],
        },
        {
            "type": "quality",
            "name": "Resultaat",
            "numbers": [{"number": 40, "weight": "percentageExact"}],
        },
    ]
    (target,) = tender["targets"]
    assert [(o["id"], o["measure"]) for o in target["observations"]] == [
        ("baseline", 40.0),
        ("target", 200),
    ]


def test_an_amendment_carries_its_rationale_and_the_new_state():
    amendment = by_id(releases(PUBLISHER, full()))["amendment-1"]["tender"]
    assert amendment["tenderPeriod"]["endDate"] == "2026-03-20T12:00:00Z"
    assert amendment["amendments"] == [
        {
            "id": "1",
            "date": "2026-03-05T09:00:00Z",
            "rationale": "Langere inschrijftermijn",
            "description": "Changed: submission_deadline",
            "amendsReleaseID": "ocds-test01-7-tender",
            "releaseID": "ocds-test01-7-amendment-1",
        }
    ]


def test_an_enquiry_is_anonymous():
    (enquiry,) = by_id(releases(PUBLISHER, full()))["enquiry-1"]["tender"]["enquiries"]
    assert enquiry == {
        "id": "1",
        "date": "2026-03-03T09:00:00Z",
        "title": "Question 1",
        "description": "Mag een coalitie groter zijn?",
        "answer": "Ja.",
        "dateAnswered": "2026-03-04T09:00:00Z",
    }
    assert "author" not in enquiry


def test_bids_list_every_member_and_the_lead_is_lead_tenderer():
    release = by_id(releases(PUBLISHER, full()))["bids"]
    details = release["bids"]["details"]
    assert [[t["name"] for t in d["tenderers"]] for d in details] == [
        ["Stichting Perspectief", "Sportclub Oost"],
        ["Welzijn BV"],
    ]
    roles = {p["name"]: p["roles"] for p in release["parties"]}
    assert roles["Stichting Perspectief"] == ["tenderer", "leadTenderer"]
    assert roles["Sportclub Oost"] == ["tenderer"]
    assert roles["Welzijn BV"] == ["tenderer", "leadTenderer"]


def test_the_award_is_pending_then_active_with_the_contract():
    found = releases(PUBLISHER, full())
    award = by_id(found)["award-3"]["awards"][0]
    assert award["status"] == "pending"
    assert [s["name"] for s in award["suppliers"]] == ["Stichting Perspectief", "Sportclub Oost"]
    compiled = compile_release(found)
    (award,) = compiled["awards"]
    (contract,) = compiled["contracts"]
    assert award["status"] == "active" and award["date"] == "2026-03-25T09:00:00Z"
    assert contract["awardID"] == "3" and contract["status"] == "active"
    assert contract["period"] == {
        "startDate": "2026-06-01T00:00:00Z",
        "endDate": "2027-05-31T23:59:59Z",
    }
    (metric,) = contract["agreedMetrics"]
    assert [(o["id"], o["measure"]) for o in metric["observations"]] == [
        ("baseline", 40.0),
        ("target", 220.0),
    ]
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles["Stichting Perspectief"] == ["tenderer", "leadTenderer", "supplier"]
    assert roles["Welzijn BV"] == ["tenderer", "leadTenderer"]
    assert compiled["tender"]["enquiries"][0]["answer"] == "Ja."
    assert compiled["tender"]["tenderPeriod"]["endDate"] == "2026-03-20T12:00:00Z"


def test_a_withdrawn_award_is_cancelled():
    withdrawn = AwardSnapshot(
        2, at(22), "withdrawn", (RIVAL,), RIVAL.organisation_id, None, at(24), "Rekenfout."
    )
    found = releases(PUBLISHER, make_process(bids=BIDS, awards=(withdrawn, AWARD)))
    cancellation = by_id(found)["award-2-withdrawn"]
    assert cancellation["tag"] == ["awardCancellation"]
    statuses = {a["id"]: a["status"] for a in compile_release(found)["awards"]}
    assert statuses == {"2": "cancelled", "3": "pending"}


def test_cancelled_and_unsuccessful_end_the_tender():
    cancelled = make_process(status="cancelled", cancelled_at=at(8), cancel_reason="Geen geld.")
    assert compile_release(releases(PUBLISHER, cancelled))["tender"]["status"] == "cancelled"
    ended = make_process(
        status="unsuccessful", unsuccessful_at=at(28), unsuccessful_reason="Geen voorstel."
    )
    compiled = compile_release(releases(PUBLISHER, ended))
    assert compiled["tender"]["status"] == "unsuccessful"
    assert compiled["tender"]["description"].endswith("Ended: Geen voorstel.")


def test_packages_declare_publisher_licence_version_and_extensions():
    found = releases(PUBLISHER, full())
    package = release_package(PUBLISHER, found, at(31), "https://x.nl/r", "https://x.nl/r?c=1")
    assert validate_release_package(package) == []
    assert package["version"] == "1.1" and len(package["extensions"]) == 10
    assert package["publisher"] == {"name": PUBLISHER.name, "uri": PUBLISHER.uri}
    assert package["links"] == {"next": "https://x.nl/r?c=1"}
    compiled = compile_release(found)
    records = record_package(PUBLISHER, "ocds-test01-7", found, compiled, at(31), "https://x.nl")
    assert validate_record_package(records) == []


# --- properties ---------------------------------------------------------------------------

members = st.sampled_from([LEAD, PARTNER, RIVAL])
moments = st.integers(min_value=0, max_value=60 * 24 * 60).map(
    lambda m: at(1) + timedelta(minutes=m)
)


@st.composite
def snapshots(draw):
    sealed = draw(st.booleans())
    contracted = draw(st.booleans())
    return make_process(
        budget_cents=draw(st.none() | st.integers(min_value=1, max_value=10**13)),
        published_at=draw(moments),
        bids=None if sealed else BIDS[: draw(st.integers(0, 2))],
        awards=(AWARD,) if contracted else (),
        contract=CONTRACT if contracted else None,
    )


@settings(max_examples=40, deadline=None)
@given(snapshots())
def test_every_release_and_the_compiled_one_validate(process):
    found = releases(PUBLISHER, process)
    assert all(validate_release(r) == [] for r in found)
    assert len({r["id"] for r in found}) == len(found)
    assert validate_release(compile_release(found)) == []


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2))
def test_a_sealed_process_says_nothing_of_its_bids(count):
    sealed = make_process(bids=None)
    text = json.dumps(releases(PUBLISHER, sealed))
    assert '"bids"' not in text and "numberOfTenderers" not in text
    for party in (LEAD, PARTNER, RIVAL):
        assert party.name not in text
    opened = json.dumps(releases(PUBLISHER, make_process(bids=BIDS[:count])))
    assert f'"numberOfTenderers": {count}' in opened


# --- amendments show the indicators and criteria of their time --------------------------------


def test_each_release_shows_the_indicators_and_criteria_as_they_stood():
    old = IndicatorIn(name="Jongeren aan het werk", unit="jongeren", target_value=150)
    new = old.model_copy(update={"target_value": 200.0, "baseline_value": 40.0})
    added = IndicatorIn(name="Jongeren in opleiding", unit="jongeren", target_value=30)
    criteria = [CriterionIn(name="Aanpak", weight=60), CriterionIn(name="Resultaat", weight=40)]
    renamed = [criteria[0].model_copy(update={"name": "Plan van aanpak"}), criteria[1]]

    def dumped(rows):
        return [row.model_dump(mode="json") for row in rows]

    amendment = AmendmentSnapshot(
        1,
        at(5),
        "Hoger doel, een indicator erbij",
        {
            "indicators": {"old": dumped([old]), "new": dumped([new, added])},
            "criteria": {"old": dumped(criteria), "new": dumped(renamed)},
        },
    )
    process = make_process(
        amendments=(amendment,),
        indicators=(
            IndicatorSnapshot(
                0, "Jongeren aan het werk", "jongeren", "", "increase", 40.0, None, 200
            ),
            IndicatorSnapshot(
                1, "Jongeren in opleiding", "jongeren", "", "increase", None, None, 30
            ),
        ),
        criteria=(
            CriterionSnapshot(0, "Plan van aanpak", 60),
            CriterionSnapshot(1, "Resultaat", 40),
        ),
    )
    found = by_id(releases(PUBLISHER, process))

    def targets(release):
        return [
            (m["title"], [(o["id"], o["measure"]) for o in m["observations"]])
            for m in release["tender"]["targets"]
        ]

    def criteria_of(release):
        return [c["name"] for c in release["tender"]["lots"][0]["awardCriteria"]["criteria"]]

    assert targets(found["tender"]) == [("Jongeren aan het werk", [("target", 150)])]
    assert criteria_of(found["tender"]) == ["Aanpak", "Resultaat"]
    assert "Aanpak: 60%" in found["tender"]["tender"]["awardCriteriaDetails"]
    assert targets(found["amendment-1"]) == [
        ("Jongeren aan het werk", [("baseline", 40.0), ("target", 200)]),
        ("Jongeren in opleiding", [("target", 30)]),
    ]
    assert criteria_of(found["amendment-1"]) == ["Plan van aanpak", "Resultaat"]
    compiled = compile_release(list(found.values()))
    assert [m["title"] for m in compiled["tender"]["targets"]] == [
        "Jongeren aan het werk",
        "Jongeren in opleiding",
    ]
    assert all(validate_release(r) == [] for r in found.values())
