"""Accounts, failed logins, the audit trail, review of progress, version columns for optimistic locking

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('attempted_dt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_address'), ['address', 'attempted_dt'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('display_name', sa.String(length=50), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('admin', 'city', 'county', 'viewer', name='role', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('is_enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('session_token', sa.String(length=32), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role <> 'county' OR region_id IS NOT NULL", name=op.f('ck_users_county_has_region')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_users_region_id_regions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('table_name', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('create', 'update', 'delete')", name=op.f('ck_audit_entries_action_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_table_name'), ['table_name', 'record_id'], unique=False)

    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_state', sa.Enum('draft', 'submitted', 'approved', 'returned', name='review_state', native_enum=False, create_constraint=True, length=24), server_default='draft', nullable=False))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_progress_reports_review_state'), type_='check')
        batch_op.drop_column('version')
        batch_op.drop_column('review_comment')
        batch_op.drop_column('review_state')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_table_name'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_project_id'))

    op.drop_table('audit_entries')
    op.drop_table('users')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_address'))

    op.drop_table('login_attempts')
