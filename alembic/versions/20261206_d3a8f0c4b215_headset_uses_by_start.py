"""headset uses by start: the dashboard counts the period's uses and the videos watched
during them, which without it read every session of the centres' whole history

Revision ID: d3a8f0c4b215
Revises: b7d41c2e9a60
Create Date: 2026-12-06 23:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'd3a8f0c4b215'
down_revision: str | None = 'b7d41c2e9a60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_headset_use_started_at', 'headset_use', ['started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_headset_use_started_at', table_name='headset_use')
