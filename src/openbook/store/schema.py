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


# The book's own bookkeeping, not part of the published standard: who may publish for which
# body (tokens stored as SHA-256 hashes only) and the audit log of every publication.
INTERNAL = [
    """CREATE TABLE IF NOT EXISTS api_token (
        token_id VARCHAR PRIMARY KEY, org_id VARCHAR NOT NULL, token_sha256 VARCHAR NOT NULL,
        label VARCHAR, created_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS publication_log (
        published_at TIMESTAMP NOT NULL, org_id VARCHAR, token_id VARCHAR, sha256 VARCHAR, file_name VARCHAR,
        status VARCHAR NOT NULL, rows_read BIGINT, rows_accepted BIGINT, rows_quarantined BIGINT,
        rows_structural BIGINT, message VARCHAR)""",
]


# Measures, comparators and the public value index (analyse/measures, analyse/value_index.py):
# results are re-computable from the book, so each run replaces its own rows; the groups are a
# user's own and are kept until deleted.
MEASURES = [
    """CREATE TABLE IF NOT EXISTS comparator_group (
        name VARCHAR NOT NULL, org_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
        PRIMARY KEY (name, org_id))""",
    """CREATE TABLE IF NOT EXISTS measure_result (
        measure_id VARCHAR NOT NULL, org_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
        comparator VARCHAR NOT NULL, basis VARCHAR NOT NULL, numerator DOUBLE, denominator DOUBLE,
        value DOUBLE, months INTEGER, peers INTEGER, percentile DOUBLE, decile INTEGER,
        peer_p10 DOUBLE, peer_median DOUBLE, peer_p90 DOUBLE, target_centile DOUBLE,
        target_value DOUBLE, saving_gbp DECIMAL(18,2), saving_counted BOOLEAN, note VARCHAR,
        computed_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS value_index_score (
        level VARCHAR NOT NULL, key VARCHAR NOT NULL, name VARCHAR, input VARCHAR NOT NULL,
        score DOUBLE, weight DOUBLE, weights_sha256 VARCHAR NOT NULL, computed_at TIMESTAMP NOT NULL)""",
]


# Alerts (analyse/alerts/): who asked to hear about which body or measure (email addresses stay
# in the book, never in an export), the alerts last computed, and each alert's delivery to each
# subscriber, so that an alert is never sent to the same address twice.
ALERTS = [
    """CREATE TABLE IF NOT EXISTS subscription (
        subscription_id VARCHAR PRIMARY KEY, email VARCHAR NOT NULL, org_id VARCHAR, measure_id VARCHAR,
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS alert (
        alert_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, org_id VARCHAR NOT NULL, series VARCHAR NOT NULL,
        measure_id VARCHAR, direction VARCHAR, began VARCHAR, title VARCHAR NOT NULL, context VARCHAR,
        before_gbp DECIMAL(18,2), after_gbp DECIMAL(18,2), change_gbp DECIMAL(18,2), change_share DOUBLE,
        value DOUBLE, peer_median DOUBLE, periods INTEGER, sources VARCHAR[], computed_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS alert_delivery (
        alert_id VARCHAR NOT NULL, email VARCHAR NOT NULL, delivered_at TIMESTAMP NOT NULL, via VARCHAR NOT NULL,
        message VARCHAR, PRIMARY KEY (alert_id, email))""",
]


# Bodies a user recorded that the shipped registry lacks (store/added_bodies.py): the body itself is
# an `organisation` row like any other, so it resolves everywhere; this says who added it and when.
ADDED_BODIES = [
    """CREATE TABLE IF NOT EXISTS body_added (
        org_id VARCHAR PRIMARY KEY, added_by VARCHAR NOT NULL, added_at TIMESTAMP NOT NULL)""",
]


# Conformance certificates loaded into the book (conform/load.py): whether a body's system speaks a
# Lego block's standard interface, at which version, until when; the hash finds the certificate.
CONFORMANCE = [
    """CREATE TABLE IF NOT EXISTS conformance (
        org_id VARCHAR NOT NULL, system VARCHAR NOT NULL, block VARCHAR NOT NULL, version VARCHAR NOT NULL,
        result VARCHAR NOT NULL, issued DATE NOT NULL, expires DATE NOT NULL, system_url VARCHAR NOT NULL,
        cert_sha256 VARCHAR NOT NULL, file_name VARCHAR, loaded_at TIMESTAMP NOT NULL,
        PRIMARY KEY (org_id, system, block))""",
]


# Systems inferred from spend (analyse/systems_inference): each body's product for each capability
# and year with the lines behind it, and software spend that matched no product, for review.
# Re-computed from the book at every `openbook analyse`; declared `system` rows win over them.
SYSTEMS_INFERRED = [
    """CREATE TABLE IF NOT EXISTS system_inferred (
        org_id VARCHAR NOT NULL, year INTEGER NOT NULL, capability VARCHAR NOT NULL, product_id VARCHAR NOT NULL,
        product VARCHAR NOT NULL, vendor VARCHAR NOT NULL, service VARCHAR, annual_gbp DECIMAL(18,2) NOT NULL,
        licence_gbp DECIMAL(18,2), support_gbp DECIMAL(18,2), hosting_gbp DECIMAL(18,2), other_gbp DECIMAL(18,2),
        lines INTEGER NOT NULL, months INTEGER NOT NULL, confidence DOUBLE NOT NULL, rules VARCHAR[],
        suppliers VARCHAR[], evidence VARCHAR[] NOT NULL, declared BOOLEAN NOT NULL, source VARCHAR NOT NULL,
        computed_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS software_unmatched (
        org_id VARCHAR NOT NULL, supplier_name VARCHAR NOT NULL, lines INTEGER NOT NULL,
        amount_gbp DECIMAL(18,2) NOT NULL, first_paid DATE, last_paid DATE, example VARCHAR,
        evidence VARCHAR[] NOT NULL, computed_at TIMESTAMP NOT NULL)""",
]


# A body's own published total spend for a financial year (store/published_totals.py), entered by a
# user from its annual accounts with the address it came from, so the book's coverage can be shown.
PUBLISHED_TOTALS = [
    """CREATE TABLE IF NOT EXISTS published_total (
        org_id VARCHAR NOT NULL, period VARCHAR NOT NULL, amount_gbp DECIMAL(18,2) NOT NULL,
        source VARCHAR NOT NULL, entered_by VARCHAR NOT NULL, entered_at TIMESTAMP NOT NULL,
        PRIMARY KEY (org_id, period))""",
]


def ddl() -> list[str]:
    return ([create_table_sql(t) for t in standard.table_names()] + INTERNAL + MEASURES + ALERTS + ADDED_BODIES
            + CONFORMANCE + SYSTEMS_INFERRED + PUBLISHED_TOTALS + list(VIEWS.values()))
