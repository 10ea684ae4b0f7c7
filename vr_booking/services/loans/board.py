"""The allocation board of a hub's network: headsets × days (or weeks).

Rows are the headsets based in the network (the hub and the centres it leads), grouped by
where they are today (or on the first day shown, when today is not); each cell says, for
that day or week, the loans holding the headset, the group sessions it is reserved for,
and how many open-access slots its centre runs then (the headset is part of that pool when
it is in service and has no foam cover). Nothing here is stored: it is read from loans,
allocations and slots, in a fixed number of queries (two a column, three for the board).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from vr_booking.models import (
    Centre,
    FaceCover,
    Headset,
    Loan,
    LoanHeadset,
    ServiceState,
    SessionKind,
    SessionStatus,
    VRSession,
)
from vr_booking.services.fleet.location import in_effect, loans_in_effect
from vr_booking.services.fleet.reservations import reservations
from vr_booking.services.loans.clashes import is_late, loan_period
from vr_booking.services.loans.network import network_centres
from vr_booking.services.timeutil import local_date

VIEWS = {"days": (7, 1), "weeks": (6, 7)}  # columns shown, days a column


@dataclass
class Column:
    first: date
    last: date

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass
class Cell:
    centre: Centre  # where the headset is on the column's first day
    loans: list[Loan] = field(default_factory=list)
    sessions: list[VRSession] = field(default_factory=list)
    open_access: int = 0  # slots at its centre in the column, when it can serve them

    @property
    def is_free(self) -> bool:
        return not self.loans and not self.sessions

    def same_as(self, other: "Cell") -> bool:
        return (self.centre.id, [lo.id for lo in self.loans], [s.id for s in self.sessions],
                self.open_access) == (other.centre.id, [lo.id for lo in other.loans],
                                      [s.id for s in other.sessions], other.open_access)


@dataclass
class Row:
    headset: Headset
    cells: list[Cell]

    @property
    def runs(self) -> list[tuple[int, int, Cell]]:
        """Neighbouring columns that say the same, as (first column, columns, cell): a loan
        over six days reads as one bar, and once on a phone."""
        runs: list[tuple[int, int, Cell]] = []
        for index, cell in enumerate(self.cells):
            if runs and runs[-1][2].same_as(cell):
                first, span, _cell = runs[-1]
                runs[-1] = (first, span + 1, cell)
            else:
                runs.append((index, 1, cell))
        return runs


@dataclass
class Group:
    centre: Centre
    rows: list[Row]


@dataclass
class Board:
    hub: Centre
    view: str
    today: date
    columns: list[Column]
    groups: list[Group]
    centres: dict[int, Centre]  # the network: the hub and the centres it leads

    @property
    def borrowers(self) -> list[Centre]:
        """The centres the hub leads, by name."""
        return [c for c in self.centres.values() if c.id != self.hub.id]

    @property
    def start(self) -> date:
        return self.columns[0].first

    @property
    def end(self) -> date:
        return self.columns[-1].last

    @property
    def previous(self) -> date:
        return self.start - (self.end - self.start + timedelta(days=1))

    @property
    def next(self) -> date:
        return self.end + timedelta(days=1)

    def is_late(self, loan: Loan) -> bool:
        return is_late(loan, self.today)


def board_columns(view: str, start: date) -> list[Column]:
    """The columns of a view: seven days from ``start``, or weeks from its Monday."""
    count, length = VIEWS[view]
    first = start if length == 1 else start - timedelta(days=start.weekday())
    return [Column(first + timedelta(days=n * length),
                   first + timedelta(days=n * length + length - 1)) for n in range(count)]


def build_board(session: Session, hub: Centre, view: str, start: date | None,
                now: datetime) -> Board:
    """The board of ``hub``'s network for the columns of ``view`` from ``start``'s week."""
    today = local_date(now, hub.timezone)
    columns = board_columns(view, start or today)
    centres = network_centres(session, hub)
    by_id = {c.id: c for c in centres}
    headsets = list(session.exec(select(Headset).where(
        col(Headset.home_centre_id).in_(list(by_id)),
        Headset.service_state != ServiceState.retired).order_by(Headset.asset_tag)))
    ids = [h.id for h in headsets]
    cells = {h.id: [] for h in headsets}
    loans = _loans(session, ids, columns[0].first, columns[-1].last)
    for column in columns:
        lent, shown = _in_column(loans, column)
        for headset in headsets:
            cells[headset.id].append(Cell(by_id.get(lent.get(headset.id), by_id[
                headset.home_centre_id]), shown.get(headset.id, [])))
    _add_sessions(session, hub, headsets, columns, cells, by_id)
    _add_open_access(session, hub, headsets, columns, cells)
    shown = next((n for n, c in enumerate(columns) if c.holds(today)), 0)
    groups = [Group(c, [Row(h, cells[h.id]) for h in headsets
                        if cells[h.id][shown].centre.id == c.id]) for c in centres]
    return Board(hub, view, today, columns, [g for g in groups if g.rows], by_id)


def _loans(session: Session, ids: list[int], first: date,
           last: date) -> list[tuple[int, Loan]]:
    """(headset id, loan) for the loans of these headsets in effect on a day of [first,
    last], oldest start first: read once for the whole board, settled by column in Python."""
    return list(session.exec(
        select(LoanHeadset.headset_id, Loan).join(Loan, col(Loan.id) == LoanHeadset.loan_id)
        .where(col(LoanHeadset.headset_id).in_(ids), loans_in_effect(first, last))
        .order_by(Loan.start_date)))


def _in_column(loans: list[tuple[int, Loan]],
               column: Column) -> tuple[dict[int, int], dict[int, list[Loan]]]:
    """Where each lent headset is on the column's first day (the latest loan wins) and the
    loans in effect during the column, by headset."""
    lent: dict[int, int] = {}
    shown: dict[int, list[Loan]] = {}
    for headset_id, loan in loans:
        facts = (loan.status, loan.start_date, loan.end_date)
        if in_effect(*facts, column.first, column.first):
            lent[headset_id] = loan.to_centre_id
        if in_effect(*facts, column.first, column.last):
            shown.setdefault(headset_id, []).append(loan)
    return lent, shown


def _add_sessions(session: Session, hub: Centre, headsets: list[Headset],
                  columns: list[Column], cells: dict[int, list[Cell]],
                  centres: dict[int, Centre]) -> None:
    """Each group session a headset is reserved for, in the column of its local date."""
    start_at, end_at = loan_period(hub, columns[0].first, columns[-1].last)
    for allocation, vr_session in reservations(session, start_at, end_at,
                                               headset_ids=[h.id for h in headsets]):
        zone = centres[vr_session.centre_id].timezone if vr_session.centre_id in centres \
            else hub.timezone
        day = local_date(allocation.starts_at, zone)
        for column, cell in zip(columns, cells[allocation.headset_id], strict=True):
            if column.holds(day) and vr_session not in cell.sessions:
                cell.sessions.append(vr_session)


def _add_open_access(session: Session, hub: Centre, headsets: list[Headset],
                     columns: list[Column], cells: dict[int, list[Cell]]) -> None:
    """Count the open-access slots at each cell's centre, for headsets that can serve."""
    start_at, end_at = loan_period(hub, columns[0].first, columns[-1].last)
    centre_ids = {cell.centre.id for row in cells.values() for cell in row}
    slots = session.exec(select(VRSession.centre_id, VRSession.starts_at).where(
        col(VRSession.centre_id).in_(centre_ids), VRSession.kind == SessionKind.open_access,
        VRSession.status == SessionStatus.planned,
        VRSession.starts_at >= start_at, VRSession.starts_at < end_at)).all()
    days = [(centre_id, local_date(at, hub.timezone)) for centre_id, at in slots]
    for headset in headsets:
        if headset.service_state != ServiceState.in_service or \
                headset.face_cover == FaceCover.foam:
            continue
        for column, cell in zip(columns, cells[headset.id], strict=True):
            cell.open_access = sum(1 for centre_id, day in days
                                   if centre_id == cell.centre.id and column.holds(day))
