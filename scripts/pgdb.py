"""Create or drop a PostgreSQL database for one test run: pgdb.py create|drop USER@HOST:PORT NAME."""

import asyncio
import sys

import asyncpg


async def main(action: str, server: str, name: str) -> None:
    user, _, hostport = server.partition("@")
    host, _, port = hostport.partition(":")
    conn = await asyncpg.connect(user=user, host=host, port=int(port or 5432), database="postgres")
    try:
        if action == "create":
            await conn.execute(f'CREATE DATABASE "{name}"')
        else:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("create", "drop") or not sys.argv[3].isidentifier():
        sys.exit(__doc__)
    asyncio.run(main(*sys.argv[1:]))
