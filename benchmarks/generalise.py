"""How openbook does on publishers it was never tuned on: the check half of ../shared/data.

    python benchmarks/generalise.py                  # ../shared/data beside the project
    python benchmarks/generalise.py --data DIR --json

tests/data/publisher-split.csv puts every publisher of files.csv (or, for files with no
publisher, their origin repository) in the tuning half or the check half. Rules, synonyms and
readers grow from the tuning half only; this script measures the check half, as a new user
would meet it:

- spend files (kinds with "spend" or "procurement card") that hold data — every file except one
  rejected with a code saying it holds none — and the share of them that load and reconcile;
- the share of those files' data rows accepted (a rejected file's rows, as files.csv counts
  them, count as not accepted);
- organogram posts stored without a body (each file loaded without --org, so the body must
  come from the file itself).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPLIT = ROOT / "tests" / "data" / "publisher-split.csv"
SPEND_KINDS = ("spend", "procurement card")
ORGANOGRAM_KINDS = ("organogram", "organogram (XLSX)")
# Rejections that say the file holds no data: such a file is not counted against the reader.
NO_DATA_CODES = frozenset({"nil-return", "metadata-not-data", "excel-binary-as-csv", "no-data-rows", "file-empty"})
GOALS = {"files": 0.95, "rows": 0.98, "posts_without_body": 0}


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def split_manifest(manifest: list[dict[str, str]], split: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """files.csv rows by half: joined on publisher, or on origin_repo when the publisher is empty.

    A file whose publisher the split does not name is an error, not a silent member of either half."""
    by_publisher = {r["publisher"]: r["half"] for r in split if r["publisher"]}
    by_repo = {r["origin_repo"]: r["half"] for r in split if not r["publisher"]}
    halves: dict[str, list[dict[str, str]]] = {"tuning": [], "check": []}
    for row in manifest:
        half = by_publisher.get(row["publisher"]) if row["publisher"] else by_repo.get(row["origin_repo"])
        if half not in halves:
            raise ValueError(f"{row['local_path']}: publisher {row['publisher'] or row['origin_repo']!r} "
                             f"is in neither half of {SPLIT.name}")
        halves[half].append(row)
    return halves


def is_spend(row: dict[str, str]) -> bool:
    return any(kind in row["kind"] for kind in SPEND_KINDS)


def is_organogram(row: dict[str, str]) -> bool:
    return row["kind"] in ORGANOGRAM_KINDS


def _ingest(book, path: Path, org: str | None):
    """The file's report, or the exception it raised (a reader must never raise: that is a failure)."""
    from openbook.ingest import ingest_file

    try:
        return ingest_file(book, path, org=org)
    except Exception as exc:  # noqa: BLE001 - measured and reported, not hidden
        return exc


def measure(data: Path, rows: list[dict[str, str]], book_path: Path) -> dict:
    """Load the given files.csv rows into a fresh book and return the figures with every failure named."""
    from openbook.store import Book

    failed, no_data = {}, {}
    files = loaded = rows_total = rows_accepted = 0
    with Book(book_path) as book:
        for row in (r for r in rows if is_spend(r)):
            report = _ingest(book, data / row["local_path"], row["publisher"] or None)
            if not isinstance(report, Exception) and report.status == "rejected" \
                    and report.rejection.code in NO_DATA_CODES:
                no_data[row["local_path"]] = report.rejection.code
                continue
            files += 1
            if isinstance(report, Exception):
                failed[row["local_path"]] = f"exception: {type(report).__name__}: {report}"
                rows_total += int(row["rows"] or 0)
            elif report.status == "rejected" or not report.reconciles:
                why = report.rejection.code if report.rejection else "does not reconcile"
                failed[row["local_path"]] = f"{why}: {report.rejection.message if report.rejection else ''}".strip()
                rows_total += int(row["rows"] or 0)
            else:
                loaded += 1
                rows_total += report.accepted + report.quarantined
                rows_accepted += report.accepted
        organograms = [r for r in rows if is_organogram(r)]
        organogram_failed = {}
        posts_quarantined = 0
        for row in organograms:
            report = _ingest(book, data / row["local_path"], None)
            if isinstance(report, Exception) or report.status == "rejected":
                organogram_failed[row["local_path"]] = str(report) if isinstance(report, Exception) \
                    else report.rejection.code
            else:
                posts_quarantined += report.quarantined
        quarantined_posts = ("FROM quarantine q JOIN source s ON s.sha256 = q.source_sha256 WHERE q.severity = 'error' "
                             "AND s.dataset = 'post' AND s.status <> 'rejected' GROUP BY ALL ORDER BY 2 DESC")
        quarantine_codes = dict(book.query(
            f"SELECT q.code, count(DISTINCT (q.source_sha256, q.source_line)) {quarantined_posts}"))
        quarantine_reasons = dict(book.query(
            f"SELECT q.code || coalesce(': ' || q.raw_value, ''), count(DISTINCT (q.source_sha256, q.source_line)) "
            f"{quarantined_posts} LIMIT 15"))
        posts, without_body = book.query(
            "SELECT count(*), count(*) FILTER (WHERE coalesce(org_id, '') = '') FROM post")[0]
        bodies_missing = dict(book.query(
            "SELECT coalesce(body_name, ''), count(*) FROM post WHERE coalesce(org_id, '') = '' GROUP BY ALL "
            "ORDER BY 2 DESC"))
    return {
        "spend_files": files, "spend_files_loaded": loaded, "spend_files_share": loaded / files if files else 0.0,
        "rows": rows_total, "rows_accepted": rows_accepted,
        "rows_share": rows_accepted / rows_total if rows_total else 0.0,
        "no_data_files": no_data, "failed_files": failed,
        "organogram_files": len(organograms), "organogram_failed": organogram_failed,
        "posts": posts, "posts_without_body": without_body, "bodies_without_id": bodies_missing,
        "posts_quarantined": posts_quarantined, "post_quarantine_codes": quarantine_codes,
        "post_quarantine_reasons": quarantine_reasons,
    }


def check_half(data: Path) -> list[dict[str, str]]:
    return split_manifest(read_csv(data / "files.csv"), read_csv(SPLIT))["check"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("OPENBOOK_SHARED_DATA", ROOT.parent / "shared" / "data")))
    parser.add_argument("--json", action="store_true", help="print every figure and failure as JSON")
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(args.data, check_half(args.data), Path(tmp) / "check.duckdb")
    figures["seconds"] = round(time.perf_counter() - start, 1)
    if args.json:
        json.dump(figures, sys.stdout, indent=1)
        print()
        return
    print(f"check half: {figures['spend_files']} spend files holding data "
          f"({len(figures['no_data_files'])} more hold none), {figures['organogram_files']} organograms")
    print(f"files that load and reconcile  {figures['spend_files_loaded']:>7} / {figures['spend_files']:<7} "
          f"{figures['spend_files_share']:7.2%}  (goal >= {GOALS['files']:.0%})")
    print(f"rows accepted                  {figures['rows_accepted']:>7} / {figures['rows']:<7} "
          f"{figures['rows_share']:7.2%}  (goal >= {GOALS['rows']:.0%})")
    print(f"organogram posts without body  {figures['posts_without_body']:>7} / {figures['posts']:<7}"
          f"          (goal {GOALS['posts_without_body']})")
    print(f"organogram posts quarantined   {figures['posts_quarantined']:>7} / "
          f"{figures['posts'] + figures['posts_quarantined']:<7}")
    for why, n in figures["post_quarantine_reasons"].items():
        print(f"  posts quarantined: {n} for {why}")
    for path, why in sorted(figures["failed_files"].items()):
        print(f"  not loaded: {path}: {why}")
    for body, n in figures["bodies_without_id"].items():
        print(f"  posts without body: {n} of {body or '(no body named)'}")
    for path, why in sorted(figures["organogram_failed"].items()):
        print(f"  organogram not loaded: {path}: {why}")
    print(f"{figures['seconds']} s")


if __name__ == "__main__":
    main()
