"""OpenID Connect, the relying party's side: discovery, the authorisation request, the code
exchange and refresh, and ID token checks (PyJWT with the provider's cached key set).

Nothing here knows about officers or pages; officer/sso.py decides what a checked token means.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import jwt
from cryptography.fernet import Fernet, InvalidToken

from ..models import ForceSso

SCOPES = "openid email profile offline_access"
DISCOVERY_SECONDS = 3600
KEY_SET_SECONDS = 3600
# A token naming a key we lack fetches the key set again, but not more often than this: a flood
# of made-up key ids cannot turn into a flood of requests to the provider.
KEY_REFRESH_COOLDOWN_SECONDS = 5
HTTP_TIMEOUT = 10.0
# The clock difference we accept between us and the provider.
CLOCK_SKEW_SECONDS = 60
# Asymmetric algorithms only: "none" and the HMAC family (keyed by the client secret) are refused.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


class SsoError(Exception):
    """The provider, the configuration or a token is not what it should be; the message says which."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    algorithms: tuple[str, ...]


@dataclass(frozen=True)
class Request:
    """What the browser is sent to the provider with, and what must come back with it."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Tokens:
    claims: dict[str, Any]
    refresh_token: str | None

    @property
    def expires_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(int(self.claims["exp"]), dt.UTC)


_discovered: dict[str, tuple[float, Provider]] = {}
_key_sets: dict[str, jwt.PyJWKClient] = {}


def redirect_uri(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/officer/sso/callback"


def secret_variable(force_code: str) -> str:
    return f"TMC_SSO_CLIENT_SECRET_{force_code.upper()}"


def client_secret(config: ForceSso, force_code: str) -> str:
    """From TMC_SSO_CLIENT_SECRET_<CODE> when set, else from the configured file: never the database."""
    from_environment = os.environ.get(secret_variable(force_code), "").strip()
    if from_environment:
        return from_environment
    if not config.client_secret_file:
        raise SsoError(f"no client secret: set {secret_variable(force_code)} or a secret file")
    try:
        return Path(config.client_secret_file).read_text().strip()
    except OSError as error:
        raise SsoError(f"cannot read the client secret file: {error.strerror}") from None


async def discover(issuer: str) -> Provider:
    """The provider's endpoints from /.well-known/openid-configuration, kept for an hour."""
    cached = _discovered.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.get(url)
        response.raise_for_status()
        document = response.json()
        provider = Provider(
            issuer=str(document["issuer"]),
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            end_session_endpoint=document.get("end_session_endpoint"),
            algorithms=tuple(
                alg
                for alg in document.get("id_token_signing_alg_values_supported", ["RS256"])
                if alg in ALGORITHMS
            ),
        )
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        raise SsoError(f"discovery failed at {url}: {error}") from None
    if provider.issuer.rstrip("/") != issuer.rstrip("/"):
        raise SsoError(f"the provider calls itself {provider.issuer}, not {issuer}")
    _discovered[issuer] = (time.monotonic() + DISCOVERY_SECONDS, provider)
    return provider


def authorisation_request(provider: Provider, client_id: str, redirect_to: str) -> Request:
    """Authorisation code flow with PKCE (S256), a fresh `state` and a fresh `nonce`."""
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_to,
            "scope": SCOPES,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return Request(f"{provider.authorization_endpoint}{separator}{query}", state, nonce, verifier)


async def _token_request(
    provider: Provider, client_id: str, secret: str, form: dict[str, str]
) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.post(
                provider.token_endpoint, data=form, auth=httpx.BasicAuth(client_id, secret)
            )
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise SsoError(f"the token endpoint did not answer: {error}") from None
    if response.status_code != 200 or not isinstance(body, dict) or "id_token" not in body:
        reason = body.get("error", "") if isinstance(body, dict) else ""
        raise SsoError(f"the token endpoint refused: {response.status_code} {reason}".strip())
    return body


async def exchange_code(
    provider: Provider,
    config: ForceSso,
    secret: str,
    *,
    code: str,
    verifier: str,
    nonce: str,
    redirect_to: str,
) -> Tokens:
    body = await _token_request(
        provider,
        config.client_id,
        secret,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_to,
            "code_verifier": verifier,
        },
    )
    claims = await checked_id_token(provider, config, str(body["id_token"]))
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
        raise SsoError("the ID token's nonce is missing or not ours")
    return Tokens(claims, body.get("refresh_token"))


async def refresh(
    provider: Provider, config: ForceSso, secret: str, refresh_token: str, subject: str
) -> Tokens:
    """Ask the provider again; it refuses when it no longer accepts the account."""
    body = await _token_request(
        provider, config.client_id, secret, {"grant_type": "refresh_token", "refresh_token": refresh_token}
    )
    claims = await checked_id_token(provider, config, str(body["id_token"]))
    if claims.get("sub") != subject:
        raise SsoError("the refreshed ID token is for someone else")
    return Tokens(claims, body.get("refresh_token") or refresh_token)


async def checked_id_token(provider: Provider, config: ForceSso, token: str) -> dict[str, Any]:
    """The token's claims once its signature, issuer, audience, expiry and tenant check out."""
    keys = _key_sets.get(provider.jwks_uri)
    if keys is None:
        keys = _key_sets[provider.jwks_uri] = jwt.PyJWKClient(
            provider.jwks_uri,
            cache_keys=False,
            lifespan=KEY_SET_SECONDS,
            timeout=HTTP_TIMEOUT,
            cooldown_duration=KEY_REFRESH_COOLDOWN_SECONDS,
        )
    try:
        # PyJWKClient keeps the key set and fetches it again when a token names a key it lacks
        # (the provider rotated its keys); it uses blocking HTTP, so off the event loop.
        signing_key = await anyio.to_thread.run_sync(keys.get_signing_key_from_jwt, token)
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key.key,
            algorithms=list(provider.algorithms),
            audience=config.client_id,
            issuer=provider.issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWKClientError, jwt.PyJWKSetError) as error:
        raise SsoError(f"no key to check the ID token: {error}") from None
    except jwt.InvalidTokenError as error:
        raise SsoError(f"the ID token is not valid: {error}") from None
    if config.tenant and claims.get("tid") != config.tenant:
        raise SsoError(f"the ID token is from tenant {claims.get('tid')!r}, not {config.tenant!r}")
    return claims


def sign_out_url(provider: Provider, client_id: str, return_to: str) -> str | None:
    """Where single sign-out sends the browser (RP-initiated logout), if the provider has it."""
    if not provider.end_session_endpoint:
        return None
    query = urlencode({"client_id": client_id, "post_logout_redirect_uri": return_to})
    separator = "&" if "?" in provider.end_session_endpoint else "?"
    return f"{provider.end_session_endpoint}{separator}{query}"


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(f"trackmycrime.sso-refresh-token:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, refresh_token: str) -> str:
    """A refresh token as the database keeps it: encrypted with a key derived from TMC_SECRET_KEY."""
    return _fernet(secret_key).encrypt(refresh_token.encode()).decode()


def unseal(secret_key: str, sealed: str) -> str | None:
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
