"""Every release and record package the demo data produces validates against the patched
schema with zero errors, for the public and for the owning municipality's auditor (who also
reads the opened bids and the award decisions in their standstill)."""

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.challenges.models import Challenge
from app.config import Settings, get_settings
from app.context import Context
from app.demo.data import load_demo
from app.ocds import service
from app.ocds.records import compile_release
from app.ocds.releases import record_package, release_package
from app.ocds.schema import validate_record_package, validate_release_package
from app.organisations.models import User
from tests.conftest import NOW

PUBLISHER = service.publisher_of(Settings(environment="test"))
AUDITOR = "controller@voorbeeldstad.nl"


@pytest.fixture(scope="module")
async def demo(engine, tmp_path_factory):
    """The demo loaded once for this module's tests (they only read), rolled back at the end."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        maker = async_sessionmaker(bind=connection, expire_on_commit=False, autoflush=False)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DOCUMENTS_DIR", str(tmp_path_factory.mktemp("documents")))
            get_settings.cache_clear()
            async with maker() as db:
                await load_demo(db, NOW)
                users = {u.email: u for u in await db.scalars(select(User))}
                yield db, users
            get_settings.cache_clear()
        await outer.rollback()


async def _all(ctx: Context, limit: int = 7) -> list[dict]:
    """The whole feed through the cursor, one package per page, each validated."""
    found, after = [], None
    while True:
        page = await service.release_page(ctx, PUBLISHER, after=after, limit=limit)
        package = release_package(PUBLISHER, page.releases, NOW, "http://testserver/x")
        assert validate_release_package(package) == []
        found += page.releases
        if page.next is None:
            return found
        after = page.next


@pytest.mark.parametrize("reader", [None, AUDITOR])
async def test_every_demo_package_validates(demo, reader):
    db, users = demo
    ctx = Context(db=db, user=users.get(reader), now=NOW)
    releases = await _all(ctx)
    assert len({r["id"] for r in releases}) == len(releases)
    tags = {tag for r in releases for tag in r["tag"]}
    assert {"tender", "tenderUpdate", "contract"} <= tags
    # The demo's decision in its standstill is the municipality's until contracted.
    assert ("award" in tags) == (reader is not None)
    ocids = sorted({r["ocid"] for r in releases})
    for ocid in ocids:
        record = await service.record(ctx, PUBLISHER, ocid)
        package = record_package(
            PUBLISHER, ocid, record.releases, record.compiled, NOW, f"http://testserver/{ocid}"
        )
        assert validate_record_package(package) == []
        assert record.releases == [r for r in releases if r["ocid"] == ocid]
        assert record.compiled == compile_release(record.releases)
    if reader is None:
        assert "bids" not in {key for r in releases for key in r}
    else:
        assert any("bids" in r for r in releases)


async def test_the_demo_contract_is_compiled_with_its_suppliers_and_metrics(demo):
    db, _ = demo
    ctx = Context(db=db, user=None, now=NOW)
    releases = await _all(ctx, limit=50)
    contracted = sorted({r["ocid"] for r in releases if "contract" in r["tag"]})
    assert contracted
    record = await service.record(ctx, PUBLISHER, contracted[0])
    compiled = record.compiled
    challenge = await db.get(Challenge, int(contracted[0].rsplit("-", 1)[1]))
    assert compiled["tender"]["value"] == {
        "amount": challenge.budget_cents / 100,
        "currency": "EUR",
    }
    assert compiled["tender"]["awardCriteria"] == "qualityOnly"
    (award,) = compiled["awards"]
    assert award["status"] == "active"
    (contract,) = compiled["contracts"]
    assert contract["status"] == "active"
    assert contract["agreedMetrics"] and all(
        any(o["id"] == "target" for o in m["observations"]) for m in contract["agreedMetrics"]
    )
    suppliers = {s["id"] for s in contract["suppliers"]}
    roles = {p["id"]: p["roles"] for p in compiled["parties"]}
    assert all("supplier" in roles[s] for s in suppliers)
    assert sum("leadTenderer" in roles[s] for s in suppliers) == 1
