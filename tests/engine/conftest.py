"""One Spark session for every engine test (a JVM takes seconds to start), and the demo book's lake."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def spark():
    """Spark local with small settings; skipped without pyspark or Java, except in CI, where the
    parity tests must run (the Makefile installs openbook[spark])."""
    from openbook.store.engine import spark_available, spark_session

    missing = spark_available()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Spark parity tests: {missing}")
        pytest.skip(missing)
    session = spark_session({"spark.master": "local[2]", "spark.driver.memory": "1g",
                             "spark.sql.shuffle.partitions": "2"})
    yield session
    session.stop()


@pytest.fixture(scope="session")
def engines(demo_book, spark, tmp_path_factory):
    """(book, spark backend): the demo book opened read-only and its lake registered in Spark."""
    from openbook.store import Book
    from openbook.store.engine import spark_backend
    from openbook.store.export import write_lake

    book = Book(demo_book, read_only=True)
    lake = tmp_path_factory.mktemp("lake") / "lake"
    write_lake(book, lake)
    backend = spark_backend(book, lake=lake, session=spark)
    yield book, backend
    book.close()
