"""`uitkomst api-client ...` against a scratch database of its own (it commits for real)."""

import asyncio
import hashlib
import os
import re

import pytest
from sqlalchemy import text

from app import cli
from app.config import get_settings
from app.db import create_engine
from tests.conftest import scratch_database


@pytest.fixture(scope="module")
def uitkomst(tmp_path_factory):
    """Run the CLI in-process with its own environment; returns (exit code, stdout, stderr)."""
    folder = tmp_path_factory.mktemp("api-client-cli")
    with scratch_database("api_client_cli", folder) as url:
        old = dict(os.environ)
        os.environ.update(DATABASE_URL=url, DOCUMENTS_DIR=str(folder / "docs"), ENVIRONMENT="test")
        get_settings.cache_clear()

        def run(*args: str, capsys) -> tuple[int, str, str]:
            code = cli.main(list(args))
            out, err = capsys.readouterr()
            return code, out, err

        assert cli.main(["migrate"]) == 0
        yield run
        os.environ.clear()
        os.environ.update(old)
        get_settings.cache_clear()


def _rows(sql: str) -> list[tuple]:
    async def query() -> list[tuple]:
        engine = create_engine(get_settings().database_url)
        async with engine.connect() as conn:
            rows = [tuple(row) for row in await conn.execute(text(sql))]
        await engine.dispose()
        return rows

    return asyncio.run(query())


def test_create_prints_the_secret_once_and_stores_only_its_hash(uitkomst, capsys):
    code, out, err = uitkomst(
        "api-client",
        "create",
        "--name",
        "Rekenkamer",
        "--scope",
        "ocds:read audit:read",
        capsys=capsys,
    )
    assert code == 0, err
    match = re.fullmatch(r"client_id: (ukc_\S+)\nclient_secret: (ukcs_\S{40,})\n", out)
    assert match, out
    client_id, secret = match.groups()
    assert "only once" in err
    [(stored_hash, scopes)] = _rows(
        f"SELECT secret_hash, scopes FROM api_clients WHERE client_id = '{client_id}'"
    )
    assert stored_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert scopes == "audit:read ocds:read"
    [(action, data)] = _rows(
        "SELECT action, data FROM audit_events WHERE entity_type = 'api_client'"
    )
    assert action == "api_client.created" and secret not in str(data) and "cli" in str(data)

    code, out, _ = uitkomst("api-client", "list", capsys=capsys)
    assert code == 0 and client_id in out and "Rekenkamer" in out and secret not in out
    assert "active" in out

    code, out, _ = uitkomst("api-client", "rotate", client_id, capsys=capsys)
    assert code == 0
    new_secret = re.search(r"^client_secret: (\S+)$", out, re.MULTILINE).group(1)
    assert new_secret != secret

    code, out, _ = uitkomst("api-client", "disable", client_id, capsys=capsys)
    assert code == 0 and "disabled" in out
    code, out, _ = uitkomst("api-client", "list", capsys=capsys)
    assert "disabled" in out
    code, _, err = uitkomst("api-client", "disable", client_id, capsys=capsys)
    assert code == 2 and "disabled" in err
    actions = [
        row[0]
        for row in _rows(
            "SELECT action FROM audit_events WHERE entity_type = 'api_client' ORDER BY id"
        )
    ]
    assert actions == ["api_client.created", "api_client.secret_rotated", "api_client.disabled"]
    code, out, _ = uitkomst("audit", "verify", capsys=capsys)
    assert (code, out.strip()) == (0, "ok")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("create", "--name", "X", "--scope", "ocds:write"), "scopes"),
        (("create", "--name", "X", "--scope", ""), "scopes"),
        (("rotate", "ukc_nobody"), "does not exist"),
        (("disable", "ukc_nobody"), "does not exist"),
        (
            ("create", "--name", "X", "--scope", "ocds:read", "--organisation", "Gemeente Nergens"),
            "no organisation named 'Gemeente Nergens'",
        ),
    ],
)
def test_bad_input_is_one_clear_line(uitkomst, capsys, args, says):
    code, out, err = uitkomst("api-client", *args, capsys=capsys)
    assert code == 2 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1


def test_the_operator_registers_a_client_for_a_municipality(uitkomst, capsys):
    """Like its admin on /admin/api-clients: the program then reads as its auditors do."""
    code, _, err = uitkomst(
        "create-user",
        "--email",
        "beheer@cli-gemeente.nl",
        "--name",
        "Beheer",
        "--organisation",
        "Gemeente CLI",
        "--kind",
        "municipality",
        "--role",
        "admin",
        capsys=capsys,
    )
    assert code == 0, err
    code, out, err = uitkomst(
        "api-client",
        "create",
        "--name",
        "Rekenkamer CLI",
        "--scope",
        "audit:read",
        "--organisation",
        "Gemeente CLI",
        capsys=capsys,
    )
    assert code == 0, err
    client_id = re.search(r"^client_id: (\S+)$", out, re.MULTILINE).group(1)
    [(organisation,)] = _rows(
        "SELECT o.name FROM api_clients c JOIN organisations o ON o.id = c.organisation_id "
        f"WHERE c.client_id = '{client_id}'"
    )
    assert organisation == "Gemeente CLI"
