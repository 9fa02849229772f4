"""Feasibility model of a mini heat network: "werkt het als niet iedereen meedoet?".

Pure Python (standard library only), following /work/shared/FEASIBILITY.md:

- ``parameters``: ``Parameters`` (2026 defaults), ``PARAMETER_INFO`` (unit, source, year, bounds),
  ``ParameterError``; ``DEFAULT_GAS_M3_BY_HOME_TYPE``.
- ``model``: ``Home``, ``Variant``, ``Scenario``, ``Option``; ``evaluate`` one participating set;
  ``monthly_delta_for_set`` (the cost callable for ``portal.domain.coalition``).
- ``curve``: participation curve k = 1..N (compact/spread band) and ``k_min``.
- ``scorecard``: the 18 resident conditions per option and the households' weighted scores.
- ``levers``: what moves one household's monthly number.
- ``street``: what the street gains beyond the bill (FEASIBILITY.md §5): grid peak, cost to the
  Netherlands, noise, ground, each household's best alternative, joining later.
- ``snapshot``: the JSON record stored with a commitment.

Sign convention: ``monthly_delta_*`` > 0 means more expensive than the alternative. Money is
``Decimal`` with cents (ROUND_HALF_UP) wherever it leaves the package.
"""

from .curve import (
    DEFAULT_THRESHOLDS,
    BandPoint,
    Curve,
    CurvePoint,
    compact_ranks,
    curve,
    curve_homes,
    curves,
    spread_ranks,
)
from .levers import LEVER_KEYS, Lever, Levers, levers
from .model import (
    OPTIONS,
    EscoResult,
    Home,
    HomeError,
    HomeFigures,
    HomeId,
    HomeResult,
    Option,
    Scenario,
    SetResult,
    Variant,
    annuity,
    evaluate,
    monthly_delta_for_set,
    monthly_delta_function,
    street_order,
    with_street_positions,
)
from .parameters import (
    DEFAULT_GAS_M3_BY_HOME_TYPE,
    PARAMETER_INFO,
    CostSplit,
    FeasibilityError,
    ParameterError,
    ParameterInfo,
    Parameters,
    check_value,
)
from .scorecard import (
    CONDITION_KEYS,
    RATING_POINTS,
    Assessment,
    HouseholdScore,
    InitiativeContext,
    OptionAcceptance,
    Override,
    Preference,
    Rating,
    Scorecard,
    ScorecardError,
    acceptance,
    assess,
    score,
    scorecards,
)
from .snapshot import SCHEMA as SNAPSHOT_SCHEMA
from .snapshot import SnapshotInputs, inputs_from_snapshot, snapshot, snapshot_json, street_figures
from .street import (
    Alternative,
    BestAlternative,
    Ground,
    JoiningLater,
    Noise,
    Peak,
    Societal,
    SocietalCost,
    StreetError,
    StreetIndicators,
    best_alternative,
    cop_air,
    cop_ground,
    joining_later,
    street_indicators,
)

__all__ = [
    "CONDITION_KEYS",
    "DEFAULT_GAS_M3_BY_HOME_TYPE",
    "DEFAULT_THRESHOLDS",
    "LEVER_KEYS",
    "OPTIONS",
    "PARAMETER_INFO",
    "RATING_POINTS",
    "SNAPSHOT_SCHEMA",
    "Alternative",
    "Assessment",
    "BandPoint",
    "BestAlternative",
    "CostSplit",
    "Curve",
    "CurvePoint",
    "EscoResult",
    "FeasibilityError",
    "Ground",
    "Home",
    "HomeError",
    "HomeFigures",
    "HomeId",
    "HomeResult",
    "HouseholdScore",
    "InitiativeContext",
    "JoiningLater",
    "Lever",
    "Levers",
    "Noise",
    "Option",
    "OptionAcceptance",
    "Override",
    "ParameterError",
    "ParameterInfo",
    "Parameters",
    "Peak",
    "Preference",
    "Rating",
    "Scenario",
    "Scorecard",
    "ScorecardError",
    "SetResult",
    "SnapshotInputs",
    "Societal",
    "SocietalCost",
    "StreetError",
    "StreetIndicators",
    "Variant",
    "acceptance",
    "annuity",
    "assess",
    "best_alternative",
    "check_value",
    "compact_ranks",
    "cop_air",
    "cop_ground",
    "curve",
    "curve_homes",
    "curves",
    "evaluate",
    "inputs_from_snapshot",
    "joining_later",
    "levers",
    "monthly_delta_for_set",
    "monthly_delta_function",
    "score",
    "scorecards",
    "snapshot",
    "snapshot_json",
    "spread_ranks",
    "street_figures",
    "street_indicators",
    "street_order",
    "with_street_positions",
]
