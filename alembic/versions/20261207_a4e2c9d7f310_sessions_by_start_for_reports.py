"""sessions by start for reports: the index on the start also holds the kind, status, centre
and end, so that a period's figures (the network dashboard reads a month's 10,840 sessions
several times) read the index alone instead of each session's row; it replaces the index on
the start alone, whose searches it serves as well

Revision ID: a4e2c9d7f310
Revises: 7c3e5a91d2f4
Create Date: 2026-12-07 09:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'a4e2c9d7f310'
down_revision: str | None = '7c3e5a91d2f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ['starts_at', 'kind', 'status', 'centre_id', 'ends_at']


def upgrade() -> None:
    op.create_index('ix_vr_session_starts_at_kind_status_centre_id_ends_at', 'vr_session',
                    COLUMNS, unique=False)
    op.drop_index('ix_vr_session_starts_at', table_name='vr_session')


def downgrade() -> None:
    op.create_index('ix_vr_session_starts_at', 'vr_session', ['starts_at'], unique=False)
    op.drop_index('ix_vr_session_starts_at_kind_status_centre_id_ends_at',
                  table_name='vr_session')
