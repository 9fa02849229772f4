"""Benchmark: aggregating the conditions ranking of a large initiative.

Target (brief): 100 households × 20 conditions under 5 ms. Households have 1–2 members
(≈ 150 rankings), a few with partial rankings and must-haves. Reports the median of
repeated runs, so one slow run on a busy machine does not decide.

Run: ``.venv/bin/python bench/ranking.py``. Prints name, ms, target, ratio, PASS/FAIL;
exits 1 when a figure misses its target, so `make bench` names it.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

# A plain script: make the project importable without relying on the editable install.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.domain.ranking import Ranking, aggregate, household_weights

HOUSEHOLDS = 100
CONDITIONS = 20
REPEATS = 50


def build(seed: int = 2026) -> tuple[list[Ranking], list[str]]:
    rnd = random.Random(seed)
    keys = [f"condition_{i:02d}" for i in range(CONDITIONS)]
    rankings = []
    member = 0
    for household in range(HOUSEHOLDS):
        for _member in range(rnd.choice((1, 1, 2))):
            member += 1
            order = rnd.sample(keys, len(keys))
            if rnd.random() < 0.1:  # saved before the last conditions were added
                order = order[: rnd.randint(5, CONDITIONS - 1)]
            rankings.append(Ranking(member, household, tuple(order), frozenset(rnd.sample(order, 3))))
    return rankings, keys


def measure(name: str, func, target_ms: float) -> bool:
    func()  # warm up
    timings = []
    for _run in range(REPEATS):
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
    ms = statistics.median(timings)
    ratio = ms / target_ms
    print(f"{name:<56} {ms:8.3f} ms  target {target_ms:6.2f} ms  ratio {ratio:5.2f}  "
          f"{'PASS' if ratio <= 1 else 'FAIL'}")
    return ratio <= 1


def main() -> int:
    rankings, keys = build()
    by_household: dict[int, list[Ranking]] = {}
    for r in rankings:
        by_household.setdefault(r.household_id, []).append(r)
    passed = [
        measure(f"ranking.aggregate ({HOUSEHOLDS} hh × {CONDITIONS} cond, {len(rankings)} rankings)",
                lambda: aggregate(rankings, keys), 5.0),
        measure(f"ranking.household_weights (× {HOUSEHOLDS})",
                lambda: [household_weights(rs, keys) for rs in by_household.values()], 5.0),
    ]
    return 0 if all(passed) else 1


if __name__ == "__main__":
    raise SystemExit(main())
