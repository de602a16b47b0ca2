"""Sealed until the deadline, in the OCDS feed too: no bid, no count of bids, no coalition or
member name, for any caller and any endpoint (the spirit of tests/proposals/test_sealing.py)."""

import io
import json
import zipfile
from datetime import timedelta

import pytest

from app.api_clients import service as api_clients
from app.organisations.models import Organisation, OrganisationKind, Role, User
from tests.proposals.test_sealing import OUTSIDERS, SECRET, headers
from tests.proposals.test_sealing import sealed as sealed  # noqa: F401  (the fixture)


def ocds_urls(challenge_id: int) -> list[str]:
    return [
        "/api/v1/ocds/releases",
        "/api/v1/ocds/releases?limit=1",
        "/api/v1/ocds/releases.jsonl",
        "/api/v1/ocds/releases.zip",
        f"/api/v1/ocds/records/ocds-xxxxxx-{challenge_id}",
    ]


def text_of(response) -> str:
    """The answer as text; the zipped download unpacked first."""
    if response.headers["content-type"] == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return archive.read("releases.json").decode()
    return response.text


async def client_token(client, make) -> str:
    admin = await make.user(Role.admin, org=await make.org(OrganisationKind.municipality))
    registered, secret = await api_clients.create_client(
        make.ctx(admin), {"name": "Open data", "scopes": "ocds:read"}
    )
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(registered.client_id, secret),
    )
    return response.json()["access_token"]


async def secrets(make, coalition) -> list[str]:
    """What must not show: the content, the coalition's name, its members' names."""
    names = [SECRET, coalition.name]
    for member in coalition.members:
        names.append((await make.db.get(Organisation, member.organisation_id)).name)
    return names


@pytest.mark.parametrize("who", [*OUTSIDERS, "lead", "ocds_client"])
async def test_the_feed_reveals_nothing_of_a_sealed_proposal(client, make, sealed, who):  # noqa: F811
    challenge, coalition, _attachment, _users, tokens = sealed
    await make.db.refresh(coalition, ["members"])
    if who == "lead":
        tokens["lead"] = await make.token(await make.db.get(User, coalition.created_by_id))
    if who == "ocds_client":
        tokens["ocds_client"] = await client_token(client, make)
    hidden = await secrets(make, coalition)
    for url in ocds_urls(challenge.id):
        response = await client.get(url, headers=headers(tokens[who]))
        assert response.status_code == 200, (url, response.text)
        text = text_of(response)
        for secret in hidden:
            assert secret not in text, (url, secret)
        assert '"bids"' not in text and "numberOfTenderers" not in text, url
        assert "tenderer" not in text and "statistics" not in text, url
    record = (await client.get(ocds_urls(challenge.id)[-1])).json()
    assert [r["tag"] for r in record["records"][0]["releases"]] == [["tender"]]


async def test_after_the_deadline_the_public_still_sees_no_bidder(client, make, sealed, clock):  # noqa: F811
    challenge, coalition, *_ = sealed
    await make.db.refresh(coalition, ["members"])
    clock.at = clock.at + timedelta(days=31)  # past the deadline, no award yet
    hidden = await secrets(make, coalition)
    for url in ocds_urls(challenge.id):
        text = text_of(await client.get(url))
        assert all(secret not in text for secret in hidden), url
        assert '"bids"' not in text and "numberOfTenderers" not in text
    assert json.loads((await client.get(ocds_urls(challenge.id)[0])).text)["releases"]
