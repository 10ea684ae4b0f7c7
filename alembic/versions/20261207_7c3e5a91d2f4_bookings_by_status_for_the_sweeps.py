"""bookings by status for the sweeps: the no-show release, waiting-list promotion and lapsed
offers run every minute and looked for their few confirmed, waiting or offered bookings
through every past session (or every booking); partial indexes hold only those

Revision ID: 7c3e5a91d2f4
Revises: d3a8f0c4b215
Create Date: 2026-12-07 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '7c3e5a91d2f4'
down_revision: str | None = 'd3a8f0c4b215'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('ix_booking_confirmed', 'confirmed', ['status', 'session_id']),
    ('ix_booking_waitlisted', 'waitlisted', ['status', 'session_id']),
    ('ix_booking_offered', 'offered', ['offer_expires_at']),
]


def upgrade() -> None:
    for name, status, columns in INDEXES:
        where = sa.text(f"status = '{status}'")
        op.create_index(name, 'booking', columns, unique=False, sqlite_where=where,
                        postgresql_where=where)


def downgrade() -> None:
    for name, _status, _columns in reversed(INDEXES):
        op.drop_index(name, table_name='booking')
