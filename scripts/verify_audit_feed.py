#!/usr/bin/env python3
"""Check Uitkomst's audit log from outside: recompute every hash chain from the API feed and
check it against the checkpoints you kept, signed with the public key you pinned.

Standalone: the Python standard library and `cryptography` (pip install cryptography), nothing
of Uitkomst itself, so an auditor can read every line of what they run.

  python verify_audit_feed.py --url https://uitkomst.example.nl \\
      --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET" \\
      --public-key uitkomst-audit.pem --checkpoint checkpoints.jsonl

Who reads: an API client with the scope audit:read (--client-id and --client-secret, or
UITKOMST_CLIENT_ID and UITKOMST_CLIENT_SECRET): the script gets its own token from
/oauth/token and reads the client feed, /api/v1/auditor/audit/. Or --token (or UITKOMST_TOKEN):
a client's token (uka_...) reads that feed too; an auditor's personal API token reads the
feed for people, /api/v1/audit/ (--feed client|person says which, if the token does not).
--checkpoint FILE (repeatable): checkpoints you fetched from /api/v1/audit/checkpoint and kept,
one JSON object per file, a JSON list, or one per line. --public-key FILE (repeatable): the PEM
(or the JSON of /api/v1/audit/public-key) you saved once; without it the server's current key is
used, which proves less.
Events of the platform stream that concern other organisations come redacted (`"redacted": true`,
only stream, seq, prev_hash and hash): their links are checked, their content cannot be, and the
summary says how many events were only link-checked. A client registered at the command line
reads as the public: the platform stream only, mostly redacted.
Exit code: 0 all holds, 1 something does not (one line per problem), 2 usage or connection error.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

GENESIS = "0" * 64
PAGE = 1000
FEEDS = {"client": "/api/v1/auditor/audit", "person": "/api/v1/audit"}
CLIENT_TOKEN_PREFIX = "uka_"  # what /oauth/token hands out; a person's API token differs


class Feed(Protocol):
    def get(self, path: str, params: dict[str, Any] | None = None) -> tuple[int, Any]:
        """(HTTP status, parsed JSON body) of a GET under the server's base URL."""


class HttpFeed:
    """GETs with a bearer token; waits out a 429 (Retry-After) and, given client credentials,
    gets a token itself and a fresh one when it expires (tokens last minutes)."""

    def __init__(
        self, base_url: str, token: str | None, credentials: tuple[str, str] | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.credentials = credentials

    def _send(self, request: urllib.request.Request) -> tuple[int, Any, Any]:
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response), response.headers
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.load(error), error.headers
            except ValueError:
                return error.code, None, error.headers

    def fetch_token(self) -> None:
        """The client-credentials grant (RFC 6749 section 4.4), by HTTP Basic."""
        assert self.credentials is not None
        client_id, secret = (urllib.parse.quote(part, safe="") for part in self.credentials)
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "audit:read"})
        request = urllib.request.Request(
            self.base_url + "/oauth/token",
            data=form.encode(),
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        status, body, _headers = self._send(request)
        if status != 200:
            detail = body.get("detail") if isinstance(body, dict) else body
            raise ConnectionError(f"getting a token: HTTP {status} {detail or ''}".strip())
        self.token = body["access_token"]

    def get(self, path: str, params: dict[str, Any] | None = None) -> tuple[int, Any]:
        url = self.base_url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        if self.credentials and not self.token:
            self.fetch_token()
        renewed = False
        for _attempt in range(10):
            request = urllib.request.Request(url, headers={"Accept": "application/json"})
            if self.token:
                request.add_header("Authorization", f"Bearer {self.token}")
            status, body, headers = self._send(request)
            if status == 401 and self.credentials and not renewed:
                self.fetch_token()  # expired while we read: one fresh token, then as it comes
                renewed = True
                continue
            if status == 429:
                time.sleep(min(int(headers.get("Retry-After") or 1), 120))
                continue
            return status, body
        return status, body


def canonical(value: Any) -> str:
    """JSON with sorted keys, no spaces, UTF-8 as is: the form every hash and signature covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the event's fields; the time as UTC isoformat()."""
    moment = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
    fields = {
        "stream": event["stream"],
        "seq": event["seq"],
        "occurred_at": moment.astimezone(UTC).isoformat(),
        "actor_id": event["actor_id"],
        "action": event["action"],
        "entity_type": event["entity_type"],
        "entity_id": event["entity_id"],
        "data": event["data"],
        "prev_hash": event["prev_hash"],
    }
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def signature_holds(public_raw: bytes, checkpoint: dict[str, Any]) -> bool:
    body = {name: value for name, value in checkpoint.items() if name != "signature"}
    try:
        signature = base64.b64decode(str(checkpoint.get("signature", "")), validate=True)
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, canonical(body).encode())
    except (InvalidSignature, ValueError):
        return False
    return True


def commitment(salt: bytes, stream: str, seq: int, head_hash: str) -> str:
    head = canonical({"stream": stream, "seq": seq, "hash": head_hash}).encode()
    return hashlib.sha256(salt + head).hexdigest()


def sealed_stream(challenge_id: int) -> str:
    return f"sealed:challenge:{challenge_id}"


def parse_kept(text: str) -> list[dict[str, Any]]:
    """One JSON checkpoint, a JSON list of them, or one per line."""
    try:
        value = json.loads(text)
    except ValueError:
        value = [json.loads(line) for line in text.splitlines() if line.strip()]
    return value if isinstance(value, list) else [value]


def public_key_from(text: str) -> bytes:
    """The raw key from a PEM file or from the JSON that /api/v1/audit/public-key serves."""
    if text.lstrip().startswith("{"):
        return base64.b64decode(json.loads(text)["public_key"])
    key = load_pem_public_key(text.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass
class Result:
    events: int = 0
    linked: int = 0  # redacted events: only their place in the chain was checked
    streams: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


class Checker:
    def __init__(self, feed: Feed, base: str) -> None:
        self.feed = feed
        self.base = base
        self.chains: dict[str, dict[int, str] | None] = {}
        self.result = Result()

    def fail(self, status: int, body: Any, what: str) -> None:
        detail = body.get("detail") if isinstance(body, dict) else body
        raise ConnectionError(f"{what}: HTTP {status} {detail or ''}".strip())

    def chain(self, stream: str) -> dict[int, str] | None:
        """Every (seq -> hash) of a stream after checking it; None if we may not read it."""
        if stream in self.chains:
            return self.chains[stream]
        events: list[dict[str, Any]] = []
        while True:
            after = events[-1]["seq"] if events else 0
            params = {"stream": stream, "after": after, "limit": PAGE}
            status, page = self.feed.get(f"{self.base}/events", params)
            if status == 404:
                self.chains[stream] = None
                return None
            if status != 200:
                self.fail(status, page, f"reading stream {stream}")
            events += page
            if len(page) < PAGE:
                break
        self.chains[stream] = {event["seq"]: event["hash"] for event in events}
        self._check_links(stream, events)
        return self.chains[stream]

    def _check_links(self, stream: str, events: list[dict[str, Any]]) -> None:
        self.result.streams += 1
        expected_prev = GENESIS
        for number, event in enumerate(events, start=1):
            where = f"stream {stream} event {event['seq']}"
            if event["seq"] != number:
                self.result.problems.append(f"{where}: expected seq {number}; an event is missing")
                return
            if event["prev_hash"] != expected_prev:
                self.result.problems.append(
                    f"{where}: its prev_hash does not link to the one before"
                )
                return
            if event.get("redacted"):
                self.result.linked += 1  # the next event's prev_hash holds it in place
            elif event_hash(event) != event["hash"]:
                self.result.problems.append(f"{where}: its content does not match its hash")
                return
            else:
                self.result.events += 1
            expected_prev = event["hash"]

    def head(self, checkpoint: dict[str, Any], head: dict[str, Any]) -> None:
        stream, seq, when = head["stream"], head["seq"], checkpoint["issued_at"]
        chain = self.chain(stream)
        if chain is None:
            self.result.skipped += 1
            return
        if seq == 0:
            return
        if not chain:
            self.result.problems.append(
                f"stream {stream} is gone, but the checkpoint of {when} saw it at seq {seq}"
            )
        elif max(chain) < seq:
            self.result.problems.append(
                f"stream {stream} ends at seq {max(chain)}, but the checkpoint of {when} saw "
                f"seq {seq}"
            )
        elif chain.get(seq) != head["hash"]:
            self.result.problems.append(
                f"event {seq} of stream {stream} is not the one the checkpoint of {when} saw: "
                "the chain was rewritten"
            )

    def sealed(self, checkpoint: dict[str, Any], entry: dict[str, Any]) -> None:
        cid = entry["challenge_id"]
        params = {"challenge_id": cid, "nonce": checkpoint["nonce"]}
        status, body = self.feed.get(f"{self.base}/checkpoint/salt", params)
        if status == 404:  # still sealed, or another municipality's
            self.result.skipped += 1
            return
        if status != 200:
            self.fail(status, body, f"asking the salt for challenge {cid}")
        chain = self.chain(sealed_stream(cid)) or {}
        salt = bytes.fromhex(body["salt"])
        states = [(0, GENESIS), *chain.items()]
        if not any(
            commitment(salt, sealed_stream(cid), seq, h) == entry["commitment"] for seq, h in states
        ):
            self.result.problems.append(
                f"the sealed stream of challenge {cid} no longer holds the state the checkpoint "
                f"of {checkpoint['issued_at']} committed to: events were removed or rewritten"
            )


def verify_feed(
    feed: Feed,
    checkpoints: list[dict[str, Any]],
    public_keys: dict[str, bytes],
    base: str = FEEDS["client"],
) -> Result:
    """Recompute every readable chain from the feed under `base`, then hold each kept
    checkpoint against it."""
    checker = Checker(feed, base)
    status, streams = feed.get(f"{base}/streams")
    if status != 200:
        checker.fail(status, streams, "listing the audit streams")
    for stream in streams:
        checker.chain(stream)
    for checkpoint in checkpoints:
        when, kid = checkpoint.get("issued_at"), checkpoint.get("key_id")
        if kid not in public_keys:
            checker.result.problems.append(
                f"the checkpoint of {when} was signed with key {kid}, which is not a key you gave"
            )
            continue
        if not signature_holds(public_keys[kid], checkpoint):
            checker.result.problems.append(
                f"the checkpoint of {when} does not carry a valid signature: changed or forged"
            )
            continue
        for head in checkpoint["streams"]:
            checker.head(checkpoint, head)
        for entry in checkpoint["sealed"]:
            checker.sealed(checkpoint, entry)
    return checker.result


def which_feed(choice: str, token: str | None, credentials: tuple[str, str] | None) -> str:
    """The feed's base path: the client feed for client credentials or a client's token, the
    feed for people for a person's token; --feed says it outright."""
    if choice != "auto":
        return FEEDS[choice]
    if credentials or not token or token.startswith(CLIENT_TOKEN_PREFIX):
        return FEEDS["client"]
    return FEEDS["person"]


def main(argv: list[str] | None = None, feed: Feed | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=feed is None, help="Uitkomst's base URL")
    parser.add_argument("--client-id", default=os.environ.get("UITKOMST_CLIENT_ID"))
    parser.add_argument("--client-secret", default=os.environ.get("UITKOMST_CLIENT_SECRET"))
    parser.add_argument("--token", default=os.environ.get("UITKOMST_TOKEN"))
    parser.add_argument("--feed", choices=["auto", *FEEDS], default="auto")
    parser.add_argument("--checkpoint", action="append", default=[], metavar="FILE")
    parser.add_argument("--public-key", action="append", default=[], metavar="FILE")
    args = parser.parse_args(argv)
    if bool(args.client_id) != bool(args.client_secret):
        parser.error("give both --client-id and --client-secret, or neither")
    credentials = (args.client_id, args.client_secret) if args.client_id else None
    base = which_feed(args.feed, args.token, credentials)
    feed = feed or HttpFeed(args.url, None if credentials else args.token, credentials)
    try:
        checkpoints = [kept for path in args.checkpoint for kept in parse_kept(_read(path))]
        keys = [public_key_from(_read(path)) for path in args.public_key]
        if not keys:
            status, served = feed.get("/api/v1/audit/public-key")
            if status != 200:
                raise ConnectionError(f"fetching the public key: HTTP {status}")
            keys = [base64.b64decode(served["public_key"])]
            print(
                f"using the server's current key {served['key_id']}; save it and pass "
                "--public-key next time, so a changed key shows",
                file=sys.stderr,
            )
        result = verify_feed(feed, checkpoints, {key_id(raw): raw for raw in keys}, base)
    except (OSError, ValueError, KeyError, TypeError, ConnectionError) as error:
        print(f"verify_audit_feed: {error}", file=sys.stderr)
        return 2
    for problem in result.problems:
        print(problem)
    if result.problems:
        return 1
    print(
        f"ok: {result.events} events in {result.streams} streams recomputed, "
        f"{result.linked} redacted events only link-checked; "
        f"{len(checkpoints)} checkpoint(s) hold ({result.skipped} entries not yours to check)"
    )
    return 0


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


if __name__ == "__main__":
    sys.exit(main())
