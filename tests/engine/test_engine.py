"""The engine seam: choosing an engine, Spark's settings, and findings written back to the book."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from openbook.cli import app
from openbook.ingest.records import to_arrow
from openbook.store import Book
from openbook.store.book import SourceRecord
from openbook.store.engine import SPARK_DEFAULTS, parse_conf, spark_conf


def test_spark_settings_come_from_defaults_then_spark_defaults_conf_then_the_command_line(tmp_path, monkeypatch):
    (tmp_path / "spark-defaults.conf").write_text("# a cluster's file\nspark.master   spark://head:7077\n"
                                                  "spark.sql.shuffle.partitions 400\n")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    conf = spark_conf(parse_conf(["spark.sql.shuffle.partitions=64"]))
    assert conf["spark.master"] == "spark://head:7077" and conf["spark.sql.shuffle.partitions"] == "64"
    assert conf["spark.ui.enabled"] == SPARK_DEFAULTS["spark.ui.enabled"]
    assert "spark.driver.bindAddress" not in conf  # a cluster's driver must be reachable from its workers


def test_a_local_spark_listens_on_loopback_only(monkeypatch, tmp_path):
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    monkeypatch.delenv("SPARK_HOME", raising=False)
    conf = spark_conf()
    assert conf["spark.master"].startswith("local")
    assert conf["spark.driver.bindAddress"] == conf["spark.driver.host"] == "127.0.0.1"


@pytest.mark.parametrize("args, says", [
    (["--engine", "nosuch"], "unknown engine 'nosuch'"),
    (["--engine", "spark", "--spark-conf", "spark.master"], "--spark-conf wants key=value"),
    (["--lake", "somewhere"], "--lake and --spark-conf apply to --engine spark only"),
])
def test_engine_options_are_checked_before_anything_runs(runner, tmp_path, args, says):
    runner.invoke(app, ["init", "--book", str(tmp_path / "b.duckdb")])
    result = runner.invoke(app, ["duplicates", "--book", str(tmp_path / "b.duckdb"), *args])
    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output


def test_a_lake_that_is_not_there_is_a_usage_error(runner, tmp_path):
    pytest.importorskip("pyspark")  # without it the command says how to install it (the test below)
    runner.invoke(app, ["init", "--book", str(tmp_path / "b.duckdb")])
    result = runner.invoke(app, ["analyse", "--book", str(tmp_path / "b.duckdb"), "--engine", "spark",
                                 "--lake", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "openbook export --parquet" in result.output


@pytest.mark.slow
def test_duplicates_on_spark_are_saved_to_the_book_as_on_duckdb(runner, tmp_path, spark):
    """A payment made twice (lines 2 and 3) and one made once: one finding of £120.50 either way."""
    path = tmp_path / "b.duckdb"
    with Book(path) as book:
        book.upsert_organisations([{"org_id": "XX-SYNTH-A", "name": "A", "kind": "district"}])
        rows = [("INV-1", date(2024, 5, 1), "120.50"), ("INV-1", date(2024, 5, 3), "120.50"),
                ("INV-2", date(2024, 5, 9), "75.00")]
        records = [{"org_id": "XX-SYNTH-A", "txn_ref": ref, "paid_on": paid, "amount_gbp": Decimal(amount),
                    "supplier_name": "Acme Ltd", "source_line": line} for line, (ref, paid, amount) in enumerate(rows, 2)]
        with book.loading() as loader:
            loader.add_records("spend", to_arrow("spend", records, "b" * 64))
            book.record_source(SourceRecord("b" * 64, "spend.csv", "spend.csv", 1, "spend", "test", "csv"))
    found = {}
    for engine in ("spark", "duckdb"):
        result = runner.invoke(app, ["duplicates", "--book", str(path), "--engine", engine, "--json"])
        assert result.exit_code == 0, result.output
        found[engine] = json.loads(result.stdout)
        with Book(path, read_only=True) as book:
            assert book.query("SELECT gbp_at_stake, evidence FROM finding WHERE detector = 'payments'") == [
                (Decimal("120.50"), [f"{'b' * 64}:2", f"{'b' * 64}:3"])]
    assert found["spark"] == found["duckdb"] and found["spark"]["gbp_at_stake"] == "120.50"


@pytest.mark.slow
def test_suppliers_resolved_on_spark_are_the_suppliers_resolved_on_duckdb(runner, tmp_path, spark):
    """300 of the generator's spellings (typos, legal forms, case) as spend lines of one book:
    Splink on Spark proposes the same pairs as on DuckDB, so every line gets the same supplier."""
    from openbook.synth.suppliers import names_with_truth

    rows = names_with_truth(300, seed=5)
    records = [{"org_id": "XX-SYNTH-A", "txn_ref": f"INV-{line}", "paid_on": date(2024, 5, 1),
                "amount_gbp": Decimal("10.00"), "supplier_name": name, "source_line": line}
               for line, (name, *_) in enumerate(rows, 2)]
    ids, summaries = {}, {}
    for engine in ("splink", "spark"):
        path = tmp_path / f"{engine}.duckdb"
        with Book(path) as book, book.loading() as loader:
            loader.add_records("spend", to_arrow("spend", records, "c" * 64))
        result = runner.invoke(app, ["suppliers", "resolve", "--book", str(path), "--engine", engine, "--json"])
        assert result.exit_code == 0, result.output
        summaries[engine] = json.loads(result.stdout)
        with Book(path, read_only=True) as book:
            ids[engine] = book.query("SELECT source_line, supplier_id FROM spend ORDER BY source_line")
    assert summaries["spark"]["engine"] == "splink on spark" and summaries["splink"]["engine"] == "splink"
    assert summaries["spark"]["pairs_proposed"] == summaries["splink"]["pairs_proposed"] > 0
    assert summaries["spark"]["merged_suppliers"] == summaries["splink"]["merged_suppliers"] > 0
    assert ids["spark"] == ids["splink"] and all(sid for _, sid in ids["spark"])


def test_spark_settings_for_supplier_resolution_need_the_spark_engine(runner, tmp_path):
    runner.invoke(app, ["init", "--book", str(tmp_path / "b.duckdb")])
    result = runner.invoke(app, ["suppliers", "resolve", "--book", str(tmp_path / "b.duckdb"),
                                 "--spark-conf", "spark.sql.shuffle.partitions=4"])
    assert result.exit_code == 2 and "--spark-conf applies to --engine spark only" in result.output


def test_without_pyspark_spark_says_how_to_install_it_and_writes_nothing(runner, tmp_path, monkeypatch):
    import openbook.store.engine as engine

    monkeypatch.setattr(engine, "spark_available", lambda: f"pyspark is not installed; {engine.SPARK_INSTALL}")
    runner.invoke(app, ["init", "--book", str(tmp_path / "b.duckdb")])
    result = runner.invoke(app, ["analyse", "--book", str(tmp_path / "b.duckdb"), "--engine", "spark"])
    assert result.exit_code == 1 and "pip install 'openbook[spark]'" in result.output
    assert not (tmp_path / "b.duckdb.lake").exists()
