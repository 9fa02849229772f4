"""Feasibility results computed once: kept per process under a digest of exactly their inputs.

``once(compute, *inputs)`` returns ``compute(*inputs)``, computing it only when no result is kept under
``input_digest(compute, inputs)``. The key is the inputs themselves, so a new parameter version, a
changed home, a household that joins or leaves or another option is another key: nothing can be stale
and nothing needs invalidating. The estimate, the comparison (page, CSV, PDF) and the curve read their
results through here, so they all show the same numbers.

Why a per-process LRU and not a database table: the inputs are loaded for the page anyway (they are
what the page shows), so the key costs no query; a table would add a round trip and turning its rows
back into the model's objects on every request, for a result that takes milliseconds to compute. A
restart only means each worker computes each result once more. The size bound keeps memory in check:
the largest entry, a 100-home comparison, takes 0.8 MB (an estimate 0.2 MB), so at most ~100 MB per
worker; the least recently used result goes first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from portal.domain.feasibility.digest import input_digest

T = TypeVar("T")
MAX_RESULTS = 128
# Small results (one figure per initiative on the coordinator's pages: a few hundred bytes each) are kept
# apart, with room for a region's programme: among the large results a page of 300 initiatives would push
# out every estimate, and itself, on every request.
MAX_FIGURES = 4096

_results: OrderedDict[str, Any] = OrderedDict()
_figures: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()  # gunicorn's sync workers are single-threaded; threaded servers are not
statistics = {"hits": 0, "misses": 0}


def once(compute: Callable[..., T], *inputs: Any) -> T:
    """``compute(*inputs)``, kept under the digest of the function's name and every input."""
    return _kept(_results, MAX_RESULTS, compute, inputs)


def once_small(compute: Callable[..., T], *inputs: Any) -> T:
    """``once`` for a result of a few hundred bytes at most (a number, a short tuple), kept among many more."""
    return _kept(_figures, MAX_FIGURES, compute, inputs)


def _kept(store: OrderedDict[str, Any], size: int, compute: Callable[..., T], inputs: tuple[Any, ...]) -> T:
    key = input_digest(compute.__module__, compute.__qualname__, inputs)
    with _lock:
        if key in store:
            store.move_to_end(key)
            statistics["hits"] += 1
            return store[key]  # type: ignore[no-any-return]
    result = compute(*inputs)  # outside the lock: another thread may compute the same; both are equal
    with _lock:
        statistics["misses"] += 1
        store[key] = result
        while len(store) > size:
            store.popitem(last=False)
    return result


def clear() -> None:
    """Forget every kept result (tests; never needed for correctness)."""
    with _lock:
        _results.clear()
        _figures.clear()
        statistics.update(hits=0, misses=0)
