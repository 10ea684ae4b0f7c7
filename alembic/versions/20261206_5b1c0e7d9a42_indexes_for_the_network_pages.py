"""indexes for the pages whose cost must not grow with the network

Revision ID: 5b1c0e7d9a42
Revises: 6887ea415d52
Create Date: 2026-12-06 19:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '5b1c0e7d9a42'
down_revision: str | None = '6887ea415d52'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('ix_vr_session_centre_id_starts_at', 'vr_session', ['centre_id', 'starts_at']),
    ('ix_allocation_headset_id_starts_at', 'allocation', ['headset_id', 'starts_at']),
    ('ix_booking_session_id_status', 'booking', ['session_id', 'status']),
    ('ix_headset_use_headset_id_returned_at', 'headset_use', ['headset_id', 'returned_at']),
    ('ix_cleaning_headset_id_cleaned_at', 'cleaning', ['headset_id', 'cleaned_at']),
    ('ix_loan_status_start_date_end_date', 'loan', ['status', 'start_date', 'end_date']),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
