"""Known devices: a signed cookie that says this browser signed in to these accounts before.

It lets the owner of an account in when someone else's wrong passwords locked it: the lock is
for strangers. The cookie is signed with SECRET_KEY, so it cannot be made up, and it carries a
random device id, so a copied cookie still has a failure limit of its own.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadData, URLSafeSerializer

from app.config import Settings

DEVICE_COOKIE = "uk_device"
_SALT = "uitkomst.known-device"
_MAX_ACCOUNTS = 5  # a shared computer remembers its most recent few


@dataclass(frozen=True)
class KnownDevice:
    id: str
    accounts: tuple[int, ...]

    def knows(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.accounts


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=_SALT)


def read_device(request: Request, settings: Settings, now: datetime) -> KnownDevice | None:
    """The device the cookie names, if its signature holds and it has not expired."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        data = _serializer(settings).loads(value)
        device, accounts, issued = data["d"], data["a"], data["t"]
    except (BadData, KeyError, TypeError):
        return None
    if not isinstance(device, str) or not isinstance(accounts, list):
        return None
    if not isinstance(issued, int) or now.timestamp() - issued > settings.known_device_days * 86400:
        return None
    return KnownDevice(device, tuple(a for a in accounts if isinstance(a, int)))


def remember_device(
    response: Response,
    settings: Settings,
    device: KnownDevice | None,
    user_id: int,
    now: datetime,
) -> Response:
    """After a successful sign-in: this browser now knows the account (renewed each time)."""
    device_id = device.id if device else secrets.token_urlsafe(16)
    others = [a for a in device.accounts if a != user_id] if device else []
    accounts = [user_id, *others][:_MAX_ACCOUNTS]
    value = _serializer(settings).dumps({"d": device_id, "a": accounts, "t": int(now.timestamp())})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=int(timedelta(days=settings.known_device_days).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response
