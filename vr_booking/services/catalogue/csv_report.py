"""What a catalogue import found or did: its problems by row, the checked items, the changes."""

from dataclasses import dataclass, field

from vr_booking.i18n import _
from vr_booking.services.catalogue.inputs import JobIn, SectorIn, VideoIn


@dataclass(frozen=True)
class Problem:
    """Why the file cannot be imported; ``row`` is the file's line (None: the whole file)."""

    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Row {number}: {problem}").format(number=self.row, problem=self.message)


@dataclass(frozen=True)
class Change:
    """What an import creates or changes: kind is sector, job, video or link."""

    kind: str
    slug: str
    is_new: bool


@dataclass
class ImportReport:
    """What an import found (dry run) or did."""

    problems: list[Problem] = field(default_factory=list)
    sectors: dict[str, SectorIn] = field(default_factory=dict)
    jobs: dict[str, JobIn] = field(default_factory=dict)
    videos: dict[str, VideoIn] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)
    rows: int = 0
    absent: frozenset[str] = frozenset()  # optional columns the file does not have
    # where each row (by its three slugs) and each item (by kind and slug) first appeared
    row_numbers: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False)
    # sectors that rows name by slug alone, before any row names them: the database must
    # know them (checked after parsing, so that parsing needs no database)
    pending_sectors: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> int:
        return sum(c.is_new for c in self.changes)

    @property
    def updated(self) -> int:
        return sum(not c.is_new for c in self.changes)
