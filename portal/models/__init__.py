"""The shared vocabulary: every table. Importing this package gives Alembic the complete metadata."""

from portal.models.accounts import AccountToken, Role, RoleGrant, TokenPurpose, User
from portal.models.audit import AuditEntry
from portal.models.base import Base
from portal.models.commitments import (
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    CommitmentText,
    Level,
    PaperForm,
    Signature,
)
from portal.models.conditions import Condition, InitiativeCondition, Ranking
from portal.models.feasibility import FeasibilityParams, ScorecardOverride
from portal.models.households import DoorStatus, HomeType, Household, Invitation, Membership, Relation
from portal.models.initiatives import Initiative, InitiativeEvent, Phase, ProgrammeStage, QuickscanItem
from portal.models.municipalities import Municipality
from portal.models.outbox import OutboxMessage, OutboxStatus

__all__ = [
    "AccountToken", "AuditEntry", "Base", "Commitment", "CommitmentEvent", "CommitmentStatus",
    "CommitmentText", "Condition", "DoorStatus", "FeasibilityParams", "HomeType", "Household",
    "Initiative", "InitiativeCondition", "InitiativeEvent", "Invitation", "Level", "Membership",
    "Municipality", "OutboxMessage", "OutboxStatus", "PaperForm", "Phase", "ProgrammeStage",
    "QuickscanItem", "Ranking", "Relation", "Role", "RoleGrant", "ScorecardOverride", "Signature", "TokenPurpose",
    "User",
]
