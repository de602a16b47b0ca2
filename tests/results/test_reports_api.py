"""Result reports through the API: the lead submits, the owning municipality accepts or queries,
every version is kept, and the accepted values are the public results."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.organisations.models import Role
from app.results.models import ReportStatus, ResultReport
from tests.results.world import AFTER_PERIOD_ONE, IN_PERIOD_ONE, PAST_DUE_ONE, build


@pytest.fixture
async def world(make, client, app):
    return await build(make, client, app)


async def _count(world, model=ResultReport) -> int:
    return await world.make.db.scalar(select(func.count()).select_from(model))


async def _actions(world) -> list[str]:
    return list((await world.make.db.scalars(select(AuditEvent.action))).all())


async def test_the_lead_submits_a_report_and_both_sides_see_it(world):
    report = await world.submit(
        signals=[{"theme": "between_stools", "text": "Jongeren van 18 vallen tussen wal en schip."}]
    )
    assert report["version"] == 1 and report["status"] == "submitted" and not report["late"]
    assert report["values"][0]["value"] == 30 and report["values"][0]["people"] == 12
    assert report["signals"] == [
        {"theme": "between_stools", "text": "Jongeren van 18 vallen tussen wal en schip."}
    ]
    assert "report.submitted" in await _actions(world)
    for who in ("lead", "partner", "officer", "auditor"):
        response = await world.call(who, "GET", "/reports")
        assert response.status_code == 200, (who, response.text)
        first = response.json()[0]
        assert first["state"] == "submitted" and first["due"] == "2026-12-30"
        assert [v["id"] for v in first["versions"]] == [report["id"]]


@pytest.mark.parametrize("who", ["partner", "officer", "auditor", "other_officer", "outsider"])
async def test_only_the_lead_submits(world, who):
    response = await world.call(who, "POST", "/reports", json=world.report())
    assert response.status_code == 403, response.text
    assert await _count(world) == 0


@pytest.mark.parametrize("who", ["other_officer", "other_auditor", "outsider", "admin"])
async def test_outsiders_do_not_read_the_reports(world, who):
    assert (await world.call(who, "GET", "/reports")).status_code == 403


async def test_anonymous_callers_sign_in(world):
    assert (await world.call("nobody", "GET", "/reports")).status_code == 401
    assert (await world.call("nobody", "POST", "/reports", json=world.report())).status_code == 401


async def test_a_future_period_is_refused_with_its_date(world):
    world.at(IN_PERIOD_ONE)
    response = await world.call("lead", "POST", "/reports", json=world.report())
    assert response.status_code == 409 and response.json()["code"] == "period_not_ended"
    assert "16 november 2026" in response.json()["detail"]
    world.at(AFTER_PERIOD_ONE)
    later = await world.call("lead", "POST", "/reports", json=world.report(period=3))
    assert later.status_code == 409 and later.json()["code"] == "period_not_ended"
    unknown = await world.call("lead", "POST", "/reports", json=world.report(period=99))
    assert unknown.status_code == 422 and "period" in unknown.json()["errors"]
    assert await _count(world) == 0


async def test_an_unknown_indicator_and_a_missing_value_are_named(world):
    body = world.report()
    body["values"].append({"indicator_id": 987654, "value": 1, "people": 1})
    response = await world.call("lead", "POST", "/reports", json=body)
    assert response.status_code == 422, response.text
    assert "987654" in response.json()["errors"]["values.1.indicator_id"]
    empty = await world.call("lead", "POST", "/reports", json={**world.report(), "values": []})
    assert empty.status_code == 422
    assert f"values.{world.indicator_id}" in empty.json()["errors"]
    negative = world.report(people=-1)
    assert (await world.call("lead", "POST", "/reports", json=negative)).status_code == 422
    assert await _count(world) == 0


async def test_query_answer_resubmit_accept_keeps_every_version(world):
    first = await world.submit(value=25)
    base = f"/reports/{first['id']}"
    for who in ("lead", "partner", "auditor", "other_officer"):
        refused = await world.call(who, "POST", base + "/query", json={"question": "Waarom?"})
        assert refused.status_code == 403, who
    empty = await world.call("officer", "POST", base + "/query", json={"question": ""})
    assert empty.status_code == 422 and "question" in empty.json()["errors"]
    queried = await world.call(
        "officer", "POST", base + "/query", json={"question": "Hoe telt u de leerlingen?"}
    )
    assert queried.status_code == 200 and queried.json()["status"] == "queried"
    early = await world.call("officer", "POST", base + "/accept")
    assert early.status_code == 409 and early.json()["code"] == "report_queried"
    unanswered = await world.call("lead", "POST", "/reports", json=world.report(value=28))
    assert unanswered.status_code == 422 and "answer" in unanswered.json()["errors"]
    second = await world.submit(value=28, answer="Uit de leerplichtadministratie.")
    assert second["version"] == 2 and second["status"] == "submitted"
    for who in ("lead", "auditor", "other_officer"):
        refused = await world.call(who, "POST", f"/reports/{second['id']}/accept")
        assert refused.status_code == 403, who
    accepted = await world.call("officer", "POST", f"/reports/{second['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = await world.call("officer", "POST", f"/reports/{second['id']}/accept")
    assert again.status_code == 409 and again.json()["code"] == "report_accepted"
    old = await world.call("officer", "POST", base + "/accept")
    assert old.status_code == 409 and old.json()["code"] == "report_superseded"
    closed = await world.call("lead", "POST", "/reports", json=world.report(value=40))
    assert closed.status_code == 409 and closed.json()["code"] == "report_accepted"
    period = (await world.call("officer", "GET", "/reports")).json()[0]
    assert period["state"] == "accepted"
    assert [(v["version"], v["status"]) for v in period["versions"]] == [
        (2, "accepted"),
        (1, "superseded"),
    ]
    assert period["versions"][1]["queries"][0]["answer"] == "Uit de leerplichtadministratie."
    assert {"report.queried", "report.accepted"} <= set(await _actions(world))


async def test_no_second_version_while_one_awaits_review(world):
    first = await world.submit()
    again = await world.call("lead", "POST", "/reports", json=world.report(value=31))
    assert again.status_code == 409 and again.json()["code"] == "report_under_review"
    versions = (await world.call("lead", "GET", "/reports")).json()[0]["versions"]
    assert [v["id"] for v in versions] == [first["id"]]


async def test_an_overdue_period_and_a_late_report_are_flagged(world):
    world.at(PAST_DUE_ONE)
    periods = (await world.call("officer", "GET", "/reports")).json()
    assert periods[0]["state"] == "overdue" and periods[1]["state"] == "not_due"
    report = await world.submit()
    assert report["late"] is True
    first = (await world.call("lead", "GET", "/reports")).json()[0]
    assert first["state"] == "submitted" and first["late"] is True


async def test_accepted_values_are_public_with_small_counts_suppressed(world):
    report = await world.submit(value=31, people=3)
    unaccepted = (await world.call("nobody", "GET", "/results")).json()
    assert unaccepted["indicators"][0]["periods"][0]["value"] is None
    await world.call("officer", "POST", f"/reports/{report['id']}/accept")
    public = (await world.call("nobody", "GET", "/results")).json()
    point = public["indicators"][0]["periods"][0]
    assert public["reader"] == "public"
    # A value about fewer than 5 people is not published either: it could be the count itself.
    assert point["value"] is None and point["people"] is None and point["people_shown"] == "<5"
    assert public["indicators"][0]["status"] == "not_reported"
    assert len(public["indicators"][0]["rule"]) > 100  # the status rule in words
    exact = (await world.call("officer", "GET", "/results")).json()["indicators"][0]
    assert exact["periods"][0]["value"] == 31
    assert exact["status"] in ("on_track", "at_risk", "off_track")
    for who, reader in (
        ("officer", "municipality"),
        ("auditor", "auditor"),
        ("partner", "coalition"),
        ("other_officer", "public"),
    ):
        body = (await world.call(who, "GET", "/results")).json()
        shown = body["indicators"][0]["periods"][0]["people_shown"]
        assert body["reader"] == reader and shown == ("<5" if reader == "public" else "3"), who
    reports = (await world.call("officer", "GET", "/reports")).json()
    assert reports[0]["versions"][0]["values"][0]["people"] == 3


async def test_results_as_csv_for_dutch_excel(world):
    report = await world.submit(value=31.5, people=3)
    await world.call("officer", "POST", f"/reports/{report['id']}/accept")
    response = await world.call("nobody", "GET", "/results", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    header, first = text.lstrip("\ufeff").split("\r\n")[:2]
    assert header.split(";")[0] == "Indicator"
    cells = first.split(";")
    assert cells[2] == "1" and cells[5] == "" and cells[6] == "<5"
    accepted = await world.call("auditor", "GET", "/results", headers={"Accept": "text/csv"})
    assert accepted.text.split("\r\n")[1].split(";")[5:7] == ["31,5", "3"]
    bad = await world.call("nobody", "GET", "/results", params={"format": "xls"})
    assert bad.status_code == 422


async def test_evidence_is_attached_and_read_by_the_parties(world):
    from tests.documents.samples import make_pdf

    report = await world.submit()
    files = {"file": ("bewijs.pdf", make_pdf("bewijs"), "application/pdf")}
    refused = await world.call("officer", "POST", f"/reports/{report['id']}/evidence", files=files)
    assert refused.status_code == 403
    added = await world.call("lead", "POST", f"/reports/{report['id']}/evidence", files=files)
    assert added.status_code == 201, added.text
    url = added.json()["url"].removeprefix(world.url)
    assert (await world.call("auditor", "GET", url)).status_code == 200
    assert (await world.call("other_officer", "GET", url)).status_code == 403
    # A new version (after a question) carries the evidence along.
    await world.call("officer", "POST", f"/reports/{report['id']}/query", json={"question": "?"})
    second = await world.submit(value=33, answer="Zie de bijlage.")
    assert [e["filename"] for e in second["evidence"]] == ["bewijs.pdf"]


async def test_a_report_id_of_another_contract_is_not_found(world):
    report = await world.submit()
    response = await world.call("officer", "POST", f"/reports/{report['id'] + 999}/accept")
    assert response.status_code == 404
    assert (
        await world.make.db.scalar(
            select(ResultReport.status).where(ResultReport.id == report["id"])
        )
    ) == ReportStatus.submitted


async def test_an_auditors_program_reads_the_results_with_a_client_token(world, make, client):
    from app.api_clients import service as api_clients

    report = await world.submit(value=31, people=3)
    await world.call("officer", "POST", f"/reports/{report['id']}/accept")
    admin, elsewhere = world.users["admin"], await make.user(Role.admin)
    url = f"/api/v1/auditor/contracts/{world.contract.id}/results"

    async def token(registrar, scopes="results:read") -> dict[str, str]:
        made, secret = await api_clients.create_client(
            make.ctx(registrar), {"name": "Rekenkamer", "scopes": scopes}
        )
        answer = await client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(made.client_id, secret)
        )
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    own = await client.get(url, headers=await token(admin))
    assert own.status_code == 200, own.text
    assert own.json()["reader"] == "auditor"
    assert own.json()["indicators"][0]["periods"][0]["people_shown"] == "3"
    other = await client.get(url, headers=await token(elsewhere), params={"format": "csv"})
    assert other.status_code == 200 and other.text.split("\r\n")[1].split(";")[6] == "<5"
    narrow = await client.get(url, headers=await token(admin, "ocds:read"))
    assert narrow.status_code == 403 and narrow.json()["code"] == "insufficient_scope"
    assert (await client.get(url, headers=world_headers(world, "officer"))).status_code == 401


def world_headers(world, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}
