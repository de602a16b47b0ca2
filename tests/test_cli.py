"""The `uitkomst` command against a scratch database of its own (it commits for real)."""

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from app import cli
from app.config import get_settings
from app.db import create_engine
from tests.conftest import scratch_database


@pytest.fixture(scope="module")
def scratch_url(tmp_path_factory) -> str:
    with scratch_database("cli", tmp_path_factory.mktemp("cli")) as url:
        yield url


@pytest.fixture(scope="module")
def uitkomst(scratch_url, tmp_path_factory):
    """Run the CLI in-process with its own environment; returns (exit code, stdout, stderr)."""
    documents = tmp_path_factory.mktemp("documents")
    old = dict(os.environ)
    os.environ.update(DATABASE_URL=scratch_url, DOCUMENTS_DIR=str(documents), ENVIRONMENT="test")
    get_settings.cache_clear()

    def run(*args: str, capsys=None) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr() if capsys else ("", "")
        return code, out, err

    assert run("migrate") == (0, "", "")
    yield run
    os.environ.clear()
    os.environ.update(old)
    get_settings.cache_clear()


def test_demo_data_loads_once_and_prints_accounts(uitkomst, capsys):
    code, out, _ = uitkomst("demo-data", "--if-empty", capsys=capsys)
    assert code == 0
    assert "demo data loaded" in out
    assert "jeugd@voorbeeldstad.nl" in out and "policy_officer" in out
    code, out, _ = uitkomst("demo-data", "--if-empty", capsys=capsys)
    assert code == 0 and "not loaded" in out
    code, _, err = uitkomst("demo-data", capsys=capsys)
    assert code == 2 and "already holds data" in err
    code, out, _ = uitkomst("audit", "verify", capsys=capsys)
    assert (code, out.strip()) == (0, "ok")


def test_demo_data_has_every_stage_of_this_release(uitkomst, scratch_url):
    async def statuses() -> list[tuple[str, bool]]:
        engine = create_engine(get_settings().database_url)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT status, published_at IS NOT NULL FROM challenges")
            )
            result = [(row[0], row[1]) for row in rows]
        await engine.dispose()
        return result

    async def contracts() -> list[tuple]:
        engine = create_engine(get_settings().database_url)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT c.title, k.status, k.period_start, k.created_at, "
                    "(SELECT count(*) FROM contract_parties p WHERE p.contract_id = k.id), "
                    "(SELECT count(*) FROM contract_indicators i WHERE i.contract_id = k.id) "
                    "FROM contracts k JOIN challenges c ON c.id = k.challenge_id ORDER BY c.title"
                )
            )
            result = [tuple(row) for row in rows]
        await engine.dispose()
        return result

    async def evaluations() -> dict[str, tuple]:
        engine = create_engine(get_settings().database_url)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT c.title, "
                    "(SELECT count(*) FROM committee_members m WHERE m.challenge_id = c.id), "
                    "(SELECT count(*) FROM evaluation_declarations d "
                    " WHERE d.challenge_id = c.id AND d.conflict), "
                    "(SELECT count(*) FROM evaluation_submissions s WHERE s.challenge_id = c.id), "
                    "(SELECT count(*) FROM evaluation_consensus k WHERE k.challenge_id = c.id) "
                    "FROM challenges c"
                )
            )
            result = {row[0]: tuple(row[1:]) for row in rows}
        await engine.dispose()
        return result

    found = asyncio.run(statuses())
    assert ("draft", False) in found
    assert ("published", True) in found
    assert ("cancelled", True) in found
    # The running challenges of DEMO.md have contracts that started months ago, each with
    # every coalition member as a party and both indicators, for the results to report on.
    running = asyncio.run(contracts())
    assert [row[0] for row in running] == [
        "Sport in de wijk",
        "Vrijwilligerswerk houdt het werkritme vast",
        "Wijkcoaches voor multiprobleemhuishoudens",
    ]
    # Detention in evaluation: four members, one recused, three submitted, no consensus;
    # debt help complete: three members, all submitted, consensus on 3 criteria × 2 proposals.
    evaluated = asyncio.run(evaluations())
    assert evaluated["Jongeren na detentie: school, werk en geen nieuwe delicten"] == (4, 1, 3, 0)
    assert evaluated["Schuldhulp zonder wachtlijst"] == (3, 0, 3, 6)
    today = datetime.now(UTC).date()
    for _title, status, start, _made, parties, indicators in running:
        assert status == "running" and parties >= 2 and indicators == 2
        start = start if isinstance(start, date) else date.fromisoformat(start)
        assert (today - start).days >= 180


def test_create_user_and_api_token(uitkomst, capsys):
    code, out, _ = uitkomst(
        "create-user",
        "--email",
        "Nieuw@Voorbeeldstad.nl",
        "--name",
        "Nieuwe Collega",
        "--organisation",
        "Gemeente Voorbeeldstad",
        "--role",
        "policy_officer",
        capsys=capsys,
    )
    assert code == 0
    assert re.search(r"^password: \S{12,}$", out, re.MULTILINE)
    code, _, err = uitkomst(
        "create-user",
        "--email",
        "nieuw@voorbeeldstad.nl",
        "--name",
        "Dubbel",
        "--organisation",
        "Gemeente Voorbeeldstad",
        "--role",
        "auditor",
        capsys=capsys,
    )
    assert code == 2 and "already exists" in err
    code, _, err = uitkomst(
        "create-user",
        "--email",
        "x@y.nl",
        "--name",
        "X",
        "--organisation",
        "Onbekend",
        "--role",
        "auditor",
        capsys=capsys,
    )
    assert code == 2 and "--kind" in err
    code, out, _ = uitkomst(
        "create-user",
        "--email",
        "x@y.nl",
        "--name",
        "X",
        "--organisation",
        "Nieuwe Stichting",
        "--kind",
        "welfare_organisation",
        "--role",
        "provider_member",
        "--password",
        "een-lang-wachtwoord",
        capsys=capsys,
    )
    assert code == 0 and "password:" not in out

    code, out, _ = uitkomst(
        "api-token", "create", "--user", "nieuw@voorbeeldstad.nl", capsys=capsys
    )
    assert code == 0
    assert re.fullmatch(r"token: uk_\S{40,}", out.strip())
    code, _, err = uitkomst("api-token", "create", "--user", "niemand@x.nl", capsys=capsys)
    assert code == 2 and "no user" in err


def _create(uitkomst, capsys, email, organisation, role, kind=None):
    extra = ("--kind", kind) if kind else ()
    args = ("--email", email, "--name", "N", "--organisation", organisation, "--role", role)
    return uitkomst("create-user", *args, *extra, capsys=capsys)


def _scalar(sql: str, **params):
    async def query():
        engine = create_engine(get_settings().database_url)
        async with engine.connect() as conn:
            value = await conn.scalar(text(sql), params)
        await engine.dispose()
        return value

    return asyncio.run(query())


def test_create_user_gives_only_roles_the_organisation_may_hold(uitkomst, capsys):
    code, _, err = _create(uitkomst, capsys, "a@bouw.nl", "Bouw BV", "auditor", "company")
    assert code == 2 and "Bouw BV is a company, which cannot hold the role auditor" in err
    assert _scalar("SELECT count(*) FROM organisations WHERE name = 'Bouw BV'") == 0
    code, _, err = _create(uitkomst, capsys, "b@zorg.nl", "Zorg", "policy_officer", "school_board")
    assert code == 2 and "cannot hold the role policy_officer" in err
    code, _, err = _create(
        uitkomst, capsys, "c@stad.nl", "Gemeente Stad", "provider_member", "municipality"
    )
    assert code == 2 and "municipality, which cannot hold the role provider_member" in err
    refused = ("a@bouw.nl", "b@zorg.nl", "c@stad.nl")
    for email in refused:
        assert _scalar("SELECT count(*) FROM users WHERE email = :e", e=email) == 0

    code, _, _ = _create(uitkomst, capsys, "d@stad.nl", "Gemeente Stad", "auditor", "municipality")
    assert code == 0
    user_id = _scalar("SELECT id FROM users WHERE email = 'd@stad.nl'")
    granted = _scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'user.role_granted' AND entity_id = :id",
        id=user_id,
    )
    assert granted == 1  # audited like a grant on the admin page


def test_clock_advance_only_in_demo_mode(uitkomst, capsys):
    code, out, _ = uitkomst("clock", "advance", "30d", capsys=capsys)
    assert code == 0 and "30 days" in out
    code, _, err = uitkomst("clock", "advance", "soon", capsys=capsys)
    assert code == 2 and "duration" in err
    os.environ["ENVIRONMENT"] = "production"
    os.environ["SECRET_KEY"] = "not-the-default-" + "x" * 20
    get_settings.cache_clear()
    try:
        code, _, err = uitkomst("clock", "advance", "1d", capsys=capsys)
    finally:
        os.environ["ENVIRONMENT"] = "test"
        del os.environ["SECRET_KEY"]
        get_settings.cache_clear()
    assert code == 2 and "demo" in err


def test_production_refuses_the_default_secret():
    from pydantic import ValidationError

    from app.config import Settings

    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")


def test_database_url_accepts_plain_forms():
    from app.config import normalise_database_url

    assert normalise_database_url("sqlite:///var/app.db") == "sqlite+aiosqlite:///var/app.db"
    assert normalise_database_url("postgresql://u:p@h/db") == "postgresql+asyncpg://u:p@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"


def test_a_configuration_problem_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    get_settings.cache_clear()
    try:
        code = cli.main(["migrate"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        "uitkomst: configuration problem: SECRET_KEY must be set to a random value in production"
    )


def test_every_command_runs_in_a_fresh_interpreter(tmp_path):
    """In-process tests have every model imported already; a real `uitkomst` starts bare."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        "DOCUMENTS_DIR": str(tmp_path / "documents"),
        "ENVIRONMENT": "test",
    }
    command = [sys.executable, "-m", "app.cli"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*command, *args], env=env, capture_output=True, text=True)

    assert run("migrate").returncode == 0
    made = run(
        *("create-user", "--email", "vers@voorbeeldstad.nl", "--name", "Vers"),
        *("--organisation", "Gemeente Vers", "--kind", "municipality", "--role", "auditor"),
    )
    assert made.returncode == 0, made.stderr
    token = run("api-token", "create", "--user", "vers@voorbeeldstad.nl")
    assert token.returncode == 0, token.stderr
    assert token.stdout.startswith("token: uk_")
    assert run("audit", "verify").returncode == 0
