"""Invariants of savings to a centile, nearest neighbours and the value index (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.analyse import value_index
from openbook.analyse.measures import centile_savings, ranks
from openbook.analyse.measures.comparators import nearest_neighbours

values = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=40)
centiles = st.floats(min_value=0, max_value=1)
denominators = st.floats(min_value=0, max_value=1e7, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(values, st.data(), denominators, centiles)
def test_a_saving_is_never_negative_and_nothing_at_or_below_the_target(peers, data, denominator, q):
    value = data.draw(st.sampled_from(peers))
    target, saving = centile_savings.saving_to_centile(value, peers, denominator, q=q)
    assert saving >= 0
    if value <= ranks.centile(peers, q):
        assert saving == 0
    assert min(peers) <= target <= max(peers)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 1e6), st.one_of(st.none(), st.floats(1, 1e5)), st.floats(1, 1e9)),
                min_size=2, max_size=12), st.randoms(use_true_random=False), st.integers(1, 5))
def test_nearest_neighbours_do_not_depend_on_the_order_bodies_come_in(figures, random, k):
    context = {f"B{i:02d}": {"population_served": p, "staff_fte": s, "total_gbp": t}
               for i, (p, s, t) in enumerate(figures)}
    shuffled = list(context.items())
    random.shuffle(shuffled)
    assert nearest_neighbours(dict(shuffled), k=k) == nearest_neighbours(context, k=k)


rows = st.lists(st.fixed_dictionaries({
    "org_id": st.sampled_from([f"B{i}" for i in range(8)]),
    "measure_id": st.sampled_from(["m1", "m2", "m3"]),
    "percentile": st.one_of(st.none(), st.floats(0, 1)),
    "direction": st.sampled_from(["lower", "higher", "none"]),
    "function": st.sampled_from(["finance", "hr", None]),
    "sector": st.sampled_from(["local", "central"]),
    "counts_in_savings": st.booleans(),
    "saving_gbp": st.one_of(st.none(), st.decimals(0, 10**6, places=2)),
    "numerator": st.floats(1, 1e7),
}), max_size=30, unique_by=lambda r: (r["org_id"], r["measure_id"]))
weights = st.fixed_dictionaries({name: st.floats(0, 1) for name in value_index.INPUTS})


@settings(max_examples=200, deadline=None)
@given(rows, weights, st.randoms(use_true_random=False))
def test_the_index_is_unchanged_by_reordering_bodies(latest, chosen, random):
    shuffled = list(latest)
    random.shuffle(shuffled)
    assert value_index.cost_efficiency(shuffled) == value_index.cost_efficiency(latest)
    for key in ("function", "sector"):
        assert value_index.cost_at_target(shuffled, key) == value_index.cost_at_target(latest, key)
    for org_id, score in value_index.cost_efficiency(latest).items():
        scores = {"cost_efficiency": score, "duplication": 40.0, "openness": None, "blocks": 10.0}
        reordered = dict(reversed(list(scores.items())))
        assert value_index.composite(reordered, chosen) == value_index.composite(scores, chosen)
        index, applied = value_index.composite(scores, chosen)
        if index is not None:
            assert min(v for v in scores.values() if v is not None) - 1e-9 <= index
            assert abs(sum(applied.values()) - 1) < 1e-9
