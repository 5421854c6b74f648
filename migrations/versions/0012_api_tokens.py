"""API tokens (api_tokens): named, per account, kept as a SHA-256 digest, with the last use
and the per-minute request count of the rate limit

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 07:51:46.560269

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('use_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('revoked_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('window_start', sa.Integer(), server_default='0', nullable=False),
    sa.Column('window_count', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('digest', name=op.f('uq_api_tokens_digest'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_api_tokens_active_name', ['user_id', 'name'], unique=True,
                              sqlite_where=sa.text('revoked_dt IS NULL'), postgresql_where=sa.text('revoked_dt IS NULL'))



def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index('uq_api_tokens_active_name')
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
