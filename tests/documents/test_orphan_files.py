"""A file the store wrote for a transaction that does not commit is removed with it."""

import io

import pytest

from app import context
from app.documents.service import store_document
from app.documents.store import LocalDocumentStore
from app.errors import Conflict
from app.organisations.models import Role
from tests.conftest import csrf, sign_in
from tests.documents.samples import make_pdf


def _files(root) -> list:
    return sorted(path.name for path in root.rglob("*") if path.is_file())


@pytest.fixture
def store(tmp_path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "store")


async def test_rollback_removes_the_file_and_commit_keeps_it(db_maker, make, store):
    user = await make.user(Role.policy_officer)
    await make.db.commit()
    async with db_maker() as session:
        ctx = make.ctx(user)
        ctx.db = session
        kept = (await store_document(ctx, store, io.BytesIO(make_pdf("blijft")), 10**6)).storage_key
        await session.commit()
        failed = await store_document(ctx, store, io.BytesIO(make_pdf("weg")), 10**6)
        assert store.path(failed.storage_key).exists()
        await session.rollback()
    assert _files(store.root) == [kept]


async def test_closing_without_commit_removes_the_file(db_maker, make, store):
    user = await make.user(Role.policy_officer)
    await make.db.commit()
    async with db_maker() as session:
        ctx = make.ctx(user)
        ctx.db = session
        await store_document(ctx, store, io.BytesIO(make_pdf("weg")), 10**6)
    assert _files(store.root) == []


async def test_a_rolled_back_savepoint_takes_only_its_own_file(db_maker, make, store):
    user = await make.user(Role.policy_officer)
    await make.db.commit()
    async with db_maker() as session:
        ctx = make.ctx(user)
        ctx.db = session
        outer = (
            await store_document(ctx, store, io.BytesIO(make_pdf("buiten")), 10**6)
        ).storage_key
        savepoint = await session.begin_nested()
        await store_document(ctx, store, io.BytesIO(make_pdf("binnen")), 10**6)
        await savepoint.rollback()
        released = await session.begin_nested()
        inner = (await store_document(ctx, store, io.BytesIO(make_pdf("vrij")), 10**6)).storage_key
        await released.commit()
        await session.commit()
    assert _files(store.root) == sorted([outer, inner])


@pytest.fixture
async def draft(make):
    officer = await make.user(Role.policy_officer)
    challenge = await make.challenge(officer)
    await make.db.commit()
    return officer, challenge


async def _upload(client, challenge_id: int, content: bytes):
    token = await csrf(client, f"/challenges/{challenge_id}")
    return await client.post(
        f"/challenges/{challenge_id}/attachments",
        data={"csrf_token": token},
        files={"file": ("bijlage.pdf", content, "application/pdf")},
    )


def _fail_after_the_write(monkeypatch):
    async def refuse(*_args, **_kwargs):
        raise Conflict("Something went wrong after the file was written.")

    monkeypatch.setattr(context, "record", refuse)


async def test_a_request_failing_after_the_write_leaves_no_file(
    client, settings, draft, monkeypatch
):
    officer, challenge = draft
    await sign_in(client, officer.email)
    _fail_after_the_write(monkeypatch)
    failed = await _upload(client, challenge.id, make_pdf("bijlage"))
    assert failed.status_code == 409
    assert _files(settings.documents_dir) == []


async def test_a_successful_request_keeps_its_file(client, settings, draft):
    officer, challenge = draft
    await sign_in(client, officer.email)
    ok = await _upload(client, challenge.id, make_pdf("bijlage"))
    assert ok.status_code == 303
    assert len(_files(settings.documents_dir)) == 1


async def test_a_failed_second_upload_of_the_same_file_keeps_the_first(
    client, settings, draft, monkeypatch
):
    """Identical content gets its own key, so removing the failed copy never touches the first."""
    officer, challenge = draft
    await sign_in(client, officer.email)
    pdf = make_pdf("twee keer")
    assert (await _upload(client, challenge.id, pdf)).status_code == 303
    first = _files(settings.documents_dir)
    _fail_after_the_write(monkeypatch)
    assert (await _upload(client, challenge.id, pdf)).status_code == 409
    assert _files(settings.documents_dir) == first
    stored = next(settings.documents_dir.rglob(first[0]))
    assert stored.read_bytes() == pdf
