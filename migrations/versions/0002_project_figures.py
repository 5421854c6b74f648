"""Figures kept on projects for the warning filters, filled in from existing reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE projects SET
    last_report_period = (
        SELECT max(r.year * 4 + r.quarter - 1) FROM progress_reports r WHERE r.project_id = projects.id),
    last_cumulative_investment = (
        SELECT r.cumulative_investment FROM progress_reports r WHERE r.project_id = projects.id
        ORDER BY r.year DESC, r.quarter DESC LIMIT 1),
    last_year_investment = (
        SELECT sum(r.quarter_investment) FROM progress_reports r WHERE r.project_id = projects.id
        AND r.year = (SELECT max(r2.year) FROM progress_reports r2 WHERE r2.project_id = projects.id)),
    open_milestone_due = (
        SELECT min(m.planned_date) FROM milestones m WHERE m.project_id = projects.id AND m.actual_date IS NULL)
"""


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_report_period', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_cumulative_investment', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('last_year_investment', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('open_milestone_due', sa.Date(), nullable=True))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('open_milestone_due')
        batch_op.drop_column('last_year_investment')
        batch_op.drop_column('last_cumulative_investment')
        batch_op.drop_column('last_report_period')
