"""booking lookup indexes: lower(email) for the duplicate check, slot and status for counts

Revision ID: b7d41c2e9a60
Revises: 6887ea415d52
Create Date: 2026-12-06 19:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = 'b7d41c2e9a60'
down_revision: str | None = '6887ea415d52'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # An expression index (both SQLite and PostgreSQL have them); autogenerate cannot see it.
    op.create_index('ix_booking_email_lower', 'booking',
                    [sa.text('lower(email)'), 'status', 'session_id'])
    op.create_index('ix_booking_session_status', 'booking', ['session_id', 'status'])


def downgrade() -> None:
    op.drop_index('ix_booking_session_status', table_name='booking')
    op.drop_index('ix_booking_email_lower', table_name='booking')
