"""Password attempts counted per (address, account): login_throttles

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 04:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_throttles',
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=50), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('locked_until_dt', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('address', 'username', name=op.f('pk_login_throttles')),
    )


def downgrade():
    op.drop_table('login_throttles')
