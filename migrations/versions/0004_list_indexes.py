"""Indexes for the list's default order (plan, id) and the overdue filter (end year)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_projects_plan_id'), 'projects', ['plan_id'])
    op.create_index(op.f('ix_projects_end_year'), 'projects', ['end_year'])


def downgrade():
    op.drop_index(op.f('ix_projects_end_year'), table_name='projects')
    op.drop_index(op.f('ix_projects_plan_id'), table_name='projects')
