"""Settings from the environment; one object, read once."""

import base64
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me"


def normalise_database_url(url: str) -> str:
    """Accept the plain URL forms users know and pick the async driver."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    for prefix in (
        "postgresql://",
        "postgres://",
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    environment: Literal["dev", "test", "demo", "production"] = "dev"
    secret_key: str = DEV_SECRET
    sealing_key: str | None = None
    audit_signing_key: str | None = None  # Ed25519 seed, base64; see app/audit/signing.py
    database_url: str = f"sqlite:///{ROOT / 'var' / 'uitkomst.db'}"
    documents_dir: Path = ROOT / "var" / "documents"
    host: str = "127.0.0.1"
    port: int = 8000
    demo_mode: bool | None = None
    max_upload_bytes: int = 20 * 1024 * 1024
    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    session_days: int = 14
    secure_cookies: bool | None = None  # None: on in production
    base_url: str = "http://127.0.0.1:8000"
    # A browser that signed in to an account before is a known device: the account lock does
    # not apply to it, its own failures count against this higher limit instead.
    login_max_device_failures: int = 10
    known_device_days: int = 365
    # The proxies whose X-Forwarded-For/-Proto uvicorn trusts (comma-separated addresses or
    # networks, or *); empty trusts none, so the client address is the connection's peer.
    forwarded_allow_ips: str = ""
    # API clients: how long a token from POST /oauth/token lasts, and how many requests one
    # client may make per window (per app process; see app/api_clients/limiter.py).
    api_token_seconds: int = 15 * 60
    api_rate_limit: int = 120
    api_rate_window_seconds: int = 60
    # OCDS (app/ocds): the prefix of every ocid. "ocds-xxxxxx" is a placeholder: a publisher
    # registers its own prefix with the Open Contracting Partnership and sets it here.
    ocds_ocid_prefix: str = "ocds-xxxxxx"
    ocds_publisher_name: str = "Uitkomst"
    ocds_publisher_uri: str = ""  # empty: the base_url
    ocds_license: str = "https://creativecommons.org/publicdomain/zero/1.0/"
    ocds_publication_policy: str = ""

    @field_validator("audit_signing_key")
    @classmethod
    def _signing_seed(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            seed = base64.b64decode(value, validate=True)
        except ValueError:
            seed = b""
        if len(seed) != 32:
            raise ValueError("AUDIT_SIGNING_KEY must be 32 bytes, base64-encoded")
        return value

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        return normalise_database_url(value)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("SECRET_KEY must be set to a random value in production")
        if self.demo_mode is None:
            self.demo_mode = self.environment in ("dev", "demo", "test")
        if self.secure_cookies is None:
            self.secure_cookies = self.environment == "production"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
