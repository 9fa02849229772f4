"""Benchmark of the feasibility model (pure Python): `.venv/bin/python bench/feasibility.py`.

Prints one line per case: name, median ms over the runs, target ms, ratio (measured / target),
PASS/FAIL. Exits 1 when a case misses its target, so `make bench` names it. The first two targets are the
project's (FEASIBILITY work package); the others are our own guard rails.

"cold" runs use a fresh Parameters object per run, so no per-parameter cache can help.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.domain.feasibility import (
    DEFAULT_GAS_M3_BY_HOME_TYPE,
    OPTIONS,
    Home,
    InitiativeContext,
    Parameters,
    assess,
    curves,
    evaluate,
    levers,
    snapshot_json,
    street_indicators,
)

RUNS = 20
N = 100


def street(distinct_gas: bool = False) -> list[Home]:
    """100 homes in blocks of 8: mixed home types, half with their own gas use, some low-income
    households, some indoor overrides, two homes without a position."""
    types = list(DEFAULT_GAS_M3_BY_HOME_TYPE.values())
    homes = []
    for i in range(1, N + 1):
        gas = types[i % 4] if i % 2 else 900 + 17 * i
        if distinct_gas:
            gas = 800 + 13.7 * i
        homes.append(Home(
            id=i,
            position=None if i in (37, 81) else i,
            block=(i - 1) // 8,
            gas_m3=gas,
            low_income=i % 7 == 0,
            indoor_cost=1500.0 if i % 9 == 0 else None,
        ))
    return homes


def fresh_params() -> Callable[[], Parameters]:
    counter = iter(range(10**9))
    return lambda: Parameters(gas_price=1.30 + next(counter) * 1e-9)


def measure(fn: Callable[[], object], runs: int = RUNS) -> float:
    fn()  # warm-up (imports, first allocation)
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    homes = street()
    distinct = street(distinct_gas=True)
    params = Parameters()
    new_params = fresh_params()
    context = InitiativeContext(withdrawal_free=True, every_address_has_code=True)

    def curve_and_scorecards(p: Parameters) -> None:
        all_curves = curves(homes, p, context.threshold)
        for option in OPTIONS:
            assess(evaluate(homes, p, option.variant, option.scenario), context, all_curves[option])

    def comparison_with_street(p: Parameters) -> None:
        """The coordinator's comparison: every option's result, curve and scorecard plus the street
        indicators (FEASIBILITY.md §5) for the joined homes (here: two in three)."""
        all_curves = curves(homes, p, context.threshold)
        joined = [h for h in homes if h.id % 3]
        results = {option: evaluate(joined, p, option.variant, option.scenario) for option in OPTIONS}
        for option in OPTIONS:
            assess(results[option], context, all_curves[option])
        by_variant = {option.variant: results[option] for option in OPTIONS if option.scenario == "A"}
        street_indicators(homes, [h.id for h in joined], p, "ring", by_variant)

    def evaluate_and_read_all(p: Parameters) -> None:
        for h in evaluate(distinct, p, "ring", "C").homes:
            h.figures  # noqa: B018  (builds the Decimal figures)

    cases: list[tuple[str, Callable[[], object], float]] = [
        ("curves+scorecards 100 homes x 6 options (cold)", lambda: curve_and_scorecards(new_params()), 50),
        ("comparison + street indicators 100 homes x 6 options (cold)",
         lambda: comparison_with_street(new_params()), 50),
        ("street indicators 100 homes (cold)",
         lambda: street_indicators(homes, range(1, 61), new_params(), "ring"), 5),
        ("evaluate 100 homes shared_loop A (cold)",
         lambda: evaluate(homes, new_params(), "shared_loop", "A"), 1),
        ("evaluate 100 homes ring C (warm)", lambda: evaluate(homes, params, "ring", "C"), 1),
        ("evaluate 100 distinct gas uses ring C (cold)",
         lambda: evaluate(distinct, new_params(), "ring", "C"), 1),
        ("evaluate 100 distinct + read all figures (cold)", lambda: evaluate_and_read_all(new_params()), 5),
        ("curves only 100 homes x 6 options (cold)", lambda: curves(homes, new_params()), 40),
        ("levers one household, street of 100 (cold)",
         lambda: levers(5, homes[:60], new_params(), "ring", "A", street=homes), 10),
        ("snapshot_json 100 homes (warm)",
         lambda: snapshot_json(evaluate(homes, params, "ring", "B"), parameter_version=1), 10),
    ]
    width = max(len(name) for name, _, _ in cases)
    print(f"{'case':<{width}}  {'ms':>8}  {'target':>7}  {'ratio':>6}  result")
    missed = 0
    for name, fn, target in cases:
        ms = measure(fn)
        ratio = ms / target
        missed += ratio > 1
        print(f"{name:<{width}}  {ms:8.3f}  {target:7.1f}  {ratio:6.2f}  {'PASS' if ratio <= 1 else 'FAIL'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
