"""The OpenID Connect relying party: a provider's metadata and keys, the authorization URL,
the code exchange and the ID token's checks. No tables, no audit: ``accounts.sso`` decides
what each outcome means for a person.

Built on Authlib: its OAuth 2 parameters and PKCE (RFC 7636) for the request, and its JOSE
(``joserfc``, which Authlib's own OpenID client uses) with its OpenID Connect claims rules
(``CodeIDToken``) for the ID token. Authlib's httpx integration is deprecated in Authlib 1.9
(it asks for the ``httpx2`` package), so the few HTTP calls are plain httpx.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from peerwork.core.lazy import deferred

httpx = deferred("httpx")  # loaded by the first sign-in with a provider, not at start-up

if TYPE_CHECKING:
    from joserfc.jwk import KeySet
# Authlib and joserfc (~0.2 s to import) are imported where a sign-in uses them, so serving
# starts without them.

logger = logging.getLogger("peerwork.sso")

SCOPES = "openid email profile"
METADATA_SECONDS = 300  # a provider's metadata and keys are cached this long
HTTP_TIMEOUT = 10.0  # seconds, for connecting and for each read and write
LEEWAY_SECONDS = 60  # clock difference allowed between us and the provider
# Asymmetric signatures only: a token signed with a shared secret, or not at all, is refused.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class OidcFailure(Exception):
    """A step with the provider that did not work. ``kind`` says which (never the provider's
    own words): ``unreachable``, ``misconfigured``, ``code-refused`` or ``id-token-invalid``."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


_metadata_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_keys_cache: dict[str, tuple[float, KeySet]] = {}


def forget(issuer: str) -> None:
    """Drop what is cached about a provider (its settings just changed)."""
    _metadata_cache.pop(issuer, None)


async def _get_json(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        response = await client.get(url, headers={"Accept": "application/json"})
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")
    return body


def _endpoint_ok(issuer: str, url: object) -> bool:
    """https, or plain http on this machine for a provider that is itself on loopback (tests)."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and urlsplit(issuer).scheme == "http"
                                       and parts.hostname in LOOPBACK)


async def metadata(issuer: str) -> dict[str, Any]:
    """``{issuer}/.well-known/openid-configuration``, checked, and cached for a few minutes."""
    cached = _metadata_cache.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        found = await _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    except (httpx.HTTPError, ValueError) as exc:
        logger.warning("sso: provider metadata unavailable (%s)", type(exc).__name__)
        raise OidcFailure("unreachable") from None
    named = found.get("issuer")
    if not (isinstance(named, str) and named.rstrip("/") == issuer.rstrip("/")
            and all(_endpoint_ok(issuer, found.get(k)) for k in ("authorization_endpoint", "token_endpoint",
                                                                  "jwks_uri"))):
        logger.warning("sso: provider metadata does not match the configured issuer")
        raise OidcFailure("misconfigured")
    _metadata_cache[issuer] = (time.monotonic() + METADATA_SECONDS, found)
    return found


async def _key_set(meta: dict[str, Any], *, refresh: bool = False) -> KeySet:
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    uri = meta["jwks_uri"]
    cached = _keys_cache.get(uri)
    if cached and cached[0] > time.monotonic() and not refresh:
        return cached[1]
    try:
        keys = KeySet.import_key_set(await _get_json(uri))  # type: ignore[arg-type]
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        logger.warning("sso: provider keys unavailable (%s)", type(exc).__name__)
        raise OidcFailure("unreachable") from None
    _keys_cache[uri] = (time.monotonic() + METADATA_SECONDS, keys)
    return keys


@dataclass(frozen=True)
class RoundTrip:
    """One sign-in's secrets: ``state`` comes back with the code, ``nonce`` inside the ID
    token, and the PKCE ``verifier`` goes with the code to the token endpoint."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def new(cls) -> RoundTrip:
        from authlib.common.security import generate_token

        return cls(state=generate_token(43), nonce=generate_token(32), verifier=generate_token(64))


def authorization_url(meta: dict[str, Any], client_id: str, redirect_uri: str, trip: RoundTrip) -> str:
    from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    return prepare_grant_uri(
        meta["authorization_endpoint"], client_id, "code", redirect_uri=redirect_uri, scope=SCOPES,
        state=trip.state, nonce=trip.nonce,
        code_challenge=create_s256_code_challenge(trip.verifier), code_challenge_method="S256",
    )


async def exchange_code(meta: dict[str, Any], client_id: str, client_secret: str, redirect_uri: str,
                        code: str, verifier: str) -> dict[str, Any]:
    """The token endpoint's answer for the code (it holds an ``id_token``)."""
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
    methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth = None
    if "client_secret_post" in methods:
        body.update(client_id=client_id, client_secret=client_secret)
    else:  # RFC 6749 2.3.1: both form-encoded before HTTP Basic
        auth = httpx.BasicAuth(quote(client_id, safe=""), quote(client_secret, safe=""))
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.post(meta["token_endpoint"], data=body, auth=auth,
                                         headers={"Accept": "application/json"})
        token = response.json() if response.content else {}
    except (httpx.HTTPError, ValueError) as exc:
        logger.warning("sso: token endpoint unavailable (%s)", type(exc).__name__)
        raise OidcFailure("unreachable") from None
    if response.status_code != 200 or not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
        error = token.get("error") if isinstance(token, dict) else None
        error = error if isinstance(error, str) and error.isidentifier() else "no error code"
        logger.warning("sso: token endpoint refused the code (HTTP %s, %s)", response.status_code, error)
        raise OidcFailure("misconfigured" if error in ("invalid_client", "unauthorized_client") else "code-refused")
    return token


async def id_token_claims(meta: dict[str, Any], client_id: str, token: dict[str, Any], nonce: str) -> dict[str, Any]:
    """The ID token's claims, once its signature (the provider's published keys) and its
    OpenID Connect rules (``iss``, ``aud``, ``exp``, ``iat``, ``nonce``, ``azp``, ``at_hash``)
    check out."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt
    from joserfc.errors import InvalidKeyIdError, JoseError

    offered = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in ALGORITHMS if alg in offered]
    try:
        try:
            decoded = jwt.decode(token["id_token"], await _key_set(meta), algorithms=algorithms)
        except InvalidKeyIdError:  # a key we have not seen: the provider may have rotated its keys
            decoded = jwt.decode(token["id_token"], await _key_set(meta, refresh=True), algorithms=algorithms)
        claims = CodeIDToken(
            decoded.claims, decoded.header,
            {"iss": {"essential": True, "value": meta["issuer"]}, "aud": {"essential": True, "value": client_id}},
            {"nonce": nonce, "client_id": client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=LEEWAY_SECONDS)
    except JoseError as exc:
        logger.warning("sso: ID token refused (%s)", type(exc).__name__)
        raise OidcFailure("id-token-invalid") from None
    return dict(claims)


def email_verified(claims: dict[str, Any]) -> bool:
    """The provider vouches for the address: ``email_verified`` true, or, when the token has no
    ``email_verified`` at all, Microsoft Entra ID's ``xms_edov`` true (the tenant verified that
    it owns the address's domain; Entra never sends ``email_verified`` for work accounts)."""
    if "email_verified" in claims:
        return claims["email_verified"] is True or claims["email_verified"] == "true"
    return claims.get("xms_edov") is True or claims.get("xms_edov") in ("1", "true")
