"""Stored judgements (judgements, judgement_basis): each project judged by the rules for every
interval of moments; the thresholds they were made with. Filled at the app's next start-up
(`portfolio.judgements.cli`: no basis recorded yet → every project judged). The figures kept on
projects for the rules' SQL twin (last_report_period, last_cumulative_investment,
last_year_investment, open_milestone_due) go with the twin.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 01:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SECTORS = ('health', 'education', 'elderly_care', 'childcare', 'employment_training', 'culture_tourism', 'sports',
           'housing', 'social_security', 'other')
STATUSES = ('preparing', 'under_way', 'completed', 'in_use', 'suspended', 'cancelled')
LIGHTS = ('red', 'yellow', 'green', 'done', 'cancelled')
TWIN_FIGURES = ('last_report_period', 'last_cumulative_investment', 'last_year_investment', 'open_milestone_due')


def _money():
    """万元: integer 分 on SQLite, NUMERIC(14, 2) elsewhere (portfolio.core.db.Money)."""
    return sa.BigInteger() if op.get_bind().dialect.name == 'sqlite' else sa.Numeric(14, 2)


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade():
    op.create_table('judgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('sector', _enum(SECTORS, 'sector'), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=False),
    sa.Column('edge', sa.Integer(), nullable=False),
    sa.Column('status', _enum(STATUSES, 'status'), nullable=False),
    sa.Column('light', _enum(LIGHTS, 'light'), nullable=False),
    sa.Column('cumulative_investment', _money(), nullable=False),
    sa.Column('year_investment', _money(), nullable=False),
    sa.Column('annual_plan', _money(), nullable=True),
    sa.Column('quarter_investment', _money(), nullable=True),
    sa.Column('over_budget', sa.Boolean(), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('late_start', sa.Boolean(), nullable=False),
    sa.Column('late_milestone', sa.Boolean(), nullable=False),
    sa.Column('investment_lag', sa.Boolean(), nullable=False),
    sa.Column('not_reported', sa.Boolean(), nullable=False),
    sa.Column('owes_round', sa.Boolean(), nullable=False),
    sa.Column('warnings', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_judgements_project_id_projects'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judgements'))
    )
    with op.batch_alter_table('judgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judgements_project_id'), ['project_id', 'valid_to'], unique=False)
        batch_op.create_index('ix_judgements_from', ['edge', 'valid_from', 'valid_to'], unique=False)
        batch_op.create_index('ix_judgements_to', ['edge', 'valid_to'], unique=False)
    op.create_table('judgement_basis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lag_yellow_pp', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('lag_red_pp', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('late_start_red_months', sa.Integer(), nullable=False),
    sa.Column('report_due_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judgement_basis'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for column in TWIN_FIGURES:
            batch_op.drop_column(column)


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_report_period', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_cumulative_investment', _money(), nullable=True))
        batch_op.add_column(sa.Column('last_year_investment', _money(), nullable=True))
        batch_op.add_column(sa.Column('open_milestone_due', sa.Date(), nullable=True))
    op.drop_table('judgement_basis')
    with op.batch_alter_table('judgements', schema=None) as batch_op:
        batch_op.drop_index('ix_judgements_to')
        batch_op.drop_index('ix_judgements_from')
        batch_op.drop_index(batch_op.f('ix_judgements_project_id'))
    op.drop_table('judgements')
