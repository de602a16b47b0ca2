"""The `uitkomst` command: serve, migrate, demo data, accounts, tokens, audit, the demo clock."""

import argparse
import asyncio
import json
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

import app.models  # noqa: F401  (every mapper, so any query can configure them)
from app.audit.service import record, verify_chain
from app.auth.passwords import hash_password
from app.auth.service import create_api_token, create_user, normalise_email
from app.clock import ClockOffset, parse_duration, platform_now
from app.config import get_settings
from app.context import Context
from app.db import create_engine, make_sessionmaker
from app.errors import DomainError, Forbidden, ValidationFailed
from app.organisations.models import Organisation, OrganisationKind, Role, User


class CommandError(Exception):
    pass


async def _in_session(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    engine = create_engine(get_settings().database_url)
    try:
        async with make_sessionmaker(engine)() as db:
            result = await work(db)
            await db.commit()
            return result
    finally:
        await engine.dispose()


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = get_settings()
    # X-Forwarded-* only from the proxies named in FORWARDED_ALLOW_IPS: from anyone else it is
    # a header the client chose, and the sign-in throttle counts per client address.
    proxies = settings.forwarded_allow_ips.strip()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
        log_level="info",
    )


def cmd_migrate(_args: argparse.Namespace) -> None:
    from app.migrate import upgrade

    settings = get_settings()
    if settings.is_sqlite:
        Path(settings.database_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    print("database is up to date")


def cmd_demo_data(args: argparse.Namespace) -> None:
    from app.demo.data import ACCOUNTS_TEXT, load_demo

    async def work(db: AsyncSession) -> bool:
        if args.if_empty and await db.scalar(select(User.id).limit(1)) is not None:
            return False
        if await db.scalar(select(User.id).limit(1)) is not None:
            raise CommandError("the database already holds data; demo data goes into an empty one")
        await load_demo(db, await platform_now(db, demo_mode=get_settings().demo_mode))
        return True

    loaded = asyncio.run(_in_session(work))
    print("demo data loaded" if loaded else "database already holds data; demo data not loaded")
    print(ACCOUNTS_TEXT)


def cmd_create_user(args: argparse.Namespace) -> None:
    try:
        role = Role(args.role) if args.role else None
    except ValueError as error:
        raise CommandError(f"unknown role {args.role!r}; choose from {', '.join(Role)}") from error
    password = args.password or secrets.token_urlsafe(12)

    async def work(db: AsyncSession) -> None:
        now = await platform_now(db, demo_mode=get_settings().demo_mode)
        email = normalise_email(args.email)
        if "@" not in email:
            raise CommandError(f"{args.email!r} is not an email address")
        if await db.scalar(select(User).where(User.email == email)):
            raise CommandError(f"a user with email {email} already exists")
        org = await db.scalar(select(Organisation).where(Organisation.name == args.organisation))
        if org is None:
            if not args.kind:
                raise CommandError(
                    f"no organisation named {args.organisation!r}; pass --kind "
                    f"({', '.join(OrganisationKind)}) to create it"
                )
            org = Organisation(
                name=args.organisation,
                kind=OrganisationKind(args.kind),
                kvk_number=args.kvk,
                created_at=now,
            )
            db.add(org)
            await db.flush()
        try:
            user = await create_user(
                db,
                org,
                email=email,
                name=args.name,
                role=role,
                password_hash=hash_password(password),
                now=now,
                details={"organisation_id": org.id, "role": role.value if role else None},
            )
        except Forbidden as error:
            raise CommandError(
                f"{org.name} is a {org.kind.value}, which cannot hold the role {role}: policy "
                "officers and auditors work for a municipality, provider members for a provider"
            ) from error
        if role is not None:
            # Audited like a grant on the admin page, so every grant is found the same way.
            await record(
                db,
                now=now,
                actor_id=None,
                action="user.role_granted",
                entity_type="user",
                entity_id=user.id,
                data={"role": role, "previous": None, "via": "cli"},
            )

    asyncio.run(_in_session(work))
    print(f"user {args.email} created")
    if not args.password:
        print(f"password: {password}")


def cmd_api_token(args: argparse.Namespace) -> None:
    async def work(db: AsyncSession) -> str:
        user = await db.scalar(select(User).where(User.email == normalise_email(args.user)))
        if user is None:
            raise CommandError(f"no user with email {args.user}")
        return await create_api_token(
            db, user, await platform_now(db, demo_mode=get_settings().demo_mode), name=args.name
        )

    token = asyncio.run(_in_session(work))
    print(f"token: {token}")
    print("Keep it secret; it is shown only once.", file=sys.stderr)


def _client_call(work: Callable[[Context], Awaitable[Any]]) -> Any:
    """An API-client use case as the operator; its refusals become command errors."""

    async def run(db: AsyncSession) -> Any:
        now = await platform_now(db, demo_mode=get_settings().demo_mode)
        return await work(Context(db=db, user=None, now=now))

    try:
        return asyncio.run(_in_session(run))
    except ValidationFailed as error:
        problems = "; ".join(f"{name}: {_english(text)}" for name, text in error.errors.items())
        raise CommandError(problems) from error
    except DomainError as error:
        raise CommandError(_english(error.message, **error.params)) from error


def _english(message: str, **params: object) -> str:
    """The command speaks English: a message id as it is written, not translated."""
    params = params or getattr(message, "params", {})
    text = str.__str__(message)
    return text % params if params else text


def cmd_api_client_create(args: argparse.Namespace) -> None:
    from app.api_clients import service

    data = {"name": args.name, "scopes": args.scope}

    async def create(ctx: Context) -> tuple[Any, str]:
        organisation_id = None
        if args.organisation:
            organisation_id = await ctx.db.scalar(
                select(Organisation.id).where(Organisation.name == args.organisation)
            )
            if organisation_id is None:
                raise CommandError(f"no organisation named {args.organisation!r}")
        return await service.create_client(
            ctx, data, operator=True, organisation_id=organisation_id
        )

    client, secret = _client_call(create)
    print(f"client_id: {client.client_id}")
    print(f"client_secret: {secret}")
    print("Keep the secret safe; it is shown only once.", file=sys.stderr)


def cmd_api_client_list(_args: argparse.Namespace) -> None:
    from app.api_clients import service

    clients = _client_call(lambda ctx: service.list_clients(ctx, operator=True))
    for client in clients:
        state = f"disabled {client.disabled_at:%Y-%m-%d}" if client.disabled else "active"
        print(f"{client.client_id}\t{client.name}\t{client.scopes}\t{state}")
    if not clients:
        print("no API clients", file=sys.stderr)


def cmd_api_client_disable(args: argparse.Namespace) -> None:
    from app.api_clients import service

    _client_call(lambda ctx: service.disable_client(ctx, args.client_id, operator=True))
    print(f"API client {args.client_id} disabled; its tokens no longer work")


def cmd_api_client_rotate(args: argparse.Namespace) -> None:
    from app.api_clients import service

    client, secret = _client_call(
        lambda ctx: service.rotate_secret(ctx, args.client_id, operator=True)
    )
    print(f"client_id: {client.client_id}")
    print(f"client_secret: {secret}")
    print("The old secret and its tokens no longer work. Keep this one safe.", file=sys.stderr)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    if args.checkpoint:
        return _verify_against(_read_checkpoints(args.checkpoint))
    result = asyncio.run(_in_session(verify_chain))
    print("ok" if result.ok else result.summary())
    if result.ok:
        print(f"{result.checked} events checked", file=sys.stderr)
    return 0 if result.ok else 1


def _read_checkpoints(paths: list[str]) -> list[dict[str, Any]]:
    from app.audit.checkpoint import parse_kept
    from app.audit.schemas import Checkpoint

    kept = []
    for path in paths:
        try:
            items = parse_kept(Path(path).read_text("utf-8"))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        except ValueError as error:
            raise CommandError(
                f"{path} is not a checkpoint, a JSON list of them, or one per line ({error})"
            ) from error
        for number, item in enumerate(items, start=1):
            try:
                kept.append(Checkpoint.model_validate(item).model_dump())
            except ValidationError as error:
                problem = error.errors()[0]
                where = ".".join(str(part) for part in problem["loc"]) or "checkpoint"
                raise CommandError(
                    f"{path}: entry {number} is not a checkpoint ({where}: {problem['msg']})"
                ) from error
    return kept


def _verify_against(checkpoints: list[dict[str, Any]]) -> int:
    from app.audit.checkpoint import verify_checkpoints
    from app.audit.signing import signing_key

    key = signing_key()
    report = asyncio.run(_in_session(lambda db: verify_checkpoints(db, checkpoints, key)))
    if not report.ok:
        for finding in report.findings:
            print(finding.english())
        return 1
    print("ok")
    print(
        f"{report.chain.checked} events checked; every stream still holds what "
        f"{report.checkpoints} checkpoint(s) saw",
        file=sys.stderr,
    )
    return 0


def cmd_audit_checkpoint(args: argparse.Namespace) -> None:
    from app.audit.checkpoint import build_checkpoint
    from app.audit.signing import signing_key

    async def work(db: AsyncSession) -> dict[str, Any]:
        return await build_checkpoint(
            db, await platform_now(db, demo_mode=get_settings().demo_mode), signing_key()
        )

    document = json.dumps(asyncio.run(_in_session(work)), indent=2, sort_keys=True) + "\n"
    if args.out:
        Path(args.out).write_text(document)
        print(f"checkpoint written to {args.out}", file=sys.stderr)
    else:
        print(document, end="")


def cmd_backup(args: argparse.Namespace) -> int:
    from app.backup import BackupError, make_backup, sqlite_file

    async def revision(db: AsyncSession) -> str | None:
        return await db.scalar(text("SELECT version_num FROM alembic_version"))

    settings = get_settings()
    try:
        if settings.is_sqlite and not sqlite_file(settings).is_file():
            raise BackupError(f"there is no database at {sqlite_file(settings)}")
        schema = asyncio.run(_in_session(revision))
        outcome = make_backup(
            settings,
            Path(args.out) if args.out else None,
            revision=schema,
            include_keys=args.include_keys,
        )
    except DBAPIError as error:
        raise CommandError(
            "cannot read the database's schema version; is it reachable and migrated?"
        ) from error
    except BackupError as error:
        raise CommandError(str(error)) from error
    for line in outcome.lines:
        print(line)
    return 0 if outcome.complete else 1


def cmd_restore(args: argparse.Namespace) -> None:
    from app.backup import BackupError, restore_backup

    try:
        lines = restore_backup(get_settings(), Path(args.folder), force=args.force)
    except BackupError as error:
        raise CommandError(str(error)) from error
    for line in lines:
        print(line, file=sys.stderr if line.startswith("WARNING") else sys.stdout)


def cmd_clock_advance(args: argparse.Namespace) -> None:
    settings = get_settings()
    if not settings.demo_mode:
        raise CommandError("the clock can only be moved in demo/training mode (DEMO_MODE=true)")
    try:
        delta = parse_duration(args.duration)
    except ValueError as error:
        raise CommandError(str(error)) from error

    async def work(db: AsyncSession) -> int:
        row = await db.get(ClockOffset, 1)
        if row is None:
            row = ClockOffset(id=1, seconds=0)
            db.add(row)
        row.seconds += int(delta.total_seconds())
        now = await platform_now(db, demo_mode=get_settings().demo_mode)
        await record(
            db,
            now=now,
            actor_id=None,
            action="clock.advanced",
            entity_type="platform",
            entity_id=None,
            data={"by_seconds": int(delta.total_seconds()), "offset_seconds": row.seconds},
        )
        return row.seconds

    offset = asyncio.run(_in_session(work))
    print(
        f"platform clock moved forward by {args.duration}; total offset {offset // 86400} days "
        f"{offset % 86400 // 3600} hours"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="uitkomst", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the app (HOST/PORT or --host/--port)")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        func=cmd_migrate
    )

    s = sub.add_parser("demo-data", help="load Gemeente Voorbeeldstad's demo portfolio")
    s.add_argument("--if-empty", action="store_true", help="do nothing if there are users")
    s.set_defaults(func=cmd_demo_data)

    s = sub.add_parser("create-user", help="add an account")
    s.add_argument("--email", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--organisation", required=True, help="organisation name")
    s.add_argument("--role", choices=[r.value for r in Role])
    s.add_argument(
        "--kind",
        choices=[k.value for k in OrganisationKind],
        help="create the organisation with this kind if it does not exist",
    )
    s.add_argument("--kvk", help="KvK number for a new organisation")
    s.add_argument("--password", help="omit to get a random one printed")
    s.set_defaults(func=cmd_create_user)

    s = sub.add_parser("api-token", help="personal API tokens")
    tsub = s.add_subparsers(dest="action", required=True)
    t = tsub.add_parser("create", help="make a bearer token for a user (printed once)")
    t.add_argument("--user", required=True, help="the user's email")
    t.add_argument("--name", default="cli", help="a label for the token")
    t.set_defaults(func=cmd_api_token)

    s = sub.add_parser("api-client", help="programs that read the auditor API (OAuth2 clients)")
    csub = s.add_subparsers(dest="action", required=True)
    c = csub.add_parser("create", help="register a client; prints its id and secret once")
    c.add_argument("--name", required=True, help="who or what the program is")
    c.add_argument(
        "--scope",
        required=True,
        help='space-separated, from: ocds:read results:read audit:read (e.g. "ocds:read")',
    )
    c.add_argument(
        "--organisation",
        help="register it for this organisation, as its admin would: a municipality's client "
        "reads audit events and small counts as its auditors do; without it, as the public",
    )
    c.set_defaults(func=cmd_api_client_create)
    csub.add_parser("list", help="every client, with its scopes").set_defaults(
        func=cmd_api_client_list
    )
    c = csub.add_parser("disable", help="stop a client for good, and its tokens")
    c.add_argument("client_id")
    c.set_defaults(func=cmd_api_client_disable)
    c = csub.add_parser("rotate", help="give a client a new secret (printed once)")
    c.add_argument("client_id")
    c.set_defaults(func=cmd_api_client_rotate)

    s = sub.add_parser("audit", help="the audit log")
    asub = s.add_subparsers(dest="action", required=True)
    a = asub.add_parser("verify", help="check the hash chain; prints ok or the first broken link")
    a.add_argument(
        "--checkpoint",
        action="append",
        metavar="FILE",
        help="also check that the log still holds what this kept checkpoint saw (repeatable; "
        "a file may hold one checkpoint, a JSON list, or one per line)",
    )
    a.set_defaults(func=cmd_audit_verify)
    a = asub.add_parser("checkpoint", help="print a signed checkpoint of every stream head")
    a.add_argument("--out", metavar="FILE", help="write it to FILE instead")
    a.set_defaults(func=cmd_audit_checkpoint)

    s = sub.add_parser("backup", help="back up the database and the document store")
    s.add_argument("--out", metavar="DIR", help="an empty or new folder (default var/backups/...)")
    s.add_argument(
        "--include-keys",
        action="store_true",
        help="also write the sealing and audit signing keys into the backup (keep it secret)",
    )
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("restore", help="restore a backup into the configured database")
    s.add_argument("folder", help="a folder made by uitkomst backup")
    s.add_argument("--force", action="store_true", help="replace what is there")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("clock", help="the platform clock (demo/training mode only)")
    csub = s.add_subparsers(dest="action", required=True)
    c = csub.add_parser("advance", help="move the clock forward, e.g. 30d, 12h, 2w")
    c.add_argument("duration")
    c.set_defaults(func=cmd_clock_advance)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        get_settings()
    except ValidationError as error:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        print(f"uitkomst: configuration problem: {problems}", file=sys.stderr)
        return 2
    try:
        result = args.func(args)
    except CommandError as error:
        print(f"uitkomst: {error}", file=sys.stderr)
        return 2
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
