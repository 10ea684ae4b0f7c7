"""booking lookup index: lower(email) for the duplicate check (a slot's seats by status are
indexed by the previous revision)

Revision ID: b7d41c2e9a60
Revises: 5b1c0e7d9a42
Create Date: 2026-12-06 19:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = 'b7d41c2e9a60'
down_revision: str | None = '5b1c0e7d9a42'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # An expression index (both SQLite and PostgreSQL have them); autogenerate cannot see it.
    op.create_index('ix_booking_email_lower', 'booking',
                    [sa.text('lower(email)'), 'status', 'session_id'])


def downgrade() -> None:
    op.drop_index('ix_booking_email_lower', table_name='booking')
