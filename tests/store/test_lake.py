"""The Parquet lake: every table, spend partitioned by body and year, read back to the penny."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from openbook import standard
from openbook.cli import app
from openbook.ingest.records import to_arrow
from openbook.store.book import SourceRecord
from openbook.store.export import read_lake, write_lake

# Hand-worked: two bodies, two years, a credit note and a line without a date.
LINES = [
    ("XX-SYNTH-A", date(2023, 6, 30), "100.10"),
    ("XX-SYNTH-A", date(2024, 1, 2), "200.01"),
    ("XX-SYNTH-A", date(2024, 3, 1), "-50.00"),
    ("XX-SYNTH-B", date(2024, 4, 1), "0.07"),
    ("XX-SYNTH-B", date(2024, 5, 1), "0.07"),
    ("XX-SYNTH-B", date(2024, 12, 31), "0.07"),
    ("XX-SYNTH-B", None, "12.34"),
]
BY_BODY_AND_YEAR = {("XX-SYNTH-A", 2023): Decimal("100.10"), ("XX-SYNTH-A", 2024): Decimal("150.01"),
                    ("XX-SYNTH-B", 2024): Decimal("0.21"), ("XX-SYNTH-B", None): Decimal("12.34")}


@pytest.fixture
def small_book(book):
    book.upsert_organisations([{"org_id": o, "name": o, "kind": "district"} for o in ("XX-SYNTH-A", "XX-SYNTH-B")])
    sha = "a" * 64
    records = [{"org_id": org, "paid_on": paid, "amount_gbp": Decimal(amount), "supplier_name": "Acme Ltd",
                "source_line": line} for line, (org, paid, amount) in enumerate(LINES, start=2)]
    with book.loading() as loader:
        loader.add_records("spend", to_arrow("spend", records, sha))
        book.record_source(SourceRecord(sha, "spend.csv", "spend.csv", 1, "spend", "test", "csv",
                                        rows_read=8, rows_accepted=7, rows_structural=1))
    return book


def test_spend_is_partitioned_by_body_and_year_and_reads_back_to_the_penny(small_book, tmp_path):
    lake = write_lake(small_book, tmp_path / "lake")
    folders = {str(p.parent.relative_to(tmp_path / "lake" / "spend")) for p in (tmp_path / "lake" / "spend").rglob("*.parquet")}
    assert folders == {"org_id=XX-SYNTH-A/year=2023", "org_id=XX-SYNTH-A/year=2024", "org_id=XX-SYNTH-B/year=2024",
                       "org_id=XX-SYNTH-B/year=__HIVE_DEFAULT_PARTITION__"}
    assert lake.rows["spend"] == 7 and lake.spend_gbp == Decimal("262.66")
    con = duckdb.connect()
    paths = [str(tmp_path / "lake" / f) for f in lake.files["spend"]]
    rows = con.execute("SELECT org_id, year, sum(amount_gbp) FROM read_parquet(?, hive_partitioning = true) "
                       "GROUP BY ALL", [paths]).fetchall()
    assert {(org, year): total for org, year, total in rows} == BY_BODY_AND_YEAR
    # Each file is complete on its own: a reader that ignores folder names still sees the body.
    one = con.execute("SELECT DISTINCT org_id FROM read_parquet(?, hive_partitioning = false)", [paths[0]]).fetchall()
    assert one == [(paths[0].split("org_id=")[1].split("/")[0],)]


def test_every_table_is_in_the_lake_and_its_descriptor(small_book, tmp_path):
    write_lake(small_book, tmp_path / "lake")
    descriptor = json.loads((tmp_path / "lake" / "datapackage.json").read_text())
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert list(resources) == standard.table_names()
    for name, resource in resources.items():
        assert resource["format"] == "parquet" and all((tmp_path / "lake" / p).is_file() for p in resource["path"])
        standard_fields = [f["name"] for f in standard.load_schema(name)["fields"]]
        assert [f["name"] for f in resource["schema"]["fields"]][:len(standard_fields)] == standard_fields
    assert resources["spend"]["openbook"]["partitioning"] == {"style": "hive", "columns": ["org_id", "year"]}
    assert resources["organisation"]["openbook"]["rows"] == small_book.query("SELECT count(*) FROM organisation")[0][0]
    assert read_lake(tmp_path / "lake").spend_gbp == Decimal("262.66")


def test_a_new_lake_replaces_the_old_one_whole(small_book, tmp_path):
    write_lake(small_book, tmp_path / "lake")
    small_book.con.execute("DELETE FROM spend WHERE org_id = 'XX-SYNTH-B'")
    lake = write_lake(small_book, tmp_path / "lake")
    assert not list((tmp_path / "lake" / "spend").glob("org_id=XX-SYNTH-B"))
    assert lake.spend_gbp == Decimal("250.11")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("lake.")]  # no half-built or old lake left


def test_read_lake_refuses_a_folder_that_is_not_one(tmp_path):
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": []}))
    with pytest.raises(ValueError, match="not an openbook Parquet lake"):
        read_lake(tmp_path)


def test_ingest_with_lake_writes_the_loaded_book_as_a_lake(runner, tmp_path, fixtures):
    book = tmp_path / "b.duckdb"
    result = runner.invoke(app, ["ingest", str(fixtures / "amount-styles.csv"), "--book", str(book),
                                 "--lake", str(tmp_path / "lake")])
    assert result.exit_code == 0, result.output
    lake = read_lake(tmp_path / "lake")
    with duckdb.connect(str(book), read_only=True) as con:
        lines, total = con.execute("SELECT count(*), sum(amount_gbp) FROM spend").fetchone()
    assert lines > 0 and lake.rows["spend"] == lines and lake.spend_gbp == total
    assert f"{lines:,} spend lines" in result.output
