"""The coalition pages, driven as a browser without JavaScript would."""

import re

import pytest

from app.coalitions import service as coalitions
from app.organisations.models import OrganisationKind, Role
from tests.conftest import post_form, sign_in
from tests.factories import coalition_of


@pytest.fixture
async def world(make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    lead_org = await make.org(OrganisationKind.welfare_organisation, name="Welzijn Noord")
    partner_org = await make.org(OrganisationKind.school_board, name="Scholengroep Zuid")
    lead = await make.user(Role.provider_member, lead_org)
    partner = await make.user(Role.provider_member, partner_org)
    return officer, challenge, lead, partner


def coalition_id_from(response) -> str:
    assert response.status_code == 303, response.text
    return re.fullmatch(r"/coalitions/([0-9a-f-]{36})", response.headers["location"]).group(1)


async def sign_out(client) -> None:
    await post_form(client, "/logout", {})


async def test_two_organisations_form_a_coalition_through_the_forms(client, world):
    _officer, challenge, lead, partner = world
    await sign_in(client, lead.email)
    detail = await client.get(f"/challenges/{challenge.id}")
    assert f'action="/challenges/{challenge.id}/coalitions"' in detail.text
    assert "alleen aan één coalitie" in detail.text  # the public one-coalition rule

    started = await post_form(
        client,
        f"/challenges/{challenge.id}/coalitions",
        {"name": "Samen naar school", "role": "penvoerder", "contribution": "Coördinatie"},
    )
    coalition_id = coalition_id_from(started)
    page = await client.get(f"/coalitions/{coalition_id}")
    assert "Samen naar school" in page.text
    assert "Penvoerder" in page.text

    found = await client.get(f"/coalitions/{coalition_id}", params={"q": "zuid"})
    assert "Scholengroep Zuid" in found.text
    assert f'name="organisation_id" value="{partner.organisation_id}"' in found.text
    by_kvk = await client.get(
        f"/coalitions/{coalition_id}", params={"q": partner.organisation.kvk_number}
    )
    assert "Scholengroep Zuid" in by_kvk.text

    invited = await post_form(
        client,
        f"/coalitions/{coalition_id}/invitations",
        {"organisation_id": str(partner.organisation_id)},
    )
    assert invited.status_code == 303
    page = await client.get(f"/coalitions/{coalition_id}")
    assert "Uitgenodigd" in page.text

    await sign_out(client)
    await sign_in(client, partner.email)
    mine = await client.get("/coalitions")
    assert "Samen naar school" in mine.text
    assert f'action="/coalitions/{coalition_id}/response"' in mine.text
    accepted = await post_form(
        client,
        f"/coalitions/{coalition_id}/response",
        {"decision": "accept", "role": "schoolbestuur", "contribution": "Plekken", "from": "mine"},
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/coalitions/{coalition_id}"
    page = await client.get(f"/coalitions/{coalition_id}")
    assert "schoolbestuur" in page.text
    assert "Geaccepteerd" in page.text

    updated = await post_form(
        client,
        f"/coalitions/{coalition_id}/membership",
        {"role": "schoolbestuur en locatie", "contribution": "Plekken en een gebouw"},
    )
    assert updated.status_code == 303
    assert "Plekken en een gebouw" in (await client.get(f"/coalitions/{coalition_id}")).text

    detail = await client.get(f"/challenges/{challenge.id}")
    assert f'href="/coalitions/{coalition_id}"' in detail.text
    # In a coalition already: the start form is gone for this (one-coalition) challenge.
    assert f'action="/challenges/{challenge.id}/coalitions"' not in detail.text


async def test_start_form_keeps_input_and_marks_errors(client, world):
    _officer, challenge, lead, _partner = world
    await sign_in(client, lead.email)
    response = await post_form(
        client,
        f"/challenges/{challenge.id}/coalitions",
        {"name": "", "role": "r" * 300, "contribution": "Wij doen mee"},
    )
    assert response.status_code == 422
    assert 'id="name-error"' in response.text
    assert 'id="role-error"' in response.text
    assert "Wij doen mee" in response.text
    assert 'aria-invalid="true"' in response.text


async def test_htmx_search_gets_only_the_results(client, make, world):
    _officer, challenge, lead, _partner = world
    coalition = await coalition_of(make, challenge, lead)
    await sign_in(client, lead.email)
    response = await client.get(
        f"/coalitions/{coalition.public_id}",
        params={"q": "Scholengroep"},
        headers={"HX-Request": "true", "HX-Target": "invite_results"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="invite_results">')
    assert "Scholengroep Zuid" in response.text
    assert "<html" not in response.text
    short = await client.get(f"/coalitions/{coalition.public_id}", params={"q": "x"})
    assert short.status_code == 200
    assert "twee tekens" in short.text


async def test_decline_and_withdraw_and_leave(client, make, world):
    _officer, challenge, lead, partner = world
    other = await make.user(
        Role.provider_member, await make.org(OrganisationKind.company, name="Bedrijf West")
    )
    coalition = await coalition_of(make, challenge, lead, partner)
    await coalitions.invite(make.ctx(lead), coalition.public_id, other.organisation_id)

    await sign_in(client, other.email)
    declined = await post_form(
        client,
        f"/coalitions/{coalition.public_id}/response",
        {"decision": "decline", "from": "mine"},
    )
    assert declined.status_code == 303
    assert (await client.get(f"/coalitions/{coalition.public_id}")).status_code == 404
    nonsense = await post_form(
        client, f"/coalitions/{coalition.public_id}/response", {"decision": "misschien"}
    )
    assert nonsense.status_code == 404  # no longer invited: the coalition is invisible

    await sign_out(client)
    await sign_in(client, partner.email)
    left = await post_form(client, f"/coalitions/{coalition.public_id}/leave", {})
    assert left.status_code == 303
    assert left.headers["location"] == "/coalitions"
    assert (await client.get(f"/coalitions/{coalition.public_id}")).status_code == 404

    await sign_out(client)
    await sign_in(client, lead.email)
    again = await post_form(
        client,
        f"/coalitions/{coalition.public_id}/invitations",
        {"organisation_id": str(other.organisation_id)},
    )
    assert again.status_code == 303  # a declined organisation can be invited again
    page = await client.get(f"/coalitions/{coalition.public_id}")
    assert "Bedrijf West" in page.text
    assert "Scholengroep Zuid" in page.text  # under "no longer in the coalition"
    withdrawn = await post_form(
        client, f"/coalitions/{coalition.public_id}/members/{other.organisation_id}/remove", {}
    )
    assert withdrawn.status_code == 303
    cannot_remove_lead = await post_form(
        client, f"/coalitions/{coalition.public_id}/members/{lead.organisation_id}/remove", {}
    )
    assert cannot_remove_lead.status_code == 409


async def test_forms_without_csrf_token_are_refused(client, make, world):
    _officer, challenge, lead, partner = world
    coalition = await coalition_of(make, challenge, lead)
    await sign_in(client, lead.email)
    refused = await client.post(
        f"/coalitions/{coalition.public_id}/invitations",
        data={"organisation_id": str(partner.organisation_id)},
    )
    assert refused.status_code == 403
    forged = await client.post(
        f"/challenges/{challenge.id}/coalitions",
        data={"name": "Nep", "csrf_token": "f" * 64},
    )
    assert forged.status_code == 403
    page = await client.get(f"/coalitions/{coalition.public_id}")
    assert "Uitgenodigd" not in page.text


async def test_accepting_a_second_coalition_is_refused(client, make, world):
    _officer, challenge, lead, partner = world
    await coalition_of(make, challenge, partner)
    coalition = await coalition_of(make, challenge, lead, partner, accept=False)
    await sign_in(client, partner.email)
    refused = await post_form(
        client, f"/coalitions/{coalition.public_id}/response", {"decision": "accept"}
    )
    assert refused.status_code == 409
    assert "andere coalitie" in refused.text


async def test_too_long_role_on_accept_is_shown_on_my_coalitions(client, make, world):
    _officer, challenge, lead, partner = world
    coalition = await coalition_of(make, challenge, lead, partner, accept=False)
    await sign_in(client, partner.email)
    response = await post_form(
        client,
        f"/coalitions/{coalition.public_id}/response",
        {"decision": "accept", "role": "x" * 201, "contribution": "Bewaard", "from": "mine"},
    )
    assert response.status_code == 422
    assert 'id="role-error"' in response.text
    assert "Bewaard" in response.text


@pytest.mark.parametrize("who", ["officer", "admin", "auditor", "provider", "public"])
async def test_outsiders_see_no_trace_before_the_deadline(client, make, world, who):
    officer, challenge, lead, partner = world
    coalition = await coalition_of(make, challenge, lead, partner)
    users = {
        "officer": officer,
        "admin": await make.user(Role.admin, officer.organisation),
        "auditor": await make.user(Role.auditor, org=officer.organisation),
        "provider": await make.user(Role.provider_member),
    }
    if who in users:
        await sign_in(client, users[who].email)
    for path in ("", "/proposal", "/receipts", "/receipts/1"):
        response = await client.get(f"/coalitions/{coalition.public_id}{path}")
        if who == "public":  # asked to sign in, before anything is looked up
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login")
        else:
            assert response.status_code == 404, (who, path)
        assert coalition.name not in response.text
    detail = await client.get(f"/challenges/{challenge.id}")
    assert coalition.name not in detail.text
    assert "/coalitions/" not in detail.text
    assert "/opening" not in detail.text


async def test_odd_input_never_gives_a_500(client, make, world):
    _officer, challenge, lead, _partner = world
    coalition = await coalition_of(make, challenge, lead)
    await sign_in(client, lead.email)
    for path in (
        "/coalitions/abc",
        "/coalitions/0",
        "/coalitions/99999999999999999999",
        f"/coalitions/{coalition.public_id}?q=%00%25_",
        f"/coalitions/{coalition.public_id}?q=" + "a" * 5000,
    ):
        assert (await client.get(path)).status_code < 500, path
    for value in ("abc", "0", "-1", "99999999999999999999", ""):
        response = await post_form(
            client, f"/coalitions/{coalition.public_id}/invitations", {"organisation_id": value}
        )
        assert response.status_code == 404, value
    municipality = await post_form(
        client,
        f"/coalitions/{coalition.public_id}/invitations",
        {"organisation_id": str(challenge.organisation_id)},
    )
    assert municipality.status_code == 404


async def test_signed_out_user_is_sent_to_sign_in_for_my_coalitions(client):
    response = await client.get("/coalitions")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/coalitions"


async def test_the_public_sees_the_coalition_rule_of_a_challenge(client, make, world):
    officer, _challenge, _lead, _partner = world
    relaxed = await make.challenge(officer, publish=True, allow_multiple_coalitions=True)
    page = await client.get(f"/challenges/{relaxed.id}")
    assert "meer dan één coalitie" in page.text


async def test_officer_can_allow_more_than_one_coalition_until_publication(client, make, world):
    officer, challenge, lead, _partner = world
    await sign_in(client, officer.email)
    page = await client.get("/challenges/new")
    assert 'name="allow_multiple_coalitions" type="checkbox"' in page.text
    created = await post_form(
        client,
        "/challenges/new",
        {"title": "Sport in de wijk", "allow_multiple_coalitions": "1", "action": "save"},
        page="/challenges/new",
    )
    assert created.status_code == 303, created.text
    edit = await client.get(created.headers["location"] + "/edit")
    assert re.search(
        r'name="allow_multiple_coalitions" type="checkbox" value="1"\s*checked', edit.text
    )
    # Once published the choice is fixed: the amend form carries it without a checkbox.
    amend = await client.get(f"/challenges/{challenge.id}/edit")
    assert 'type="checkbox"' not in amend.text
    assert "alleen aan één coalitie" in amend.text


async def test_with_more_coalitions_allowed_a_member_may_start_another(client, make, world):
    officer, _challenge, lead, _partner = world
    relaxed = await make.challenge(officer, publish=True, allow_multiple_coalitions=True)
    first = await coalition_of(make, relaxed, lead)
    await sign_in(client, lead.email)
    page = await client.get(f"/challenges/{relaxed.id}")
    assert f'href="/coalitions/{first.public_id}"' in page.text
    assert f'action="/challenges/{relaxed.id}/coalitions"' in page.text
    second = await post_form(client, f"/challenges/{relaxed.id}/coalitions", {"name": "Tweede"})
    assert second.status_code == 303
