"""The award page, driven as a browser without JavaScript would: decide, object, resolve,
contract; each person sees what the API would show them."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.awards.models import AwardDecision, Objection
from tests.awards.test_api import REASONS, evaluated
from tests.awards.test_api import api as api  # noqa: F401  (the evaluated world)
from tests.conftest import post_form, sign_in


async def as_page(client, api, who):
    client.cookies.clear()
    await sign_in(client, api.world.users[who].email)


def url(api, rest="") -> str:
    return f"/challenges/{api.world.challenge.id}{rest}"


async def count(api, model) -> int:
    return await api.world.make.db.scalar(select(func.count()).select_from(model))


async def test_the_officer_decides_on_the_page_and_a_bidder_objects(client, api, clock):
    await evaluated(api)
    await as_page(client, api, "officer")
    detail = await client.get(url(api))
    assert f'href="{url(api, "/award")}"' in detail.text
    page = await client.get(url(api, "/award"))
    assert page.status_code == 200
    assert api.world.proposals[0].name in page.text
    assert f'action="{url(api, "/award")}"' in page.text

    empty = await post_form(client, url(api, "/award"), {"reasons": ""}, page=url(api, "/award"))
    assert empty.status_code == 422
    assert 'id="error-summary"' in empty.text and 'aria-invalid="true"' in empty.text
    assert await count(api, AwardDecision) == 0

    sent = await post_form(client, url(api, "/award"), REASONS, page=url(api, "/award"))
    assert sent.status_code == 303, sent.text
    decided = await client.get(url(api, "/award"))
    assert REASONS["reasons"] in decided.text
    assert "opschortende termijn" in decided.text.lower() or "standstill" in decided.text.lower()

    # A losing bidder: its own result and the winner's, never the third; an objection form.
    await as_page(client, api, "bidder1")
    seen = await client.get(url(api, "/award"))
    assert seen.status_code == 200
    names = [coalition.name for coalition in api.world.proposals]
    assert names[0] in seen.text and names[1] in seen.text and names[2] not in seen.text
    assert f'action="{url(api, "/objections")}"' in seen.text
    objected = await post_form(
        client,
        url(api, "/objections"),
        {"reasons": "Onze nazorgparagraaf is niet meegewogen."},
        page=url(api, "/award"),
    )
    assert objected.status_code == 303, objected.text
    again = await client.get(url(api, "/award"))
    assert 'action="' + url(api, "/objections") + '"' not in again.text  # one per decision

    # The officer resolves it; after the standstill the contract is made from the page.
    await as_page(client, api, "officer")
    objection = await api.world.make.db.scalar(select(Objection))
    resolution = url(api, f"/objections/{objection.public_id}/resolution")
    done = await post_form(
        client,
        resolution,
        {"outcome": "rejected", "reasons": "Wel meegewogen, zie het verslag."},
        page=url(api, "/award"),
    )
    assert done.status_code == 303, done.text
    clock.at = clock.at + timedelta(days=21)
    await as_page(client, api, "officer")  # a session does not last three weeks
    page = await client.get(url(api, "/award"))
    assert f'action="{url(api, "/contract")}"' in page.text
    bad = await post_form(
        client, url(api, "/contract"), {"fixed_share_percent": "170"}, page=url(api, "/award")
    )
    assert bad.status_code == 422
    made = await post_form(
        client, url(api, "/contract"), {"fixed_share_percent": "80"}, page=url(api, "/award")
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"].startswith("/contracts/")


@pytest.mark.parametrize("who", ["other_officer", "eva", "bidder1"])
async def test_outsiders_find_no_award_page_before_a_decision(client, api, who):
    await evaluated(api)
    await as_page(client, api, who)
    detail = await client.get(url(api))
    assert f'href="{url(api, "/award")}"' not in detail.text
    page = await client.get(url(api, "/award"))
    assert page.status_code == 404


async def test_a_third_bidder_cannot_decide_or_object_through_the_forms(client, api):
    await evaluated(api)
    await as_page(client, api, "bidder2")
    refused = await post_form(client, url(api, "/award"), REASONS)
    assert refused.status_code == 403
    assert await count(api, AwardDecision) == 0
