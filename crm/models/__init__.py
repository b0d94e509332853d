"""All models, imported here so that Alembic and the app see the complete metadata."""
from crm import collation
from crm.models.actors import Actor
from crm.models.api_tokens import ApiToken
from crm.models.audit import AuditEntry
from crm.models.base import Base
from crm.models.computed import ComputedResult, ComputeStatus, DataVersion
from crm.models.cooperations import Cooperation
from crm.models.events import Answer, Attendance, AttendanceSource, Event, EventStatus, Invitation
from crm.models.imports import ImportBatch, ImportStatus, ImportTarget
from crm.models.initiatives import Initiative, InitiativeKind, Membership, MembershipRole
from crm.models.offers import Offer, OfferStatus
from crm.models.outbox import DeliveryAttempt, MailboxMessage, MailTemplate, MessageState, OutboxMessage
from crm.models.persons import Affiliation, Consent, ConsentPurpose, LegalBasis, Person
from crm.models.users import Role, User
from crm.models.vocabularies import ActorKind, Area, CooperationType, EventKind, LifeStage, TargetGroup, Topic
from crm.models.worker import WorkerHeartbeat
from crm.models.workshops import WorkshopDot, WorkshopGroup, WorkshopParticipant, WorkshopProposal

__all__ = [
    "Actor", "ActorKind", "Affiliation", "Answer", "Area", "Attendance", "AttendanceSource",
    "AuditEntry", "Base", "Consent", "ConsentPurpose", "Cooperation", "CooperationType",
    "DeliveryAttempt", "Event", "EventKind", "EventStatus", "Initiative", "InitiativeKind",
    "Invitation", "LegalBasis", "LifeStage", "Membership", "MembershipRole", "MessageState",
    "OutboxMessage", "Person", "Role", "Topic", "User",
]
__all__ += ["ImportBatch", "ImportStatus", "ImportTarget"]
__all__ += ["ApiToken"]
__all__ += ["MailTemplate", "MailboxMessage"]
__all__ += ["WorkerHeartbeat"]
__all__ += ["ComputedResult", "ComputeStatus", "DataVersion"]
__all__ += ["WorkshopDot", "WorkshopGroup", "WorkshopParticipant", "WorkshopProposal"]
__all__ += ["Offer", "OfferStatus", "TargetGroup"]
from crm.models.surveys import (  # noqa: E402
    Decision,
    ReportedTie,
    ReviewKind,
    SurveyDecision,
    SurveyQuestion,
    SurveyRecipient,
    SurveyRound,
    SurveyStatus,
)

__all__ += ["Decision", "ReportedTie", "ReviewKind", "SurveyDecision", "SurveyQuestion", "SurveyRecipient",
            "SurveyRound", "SurveyStatus"]

from crm.models.provider_offers import OfferProposal, ProposalStatus, ProviderLink  # noqa: E402

__all__ += ["OfferProposal", "ProposalStatus", "ProviderLink"]

# Relationships order names with COLLATE german: every engine that loads them (the app, the CLI, a
# bench script or a test with an engine of its own) needs the collation on its SQLite connections.
collation.install()

# The full-text index of offers: DDL for create_all and the names Alembic skips (not a table of the models).
from crm.models import fulltext  # noqa: E402, F401
