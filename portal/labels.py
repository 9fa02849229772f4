"""Human words for stored values (stage, phase, variant, door status, home type), for templates."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l

from portal.households.forms import DOOR_STATUSES, HOME_TYPES
from portal.initiatives.forms import PHASES, QUICKSCAN_ANSWERS, STAGES, VARIANTS

LABELS = {
    "stage": dict(STAGES),
    "phase": dict(PHASES),
    "variant": dict(VARIANTS),
    "door": dict(DOOR_STATUSES) | {"none": _l("Not visited yet")},
    "home_type": dict(HOME_TYPES),
    "answer": dict(QUICKSCAN_ANSWERS),
    "verdict": {"promising": _l("Promising"), "doubt": _l("Doubtful"), "not_promising": _l("Not promising")},
    "relation": {"owner": _l("(Co-)owner"), "resident": _l("Resident")},
    "funnel": {
        "addresses": _l("Addresses"),
        "delivered": _l("Flyer delivered"),
        "joined": _l("Joined online"),
        "ranked": _l("Ranked the conditions"),
        "committed": _l("Signed a commitment"),
    },
}


def label(kind: str, value: str | None) -> str:
    """The word for a stored value in the request's language. Resolved once per request and kind:
    a lazy string resolves through Flask-Babel on every use, and a door list shows hundreds."""
    resolved = g.setdefault("_resolved_labels", {})
    words = resolved.get(kind)
    if words is None:
        words = resolved[kind] = {key: str(text) for key, text in LABELS[kind].items()}
    return words.get(value or "", value or "")
