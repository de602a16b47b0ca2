"""Uploads over HTTP: the body is counted as it streams and cut at the limit; hostile files get a
clear 415 from the API and the pages alike (issue 7, finding 5)."""

import io
import secrets

import pytest

from app.challenges import attachments, lifecycle
from app.organisations.models import Role
from tests.conftest import csrf, sign_in
from tests.documents import samples
from tests.factories import coalition_of

CHUNK = 64 * 1024


@pytest.fixture
async def officer(make):
    return await make.user(Role.policy_officer)


@pytest.fixture
async def draft(make, officer):
    return await make.challenge(officer)


@pytest.fixture
async def world_lead(make, officer):
    challenge = await make.challenge(officer, publish=True)
    challenge = await lifecycle.get_challenge(make.ctx(officer), challenge.id)
    lead = await make.user(Role.provider_member)
    return lead, await coalition_of(make, challenge, lead)


def limit_of(app) -> int:
    return app.state.settings.max_upload_bytes + 1024 * 1024


class Multipart:
    """A multipart/form-data body sent in chunks, counting how much of it was taken."""

    def __init__(self, file_bytes: int, fields: dict[str, str] | None = None) -> None:
        self.boundary = secrets.token_hex(8)
        self.file_bytes = file_bytes
        self.fields = fields or {}
        self.sent = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    async def __aiter__(self):
        head = b""
        for name, value in self.fields.items():
            head += (
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n"
            ).encode()
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="groot.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n'
        ).encode()
        self.sent += len(head)
        yield head
        left = self.file_bytes
        while left > 0:
            chunk = b"0" * min(CHUNK, left)
            left -= len(chunk)
            self.sent += len(chunk)
            yield chunk
        tail = f"\r\n%%EOF\r\n--{self.boundary}--\r\n".encode()
        self.sent += len(tail)
        yield tail


async def test_a_chunked_upload_over_the_limit_is_cut_off_with_a_json_413(
    client, app, make, officer, draft
):
    token = await make.token(officer)
    body = Multipart(file_bytes=8 * limit_of(app))
    response = await client.post(
        f"/api/v1/challenges/{draft.id}/attachments",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": body.content_type},
    )
    assert "content-length" not in response.request.headers  # sent chunked
    assert response.status_code == 413
    assert response.json() == {"detail": "Het verzoek is te groot.", "code": "too_large"}
    assert body.sent <= limit_of(app) + CHUNK  # reading stopped at the limit


async def test_a_chunked_upload_over_the_limit_gets_a_413_page(client, app, officer, draft):
    await sign_in(client, officer.email)
    token = await csrf(client, f"/challenges/{draft.id}")
    body = Multipart(file_bytes=8 * limit_of(app), fields={"csrf_token": token})
    response = await client.post(
        f"/challenges/{draft.id}/attachments",
        content=body,
        headers={"Content-Type": body.content_type},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "Het verzoek is te groot." in response.text
    assert body.sent <= limit_of(app) + CHUNK


async def test_a_content_length_that_understates_the_body_does_not_help(
    client, app, make, officer, draft
):
    token = await make.token(officer)
    body = Multipart(file_bytes=8 * limit_of(app))
    response = await client.post(
        f"/api/v1/challenges/{draft.id}/attachments",
        content=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": body.content_type,
            "Content-Length": "1000",
        },
    )
    assert response.request.headers["content-length"] == "1000"
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert body.sent <= limit_of(app) + CHUNK


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    client, app, make, officer, draft
):
    token = await make.token(officer)
    body = Multipart(file_bytes=8 * limit_of(app))
    response = await client.post(
        f"/api/v1/challenges/{draft.id}/attachments",
        content=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": body.content_type,
            "Content-Length": str(8 * limit_of(app)),
        },
    )
    assert response.status_code == 413
    assert body.sent == 0


async def test_a_declared_length_over_the_limit_gets_a_413_page(client, app, draft):
    body = Multipart(file_bytes=8 * limit_of(app))
    response = await client.post(
        f"/challenges/{draft.id}/attachments",
        content=body,
        headers={"Content-Type": body.content_type, "Content-Length": str(8 * limit_of(app))},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in response.text and "Het verzoek is te groot." in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert body.sent == 0


async def test_an_upload_within_the_limit_still_arrives(client, make, officer, draft):
    token = await make.token(officer)
    response = await client.post(
        f"/api/v1/challenges/{draft.id}/attachments",
        files={"file": ("plan.odt", samples.odt(), "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "application/vnd.oasis.opendocument.text"


HOSTILE = {
    "bomb.docx": (
        lambda: samples.with_large_entry([], "word/document.xml", 16 * 2**20),
        "it looks like a compression bomb",
    ),
    "plan.docx": (lambda: samples.docx(("payload.exe", b"MZ")), "program or macro (payload.exe)"),
    "plan.pdf": (
        lambda: b"%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF\n",
        "also contains a web page or script",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
async def test_hostile_files_get_a_clear_415_from_the_api(client, make, officer, draft, name):
    content, expected = HOSTILE[name]
    token = await make.token(officer)
    response = await client.post(
        f"/api/v1/challenges/{draft.id}/attachments",
        files={"file": (name, content(), "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 415
    body = response.json()
    assert body["code"] == "unsupported_file"
    assert expected in body["detail"]


async def test_a_hostile_file_gets_a_415_on_the_proposal_page(client, world_lead):
    lead, coalition = world_lead
    await sign_in(client, lead.email)
    page = f"/coalitions/{coalition.public_id}/proposal"
    token = await csrf(client, page)
    response = await client.post(
        f"{page}/attachments",
        data={"csrf_token": token},
        files={"file": ("plan.docx", samples.docx(("word/vbaProject.bin", b"x")), "x/y")},
    )
    assert response.status_code == 415
    assert 'id="file-error"' in response.text
    assert "word/vbaProject.bin" in response.text


async def test_a_body_sent_to_a_download_is_cut_off_without_a_server_error(
    app, make, officer, draft
):
    """A file response reads the body while it sends, to hear the client going away: that read
    is cut off at the limit too, and ends the response instead of raising into it. (Called as
    plain ASGI: a response cut off like this is one httpx's test transport cannot represent.)"""
    attachment = await attachments.add_attachment(
        make.ctx(officer), app.state.documents, draft.id, "a.pdf", io.BytesIO(samples.pdf()), 10**6
    )
    token = await make.token(officer)
    path = f"/api/v1/challenges/{draft.id}/attachments/{attachment.id}"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    received = 0
    answer: list[dict] = []

    async def receive() -> dict:
        nonlocal received
        received += CHUNK
        return {"type": "http.request", "body": b"0" * CHUNK, "more_body": True}

    async def send(message: dict) -> None:
        answer.append(message)

    await app(scope, receive, send)  # no exception escapes
    assert received <= limit_of(app) + CHUNK
    assert answer[0]["type"] == "http.response.start"
    assert answer[0]["status"] in (200, 413)
