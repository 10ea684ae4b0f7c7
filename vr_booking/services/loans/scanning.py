"""Scanning headsets out and in: what was scanned against what the loan expects.

A scan is a headset's QR label, which holds its address ``{base_url}/h/{asset_tag}`` (see
``services/fleet/access.py``); a USB scanner types that address followed by Enter, and people
may type the bare asset tag. Both are read here, so the camera script, a scanner and the
keyboard all end up in the same list.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from vr_booking.i18n import _
from vr_booking.services.errors import Conflict

LABEL_RE = re.compile(r"/h/([A-Za-z0-9._-]{1,32})/?$")
TAG_RE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
MAX_SCANS = 500
SEPARATORS = re.compile(r"[\s,;]+")


def parse_scans(raw: str | Iterable[str]) -> list[str]:
    """Asset tags, upper-case, in scan order without repeats, from labels or typed tags.

    Accepts one text (scans separated by new lines, spaces, commas) or a list of scans;
    what is neither a label address nor a tag-shaped word is ignored.
    """
    words = SEPARATORS.split(raw) if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for word in words[:MAX_SCANS]:
        tag = _tag_of(str(word).strip())
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _tag_of(word: str) -> str | None:
    label = LABEL_RE.search(word)
    if label:
        return label.group(1).upper()
    return word.upper() if TAG_RE.match(word) else None


@dataclass
class ScanCheck:
    """Expected headsets against scanned ones; ``missing`` and ``extra`` are flagged."""

    expected: list[str]
    scanned: list[str]
    matched: list[str] = field(init=False)
    missing: list[str] = field(init=False)
    extra: list[str] = field(init=False)

    def __post_init__(self) -> None:
        scanned = set(self.scanned)
        self.matched = [t for t in self.expected if t in scanned]
        self.missing = [t for t in self.expected if t not in scanned]
        self.extra = [t for t in self.scanned if t not in set(self.expected)]

    @property
    def is_complete(self) -> bool:
        return not self.missing and not self.extra


class ScanMismatch(Conflict):
    """Headsets are missing or extra, and the hand-over was not confirmed anyway."""

    def __init__(self, check: ScanCheck) -> None:
        self.missing, self.extra = check.missing, check.extra
        parts = []
        if check.missing:
            parts.append(_("Not scanned: {tags}.").format(tags=", ".join(check.missing)))
        if check.extra:
            parts.append(_("Not part of this loan: {tags}.").format(tags=", ".join(check.extra)))
        parts.append(_("Scan again, or confirm to go ahead with what was scanned."))
        super().__init__("scan_mismatch", " ".join(parts))
