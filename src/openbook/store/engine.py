"""The engine seam: the Ibis backend analyses run on, DuckDB (the book itself) or Spark.

Analyses reach tables only through `book.ibis()`. `use_engine(book, "spark")` makes that return
a PySpark backend over the book's Parquet lake (store/export.py), with the same table names and
the same `spend_current` view, so the same expressions run on a cluster. The book stays the store
of record: findings are still written to its DuckDB file by `book.con`.

The Spark session openbook builds has local defaults fit for one machine (below); any of them,
and any other Spark setting, is overridden by `spark-defaults.conf` (in $SPARK_CONF_DIR or
$SPARK_HOME/conf) and then by `--spark-conf key=value`. Under spark-submit or in a notebook that
already has a session, that session (and its configuration) is used as it is.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import ibis

from openbook import standard
from openbook.errors import EngineError, UsageError
from openbook.store import schema
from openbook.store.book import Book
from openbook.store.export import PARTITIONS, Lake, read_lake, write_lake

ENGINES = ("duckdb", "spark")
SPARK_INSTALL = "pip install 'openbook[spark]' (pyspark and Java 17 or later)"

SPARK_DEFAULTS = {
    "spark.master": "local[*]",
    "spark.app.name": "openbook",
    "spark.driver.memory": "4g",
    # 200 shuffle partitions (Spark's default) is for clusters; a laptop's cores want a few.
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
    # Dates and timestamps in the book are local civil times; read them back unshifted.
    "spark.sql.session.timeZone": "UTC",
    # Organisation ids are text even where one looks like a number.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
}


def spark_available() -> str | None:
    """None when pyspark and Java are both here, else a sentence saying which is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return f"pyspark is not installed; {SPARK_INSTALL}"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Spark needs Java (17 or later) and there is none on PATH or in JAVA_HOME; `apt-get install openjdk-17-jre-headless`"
    return None


def spark_conf(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """openbook's defaults, then spark-defaults.conf, then the given overrides (last wins)."""
    conf = dict(SPARK_DEFAULTS)
    conf["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={_LOG_CONFIG.as_uri()}"
    conf.update(_spark_defaults_file())
    conf.update(overrides or {})
    if conf["spark.master"].startswith("local"):
        # One machine: the driver listens on loopback only, never on the machine's network address.
        conf.setdefault("spark.driver.host", "127.0.0.1")
        conf.setdefault("spark.driver.bindAddress", "127.0.0.1")
    return conf


_LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")


def _spark_defaults_file() -> dict[str, str]:
    """Settings from spark-defaults.conf, where Spark itself looks for it (whitespace-separated pairs)."""
    folders = [os.environ.get("SPARK_CONF_DIR")]
    if os.environ.get("SPARK_HOME"):
        folders.append(os.path.join(os.environ["SPARK_HOME"], "conf"))
    for folder in filter(None, folders):
        path = Path(folder) / "spark-defaults.conf"
        if path.is_file():
            conf = {}
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.strip().split(None, 1)
                if parts and not parts[0].startswith("#"):
                    conf[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
            return conf
    return {}


def parse_conf(pairs: list[str] | None) -> dict[str, str]:
    """`key=value` strings (from `--spark-conf`) as a dict; a pair without '=' is a usage error."""
    conf = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--spark-conf wants key=value, got {pair!r}")
        conf[key.strip()] = value.strip()
    return conf


def spark_session(overrides: Mapping[str, str] | None = None):
    """The active Spark session (spark-submit, a notebook), or a new one from `spark_conf`."""
    missing = spark_available()
    if missing:
        raise EngineError(missing)
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        for key, value in (overrides or {}).items():
            if not key.startswith("spark.sql."):
                raise UsageError(f"--spark-conf {key}: the running Spark session is already configured; "
                                 "only spark.sql.* settings can change now")
            active.conf.set(key, value)
        return active
    if os.environ.get("PYSPARK_GATEWAY_PORT"):
        # Under spark-submit the JVM is already configured (master, memory, the cluster's files):
        # openbook's local defaults would override it, so only the given settings apply.
        builder = SparkSession.builder
        for key, value in (overrides or {}).items():
            builder = builder.config(key, value)
        return builder.getOrCreate()
    conf = spark_conf(overrides)
    if conf["spark.master"].startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def spark_backend(book: Book, *, lake: Path | None = None, conf: Mapping[str, str] | None = None,
                  session=None):
    """A PySpark Ibis backend over the book's lake: written fresh beside the book unless given.

    A given lake is read as it is (on a cluster it is typically on shared storage, written by
    `openbook export --parquet` or `openbook ingest --lake`).
    """
    missing = None if session else spark_available()
    if missing:  # before writing a lake Spark could not read
        raise EngineError(missing)
    folder = Path(lake) if lake else default_lake(book)
    if lake:
        try:
            written = read_lake(folder)
        except FileNotFoundError:
            raise UsageError(f"--lake {folder}: no datapackage.json there; write one with "
                             f"`openbook export --parquet {folder}`") from None
        except ValueError as error:
            raise UsageError(str(error)) from None
    else:
        written = write_lake(book, folder)
    spark = session or spark_session(conf)
    register_lake(spark, written)
    return ibis.pyspark.connect(spark)


def default_lake(book: Book) -> Path:
    """Where a book's own lake goes: beside it, `<book>.lake/`."""
    return book.path.with_name(book.path.name + ".lake")


def register_lake(spark, lake: Lake) -> None:
    """Each table of the lake as a Spark temporary view of the same name, typed by the standard,
    and the book's views (spend_current) defined over them as in DuckDB."""
    for table in standard.table_names():
        struct = spark_schema(table)
        paths = [str(lake.folder / f) for f in lake.files.get(table, [])]
        if paths:
            reader = spark.read.schema(struct)
            if table in PARTITIONS:
                reader = reader.option("basePath", str(lake.folder / table))
            frame = reader.parquet(*paths)
            if table in PARTITIONS:
                frame = frame.drop("year")  # a partition key, not a column of the standard
        else:
            frame = spark.createDataFrame([], spark_schema(table, partitioned=False))
        frame.createOrReplaceTempView(table)
    for name, sql in schema.VIEWS.items():
        spark.sql(sql.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMPORARY VIEW"))


def spark_schema(table: str, partitioned: bool = True):
    """The Spark StructType of a table, from its Table Schema (money stays DECIMAL(18,2))."""
    from pyspark.sql import types as T

    simple = {"string": T.StringType(), "integer": T.LongType(), "number": T.DoubleType(), "date": T.DateType(),
              "datetime": T.TimestampNTZType(), "boolean": T.BooleanType(), "object": T.StringType(),
              "year": T.IntegerType(), "yearmonth": T.StringType(), "any": T.StringType(),
              "array": T.ArrayType(T.StringType())}
    fields = []
    for field in standard.load_schema(table)["fields"]:
        sql_type = field.get("sqlType", "")
        if sql_type.startswith("DECIMAL"):
            precision, scale = (int(p) for p in sql_type[sql_type.index("(") + 1:-1].split(","))
            kind = T.DecimalType(precision, scale)
        else:
            kind = simple[field.get("type", "string")]
        fields.append(T.StructField(field["name"], kind, True))
    if partitioned and table in PARTITIONS:
        fields.append(T.StructField("year", T.LongType(), True))
    return T.StructType(fields)


@contextmanager
def use_engine(book: Book, name: str = "duckdb", *, lake: Path | None = None,
               conf: Mapping[str, str] | None = None) -> Iterator[Book]:
    """Run what happens inside on the named engine: `book.ibis()` returns its backend meanwhile."""
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    if name == "duckdb":
        if lake or conf:
            raise UsageError("--lake and --spark-conf apply to --engine spark only")
        yield book
        return
    previous = book.engine
    book.engine = spark_backend(book, lake=lake, conf=conf)
    try:
        yield book
    finally:
        book.engine = previous
