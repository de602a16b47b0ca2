"""The printable evaluation report, from both sides: the API's readers read it with the same
content, a recused member's copy leaves that proposal out, outsiders are refused."""

import re
from datetime import timedelta

import pytest

from tests.conftest import sign_in
from tests.evaluation.test_api import Api
from tests.evaluation.test_consensus_api import complete, everyone_submits, path
from tests.evaluation.world import AFTER, build, counting


@pytest.fixture
async def api(make, client, clock):
    world = await build(make)
    await world.form()
    tokens = {who: await make.token(user) for who, user in world.users.items()}
    clock.at = clock.at + timedelta(days=AFTER)
    return Api(world, client, tokens)


def url(api) -> str:
    return f"/challenges/{api.world.challenge.id}/evaluation/report"


async def page_as(api, who):
    api.client.cookies.clear()
    if who is not None:
        await sign_in(api.client, api.world.users[who].email)
    return await api.client.get(url(api))


def text_of(html: str) -> str:
    """The page's visible words, tags left out (names may be split over tags otherwise)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_officer_reads_the_complete_report_as_the_api_gives_it(api):
    await everyone_submits(api)
    await complete(api)
    page = await page_as(api, "officer")
    assert page.status_code == 200, page.text
    body = (await api.call("officer", "GET", "/evaluation/report")).json()
    words = text_of(page.text)
    assert body["complete"] is True
    assert 'id="s-missing"' not in page.text
    for proposal in body["proposals"]:
        assert proposal["coalition"] in words
        assert proposal["total"] in words
        for criterion in proposal["criteria"]:
            assert criterion["rationale"] in words
            for individual in criterion["individual"]:
                assert individual["name"] in words
        for formula in proposal["formula"]:
            assert formula["rule"] in words
    ranking = body["ranking"]
    assert ranking["rule_text"] in words
    for place in ranking["places"]:
        assert place["explanation"] in words
    assert 'id="ranking-caption"' in page.text
    for member in body["committee"]:
        assert member["name"] in words
    assert len(body["declarations"]) == 9
    assert words.count("Ik werkte daar.") == 0
    assert f'href="/api/v1/challenges/{api.world.challenge.id}/evaluation/report"' in page.text


@pytest.mark.parametrize("who", ["auditor", "chair", "eva"])
async def test_the_apis_other_readers_read_it_too(api, who):
    await everyone_submits(api)
    page = await page_as(api, who)
    assert page.status_code == 200
    assert api.world.proposals[0].name in text_of(page.text)


@pytest.mark.parametrize("who", ["other_officer", "other_auditor", "admin", "provider", "spare"])
async def test_outsiders_are_refused_as_by_the_api(api, who):
    await everyone_submits(api)
    page = await page_as(api, who)
    assert page.status_code == 403
    assert api.world.proposals[0].name not in page.text


async def test_anonymous_is_sent_to_sign_in(api):
    page = await page_as(api, None)
    assert page.status_code in (302, 303, 307)
    assert page.headers["location"].startswith("/login")


async def test_before_the_deadline_the_report_is_sealed(make, client):
    world = await build(make, proposals_count=1)
    await sign_in(client, world.users["officer"].email)
    page = await client.get(f"/challenges/{world.challenge.id}/evaluation/report")
    assert page.status_code == 409


async def test_a_recused_member_finds_nothing_of_that_proposal(api):
    await everyone_submits(api, conflicts={"eva": (1,)})
    await complete(api)
    hidden = api.world.proposals[1].name
    page = await page_as(api, "eva")
    assert page.status_code == 200
    assert hidden not in page.text
    assert api.world.proposals[0].name in page.text
    officer = await page_as(api, "officer")
    assert hidden in officer.text
    assert "Ik werkte daar." in text_of(officer.text)  # the conflict and its explanation


async def test_a_member_who_has_not_submitted_sees_no_proposal(api):
    await api.declare("eva")
    await everyone_submits(api, who=("chair", "expert"))
    page = await page_as(api, "eva")
    assert page.status_code == 200
    for coalition in api.world.proposals:
        assert f">{coalition.name}</h3>" not in page.text
    assert 'id="ranking-caption"' not in page.text


async def test_while_incomplete_the_page_says_what_is_missing(api):
    await everyone_submits(api)
    page = await page_as(api, "officer")
    body = (await api.call("officer", "GET", "/evaluation/report")).json()
    assert body["missing"]
    assert 'id="s-missing"' in page.text
    missing = page.text.split('id="s-missing"')[1].split("</section>")[0]
    for item in body["missing"]:
        assert item.replace("“", "&#8220;") in missing or item in text_of(missing)
    assert 'id="ranking-caption"' not in page.text


async def test_a_large_spread_is_marked_in_words(api):
    low = api.full_scores(1)
    for member in ("chair", "eva", "expert"):
        await api.declare(member)
        for index in range(3):
            body = low if member == "chair" else api.full_scores(9)
            response = await api.call(member, "PUT", path(api, index, "scores"), json=body)
            assert response.status_code == 200, response.text
        assert (await api.call(member, "POST", "/evaluation/submit")).status_code == 200
    page = await page_as(api, "officer")
    assert page.text.count('class="spread-large"') == 3 * len(api.quality())
    marked = page.text.split('class="spread-large"')[1].split("</p>")[0]
    assert "<strong>" in marked  # said in words, not by colour alone


async def test_an_exclusion_shows_with_its_reason(api):
    from tests.evaluation.test_consensus_api import passes

    await everyone_submits(api)
    await complete(api, skip=(2,))
    reason = "Geen verklaring omtrent gedrag."
    response = await api.call(
        "chair", "PUT", path(api, 2, "requirements"), json=passes(api, False, reason)
    )
    assert response.status_code == 200, response.text
    page = await page_as(api, "officer")
    ranking = page.text.split('id="s-ranking"')[1]
    assert api.world.proposals[2].name in ranking.split("<ul>")[1]
    assert reason in ranking


async def queries_per_page(make, client, clock, engine, count: int) -> dict[str, int]:
    """The SQL statements the officer's report and committee pages cost, for `count` proposals
    evaluated and ranked."""
    world = await build(make, proposals_count=count)
    await world.form()
    clock.at = clock.at + timedelta(days=AFTER)
    tokens = {who: await make.token(user) for who, user in world.users.items()}
    api = Api(world, client, tokens)
    await everyone_submits(api)
    await complete(api, scores=tuple(range(8, 8 - count, -1)))
    client.cookies.clear()
    await sign_in(client, world.users["officer"].email)
    found = {}
    pages = {"report": url(api), "committee": f"/challenges/{world.challenge.id}/committee"}
    with counting(engine) as statements:
        for name, address in pages.items():
            before = len(statements)
            response = await client.get(address)
            assert response.status_code == 200, response.text
            found[name] = len(statements) - before
    clock.at = clock.at - timedelta(days=AFTER)
    return found


async def test_the_pages_ask_the_database_as_often_for_few_proposals_as_for_many(
    make, client, clock, engine
):
    few = await queries_per_page(make, client, clock, engine, 2)
    many = await queries_per_page(make, client, clock, engine, 5)
    assert few == many, (few, many)
