"""The OCDS endpoints: public and with a client token, cursor paging and `since`, records with
the compiled release, the JSON Lines download, and packages from lifecycle-made worlds that
validate (award in standstill, withdrawn, contracted; unsuccessful; sealed)."""

import base64
import json
from datetime import timedelta

import ocdsmerge
import pytest

from app.api_clients import service as api_clients
from app.ocds.schema import release_schema, validate_record_package, validate_release_package
from app.organisations.models import OrganisationKind, Role, User
from tests.awards.test_api import REASONS, decided
from tests.awards.test_api import api as api  # noqa: F401  (the awards' world, as a fixture)
from tests.conftest import NOW

RELEASES = "/api/v1/ocds/releases"


def ocid(challenge_id: int) -> str:
    return f"ocds-xxxxxx-{challenge_id}"


async def feed(client, headers=None, **params) -> list[dict]:
    """Every release through links.next, each page validated."""
    found, url = [], RELEASES
    while url:
        response = await client.get(url, params=params or None, headers=headers or {})
        assert response.status_code == 200, response.text
        package = response.json()
        # An empty feed answers an empty list, which the schema's minItems does not allow.
        expected = [] if package["releases"] else ["releases: [] has less than 1 item"]
        assert validate_release_package(package) == expected
        found += package["releases"]
        url = package.get("links", {}).get("next")
        params = {}
    return found


async def record(client, challenge_id: int, headers=None) -> dict:
    response = await client.get(f"/api/v1/ocds/records/{ocid(challenge_id)}", headers=headers)
    assert response.status_code == 200, response.text
    package = response.json()
    assert validate_record_package(package) == []
    return package["records"][0]


def assert_compiled(record_: dict) -> None:
    """The compiled release is ocdsmerge's merge of the releases, with the patched schema."""
    merger = ocdsmerge.Merger(schema=release_schema())
    assert record_["compiledRelease"] == merger.create_compiled_release(record_["releases"])


async def published(make, count: int):
    officer = await make.user(Role.policy_officer)
    return [await make.challenge(officer, publish=True) for _ in range(count)]


async def test_the_feed_pages_by_cursor_in_a_stable_order_without_a_token(client, make):
    challenges = await published(make, 3)
    everything = await feed(client, limit=1000)
    assert [r["id"] for r in everything] == [f"{ocid(c.id)}-tender" for c in challenges]
    first = await client.get(RELEASES, params={"limit": 2})
    package = first.json()
    assert package["version"] == "1.1" and package["extensions"]
    assert package["publisher"]["name"] and package["license"] and package["publishedDate"]
    assert [r["id"] for r in package["releases"]] == [r["id"] for r in everything[:2]]
    assert "cursor=" in package["links"]["next"] and "limit=2" in package["links"]["next"]
    assert [r["id"] for r in await feed(client, limit=1)] == [r["id"] for r in everything]


async def test_since_keeps_only_the_releases_dated_from_then(client, make, clock):
    (early,) = await published(make, 1)
    make.clock.at = make.clock.at + timedelta(days=2)
    (late,) = await published(make, 1)
    since = (NOW + timedelta(days=1)).isoformat()
    assert [r["ocid"] for r in await feed(client, since=since)] == [ocid(late.id)]
    assert len(await feed(client)) == 2


@pytest.mark.parametrize(
    "cursor", ["nonsense", base64.urlsafe_b64encode(b"[1]").decode(), "x" * 501]
)
async def test_a_cursor_not_from_the_feed_is_refused_clearly(client, cursor):
    response = await client.get(RELEASES, params={"cursor": cursor})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("bad", ["ocds-xxxxxx-999999", "ocds-other-1", "ocds-xxxxxx-1x", "x"])
async def test_an_unknown_ocid_is_not_found(client, make, bad):
    await published(make, 1)
    response = await client.get(f"/api/v1/ocds/records/{bad}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


async def test_a_draft_is_not_in_the_feed(client, make):
    officer = await make.user(Role.policy_officer)
    draft = await make.challenge(officer, publish=False)
    assert await feed(client) == []
    response = await client.get(f"/api/v1/ocds/records/{ocid(draft.id)}")
    assert response.status_code == 404


async def test_a_client_token_with_ocds_read_gets_the_same_data(client, make):
    await published(make, 2)
    admin = await make.user(Role.admin, org=await make.org(OrganisationKind.municipality))
    ctx = make.ctx(admin)
    reader, secret = await api_clients.create_client(
        ctx, {"name": "Portaal", "scopes": "ocds:read"}
    )
    other, other_secret = await api_clients.create_client(
        ctx, {"name": "Resultaten", "scopes": "results:read"}
    )

    async def token(client_id, secret):
        data = {"grant_type": "client_credentials"}
        response = await client.post("/oauth/token", data=data, auth=(client_id, secret))
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    with_token = await feed(client, headers=await token(reader.client_id, secret))
    assert with_token == await feed(client)
    refused = await client.get(RELEASES, headers=await token(other.client_id, other_secret))
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    wrong = await client.get(RELEASES, headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401
    personal = await make.token(await make.user(Role.auditor))
    mine = await client.get(RELEASES, headers={"Authorization": f"Bearer {personal}"})
    assert mine.status_code == 200 and mine.json()["releases"] == with_token


async def test_the_jsonl_download_streams_every_release(client, make):
    await published(make, 3)
    async with client.stream("GET", "/api/v1/ocds/releases.jsonl") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [line async for line in response.aiter_lines() if line]
    assert [json.loads(line) for line in lines] == await feed(client)


# --- lifecycle-made worlds: the award journey ---------------------------------------------


async def test_during_the_standstill_the_public_sees_no_bid_and_no_decision(api, client):  # noqa: F811
    await decided(api)
    challenge = api.world.challenge
    record_ = await record(client, challenge.id)
    assert_compiled(record_)
    compiled = record_["compiledRelease"]
    assert "bids" not in compiled and "awards" not in compiled
    assert "numberOfTenderers" not in compiled["tender"]
    text = json.dumps(record_)
    for coalition in api.world.proposals:
        assert coalition.name not in text


async def test_the_contracted_award_lists_every_member_with_the_lead(api, client, clock):  # noqa: F811
    await decided(api)
    clock.at = clock.at + timedelta(days=21)
    made = await api.call("officer", "POST", "/contract", json={"fixed_share_bp": 8000})
    assert made.status_code == 201, made.text
    record_ = await record(client, api.world.challenge.id)
    assert_compiled(record_)
    compiled = record_["compiledRelease"]
    assert [r["tag"] for r in record_["releases"]][-2:] == [["award"], ["contract", "awardUpdate"]]
    (award,) = compiled["awards"]
    (contract,) = compiled["contracts"]
    assert award["status"] == "active" and contract["awardID"] == award["id"]
    winner = api.world.proposals[0]
    parties = {p["id"]: p for p in compiled["parties"]}
    suppliers = [parties[s["id"]] for s in award["suppliers"]]
    assert len(suppliers) == 2  # the lead and its partner
    leads = [p for p in suppliers if "leadTenderer" in p["roles"]]
    assert len(leads) == 1 and all("supplier" in p["roles"] for p in suppliers)
    assert contract["value"] == {"amount": made.json()["value_cents"] / 100, "currency": "EUR"}
    assert {m["id"] for m in contract["agreedMetrics"]} == {
        str(i + 1) for i in range(len(api.world.challenge.indicators))
    }
    # Losing bidders stay out of the public feed.
    text = json.dumps(record_)
    for loser in api.world.proposals[1:]:
        assert loser.name not in text
    assert winner.public_id  # the winner is named through its members, not its coalition id


async def test_a_withdrawn_award_and_an_unsuccessful_end_validate(api, client):  # noqa: F811
    from app.ocds import service
    from app.ocds.releases import record_package

    await decided(api)
    withdrawn = await api.call("officer", "POST", "/award/withdraw", json={"reason": "Rekenfout."})
    assert withdrawn.status_code == 200, withdrawn.text
    again = await api.call("officer", "POST", "/award", json=REASONS)
    assert again.status_code == 201
    # The municipality's own auditor reads the whole history (award_read), bids included.
    ctx = api.world.ctx("auditor")
    ctx.now = api.world.make.clock.now()
    publisher = service.publisher_of(client._transport.app.state.settings)
    found = await service.record(ctx, publisher, ocid(api.world.challenge.id))
    package = record_package(
        publisher, found.ocid, found.releases, found.compiled, NOW, "http://t/r"
    )
    assert validate_record_package(package) == []
    statuses = [a["status"] for a in found.compiled["awards"]]
    assert statuses == ["cancelled", "pending"]
    assert len(found.compiled["bids"]["details"]) == 3
    for bid in found.compiled["bids"]["details"]:
        assert len(bid["tenderers"]) == 2
    assert "awardCancellation" in {t for r in found.releases for t in r["tag"]}


async def test_a_page_runs_as_many_statements_for_many_processes_as_for_few(client, make, engine):
    from sqlalchemy import event

    counted: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        counted.append(statement)

    async def statements(path: str) -> int:
        await client.get(path)  # the clock's offset is read now and then
        counted.clear()
        response = await client.get(path)
        assert response.status_code == 200, response.text
        return len(counted)

    found = {}
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        for total in (2, 6):
            await published(make, total - len(found) * 2)
            found[total] = (
                await statements(f"{RELEASES}?limit=100"),
                await statements("/api/v1/ocds/releases.jsonl"),
            )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert found[2] == found[6] and min(found[2]) > 3


async def test_an_amendment_release_shows_the_indicators_of_its_time(client, make):
    from app.challenges import lifecycle

    (challenge,) = await published(make, 1)
    officer = await make.db.get(User, challenge.created_by_id)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    data = lifecycle.as_input(challenge)
    before = data.indicators[0].target_value
    raised = data.indicators[0].model_copy(update={"target_value": before + 10})
    renamed = data.criteria[0].model_copy(update={"name": "Plan van aanpak"})
    changed = data.model_copy(
        update={"indicators": [raised], "criteria": [renamed, *data.criteria[1:]]}
    )
    make.clock.advance(timedelta(hours=1))
    await lifecycle.amend(make.ctx(officer), challenge.id, changed, "Hoger doel")
    record_ = await record(client, challenge.id)
    assert_compiled(record_)
    tender, amended = record_["releases"]

    def target(release):
        (metric,) = release["tender"]["targets"]
        return next(o["measure"] for o in metric["observations"] if o["id"] == "target")

    def first_criterion(release):
        return release["tender"]["lots"][0]["awardCriteria"]["criteria"][0]["name"]

    assert (target(tender), first_criterion(tender)) == (before, data.criteria[0].name)
    assert (target(amended), first_criterion(amended)) == (before + 10, "Plan van aanpak")
    assert target(record_["compiledRelease"]) == before + 10
