"""The domain model, one module per aggregate."""

from xeco.models.audit import AuditEntry
from xeco.models.base import CURRENCIES
from xeco.models.capability import Capability, CapabilityKind, CapabilityStatus, Publication
from xeco.models.challenge import Challenge, ChallengeStatus, Visibility
from xeco.models.conversation import (
    AGREEMENT_OUTCOMES,
    MatchMessage,
    MatchOutcome,
    MatchRequest,
    Outcome,
)
from xeco.models.match import (
    TRANSITIONS,
    Match,
    MatchNote,
    MatchStatus,
    MatchStatusCount,
    Response,
)
from xeco.models.matcher_index import StoredIndex
from xeco.models.notification import Notification
from xeco.models.organisation import Organisation, OrgKind
from xeco.models.outbox import EmailOutbox, TaskOutbox
from xeco.models.programme import Programme, ProgrammeStatus
from xeco.models.run import ACTIVE_RUN_STATES, MatchingRun, RunChunk, RunState
from xeco.models.user import (
    PROVIDER_ROLES,
    SELF_REGISTER_ROLES,
    STAFF_ROLES,
    Membership,
    RevokedToken,
    Role,
    User,
)
from xeco.models.worker import WorkerHeartbeat

__all__ = [
    "ACTIVE_RUN_STATES",
    "AGREEMENT_OUTCOMES",
    "CURRENCIES",
    "PROVIDER_ROLES",
    "SELF_REGISTER_ROLES",
    "STAFF_ROLES",
    "TRANSITIONS",
    "AuditEntry",
    "Capability",
    "CapabilityKind",
    "CapabilityStatus",
    "Challenge",
    "ChallengeStatus",
    "EmailOutbox",
    "Match",
    "MatchMessage",
    "MatchNote",
    "MatchOutcome",
    "MatchRequest",
    "MatchStatus",
    "MatchStatusCount",
    "MatchingRun",
    "Membership",
    "Notification",
    "OrgKind",
    "Organisation",
    "Outcome",
    "Programme",
    "ProgrammeStatus",
    "Publication",
    "Response",
    "RevokedToken",
    "Role",
    "RunChunk",
    "RunState",
    "StoredIndex",
    "TaskOutbox",
    "User",
    "Visibility",
    "WorkerHeartbeat",
]
