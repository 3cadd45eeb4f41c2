"""DuckDB DDL generated from the standard's Table Schemas, so the book cannot drift from them."""

from __future__ import annotations

from openbook import standard

_TYPES = {
    "string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE",
    "datetime": "TIMESTAMP", "boolean": "BOOLEAN", "array": "VARCHAR[]", "object": "JSON",
    "year": "INTEGER", "yearmonth": "VARCHAR", "any": "VARCHAR",
}
# Large tables get no primary-key index: DuckDB's ART index costs memory per row, and the
# pipeline guarantees (source_sha256, source_line) uniqueness itself.
_UNINDEXED = {"spend", "quarantine", "post", "grant", "cost_line", "contract", "budget", "transparency"}


def column_type(field: dict) -> str:
    return field.get("sqlType") or _TYPES[field.get("type", "string")]


def create_table_sql(table: str) -> str:
    schema = standard.load_schema(table)
    columns = [f'"{f["name"]}" {column_type(f)}' for f in schema["fields"]]
    key = schema.get("primaryKey")
    if key and table not in _UNINDEXED:
        key = [key] if isinstance(key, str) else key
        columns.append(f"PRIMARY KEY ({', '.join(key)})")
    return f'CREATE TABLE IF NOT EXISTS "{table}" (\n  ' + ",\n  ".join(columns) + "\n)"


def field_names(table: str) -> list[str]:
    return [f["name"] for f in standard.load_schema(table)["fields"]]


VIEWS = {
    # Analyses read current publications only; superseded versions stay for the audit trail.
    "spend_current": """
        CREATE OR REPLACE VIEW spend_current AS
        SELECT s.* FROM spend s JOIN source src ON src.sha256 = s.source_sha256
        WHERE src.status = 'current'""",
}


def ddl() -> list[str]:
    return [create_table_sql(t) for t in standard.table_names()] + list(VIEWS.values())
