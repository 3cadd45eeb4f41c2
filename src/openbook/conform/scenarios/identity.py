"""Identity (OpenID Connect): the provider's metadata, its keys, the token endpoint's errors and
userinfo's refusal without a token; userinfo's claims when the run is given an access token.

Signing a user in needs a browser, so a run cannot obtain tokens itself: what it can test without
one it tests, and the rest is skipped, saying so.
"""

from __future__ import annotations

from openbook.conform.client import Refused, origin
from openbook.conform.session import Session, dig

DISCOVERY, JWKS, TOKEN, USERINFO = "/.well-known/openid-configuration", "/jwks", "/token", "/userinfo"


def _on_origin(s: Session, step: str, url) -> bool:
    if not isinstance(url, str) or not url:
        s.check(step, "endpoint in the metadata", False, "the metadata names none")
        return False
    try:
        same = origin(url) == s.client.origin
    except ValueError:
        s.check(step, "endpoint in the metadata", False, f"not an http(s) URL: {url!r}")
        return False
    if not same:
        s.check(step, "endpoint on the issuer's origin", None, f"{url} is elsewhere: a run contacts one origin only")
    return same


def scenario(s: Session) -> None:
    answer = s.call("read the provider metadata", "GET", DISCOVERY, auth=False, expect=(200,))
    meta = answer.json if answer is not None and answer.status == 200 else None
    if not isinstance(meta, dict):
        s.check("read the provider metadata", "metadata to carry on with", False, "no metadata")
        return
    issuer = meta.get("issuer")
    s.check("read the provider metadata", "issuer is the URL tested",  # a trailing slash is not a difference
            isinstance(issuer, str) and issuer.rstrip("/") == s.client.base,
            f"issuer {meta.get('issuer')!r}, URL {s.client.base!r}")
    if _on_origin(s, "read the signing keys", meta.get("jwks_uri")):
        s.call("read the signing keys", "GET", JWKS, url=meta["jwks_uri"], auth=False, expect=(200,))
    if _on_origin(s, "token endpoint", meta.get("token_endpoint")):
        token_url = meta["token_endpoint"]
        bad = s.call("exchange a false code", "POST", TOKEN, url=token_url, auth=False, expect=(400, 401), form={
            "grant_type": "authorization_code", "code": s.unique("code"), "client_id": s.unique("client"),
            "redirect_uri": "https://example.org/callback"})
        s.check("exchange a false code", "error names the grant or the client",
                dig(bad and bad.json, "error") in ("invalid_grant", "invalid_client", "invalid_request"),
                f"error {dig(bad and bad.json, 'error')!r}")
        odd = s.call("ask for an unknown grant type", "POST", TOKEN, url=token_url, auth=False, expect=(400, 401),
                     form={"grant_type": s.unique("grant"), "client_id": s.unique("client")})
        s.check("ask for an unknown grant type", "error says so",
                # a server may check the client or the request's other parameters before the grant type
                dig(odd and odd.json, "error") in ("unsupported_grant_type", "invalid_client", "unauthorized_client",
                                                   "invalid_request"),
                f"error {dig(odd and odd.json, 'error')!r}")
    if "userinfo_endpoint" not in meta:
        s.check("userinfo", "endpoint in the metadata", None, "the metadata names no userinfo endpoint (optional)")
        return
    if not _on_origin(s, "userinfo", meta.get("userinfo_endpoint")):
        return
    url = meta["userinfo_endpoint"]
    for step, token in (("userinfo without a token", None), ("userinfo with a false token", "openbook-false-token")):
        s.operations.setdefault(step, f"GET {USERINFO}")
        try:
            got = s.client.request("GET", url, headers={"Authorization": f"Bearer {token}"} if token else {})
        except Refused as why:
            s.check(step, "refused", False, str(why))
            continue
        s.check(step, "refused", got.status == 401, f"{got.status} (expected 401)")
        challenge = got.headers.get("www-authenticate", "")
        s.check(step, "WWW-Authenticate: Bearer", challenge.casefold().startswith("bearer"), challenge or "no header")
    if not s.token:
        s.check("userinfo with the access token given", "claims", None, "no --token given: userinfo's claims untested")
        return
    mine = s.call("userinfo with the access token given", "GET", USERINFO, url=url, expect=(200,))
    s.check("userinfo with the access token given", "names a subject", isinstance(dig(mine and mine.json, "sub"), str))
