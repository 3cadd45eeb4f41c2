"""Candidate pairs of supplier names, and the clusters they may form.

Two engines propose pairs of distinct name keys that may be one supplier:

* `splink_pairs`: a Splink model (Levenshtein levels on the name, its first and last words and
  its legal form; u estimated by random sampling and m by EM, both with `max_pairs`, under
  tight blocking rules), for thousands of names and up, on DuckDB or on Spark (`SparkAPI`).
* `rapidfuzz_pairs`: `fuzz.ratio` of every name against every other (`process.cdist`), for a
  few thousand names, where it is both faster and exhaustive.

Neither engine decides alone. A proposed pair joins two clusters only if it is a plausible
spelling slip (`is_spelling_slip`: exactly one word differs, by at most two edits, and it is a
real word, not an initial or a number) and if every name of one cluster is still similar to
every name of the other (`Clusters.union` with `support`): a chain of small slips cannot walk
from one firm to another.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

# A pair at or above this Splink match probability is proposed.
SPLINK_THRESHOLD = 0.9
# A pair at or above this fuzz.ratio (0-100) of the names' cores is proposed.
RAPIDFUZZ_THRESHOLD = 88
# Every name of a merged cluster must have at least this fuzz.ratio with every other name.
SUPPORT = 80
# No cluster grows past this many distinct name keys by similarity alone.
MAX_KEYS = 40
# Training sizes: enough pairs to estimate m and u, bounded so training cost does not grow
# with the square of the input (stack notes: EM without max_pairs took 10x longer at 100k).
TRAINING_PAIRS = 200_000

Pair = tuple[int, int, float]  # (key index, key index, score in 0..1)


def is_spelling_slip(a: str, b: str) -> bool:
    """Whether two normalised names differ as a slip of the keyboard would make them differ.

    Exactly one word on each side differs, both are alphabetic words of four or more letters,
    and they are one slip apart (a letter dropped, doubled, mistyped or two swapped; up to two
    edits for words of six letters or more). Different initials
    ('Netherby S' / 'Netherby U'), numbers ('Unit 4' / 'Unit 5') or a different trade word
    ('Pioneer Care Services' / 'Pioneer Water Services') are different suppliers.
    """
    left, right = Counter(a.split()), Counter(b.split())
    only_a, only_b = list((left - right).elements()), list((right - left).elements())
    if len(only_a) != 1 or len(only_b) != 1:
        return False
    x, y = only_a[0], only_b[0]
    if not (x.isalpha() and y.isalpha()) or min(len(x), len(y)) < 4:
        return False
    if min(len(x), len(y)) < 6:
        return OSA.distance(x, y) <= 1  # one slip: a letter dropped, doubled, swapped or struck
    return Levenshtein.distance(x, y) <= 2


def rapidfuzz_pairs(cores: list[str], threshold: int = RAPIDFUZZ_THRESHOLD, *, chunk: int = 4000,
                    progress: Callable[[float], None] | None = None) -> list[Pair]:
    """Every pair of names scoring ≥ threshold, by brute force in chunks (memory ≈ chunk × n bytes)."""
    pairs: list[Pair] = []
    for start in range(0, len(cores), chunk):
        scores = process.cdist(cores[start:start + chunk], cores, scorer=fuzz.ratio, score_cutoff=threshold,
                               dtype=np.uint8, workers=2)
        rows, cols = np.nonzero(scores)
        keep = cols > rows + start
        for i, j in zip((rows[keep] + start).tolist(), cols[keep].tolist()):
            pairs.append((i, j, scores[i - start, j] / 100))
        if progress:
            progress(min(1.0, (start + chunk) / max(len(cores), 1)))
    return pairs


def splink_pairs(table: pa.Table, con, threshold: float = SPLINK_THRESHOLD,
                 progress: Callable[[float], None] | None = None) -> list[Pair]:
    """Pairs of rows of `table` (unique_id, name, first_token, second_token, last_token,
    legal_form) that a Splink model trained on the table itself scores ≥ threshold.

    `con` is where Splink writes its working tables: a scratch DuckDB connection, or a Spark
    session (the same model through Splink's Spark backend; see `spark_api`).
    """
    from splink import Linker, SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    def _near(rule: str) -> CustomRule:
        return CustomRule(f"{rule} AND abs(length(l.name) - length(r.name)) <= 2", sql_dialect="duckdb")
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    logging.getLogger("splink").setLevel(logging.WARNING)
    db_api = spark_api(con) if hasattr(con, "sparkContext") else _duckdb_api(con)
    records = db_api.register(table, dataset_display_name="supplier_names")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            # Keys are distinct, so names never match exactly: the levels are spelling distance.
            cl.CustomComparison(output_column_name="name", comparison_levels=[
                cll.NullLevel("name"), cll.LevenshteinLevel("name", 1), cll.LevenshteinLevel("name", 2),
                cll.LevenshteinLevel("name", 3), cll.ElseLevel()]),
            # A slip in the first or last word is common: near words are levels, not mismatches.
            cl.LevenshteinAtThresholds("first_token", [2]),
            cl.LevenshteinAtThresholds("last_token", [2]),
            cl.ExactMatch("legal_form"),
        ],
        # Tight rules: a slip changes one word and the length by at most two, so the other words
        # and the length still pair the names under some rule.
        blocking_rules_to_generate_predictions=[_near(rule) for rule in (
            "l.first_token = r.first_token AND l.second_token = r.second_token",
            "l.second_token = r.second_token AND l.last_token = r.last_token "
            "AND substr(l.first_token, 1, 1) = substr(r.first_token, 1, 1)",
            "l.first_token = r.first_token AND l.last_token = r.last_token",
            "l.first_token = r.first_token AND substr(l.last_token, 1, 2) = substr(r.last_token, 1, 2)",
            "substr(l.name, 1, 5) = substr(r.name, 1, 5) AND l.second_token IS NULL AND r.second_token IS NULL",
        )],
        max_iterations=12,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(records, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_token", "last_token")], recall=0.7)
    if progress:
        progress(0.1)
    linker.training.estimate_u_using_random_sampling(max_pairs=TRAINING_PAIRS, seed=1)
    if progress:
        progress(0.3)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_token"), max_pairs=TRAINING_PAIRS)
    if progress:
        progress(0.6)
    predictions = linker.inference.predict(threshold_match_probability=threshold).as_pyarrow_table()
    if progress:
        progress(1.0)
    return list(zip(predictions["unique_id_l"].to_pylist(), predictions["unique_id_r"].to_pylist(),
                    predictions["match_probability"].to_pylist()))


def _duckdb_api(con):
    from splink import DuckDBAPI

    return DuckDBAPI(con)


def spark_api(spark):
    """Splink's Spark backend on a session, with what it needs and nothing from its jar.

    The model's comparisons are Levenshtein, which Spark SQL has built in, so Splink's UDF jar is
    not needed (a session started by spark-submit or a notebook need not carry it). Splink breaks
    long query lineages by writing Parquet into the context's checkpoint directory: one set by
    the cluster's configuration is kept; otherwise it is a temporary folder. Its repartitions
    follow `spark.sql.shuffle.partitions` rather than Splink's default of 200.
    """
    import atexit
    import shutil
    import tempfile

    from splink import SparkAPI

    context = spark.sparkContext
    if context._jsc.sc().getCheckpointDir().isEmpty():
        folder = tempfile.mkdtemp(prefix="openbook-splink-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        context.setCheckpointDir(folder)
    partitions = int(spark.conf.get("spark.sql.shuffle.partitions", "200"))
    return SparkAPI(spark_session=spark, register_udfs_automatically=False,
                    num_partitions_on_repartition=partitions)


@dataclass
class Clusters:
    """Union-find over records, with the constraints that keep clusters honest.

    `identity[i]` is a record's register identity (company number, charity number or a public
    body's org_id), or None: two clusters with different identities never merge. `cannot`
    holds pairs of records a person split apart. `support`, when given, is checked on every
    similarity merge: it gets the two clusters' members and says whether they may join.
    """

    size: int

    def __post_init__(self) -> None:
        self.parent = list(range(self.size))
        self.identities: dict[int, set[str]] = {}
        self.forbidden: dict[int, set[int]] = {}
        self.members: dict[int, list[int]] = {}
        self.method: dict[int, int] = {}  # root -> rank of the weakest link used
        self.confidence: dict[int, float] = {}  # root -> lowest similarity score used

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def set_identity(self, record: int, identity: str | None) -> None:
        if identity:
            self.identities.setdefault(self.find(record), set()).add(identity)

    def forbid(self, a: int, b: int) -> None:
        self.forbidden.setdefault(self.find(a), set()).add(b)
        self.forbidden.setdefault(self.find(b), set()).add(a)

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def conflict(self, ra: int, rb: int) -> bool:
        ids_a, ids_b = self.identities.get(ra), self.identities.get(rb)
        if ids_a and ids_b and not (ids_a & ids_b):
            return True
        small, other = (ra, rb) if len(self.forbidden.get(ra, ())) <= len(self.forbidden.get(rb, ())) else (rb, ra)
        return any(self.find(x) == other for x in self.forbidden.get(small, ()))

    def union(self, a: int, b: int, rank: int, *, force: bool = False, score: float | None = None,
              support: Callable[[list[int], list[int]], bool] | None = None) -> bool:
        """Join the clusters of a and b; False (and no change) when a constraint forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.conflict(ra, rb):
            return False
        if support is not None and not support(self.group(ra), self.group(rb)):
            return False
        if len(self.group(ra)) < len(self.group(rb)):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members.setdefault(ra, [ra]).extend(self.members.pop(rb, [rb]))
        for table in (self.identities, self.forbidden):
            if rb in table:
                table.setdefault(ra, set()).update(table.pop(rb))
        self.method[ra] = max(self.method.get(ra, 0), self.method.pop(rb, 0), rank)
        lows = [c for c in (self.confidence.get(ra), self.confidence.pop(rb, None), score) if c is not None]
        if lows:
            self.confidence[ra] = min(lows)
        return True

    def roots(self) -> Iterable[int]:
        return (i for i in range(self.size) if self.parent[i] == i)
