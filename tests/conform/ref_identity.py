"""A small OpenID Connect provider (metadata, keys, token errors, userinfo), and its planted violations."""

from __future__ import annotations

from fastapi import FastAPI, Request

from ref_common import TOKEN, answer, base

# Variants that still conform: an issuer written with a trailing slash, endpoints at other paths.
ALSO_CONFORMING = {"issuer-slash-other-paths": "the issuer ends in a slash; keys and tokens live under /oauth2"}
VIOLATIONS = {
    "issuer-mismatch": "the metadata's issuer is another URL",
    "no-jwks-uri": "the metadata omits jwks_uri",
    "metadata-types": "response_types_supported is a string, not a list",
    "empty-keys": "the key set holds no key",
    "token-error-200": "the token endpoint answers a false code with 200",
    "token-error-code": "the token endpoint's error is not one RFC 6749 defines",
    "userinfo-open": "userinfo answers without a token",
    "no-challenge": "userinfo refuses without a WWW-Authenticate header",
    "sub-integer": "userinfo's sub is a number",
}


def app(variant: str | None = None) -> FastAPI:
    api = FastAPI()

    @api.get("/.well-known/openid-configuration")
    def metadata(request: Request):
        root = base(request)
        other = "/oauth2" if variant == "issuer-slash-other-paths" else ""
        meta = {"issuer": "https://login.example.org" if variant == "issuer-mismatch" else root + ("/" if other else ""),
                "authorization_endpoint": f"{root}/authorize", "token_endpoint": f"{root}{other}/token",
                "userinfo_endpoint": f"{root}{other}/userinfo", "jwks_uri": f"{root}{other}/jwks",
                "scopes_supported": ["openid", "email"], "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"]}
        if variant == "no-jwks-uri":
            del meta["jwks_uri"]
        if variant == "metadata-types":
            meta["response_types_supported"] = "code"
        return answer(200, meta)

    @api.get("/oauth2/jwks")
    @api.get("/jwks")
    def jwks():
        keys = [] if variant == "empty-keys" else [
            {"kty": "RSA", "kid": "reference-1", "use": "sig", "alg": "RS256", "e": "AQAB", "n": "sXch"}]
        return answer(200, {"keys": keys})

    @api.post("/oauth2/token")
    @api.post("/token")
    async def token(request: Request):
        form = await request.form()
        grant = form.get("grant_type")
        if grant != "authorization_code":
            return answer(400, {"error": "unsupported_grant_type"})
        if variant == "token-error-200":
            return answer(200, {"error": "invalid_grant"})
        code = "bad_code" if variant == "token-error-code" else "invalid_grant"
        return answer(400, {"error": code, "error_description": "The code is not valid"})

    @api.get("/oauth2/userinfo")
    @api.get("/userinfo")
    def userinfo(request: Request):
        given = request.headers.get("authorization")
        if given != f"Bearer {TOKEN}" and variant != "userinfo-open":
            headers = {} if variant == "no-challenge" else {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            return answer(401, {"error": "invalid_token"}) if not headers else _challenge(headers)
        return answer(200, {"sub": 4521 if variant == "sub-integer" else "urn:fdc:example:4521",
                            "email": "someone@example.org", "email_verified": True})

    return api


def _challenge(headers: dict):
    response = answer(401, {"error": "invalid_token"})
    response.headers.update(headers)
    return response
