"""A challenge whose deadline passed without a single proposal: the officer's award page offers
the unsuccessful end (a reason and a ticked box), and afterwards everyone reads the result."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.challenges.models import Challenge, ChallengeStatus
from app.organisations.models import OrganisationKind, Role
from tests.conftest import post_form, sign_in
from tests.contracts.world import closed_challenge, past_the_deadline, submitted

REASON = "Er is geen enkel voorstel ingediend; we schrijven de opgave opnieuw uit."


@pytest.fixture
async def world(make, app):
    home = await make.org(OrganisationKind.municipality)
    users = {
        "officer": await make.user(Role.policy_officer, org=home),
        "colleague_auditor": await make.user(Role.auditor, org=home),
        "other_officer": await make.user(Role.policy_officer),
        "provider": await make.user(Role.provider_member),
    }
    challenge = await closed_challenge(make, users["officer"])
    return make, app, users, challenge


async def as_user(client, user) -> None:
    client.cookies.clear()
    await sign_in(client, user.email)


def url(challenge, rest: str = "") -> str:
    return f"/challenges/{challenge.id}{rest}"


async def status(make, challenge) -> ChallengeStatus:
    return await make.db.scalar(select(Challenge.status).where(Challenge.id == challenge.id))


async def test_the_officer_ends_a_challenge_without_proposals_from_the_page(client, world):
    make, app, users, challenge = world
    past_the_deadline(make, challenge, app)
    await as_user(client, users["officer"])
    detail = await client.get(url(challenge))
    assert f'href="{url(challenge, "/award")}"' in detail.text
    page = await client.get(url(challenge, "/award"))
    assert page.status_code == 200
    assert 'id="s-no-proposals"' in page.text
    assert f'action="{url(challenge, "/unsuccessful")}"' in page.text
    assert 'name="confirm"' in page.text and 'id="s-decide"' not in page.text

    # Without the ticked box and without a reason: both named, the reason kept, nothing ended.
    missing = await post_form(
        client, url(challenge, "/unsuccessful"), {"reason": ""}, page=url(challenge, "/award")
    )
    assert missing.status_code == 422
    assert 'href="#f-reason"' in missing.text and 'href="#f-confirm"' in missing.text
    unticked = await post_form(
        client, url(challenge, "/unsuccessful"), {"reason": REASON}, page=url(challenge, "/award")
    )
    assert unticked.status_code == 422 and REASON in unticked.text
    assert 'href="#f-confirm"' in unticked.text and 'href="#f-reason"' not in unticked.text
    assert await status(make, challenge) == ChallengeStatus.published

    done = await post_form(
        client,
        url(challenge, "/unsuccessful"),
        {"reason": REASON, "confirm": "yes"},
        page=url(challenge, "/award"),
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == url(challenge, "/award")
    assert await status(make, challenge) == ChallengeStatus.unsuccessful
    result = await client.get(url(challenge, "/award"))
    assert 'id="ended"' in result.text and REASON in result.text
    assert 'id="s-no-proposals"' not in result.text and "/unsuccessful" not in result.text
    event = await make.db.scalar(
        select(AuditEvent).where(AuditEvent.action == "challenge.unsuccessful")
    )
    assert event.data["reason"] == REASON

    # Everyone reads the end on the challenge page, the public too.
    client.cookies.clear()
    public = await client.get(url(challenge))
    assert 'id="unsuccessful"' in public.text and REASON in public.text
    assert "badge-unsuccessful" in public.text and "Beëindigd zonder gunning" in public.text


async def test_ending_twice_is_refused(client, world):
    make, app, users, challenge = world
    past_the_deadline(make, challenge, app)
    await as_user(client, users["officer"])
    data = {"reason": REASON, "confirm": "yes"}
    first = await post_form(client, url(challenge, "/unsuccessful"), data, page=url(challenge))
    assert first.status_code == 303
    again = await post_form(client, url(challenge, "/unsuccessful"), data, page=url(challenge))
    assert again.status_code == 409
    assert await status(make, challenge) == ChallengeStatus.unsuccessful


async def test_before_the_deadline_the_page_offers_no_end(client, world):
    make, app, users, challenge = world
    await as_user(client, users["officer"])
    page = await client.get(url(challenge, "/award"))
    assert 'id="s-no-proposals"' not in page.text
    refused = await post_form(
        client,
        url(challenge, "/unsuccessful"),
        {"reason": REASON, "confirm": "yes"},
        page=url(challenge),
    )
    assert refused.status_code == 409  # still sealed: the award follows the opening
    assert await status(make, challenge) == ChallengeStatus.published


async def test_with_a_proposal_the_page_offers_no_end_without_evaluation(client, world):
    make, app, users, challenge = world
    await submitted(make, challenge, users["provider"])
    past_the_deadline(make, challenge, app)
    await as_user(client, users["officer"])
    page = await client.get(url(challenge, "/award"))
    assert page.status_code == 200
    assert 'id="s-no-proposals"' not in page.text and 'id="s-decide"' in page.text
    assert f'action="{url(challenge, "/unsuccessful")}"' not in page.text
    refused = await post_form(
        client,
        url(challenge, "/unsuccessful"),
        {"reason": REASON, "confirm": "yes"},
        page=url(challenge),
    )
    assert refused.status_code == 409  # the evaluation is not finished
    assert await status(make, challenge) == ChallengeStatus.published


@pytest.mark.parametrize("who", ["colleague_auditor", "other_officer", "provider"])
async def test_only_the_owners_officers_end_it(client, world, who):
    make, app, users, challenge = world
    past_the_deadline(make, challenge, app)
    await as_user(client, users[who])
    page = await client.get(url(challenge, "/award"))
    assert f'action="{url(challenge, "/unsuccessful")}"' not in page.text
    refused = await post_form(
        client,
        url(challenge, "/unsuccessful"),
        {"reason": REASON, "confirm": "yes"},
        page=url(challenge),
    )
    assert refused.status_code == 403
    assert await status(make, challenge) == ChallengeStatus.published
