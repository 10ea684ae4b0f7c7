"""SQLModel tables, one module an aggregate. Importing this package registers them all."""

from vr_booking.models.audit import AuditEvent
from vr_booking.models.base import UTCDateTime, utcnow
from vr_booking.models.booking import (
    ACTIVE,
    HOLDING,
    SEAT_HOLDING,
    AgeBand,
    Booking,
    BookingJob,
    BookingStatus,
    Feedback,
    FeedbackJob,
    Gender,
    Participant,
)
from vr_booking.models.catalogue import ROME_CODE_RE, ROME_DOMAINS, Job, Sector, Video, VideoJob
from vr_booking.models.centre import Centre, CentreKind
from vr_booking.models.headset import (
    Cleaning,
    CleaningMethod,
    FaceCover,
    Headset,
    HeadsetStateChange,
    HeadsetUse,
    Incident,
    IncidentKind,
    InstalledVideo,
    ServiceState,
    WatchedVideo,
)
from vr_booking.models.loan import Loan, LoanHeadset, LoanStatus
from vr_booking.models.notify import JobRun, SentNotice
from vr_booking.models.outbox import OutboxMessage
from vr_booking.models.session import (
    Allocation,
    Closure,
    OpenAccessRule,
    SessionKind,
    SessionStatus,
    SessionVideo,
    VRSession,
)
from vr_booking.models.staff import ApiToken, Role, StaffCentre, StaffUser

__all__ = [
    "ACTIVE",
    "HOLDING",
    "ROME_CODE_RE",
    "ROME_DOMAINS",
    "SEAT_HOLDING",
    "AgeBand",
    "Allocation",
    "ApiToken",
    "AuditEvent",
    "Booking",
    "BookingJob",
    "BookingStatus",
    "Centre",
    "CentreKind",
    "Cleaning",
    "CleaningMethod",
    "Closure",
    "FaceCover",
    "Feedback",
    "FeedbackJob",
    "Gender",
    "Headset",
    "HeadsetStateChange",
    "HeadsetUse",
    "Incident",
    "IncidentKind",
    "InstalledVideo",
    "Job",
    "JobRun",
    "Loan",
    "LoanHeadset",
    "LoanStatus",
    "OpenAccessRule",
    "OutboxMessage",
    "Participant",
    "Role",
    "Sector",
    "SentNotice",
    "ServiceState",
    "SessionKind",
    "SessionStatus",
    "SessionVideo",
    "StaffCentre",
    "StaffUser",
    "UTCDateTime",
    "VRSession",
    "Video",
    "VideoJob",
    "WatchedVideo",
    "utcnow",
]
