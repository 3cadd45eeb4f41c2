"""OpenAPI 3.0 schemas as JSON Schema, and what a response breaks of them.

OpenAPI 3.0 spells "may be null" as `nullable: true` and shares schemas through `$ref`; both are
rewritten here so that jsonschema checks a response exactly as the interface document says.
"""

from __future__ import annotations

from jsonschema import Draft202012Validator


def resolve(node, components: dict, depth: int = 0):
    """The schema with every `#/components/schemas/…` reference inlined and `nullable` made a type."""
    if depth > 40:
        return {}
    if isinstance(node, list):
        return [resolve(item, components, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return resolve(components[node["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    out = {key: resolve(value, components, depth + 1) for key, value in node.items()
           if not (key == "nullable" and isinstance(value, bool))}
    if node.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def response_schema(doc: dict, method: str, path: str, status: int) -> dict | None:
    """The JSON schema the interface gives for this operation's answer with this status, if any."""
    operation = doc["paths"].get(path, {}).get(method.lower(), {})
    response = operation.get("responses", {}).get(str(status))
    content = (response or {}).get("content", {})
    schema = next((c["schema"] for t, c in content.items() if "json" in t and "schema" in c), None)
    return None if schema is None else resolve(schema, doc.get("components", {}).get("schemas", {}))


def documented(doc: dict, method: str, path: str) -> set[int]:
    operation = doc["paths"].get(path, {}).get(method.lower(), {})
    return {int(code) for code in operation.get("responses", {}) if code.isdigit()}


def problems(schema: dict, value) -> tuple[list[str], list[str]]:
    """Missing required fields, and every other way the value breaks the schema (types, enums …)."""
    missing, other = [], []
    for error in sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "the body"
        (missing if error.validator == "required" else other).append(f"{where}: {error.message}")
    return missing, other
