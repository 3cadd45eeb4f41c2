"""Supplier resolution speed and accuracy on the generator's names, against rapidfuzz brute force.

    python benchmarks/suppliers.py                # 100k distinct names
    python benchmarks/suppliers.py --names 20000  # another size
    python benchmarks/suppliers.py --names 20000 --engine spark   # Splink on Spark local

The names are every spelling the generator's supplier model writes (case, legal form, 'The',
'&'/'and', spacing, typos; `synth.suppliers.names_with_truth`), with each name's true
supplier. openbook: `analyse.suppliers.resolve_records` (exact normalised names, then Splink on
DuckDB for slips, under the slip rule and pairwise support). The peer: rapidfuzz
`process.cdist` with `fuzz.ratio` ≥ 90 of every name against every other, on the same
normalised names, clustered by connected components. Both are scored by pairwise precision
and recall against the truth. Each side runs in its own process so that peak RSS is its own.
"""

from __future__ import annotations

import argparse

from child import run  # benchmarks/child.py, beside this script

OPENBOOK = """
import json, resource, sys, time
from openbook.analyse.suppliers import NameRecord, resolve_records
from openbook.store import Book
from openbook.synth.suppliers import names_with_truth, pairwise_scores
rows = names_with_truth(int(sys.argv[1]))
records = [NameRecord(name=r[0], lines=1) for r in rows]
scratch = Book.scratch_connection
if sys.argv[2] == "spark":  # the session's start is not counted: it is paid once per run
    from openbook.store.engine import spark_session
    session = spark_session()
    scratch = lambda: session
start, cpu = time.perf_counter(), time.process_time()
result = resolve_records(records, engine=sys.argv[2], scratch=scratch)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
precision, recall = pairwise_scores(result.labels, [r[1] for r in rows])
print(json.dumps({"seconds": elapsed, "cpu": cpu, "precision": precision, "recall": recall, "suppliers": len(result.suppliers),
                  "truth": len({r[1] for r in rows}), "summary": result.summary(),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PEER = """
import json, resource, sys, time
import numpy as np
from rapidfuzz import fuzz, process
from openbook.analyse.suppliers.names import name_parts
from openbook.synth.suppliers import names_with_truth, pairwise_scores
rows = names_with_truth(int(sys.argv[1]))
start, cpu = time.perf_counter(), time.process_time()
names = [name_parts(r[0]).core for r in rows]
parent = list(range(len(names)))
def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
for s in range(0, len(names), 5000):
    scores = process.cdist(names[s:s + 5000], names, scorer=fuzz.ratio, score_cutoff=90, dtype=np.uint8, workers=2)
    for i, j in zip(*np.nonzero(scores)):
        a, b = find(int(i) + s), find(int(j))
        if a != b:
            parent[a] = b
labels = [find(i) for i in range(len(names))]
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
precision, recall = pairwise_scores(labels, [r[1] for r in rows])
print(json.dumps({"seconds": elapsed, "cpu": cpu, "precision": precision, "recall": recall, "suppliers": len(set(labels)),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--engine", default="auto", choices=("auto", "splink", "rapidfuzz", "spark"))
    parser.add_argument("--no-peer", action="store_true", help="Skip the brute-force peer.")
    args = parser.parse_args()
    ours = run(OPENBOOK, str(args.names), args.engine)
    summary = ours["summary"]
    print(f"{args.names:,} names of {ours['truth']:,} true suppliers")
    print(f"  openbook ({summary['engine']}): {ours['seconds']:6.1f} s (CPU {ours['cpu']:.1f} s)  P {ours['precision']:.3f}  "
          f"R {ours['recall']:.3f}  {ours['suppliers']:,} suppliers  peak RSS "
          f"{max(ours['rss_mb'], ours.get('tree_rss_mb') or 0):,.0f} MB (with Spark's JVM, if any)")
    print(f"    stages: {', '.join(f'{k} {v:.1f}s' for k, v in summary['seconds'].items())}")
    print(f"    pairs proposed {summary['pairs_proposed']:,}, accepted {summary['pairs_accepted']:,}, "
          f"refused {summary['pairs_refused']}")
    if args.no_peer:
        return
    peer = run(PEER, str(args.names))
    print(f"  rapidfuzz cdist ≥90 + components: {peer['seconds']:6.1f} s (CPU {peer['cpu']:.1f} s)  P {peer['precision']:.3f}  "
          f"R {peer['recall']:.3f}  {peer['suppliers']:,} clusters  peak RSS {peer['rss_mb']:,.0f} MB")
    print(f"  ratio (peer / openbook): wall {peer['seconds'] / ours['seconds']:.1f}x, "
          f"CPU {peer['cpu'] / ours['cpu']:.1f}x")
    print("  (CPU time counts every thread; on a shared machine wall time also counts waiting for a core)")


if __name__ == "__main__":
    main()
