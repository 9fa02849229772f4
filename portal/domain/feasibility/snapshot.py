"""Feasibility snapshot: exactly what a household saw when it signed (SPEC §6, §7).

The snapshot is plain JSON data: money and other non-integers as strings (``"45.96"``), keys in
sorted order, the parameter version chosen by the caller, the option, the participating homes
with their inputs and figures, and the set figures. ``snapshot_json`` gives the canonical text
(sorted keys, fixed separators) that can be hashed and stored; ``inputs_from_snapshot`` rebuilds
the model inputs so the figures can be recomputed and compared.

Privacy: the snapshot holds every participant's inputs (including ``low_income``); it belongs in
the coordinator's evidence, not on another resident's screen.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, Final

from .curve import Curve
from .model import Home, HomeFigures, HomeId, Scenario, SetResult, Variant
from .parameters import FeasibilityError, Parameters
from .street import BestAlternative, JoiningLater, StreetIndicators

__all__ = ["SCHEMA", "SnapshotInputs", "inputs_from_snapshot", "snapshot", "snapshot_json", "street_figures"]

SCHEMA: Final = "warmteburen.feasibility.snapshot/1"


def _num(x: float | int | None) -> str | None:
    """Canonical text of a number: integers without decimals, other floats by their shortest repr;
    None (an optional parameter left empty) stays None."""
    if x is None:
        return None
    if isinstance(x, int):
        return str(x)
    return str(int(x)) if x.is_integer() else repr(x)


def _value(v: object) -> object:
    if type(v) is Decimal:  # most values, so checked first: a snapshot converts some 1,500 at every signature
        return str(v)
    if v is None or isinstance(v, bool | str | int):
        return v
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, float):
        return _num(v)
    raise TypeError(type(v))  # pragma: no cover - every field type is handled above


def _sorted(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in sorted(d)}


def _params(p: Parameters) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in p.to_mapping().items():
        out[key] = value if isinstance(value, str) else _num(value)
    return _sorted(out)


# The figures of a home, sorted, without the inputs (gas_m3, low_income: stored with the inputs). Named
# once: a snapshot holds every participant's figures, so this runs for every home at every signature.
_FIGURE_NAMES = tuple(sorted(fl.name for fl in fields(HomeFigures) if fl.name not in {"gas_m3", "low_income"}))


_FIGURE_VALUES = operator.attrgetter(*_FIGURE_NAMES)


def _figures(f: HomeFigures) -> dict[str, object]:
    return dict(zip(_FIGURE_NAMES, map(_value, _FIGURE_VALUES(f)), strict=True))


def _record(item: object) -> dict[str, Any]:
    """A frozen dataclass of the street figures as sorted JSON data (nested dataclasses and tuples too)."""
    out: dict[str, Any] = {}
    for fl in fields(item):  # type: ignore[arg-type]  # always a dataclass instance
        value = getattr(item, fl.name)
        if isinstance(value, tuple):
            out[fl.name] = [_record(v) for v in value]
        elif hasattr(value, "__dataclass_fields__"):
            out[fl.name] = _record(value)
        else:
            out[fl.name] = _value(value.value if hasattr(value, "value") else value)
    return _sorted(out)


def street_figures(street: StreetIndicators | None, alternative: BestAlternative | None = None,
                   later: JoiningLater | None = None) -> dict[str, Any]:
    """The §5 figures a household saw, as snapshot data: grid peak (kW), cost to the Netherlands, noise,
    ground, its own best alternative and, when it had not joined yet, joining now against later."""
    data: dict[str, Any] = {}
    if street is not None:
        data.update(_record(street))
    if alternative is not None:
        data["best_alternative"] = _record(alternative)
    if later is not None:
        data["joining_later"] = _record(later) | {"extra": str(later.extra)}
    return _sorted(data)


def snapshot(result: SetResult, *, parameter_version: str | int, household_id: HomeId | None = None,
             curve: Curve | None = None, street: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """JSON-serialisable record of ``result`` (an ``evaluate`` output) and its inputs.

    ``parameter_version``: the caller's stored parameter version; ``household_id``: the signing
    household (must participate, or ``FeasibilityError``); ``curve``: optionally the option's curve,
    whose k_min values are recorded; ``street``: optionally the street figures the household saw
    (``street_figures(...)``). Keys are sorted at every level; money is a string with cents.
    """
    if household_id is not None and household_id not in result.home_ids:
        raise FeasibilityError(f"household {household_id!r} does not participate")
    homes = []
    for h in result.homes:
        f = h.figures
        homes.append(_sorted({
            "home_id": h.home_id,
            "position": h.position,
            "position_assumed": h.position_assumed,
            "block": h.block,
            "inputs": _sorted({
                "gas_m3": _num(h.home.gas_m3),
                "low_income": h.home.low_income,
                "indoor_cost": None if h.home.indoor_cost is None else _num(h.home.indoor_cost),
            }),
            "figures": _figures(f),
        }))
    esco = None
    if result.esco is not None:
        esco = _sorted({fl.name: _value(getattr(result.esco, fl.name)) for fl in fields(result.esco)})
    set_figures = _sorted({
        "k": result.k,
        "shared_capex": str(result.shared_capex),
        "metres": str(result.metres),
        "boreholes": result.boreholes,
        "clusters": result.clusters,
        "trench_m": _value(result.trench_m),
        "garden_pipe_m": _value(result.garden_pipe_m),
        "viable": result.viable,
        "not_viable_reason": result.not_viable_reason,
        "mean_monthly_delta_gas": _value(result.mean_monthly_delta_gas),
        "worst_monthly_delta_gas": _value(result.worst_monthly_delta_gas),
        "mean_monthly_delta_air": _value(result.mean_monthly_delta_air),
        "co2_today_kg": str(result.co2_today_kg),
        "co2_saved_kg": str(result.co2_saved_kg),
        "esco": esco,
    })
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "parameter_version": str(parameter_version),
        "parameters": _params(result.params),
        "variant": result.variant.value,
        "scenario": result.scenario.value,
        "household_id": household_id,
        "participants": [h.home_id for h in result.homes],
        "homes": homes,
        "set": set_figures,
    }
    if curve is not None:
        if curve.option != result.option:
            raise FeasibilityError("curve is for another option")
        data["curve"] = _sorted({
            "n": curve.n,
            "k_min": {str(t): curve.k_min[t] for t in curve.thresholds},
            "k_min_spread": {str(t): curve.k_min_spread[t] for t in curve.thresholds},
        })
    if street is not None:
        data["street"] = _sorted(dict(street))
    return _sorted(data)


def snapshot_json(result: SetResult, *, parameter_version: str | int, household_id: HomeId | None = None,
                  curve: Curve | None = None, street: Mapping[str, Any] | None = None) -> str:
    """Canonical JSON text of ``snapshot(...)``: sorted keys, ``(",", ":")`` separators, UTF-8 text."""
    return dumps(snapshot(result, parameter_version=parameter_version, household_id=household_id,
                          curve=curve, street=street))


def dumps(data: Mapping[str, Any]) -> str:
    """Canonical JSON text of snapshot data (also for data read back from storage)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class SnapshotInputs:
    """The model inputs recorded in a snapshot."""

    homes: tuple[Home, ...]
    params: Parameters
    variant: Variant
    scenario: Scenario
    parameter_version: str


def inputs_from_snapshot(data: Mapping[str, Any]) -> SnapshotInputs:
    """Rebuild the inputs of a snapshot (``evaluate(*...)`` reproduces its figures).

    Assumed positions are restored as unknown (the same rule places them again). Raises ``FeasibilityError``
    (``ParameterError``/``HomeError``) for data that is not a valid snapshot.
    """
    if data.get("schema") != SCHEMA:
        raise FeasibilityError("not a feasibility snapshot")
    params = Parameters.from_mapping(data["parameters"])
    homes = tuple(
        Home(
            id=h["home_id"],
            position=None if h["position_assumed"] else h["position"],
            block=h["block"],
            gas_m3=float(h["inputs"]["gas_m3"]),
            low_income=h["inputs"]["low_income"],
            indoor_cost=None if h["inputs"]["indoor_cost"] is None else float(h["inputs"]["indoor_cost"]),
        )
        for h in data["homes"]
    )
    return SnapshotInputs(homes, params, Variant(data["variant"]), Scenario(data["scenario"]),
                          data["parameter_version"])
