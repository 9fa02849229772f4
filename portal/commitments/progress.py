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

from sqlalchemy import func, select

from portal.audit.service import record
from portal.commitments import coalition
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


def for_initiative(initiative: Initiative) -> Progress:
    """Counts per level in one query, plus the live coalition (its own few queries, cached)."""
    counted = {str(level): {"valid": 0, "pending_cosign": 0, "pending_verification": 0} for level in Level}
    for level, status, households in db.session.execute(
            select(Commitment.level, Commitment.status, func.count(func.distinct(Commitment.household_id)))
            .join(Household, Household.id == Commitment.household_id)
            .where(Commitment.initiative_id == initiative.id, Household.status == "open",
                   Commitment.status.in_([CommitmentStatus.valid, CommitmentStatus.pending_cosign,
                                          CommitmentStatus.pending_verification]))
            .group_by(Commitment.level, Commitment.status)):
        if level in counted:
            counted[level][status] = households
    live = coalition.for_initiative(initiative)
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
