"""Quickscan: is a mini heat network promising (kansrijk) in this street? (SPEC §4)

The checklist comes from the seed ("Waar is een licht mini-warmtenet kansrijk?") plus the
two scope conditions of a mini heat network (2–100 homes, privately owned). A
coordinator answers each criterion ``yes`` / ``partly`` / ``no`` / ``unknown``.

Score: yes = 2, partly = 1, no = 0, unknown = 0 points; score = round-half-up of
100 × points / 12 (6 criteria × 2), an integer 0–100. A criterion missing from the
answers counts as ``unknown``.

Verdict — the first rule that applies decides (``Verdict.rule`` says which):

1. ``knockout`` → ``not_promising``: ``no`` on ``home_count`` or ``private_owners``
   (outside what a mini heat network is);
2. ``too_many_unknown`` → ``doubt``: 3 or more criteria ``unknown`` (too little known to
   judge; find out first);
3. ``high_score`` → ``promising``: score ≥ 75 and no ``no`` anywhere;
4. ``medium_score`` → ``doubt``: score ≥ 50;
5. ``low_score`` → ``not_promising``: score < 50.

Examples: all yes → 100 promising; five yes + one partly → 92 promising; five yes + one
no (on a non-knockout criterion) → 83 doubt; all partly → 50 doubt; three unknown +
three yes → 50 doubt; ``private_owners`` no → not_promising whatever the rest.

``Verdict.reasons`` lists the criteria that need attention — every answer other than
``yes`` — as ``(key, answer)`` pairs, most serious first: knockout ``no``, other ``no``,
``unknown``, ``partly``; within a group in :data:`CRITERIA` order.

Errors are :class:`QuickscanError`: ``unknown_criterion`` (``key``), ``answer_invalid``
(``key``, ``answer``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from portal.domain.errors import DomainError

__all__ = [
    "ANSWERS",
    "CRITERIA",
    "KNOCKOUT",
    "POINTS",
    "QuickscanError",
    "Verdict",
    "assess",
]

CRITERIA = (
    "ground_bound_rows",
    "insulation",
    "soil_depth",
    "drilling_spot",
    "home_count",
    "private_owners",
)
"""Criterion keys in display order:

* ``ground_bound_rows`` — ground-bound row houses in blocks of 3–10 homes;
* ``insulation`` — good (post-)insulation, judged by energy label;
* ``soil_depth`` — no restriction on drilling depth (300–500 m is ideal);
* ``drilling_spot`` — an easily accessible drilling spot where damage is limited
  (driveway, beside the block);
* ``home_count`` — 2 to 100 homes;
* ``private_owners`` — the homes are owned by private owners (owner-occupiers).
"""

ANSWERS = ("yes", "partly", "no", "unknown")
"""Allowed answers (exact lower-case strings)."""

POINTS = {"yes": 2, "partly": 1, "no": 0, "unknown": 0}
"""Points per answer."""

KNOCKOUT = frozenset({"home_count", "private_owners"})
"""Criteria where ``no`` alone makes the street not promising."""

MAX_POINTS = 2 * len(CRITERIA)
PROMISING_SCORE = 75
DOUBT_SCORE = 50
MAX_UNKNOWN = 3  # this many unknown answers or more: doubt

_SEVERITY = {"no": 1, "unknown": 2, "partly": 3}


class QuickscanError(DomainError):
    """Bad quickscan answers; ``code`` and ``params`` say what."""



@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of :func:`assess`.

    ``score`` 0–100; ``verdict`` ``promising`` | ``doubt`` | ``not_promising`` (kansrijk /
    twijfel / niet kansrijk); ``rule`` the deciding rule (module doc); ``reasons`` the
    ``(key, answer)`` pairs needing attention, most serious first; ``unknown_count``
    criteria answered ``unknown`` or not at all; ``points`` of ``max_points``.
    """

    score: int
    verdict: str
    rule: str
    reasons: tuple[tuple[str, str], ...]
    unknown_count: int
    points: int
    max_points: int = MAX_POINTS


def assess(answers: Mapping[str, str]) -> Verdict:
    """Score and verdict for one initiative's quickscan answers (rules in the module doc)."""
    for key, answer in answers.items():
        if not isinstance(key, str) or key not in CRITERIA:
            raise QuickscanError("unknown_criterion", key=str(key)[:64])
        if not isinstance(answer, str) or answer not in POINTS:
            raise QuickscanError("answer_invalid", key=key, answer=str(answer)[:64])
    complete = {key: answers.get(key, "unknown") for key in CRITERIA}

    points = sum(POINTS[answer] for answer in complete.values())
    score = (200 * points + MAX_POINTS) // (2 * MAX_POINTS)  # round half up, integers only
    unknown_count = sum(answer == "unknown" for answer in complete.values())
    has_no = "no" in complete.values()

    if any(complete[key] == "no" for key in sorted(KNOCKOUT)):
        verdict, rule = "not_promising", "knockout"
    elif unknown_count >= MAX_UNKNOWN:
        verdict, rule = "doubt", "too_many_unknown"
    elif score >= PROMISING_SCORE and not has_no:
        verdict, rule = "promising", "high_score"
    elif score >= DOUBT_SCORE:
        verdict, rule = "doubt", "medium_score"
    else:
        verdict, rule = "not_promising", "low_score"

    def severity(item: tuple[int, str]) -> tuple[int, int]:
        index, key = item
        answer = complete[key]
        knockout_no = answer == "no" and key in KNOCKOUT
        return (0 if knockout_no else _SEVERITY[answer], index)

    attention = sorted(((i, key) for i, key in enumerate(CRITERIA) if complete[key] != "yes"), key=severity)
    return Verdict(
        score=score,
        verdict=verdict,
        rule=rule,
        reasons=tuple((key, complete[key]) for _index, key in attention),
        unknown_count=unknown_count,
        points=points,
    )
