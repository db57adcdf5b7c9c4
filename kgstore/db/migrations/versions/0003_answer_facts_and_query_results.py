"""answer facts and query results

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('answer_queries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('answer_queries', schema=None) as batch_op:
        batch_op.drop_column('result')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('facts')
