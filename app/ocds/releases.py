"""The OCDS mapping: plain snapshots of one challenge's public facts in, one release per event
out (publication, each amendment, each answered question, the opened bids, each award decision
and its withdrawal, the contract, cancellation or no award). No database, no clock.

A challenge is one contracting process (`ocid` = prefix + challenge id). Each release holds
only what its event says; arrays of objects carry ids, so ocdsmerge's identifier merge puts the
releases together into the compiled release. Release ids are the ocid plus the event and its
number, so they stay the same however often the feed is built. What a snapshot leaves out
(sealed bids, an award decision its reader may not see) is simply not published: the service
decides that with permissions.py, this module never does.

Implementation: a snapshot's `implementation` holds ready-made `ImplementationEvent`s (each
accepted result report and each payment, made by app/ocds/implementation.py), each published as
an `implementation` release carrying `contracts[].implementation` (metrics with observations,
transactions). A payment's payee (the coalition's lead) is declared with the role `payee`, and
the buyer is `payer` in every release from the first payment on.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from app.ocds.schema import VERSION, extension_urls
from app.ocds.snapshots import (
    AmendmentSnapshot,
    AwardSnapshot,
    BidSnapshot,
    ContractIndicatorSnapshot,
    ContractSnapshot,
    CriterionSnapshot,
    IndicatorSnapshot,
    Party,
    ProcessSnapshot,
    Publisher,
)

CURRENCY = "EUR"


# --- small conversions ---------------------------------------------------------------------


def moment(value: datetime) -> str:
    """RFC 3339 in UTC, to the second, as OCDS dates are."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # isoformat, not strftime: the same text, several times faster for the bulk download.
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def day_start(value: date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def day_end(value: date) -> str:
    return f"{value.isoformat()}T23:59:59Z"


def euros(cents: int) -> dict[str, Any]:
    """A Value: the amount in euros as a number (cents / 100), never a string."""
    amount = cents / 100
    return {"amount": int(amount) if cents % 100 == 0 else amount, "currency": CURRENCY}


def _compact(value: dict[str, Any]) -> dict[str, Any]:
    """Drop empty strings, None, empty lists and objects: OCDS wants absent, not empty. (Every
    release goes through here: it is written for speed.)"""
    kept = {}
    for key, item in value.items():
        kind = type(item)
        if kind is dict:
            item = _compact(item)
            if not item:
                continue
        elif kind is list:
            if not item:
                continue
            item = [_compact(one) if type(one) is dict else one for one in item]
        elif item is None or (kind is str and not item):
            continue
        kept[key] = item
    return kept


def _period(start: date | None, end: date | None) -> dict[str, str] | None:
    if start is None and end is None:
        return None
    return {
        "startDate": day_start(start) if start else None,
        "endDate": day_end(end) if end else None,
    }


def _party(party: Party, roles: Iterable[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": party.party_id, "name": party.name, "roles": list(roles)}
    if party.kvk_number:
        entry["identifier"] = {
            "scheme": "NL-KVK",
            "id": party.kvk_number,
            "legalName": party.name,
        }
    return entry


def _reference(party: Party) -> dict[str, str]:
    return {"id": party.party_id, "name": party.name}


def _bidder_roles(party: Party, lead_id: int, *more: str) -> list[str]:
    """A coalition member is a tenderer; the lead also `leadTenderer` (eu extension's
    partyRole codelist). Roles replace each other when merged, so every release names all."""
    roles = ["tenderer"]
    if party.organisation_id == lead_id:
        roles.append("leadTenderer")
    return roles + list(more)


# --- the tender as it stood ----------------------------------------------------------------

# ChallengeIn fields the tender shows; an amendment's old values rebuild an earlier state.
_TENDER_FIELDS = (
    "title",
    "summary",
    "desired_result",
    "budget_cents",
    "period_start",
    "period_end",
    "question_deadline",
    "submission_deadline",
    "indicators",
    "criteria",
)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _indicators(rows: list[dict[str, Any]]) -> tuple[IndicatorSnapshot, ...]:
    """Indicators as an amendment kept them (IndicatorIn, as JSON), in their order then."""
    return tuple(
        IndicatorSnapshot(
            position=position,
            name=row.get("name") or "",
            unit=row.get("unit") or "",
            definition=row.get("definition") or "",
            direction=row.get("direction") or "increase",
            baseline_value=row.get("baseline_value"),
            baseline_date=_day(row.get("baseline_date")),
            target_value=row.get("target_value"),
        )
        for position, row in enumerate(rows)
        if isinstance(row, dict)
    )


def _criteria(rows: list[dict[str, Any]]) -> tuple[CriterionSnapshot, ...]:
    """Criteria as an amendment kept them (CriterionIn, as JSON), in their order then."""
    return tuple(
        CriterionSnapshot(
            position=position,
            name=row.get("name") or "",
            weight=row.get("weight") or 0,
            kind=row.get("kind") or "quality",
            description=row.get("description") or "",
        )
        for position, row in enumerate(rows)
        if isinstance(row, dict)
    )


def _parse(name: str, value: Any) -> Any:
    if name == "indicators":
        return _indicators(value) if isinstance(value, list) else ()
    if name == "criteria":
        return _criteria(value) if isinstance(value, list) else ()
    if value is None or not isinstance(value, str):
        return value
    if name in ("period_start", "period_end"):
        return date.fromisoformat(value)
    if name in ("question_deadline", "submission_deadline"):
        return datetime.fromisoformat(value)
    return value


def _states(process: ProcessSnapshot) -> list[dict[str, Any]]:
    """The tender's fields at publication and after each amendment (oldest first): the current
    values, with the amendments undone from the last back."""
    current = {name: getattr(process, name) for name in _TENDER_FIELDS}
    states = [current]
    for amendment in sorted(process.amendments, key=lambda a: a.number, reverse=True):
        earlier = dict(states[0])
        for name, change in amendment.changes.items():
            if name in earlier and isinstance(change, dict) and "old" in change:
                earlier[name] = _parse(name, change["old"])
        states.insert(0, earlier)
    return states


def _metric(indicator: IndicatorSnapshot) -> dict[str, Any]:
    """A challenge indicator as a target metric: its baseline and its target, if set."""
    unit = {"name": indicator.unit} if indicator.unit else None
    observations = []
    if indicator.baseline_value is not None:
        observations.append(
            {
                "id": "baseline",
                "measure": indicator.baseline_value,
                "unit": unit,
                "period": _period(None, indicator.baseline_date),
                "notes": "Baseline",
            }
        )
    if indicator.target_value is not None:
        observations.append(
            {
                "id": "target",
                "measure": indicator.target_value,
                "unit": unit,
                "notes": f"Target ({indicator.direction})",
            }
        )
    return {
        "id": str(indicator.position + 1),
        "title": indicator.name,
        "description": indicator.definition,
        "observations": observations,
    }


def _award_criteria(criteria: Iterable[CriterionSnapshot]) -> dict[str, Any]:
    criteria = [
        {
            "type": "quality",
            "name": criterion.name,
            "description": criterion.description,
            "numbers": [{"number": criterion.weight, "weight": "percentageExact"}],
        }
        for criterion in sorted(criteria, key=lambda c: c.position)
    ]
    return {"criteria": criteria}


def _tender(process: ProcessSnapshot, state: dict[str, Any]) -> dict[str, Any]:
    weights = "; ".join(
        f"{c.name}: {c.weight}%" for c in sorted(state["criteria"], key=lambda c: c.position)
    )
    description = "\n\n".join(part for part in (state["summary"], state["desired_result"]) if part)
    tender: dict[str, Any] = {
        "id": str(process.challenge_id),
        "title": state["title"],
        "description": description,
        "status": "active",
        "procuringEntity": _reference(process.buyer),
        "value": euros(state["budget_cents"]) if state["budget_cents"] is not None else None,
        "procurementMethod": "open",
        "mainProcurementCategory": "services",
        "awardCriteria": "qualityOnly",
        "awardCriteriaDetails": (
            f"The budget is fixed: proposals compete on quality only. {weights}"
            if weights
            else None
        ),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {
            "startDate": moment(process.published_at),
            "endDate": (
                moment(state["submission_deadline"]) if state["submission_deadline"] else None
            ),
        },
        "enquiryPeriod": (
            {
                "startDate": moment(process.published_at),
                "endDate": moment(state["question_deadline"]),
            }
            if state["question_deadline"]
            else None
        ),
        "contractPeriod": _period(state["period_start"], state["period_end"]),
        "targets": [_metric(i) for i in sorted(state["indicators"], key=lambda i: i.position)],
        "lots": [
            {
                "id": "1",
                "title": state["title"],
                "status": "active",
                "value": (
                    euros(state["budget_cents"]) if state["budget_cents"] is not None else None
                ),
                "awardCriteria": (
                    _award_criteria(state["criteria"]) if state["criteria"] else None
                ),
            }
        ],
    }
    return tender


# --- releases --------------------------------------------------------------------------------


def _release(
    publisher: Publisher,
    process: ProcessSnapshot,
    key: str,
    when: datetime,
    tags: list[str],
    body: dict[str, Any],
    parties: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    ocid = publisher.ocid(process.challenge_id)
    buyer_roles = ["buyer", "procuringEntity"]
    paying = _paying_since(process)
    if paying is not None and when >= paying:
        buyer_roles.append("payer")
    # Parties and the buyer are compact as made; only the body may have empty fields.
    return {
        "ocid": ocid,
        "id": f"{ocid}-{key}",
        "date": moment(when),
        "tag": tags,
        "initiationType": "tender",
        "language": "nl",
        "parties": [_party(process.buyer, buyer_roles), *parties],
        "buyer": _reference(process.buyer),
        **_compact(body),
    }


def _paying_since(process: ProcessSnapshot) -> datetime | None:
    """When the first payment was published: the buyer is also `payer` from then on (roles
    replace each other when merged, so each later release names it too)."""
    return min((e.date for e in process.implementation if e.payee is not None), default=None)


def _amendment_entry(
    publisher: Publisher, process: ProcessSnapshot, amendment: AmendmentSnapshot
) -> dict[str, Any]:
    ocid = publisher.ocid(process.challenge_id)
    before = f"{ocid}-amendment-{amendment.number - 1}" if amendment.number > 1 else None
    changed = ", ".join(sorted(amendment.changes)) or "-"
    return {
        "id": str(amendment.number),
        "date": moment(amendment.date),
        "rationale": amendment.reason,
        "description": f"Changed: {changed}",
        "amendsReleaseID": before or f"{ocid}-tender",
        "releaseID": f"{ocid}-amendment-{amendment.number}",
    }


def _bid_parties(bids: Iterable[BidSnapshot]) -> list[dict[str, Any]]:
    parties: dict[str, dict[str, Any]] = {}
    for bid in bids:
        for member in bid.members:
            parties[member.party_id] = _party(
                member, _bidder_roles(member, bid.lead_organisation_id)
            )
    return list(parties.values())


def _award(award: AwardSnapshot, status: str) -> dict[str, Any]:
    return {
        "id": str(award.decision_id),
        "title": "Award decision",
        "status": status,
        "date": moment(award.decided_at),
        "suppliers": [_reference(member) for member in award.suppliers],
        "relatedLots": ["1"],
    }


def _supplier_parties(members: Iterable[Party], lead_id: int) -> list[dict[str, Any]]:
    return [_party(m, _bidder_roles(m, lead_id, "supplier")) for m in members]


def _agreed_metric(indicator: ContractIndicatorSnapshot) -> dict[str, Any]:
    unit = {"name": indicator.unit} if indicator.unit else None
    observations = []
    if indicator.baseline_value is not None:
        observations.append(
            {
                "id": "baseline",
                "measure": indicator.baseline_value,
                "unit": unit,
                "period": _period(None, indicator.baseline_date),
                "notes": "Baseline",
            }
        )
    observations.append(
        {
            "id": "target",
            "measure": indicator.committed_target,
            "unit": unit,
            "notes": "Committed target",
        }
    )
    return {
        "id": str(indicator.position + 1),
        "title": indicator.name,
        "observations": observations,
    }


def releases(publisher: Publisher, process: ProcessSnapshot) -> list[dict[str, Any]]:
    """Every release of the process, in the order of their dates (then ids)."""
    out: list[dict[str, Any]] = []
    states = _states(process)
    amendments = sorted(process.amendments, key=lambda a: a.number)
    out.append(
        _release(
            publisher,
            process,
            "tender",
            process.published_at,
            ["tender"],
            {"tender": _tender(process, states[0])},
        )
    )
    for index, amendment in enumerate(amendments, start=1):
        tender = _tender(process, states[index])
        tender["amendments"] = [_amendment_entry(publisher, process, amendment)]
        out.append(
            _release(
                publisher,
                process,
                f"amendment-{amendment.number}",
                amendment.date,
                ["tenderAmendment"],
                {"tender": tender},
            )
        )
    for enquiry in sorted(process.enquiries, key=lambda e: e.number):
        entry = {
            "id": str(enquiry.number),
            "date": moment(enquiry.asked_at),
            "title": f"Question {enquiry.number}",
            "description": enquiry.question,
            "answer": enquiry.answer,
            "dateAnswered": moment(enquiry.answered_at),
        }
        out.append(
            _release(
                publisher,
                process,
                f"enquiry-{enquiry.number}",
                enquiry.answered_at,
                ["tenderUpdate"],
                {
                    "tender": {
                        "id": str(process.challenge_id),
                        "hasEnquiries": True,
                        "enquiries": [entry],
                    }
                },
            )
        )
    if process.bids is not None and process.submission_deadline is not None:
        bids = process.bids
        out.append(
            _release(
                publisher,
                process,
                "bids",
                process.submission_deadline,
                ["tenderUpdate"],
                {
                    "tender": {
                        "id": str(process.challenge_id),
                        "numberOfTenderers": len(bids),
                        "tenderers": [
                            _reference(m)
                            for m in {m.party_id: m for bid in bids for m in bid.members}.values()
                        ],
                    },
                    "bids": {
                        "statistics": [
                            {"id": "1", "measure": "bids", "value": len(bids), "relatedLot": "1"}
                        ],
                        "details": [
                            {
                                "id": bid.bid_id,
                                "date": moment(bid.submitted_at),
                                "status": "valid",
                                "tenderers": [_reference(m) for m in bid.members],
                                "relatedLots": ["1"],
                            }
                            for bid in bids
                        ],
                    },
                },
                _bid_parties(bids),
            )
        )
    for award in process.awards:
        parties = _supplier_parties(award.suppliers, award.lead_organisation_id)
        out.append(
            _release(
                publisher,
                process,
                f"award-{award.decision_id}",
                award.decided_at,
                ["award"],
                {
                    "tender": {"id": str(process.challenge_id), "status": "complete"},
                    "awards": [_award(award, "pending")],
                },
                parties,
            )
        )
        if award.status == "withdrawn" and award.withdrawn_at is not None:
            withdrawn = _award(award, "cancelled")
            withdrawn["description"] = award.withdraw_reason
            out.append(
                _release(
                    publisher,
                    process,
                    f"award-{award.decision_id}-withdrawn",
                    award.withdrawn_at,
                    ["awardCancellation"],
                    {"tender": {"id": str(process.challenge_id)}, "awards": [withdrawn]},
                )
            )
    contract = process.contract
    if contract is not None:
        out.append(_contract_release(publisher, process, contract))
        for event in sorted(process.implementation, key=lambda e: (e.date, e.key)):
            payee = []
            if event.payee is not None:
                roles = _bidder_roles(event.payee, contract.lead_organisation_id, "supplier")
                payee.append(_party(event.payee, [*roles, "payee"]))
            release = _release(
                publisher,
                process,
                f"implementation-{event.key}",
                event.date,
                ["implementation"],
                {"contracts": [{"id": str(contract.contract_id), "awardID": _award_id(contract)}]},
                payee,
            )
            # Compact as app/ocds/implementation.py makes it: not walked through again.
            release["contracts"][0]["implementation"] = event.implementation
            out.append(release)
    if process.status == "cancelled" and process.cancelled_at is not None:
        out.append(
            _release(
                publisher,
                process,
                "cancelled",
                process.cancelled_at,
                ["tenderCancellation"],
                {
                    "tender": {
                        "id": str(process.challenge_id),
                        "status": "cancelled",
                        "description": _closing(process, states, process.cancel_reason),
                    }
                },
            )
        )
    if process.status == "unsuccessful" and process.unsuccessful_at is not None:
        out.append(
            _release(
                publisher,
                process,
                "unsuccessful",
                process.unsuccessful_at,
                ["tenderUpdate"],
                {
                    "tender": {
                        "id": str(process.challenge_id),
                        "status": "unsuccessful",
                        "description": _closing(process, states, process.unsuccessful_reason),
                    }
                },
            )
        )
    out.sort(key=lambda r: (r["date"], r["id"]))
    return out


def _closing(process: ProcessSnapshot, states: list[dict[str, Any]], reason: str | None) -> str:
    """The tender's description with why it ended (tender has no field of its own for it)."""
    description = _tender(process, states[-1]).get("description", "")
    return f"{description}\n\nEnded: {reason}" if reason else description


def _award_id(contract: ContractSnapshot) -> str:
    """The award a contract comes from: its decision, or one of its own for a contract made
    without one (every contract in a release names its award)."""
    return str(contract.decision_id) if contract.decision_id else f"c{contract.contract_id}"


def _contract_release(
    publisher: Publisher, process: ProcessSnapshot, contract: ContractSnapshot
) -> dict[str, Any]:
    award_id = _award_id(contract)
    suppliers = [_reference(p) for p in contract.parties]
    period = _period(contract.period_start, contract.period_end)
    return _release(
        publisher,
        process,
        f"contract-{contract.contract_id}",
        contract.created_at,
        ["contract", "awardUpdate"],
        {
            "tender": {"id": str(process.challenge_id), "status": "complete"},
            "awards": [
                {
                    "id": award_id,
                    "status": "active",
                    "suppliers": suppliers,
                    "value": euros(contract.value_cents),
                    "contractPeriod": period,
                    "relatedLots": ["1"],
                }
            ],
            "contracts": [
                {
                    "id": str(contract.contract_id),
                    "awardID": award_id,
                    "title": contract.reference,
                    "status": "active" if contract.status == "running" else "terminated",
                    "period": period,
                    "value": euros(contract.value_cents),
                    "dateSigned": moment(contract.created_at),
                    "suppliers": suppliers,
                    "agreedMetrics": [
                        _agreed_metric(i) for i in sorted(contract.indicators, key=_position)
                    ],
                }
            ],
        },
        _supplier_parties(contract.parties, contract.lead_organisation_id),
    )


def _position(indicator: ContractIndicatorSnapshot) -> int:
    return indicator.position


# --- packages --------------------------------------------------------------------------------


def package_meta(publisher: Publisher, published: datetime, uri: str) -> dict[str, Any]:
    return _compact(
        {
            "uri": uri,
            "version": VERSION,
            "extensions": extension_urls(),
            "publishedDate": moment(published),
            "publisher": {"name": publisher.name, "uri": publisher.uri},
            "license": publisher.license,
            "publicationPolicy": publisher.publication_policy,
        }
    )


def release_package(
    publisher: Publisher,
    releases_: list[dict[str, Any]],
    published: datetime,
    uri: str,
    next_uri: str | None = None,
) -> dict[str, Any]:
    package = package_meta(publisher, published, uri)
    package["releases"] = releases_
    if next_uri:
        package["links"] = {"next": next_uri}
    return package


def record_package(
    publisher: Publisher,
    ocid: str,
    releases_: list[dict[str, Any]],
    compiled: dict[str, Any],
    published: datetime,
    uri: str,
) -> dict[str, Any]:
    package = package_meta(publisher, published, uri)
    package["records"] = [{"ocid": ocid, "releases": releases_, "compiledRelease": compiled}]
    return package
