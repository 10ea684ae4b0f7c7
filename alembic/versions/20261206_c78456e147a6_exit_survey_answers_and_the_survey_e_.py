"""exit survey answers and the survey e-mail marker

The feedback table predates the survey (a required rating and one "found what you looked
for"): answers now hold three yes/no questions, an optional rating, a comment and the centre
where they were given (poster answers have no ticket or participant). Nothing wrote the old
table, but rows that exist keep their centre and their yes/no answer as "learned".

Revision ID: c78456e147a6
Revises: e6daa1e31f57
Create Date: 2026-12-06 16:09:01.004094
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = 'c78456e147a6'
down_revision: str | None = 'e6daa1e31f57'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CENTRE_OF_ANSWER = """
UPDATE feedback SET centre_id = COALESCE(
  (SELECT s.centre_id FROM booking b JOIN vr_session s ON s.id = b.session_id
    WHERE b.id = feedback.booking_id),
  (SELECT s.centre_id FROM participant p JOIN vr_session s ON s.id = p.session_id
    WHERE p.id = feedback.participant_id))
"""


def upgrade() -> None:
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_invited_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('centre_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('learned', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('go_further', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('discomfort', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=''))
    op.execute(CENTRE_OF_ANSWER)
    op.execute("UPDATE feedback SET learned = found_what_looked_for WHERE found_what_looked_for IS NOT NULL")
    op.execute("DELETE FROM feedback_job WHERE feedback_id IN (SELECT id FROM feedback WHERE centre_id IS NULL)")
    op.execute("DELETE FROM feedback WHERE centre_id IS NULL")

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        for column in ('learned', 'go_further', 'discomfort', 'comment'):
            batch_op.alter_column(column, server_default=None)
        batch_op.alter_column('centre_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('rating', existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint(op.f('ck_feedback_rating_range'), type_='check')
        batch_op.create_check_constraint('rating_range', 'rating IS NULL OR rating BETWEEN 0 AND 10')
        batch_op.create_check_constraint('one_person', 'booking_id IS NULL OR participant_id IS NULL')
        batch_op.create_index(batch_op.f('ix_feedback_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_created_at'), ['created_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_feedback_centre_id_centre'), 'centre', ['centre_id'], ['id'])
        batch_op.drop_column('found_what_looked_for')


def downgrade() -> None:
    # The old table requires a rating: answers without one cannot go back.
    op.execute("DELETE FROM feedback_job WHERE feedback_id IN (SELECT id FROM feedback WHERE rating IS NULL)")
    op.execute("DELETE FROM feedback WHERE rating IS NULL")
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('found_what_looked_for', sa.BOOLEAN(), nullable=True))
    op.execute("UPDATE feedback SET found_what_looked_for = learned")
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feedback_centre_id_centre'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_feedback_created_at'))
        batch_op.drop_index(batch_op.f('ix_feedback_centre_id'))
        batch_op.drop_constraint(op.f('ck_feedback_one_person'), type_='check')
        batch_op.drop_constraint(op.f('ck_feedback_rating_range'), type_='check')
        batch_op.create_check_constraint('rating_range', 'rating BETWEEN 0 AND 10')
        batch_op.alter_column('rating', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('comment')
        batch_op.drop_column('discomfort')
        batch_op.drop_column('go_further')
        batch_op.drop_column('learned')
        batch_op.drop_column('centre_id')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('survey_invited_at')
