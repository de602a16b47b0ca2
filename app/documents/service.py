"""Store an uploaded file and record it; a file whose transaction does not commit is removed."""

import logging
from typing import Any, BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.context import Context
from app.documents.models import Document
from app.documents.store import LocalDocumentStore
from app.errors import ValidationFailed
from app.i18n import Lazy
from app.validation import FILENAME_MAX

log = logging.getLogger(__name__)
# session.info key: the files this session's open transaction wrote, as
# (store, key, the innermost transaction at the time).
_WRITTEN = "documents_written"


def clean_filename(filename: str | None) -> str:
    """The name a file is kept under: no folders of the sender's machine, at most FILENAME_MAX
    characters; no name at all means no file was chosen."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:FILENAME_MAX].strip()
    if not name:
        raise ValidationFailed({"file": Lazy("Choose a file.")})
    return name


async def store_document(
    ctx: Context,
    store: LocalDocumentStore,
    source: BinaryIO,
    max_bytes: int,
    *,
    sealed: bool = False,
) -> Document:
    stored = await store.save_async(source, max_bytes, sealed=sealed)
    session = ctx.db.sync_session
    written = (store, stored.key, session.get_nested_transaction() or session.get_transaction())
    session.info.setdefault(_WRITTEN, []).append(written)
    document = Document(
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        uploaded_by_id=ctx.user_id,
        uploaded_at=ctx.now,
        sealed=sealed,
    )
    ctx.db.add(document)
    await ctx.db.flush()
    return document


def _remove(session: Session, keep: Any) -> None:
    """Delete the written files for which `keep(transaction)` is false."""
    written = session.info.get(_WRITTEN, [])
    session.info[_WRITTEN] = [entry for entry in written if keep(entry[2])]
    for store, key, _transaction in written:
        if not keep(_transaction):
            try:
                store.delete(key)
            except OSError:
                log.exception("could not remove the uncommitted document %s", key)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """Once the outermost transaction commits, its files belong to committed rows."""
    if _WRITTEN in session.info and not session.in_nested_transaction():
        session.info.pop(_WRITTEN)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A rolled-back transaction (or savepoint) takes the files written inside it along."""
    if _WRITTEN in session.info:
        _remove(session, lambda transaction: not _within(transaction, previous))


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """A session closed without committing (a failed request) leaves no file behind."""
    if transaction.parent is None and _WRITTEN in session.info:
        _remove(session, lambda _transaction: False)
