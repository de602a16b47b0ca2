"""A small OpenID Connect provider inside the test process, reached by Authlib through httpx.

It serves discovery, keys, token and userinfo like a real provider (single-use codes, PKCE, client
authentication), and lets a test change what it says: the claims, the ID token, or go down.
"""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

ISSUER = "https://idp.example.test"
CLIENT_ID = "uitkomst-test"
CLIENT_SECRET = "client-secret-for-tests"


@dataclass
class Grant:
    nonce: str
    challenge: str
    redirect_uri: str


@dataclass
class FakeProvider:
    issuer: str = ISSUER
    account: dict[str, Any] = field(
        default_factory=lambda: {
            "sub": "user-123",
            "email": "Sanne@Testdorp.nl",
            "email_verified": True,
            "name": "Sanne de Vries",
        }
    )
    # Which account claims go into the ID token (the rest only into userinfo).
    id_token_claims: tuple[str, ...] = ("email", "email_verified", "name")
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    discovery_overrides: dict[str, Any] = field(default_factory=dict)
    down: bool = False
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = RSAKey.generate_key(2048, {"kid": "test-key", "use": "sig"})
        self.signing_key = self.key
        self.codes: dict[str, Grant] = {}
        self.tokens: set[str] = set()
        self.issued_id_tokens: list[str] = []

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def authorize(self, params: dict[str, str]) -> str:
        """What the provider's login page does: the user signs in, a code is issued."""
        assert params["client_id"] == CLIENT_ID
        assert params["response_type"] == "code"
        assert params["code_challenge_method"] == "S256"
        assert "openid" in params["scope"].split()
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(params["nonce"], params["code_challenge"], params["redirect_uri"])
        return code

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if self.down:
            raise httpx.ConnectError("Connection refused", request=request)
        routes = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/token": self.token,
            "/userinfo": self.userinfo,
        }
        handler = routes.get(request.url.path)
        return handler(request) if handler else httpx.Response(404)

    def jwks(self, _request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"keys": [self.key.as_dict(private=False)]})

    def discovery(self, _request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "issuer": self.issuer,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "userinfo_endpoint": f"{ISSUER}/userinfo",
                "jwks_uri": f"{ISSUER}/jwks",
                "end_session_endpoint": f"{ISSUER}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                **self.discovery_overrides,
            },
        )

    def token(self, request: httpx.Request) -> httpx.Response:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return httpx.Response(401, json={"error": "invalid_client"})
        form = dict(parse_qsl(request.content.decode()))
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return httpx.Response(400, json={"error": "invalid_grant"})
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant.challenge:
            return httpx.Response(400, json={"error": "invalid_grant", "error_description": "PKCE"})
        if form.get("redirect_uri") != grant.redirect_uri:
            return httpx.Response(400, json={"error": "invalid_grant"})
        access_token = secrets.token_urlsafe(16)
        self.tokens.add(access_token)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.account["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **{k: self.account[k] for k in self.id_token_claims if k in self.account},
            **self.id_token_overrides,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.signing_key)
        self.issued_id_tokens.append(id_token)
        return httpx.Response(
            200,
            json={
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
        )

    def userinfo(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return httpx.Response(401, json={"error": "invalid_token"})
        return httpx.Response(200, json=self.account)
