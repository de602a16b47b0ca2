"""Every release and record package the demo data produces validates against the patched
schema with zero errors, for the public and for the owning municipality's auditor (who also
reads the opened bids and the award decisions in their standstill)."""

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.challenges.models import Challenge
from app.config import Settings, get_settings
from app.context import Context
from app.contracts.models import Contract
from app.demo.data import load_demo
from app.ocds import service
from app.ocds.records import compile_release
from app.ocds.releases import record_package, release_package
from app.ocds.schema import validate_record_package, validate_release_package
from app.organisations.models import User
from app.results.models import ContractPayment, ReportStatus, ReportValue, ResultReport
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
    assert {"tender", "tenderUpdate", "contract", "implementation"} <= tags
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


async def test_the_demo_results_and_payments_are_published_small_counts_as_less_than_five(demo):
    db, _ = demo
    ctx = Context(db=db, user=None, now=NOW)
    releases = await _all(ctx, limit=50)
    accepted = (
        await db.execute(
            select(ResultReport.id, ResultReport.contract_id, ReportValue.people)
            .join(ReportValue, ReportValue.report_id == ResultReport.id)
            .where(ResultReport.status == ReportStatus.accepted)
        )
    ).all()
    payments = (await db.scalars(select(ContractPayment))).all()
    published = {
        r["id"].split("-implementation-")[1] for r in releases if "implementation" in r["tag"]
    }
    assert published == {f"report-{row.id}" for row in accepted} | {
        f"payment-{p.id}" for p in payments
    }
    observations = [
        o
        for r in releases
        for c in r.get("contracts", [])
        for m in c.get("implementation", {}).get("metrics", [])
        for o in m["observations"]
    ]
    small = [o for o in observations if o["dimensions"]["numberOfPeople"] == "<5"]
    assert len(small) == sum(row.people < 5 for row in accepted) > 0
    assert all("measure" not in o for o in small)
    assert all(int(o["dimensions"]["numberOfPeople"]) >= 5 for o in observations if o not in small)
    for contract in {row.contract_id for row in accepted}:
        challenge = await db.scalar(select(Contract.challenge_id).where(Contract.id == contract))
        record = await service.record(ctx, PUBLISHER, f"{PUBLISHER.ocid_prefix}-{challenge}")
        (compiled,) = record.compiled["contracts"]
        assert compiled["implementation"]["metrics"]
        paid = sorted(str(p.id) for p in payments if p.contract_id == contract)
        assert sorted(t["id"] for t in compiled["implementation"].get("transactions", [])) == paid
