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
from portal.models.data_version import DataVersion
from portal.models.feasibility import FeasibilityParams, ScorecardOverride
from portal.models.households import DoorStatus, HomeType, Household, Invitation, Membership, Relation
from portal.models.initiatives import Initiative, InitiativeEvent, Phase, ProgrammeStage, QuickscanItem, Review
from portal.models.knowledge import Document, DocumentKind, DocumentVersion, InitiativeLink, Provider, ProviderKind
from portal.models.municipalities import Municipality
from portal.models.notifications import Digest, NotificationSetting
from portal.models.outbox import OutboxMessage, OutboxStatus
from portal.models.roles import RoleInvitation

__all__ = [
    "AccountToken", "AuditEntry", "Base", "Commitment", "CommitmentEvent", "CommitmentStatus",
    "CommitmentText", "Condition", "DataVersion", "Digest", "Document", "DocumentKind", "DocumentVersion", "DoorStatus",
    "FeasibilityParams", "HomeType", "Household", "Initiative", "InitiativeCondition", "InitiativeEvent",
    "InitiativeLink", "Invitation", "Level", "Membership", "Municipality", "NotificationSetting", "OutboxMessage",
    "OutboxStatus",
    "PaperForm", "Phase", "ProgrammeStage", "Provider", "ProviderKind", "QuickscanItem", "Ranking", "Relation",
    "Review", "Role", "RoleGrant", "RoleInvitation", "ScorecardOverride", "Signature", "TokenPurpose", "User",
]
