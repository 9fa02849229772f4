"""How far an initiative is from "commitment bewoners per huishouden scherp" (SPEC §4, §6).

Per level: households with a valid commitment (online, or paper verified by a coordinator), waiting
for a co-owner, and on paper still to be checked. Then the stable coalition (portal.commitments.coalition)
and the target the coordinator set: a share of the homes (``exit_target_percent``, default 70 %) or a
number of households (``settings["commitment_target_count"]``). The target is met when the stable
coalition — the households whose own conditions hold together — is at least that large and is a
viable project; a conditional commitment whose condition fails does not count towards it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from portal.audit.service import record
from portal.commitments import coalition
from portal.domain import feasibility as model
from portal.domain.errors import DomainError
from portal.extensions import db
from portal.models import Commitment, CommitmentStatus, Household, Initiative, Level, User

__all__ = ["LevelCount", "Progress", "TargetError", "for_initiative", "set_target", "target_of"]

TARGET_COUNT_KEY = "commitment_target_count"
MAX_PERCENT = 100


class TargetError(DomainError):
    """``code``: ``percent_range`` (1–100) or ``count_range`` (1 up to the number of homes, ``homes``)."""


@dataclass(frozen=True, slots=True)
class LevelCount:
    level: str
    valid: int
    pending_cosign: int
    pending_verification: int


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # "percent" | "count"
    value: int
    households: int  # households needed for this initiative now


@dataclass(frozen=True, slots=True)
class Progress:
    homes: int
    levels: tuple[LevelCount, ...]
    coalition: coalition.LiveCoalition
    target: Target

    @property
    def in_coalition(self) -> int:
        return len(self.coalition.final)

    @property
    def target_met(self) -> bool:
        return self.coalition.viable and self.in_coalition >= self.target.households

    @property
    def still_needed(self) -> int:
        return max(self.target.households - self.in_coalition, 0)

    @property
    def any_commitment(self) -> bool:
        return any(c.valid or c.pending_cosign or c.pending_verification for c in self.levels)


def target_of(initiative: Initiative, homes: int) -> Target:
    count = (initiative.settings or {}).get(TARGET_COUNT_KEY)
    if isinstance(count, int) and count > 0:
        return Target("count", count, count)
    percent = initiative.exit_target_percent or 70
    return Target("percent", percent, max(math.ceil(homes * percent / 100 - 1e-9), 1) if homes else 0)


def for_initiative(initiative: Initiative, params: model.Parameters | None = None) -> Progress:
    """Counts per level and the live coalition's pledges from one query of the live commitments, then the
    coalition (one more query for the street; ``params`` when the caller loaded them with the initiative)."""
    rows = db.session.execute(
        select(Commitment.household_id, Commitment.level, Commitment.status, Commitment.min_n,
               Commitment.max_monthly_delta_eur)
        .join(Household, Household.id == Commitment.household_id)
        .where(Commitment.initiative_id == initiative.id, Household.status == "open",
               Commitment.status.in_([CommitmentStatus.valid, CommitmentStatus.pending_cosign,
                                      CommitmentStatus.pending_verification]))
        .order_by(Commitment.household_id, Commitment.id)).all()
    households: dict[tuple[str, str], set[int]] = {}
    for household_id, level, status, _min_n, _max_delta in rows:
        households.setdefault((level, status), set()).add(household_id)
    counted = {str(level): {status: len(households.get((str(level), status), ()))
                            for status in ("valid", "pending_cosign", "pending_verification")} for level in Level}
    pledges = coalition.pledges_from((household_id, level, min_n, max_delta)
                                     for household_id, level, status, min_n, max_delta in rows
                                     if status == CommitmentStatus.valid)
    live = coalition.for_initiative(initiative, pledges, params)
    levels = tuple(LevelCount(level, **counts) for level, counts in counted.items())
    return Progress(homes=live.homes, levels=levels, coalition=live, target=target_of(initiative, live.homes))


def set_target(initiative: Initiative, actor: User, *, kind: str, value: int, homes: int) -> None:
    """The coordinator's target: ``kind`` "percent" (1–100) or "count" (1 up to the homes)."""
    settings = dict(initiative.settings or {})
    if kind == "percent":
        if not 1 <= value <= MAX_PERCENT:
            raise TargetError("percent_range")
        initiative.exit_target_percent = value
        settings.pop(TARGET_COUNT_KEY, None)
    else:
        if not 1 <= value <= max(homes, 1):
            raise TargetError("count_range", homes=homes)
        settings[TARGET_COUNT_KEY] = value
    initiative.settings = settings  # a new dict: the JSON column notices the change
    record("commitment.target_set", actor.id, initiative, kind=kind, value=value)
