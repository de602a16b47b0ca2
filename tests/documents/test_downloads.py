"""Every stored file leaves as a download: attachment with a safe RFC 6266 name, nosniff, its
stored type, and a sandboxing CSP should a browser render it anyway (issue 7, finding 5)."""

import io
import json

import pytest

from app.challenges import attachments, lifecycle
from app.documents.download import content_disposition
from app.organisations.models import Role
from app.proposals import service as proposals
from tests.conftest import sign_in
from tests.documents import samples
from tests.factories import coalition_of, complete_content

NAME = 'Plan € 2026 "concept"; deel 1.docx'
DISPOSITION = (
    'attachment; filename="Plan _ 2026 _concept_; deel 1.docx"; '
    "filename*=UTF-8''Plan%20%E2%82%AC%202026%20%22concept%22%3B%20deel%201.docx"
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def assert_download(response, content: bytes, content_type: str, disposition: str) -> None:
    assert response.status_code == 200, response.text
    assert response.content == content
    assert response.headers["content-type"] == content_type
    assert response.headers["content-disposition"] == disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_the_filename_cannot_break_out_of_the_header():
    header = content_disposition('x\r\nSet-Cookie: a=b;"evil"%.pdf')
    assert "\r" not in header and "\n" not in header
    assert header == (
        'attachment; filename="x__Set-Cookie: a=b;_evil__.pdf"; '
        "filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db%3B%22evil%22%25.pdf"
    )
    assert content_disposition("..\\..\\boot.ini").endswith("filename*=UTF-8''boot.ini")
    assert content_disposition("  ") == (
        "attachment; filename=\"document\"; filename*=UTF-8''document"
    )


async def test_challenge_documents_download_safely(client, app, make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer)
    data = samples.docx()
    attachment = await attachments.add_attachment(
        make.ctx(officer), app.state.documents, challenge.id, NAME, io.BytesIO(data), 1_000_000
    )
    token = await make.token(officer)
    api = await client.get(
        f"/api/v1/challenges/{challenge.id}/attachments/{attachment.id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_download(api, data, DOCX, DISPOSITION)
    await sign_in(client, officer.email)
    page = await client.get(f"/challenges/{challenge.id}/attachments/{attachment.id}")
    assert_download(page, data, DOCX, DISPOSITION)


@pytest.fixture
async def submitted(app, make):
    """A coalition's draft document, submitted with version 1 (before the deadline)."""
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    coalition = await coalition_of(make, challenge, lead)
    ctx = make.ctx(lead)
    await proposals.save_draft(ctx, coalition.public_id, complete_content(challenge, coalition))
    data = samples.docx()
    attachment = await proposals.add_attachment(
        ctx, app.state.documents, coalition.public_id, NAME, io.BytesIO(data), 1_000_000
    )
    await proposals.submit(ctx, coalition.public_id)
    return lead, coalition, attachment, data


@pytest.mark.parametrize("where", ["page", "api"])
async def test_proposal_documents_download_safely(client, make, submitted, where):
    lead, coalition, attachment, data = submitted
    digest = attachment.document.sha256
    if where == "api":
        prefix = f"/api/v1/coalitions/{coalition.public_id}"
        client.headers["Authorization"] = f"Bearer {await make.token(lead)}"
        draft_url = f"{prefix}/proposal/attachments/{attachment.public_id}"
        submitted_url = f"{prefix}/submissions/1/attachments/{digest}"
    else:
        prefix = f"/coalitions/{coalition.public_id}"
        await sign_in(client, lead.email)
        draft_url = f"{prefix}/proposal/attachments/{attachment.public_id}"
        submitted_url = f"{prefix}/receipts/1/attachments/{digest}"
    assert_download(await client.get(draft_url), data, DOCX, DISPOSITION)
    assert_download(await client.get(submitted_url), data, DOCX, DISPOSITION)


async def test_the_submitted_content_downloads_safely(client, submitted):
    lead, coalition, _attachment, _data = submitted
    await sign_in(client, lead.email)
    response = await client.get(f"/coalitions/{coalition.public_id}/receipts/1/content.json")
    receipt = json.loads(response.content)["attachments"]
    assert receipt and receipt[0]["filename"] == NAME
    name = response.headers["content-disposition"].split('filename="')[1].split('"')[0]
    assert_download(
        response,
        response.content,
        "application/json",
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}",
    )
