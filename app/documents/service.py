"""Store an uploaded file and record it."""

from typing import BinaryIO

from app.context import Context
from app.documents.models import Document
from app.documents.store import LocalDocumentStore


async def store_document(
    ctx: Context,
    store: LocalDocumentStore,
    source: BinaryIO,
    max_bytes: int,
    *,
    sealed: bool = False,
) -> Document:
    stored = await store.save_async(source, max_bytes, sealed=sealed)
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
