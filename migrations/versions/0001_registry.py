"""The registry: plans, programmes, regions, projects, milestones, annual plans, progress reports

Revision ID: 0001
Revises: 
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=50), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('source_document', sa.String(length=200), nullable=True),
    sa.CheckConstraint('end_year >= start_year', name=op.f('ck_plans_years_in_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('title', name=op.f('uq_plans_title'))
    )
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('full_name', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.Enum('county', 'district', 'county_level_city', 'city_centre', name='kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('city', 'name', name=op.f('uq_regions_city_name'))
    )
    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_programmes_number_positive')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_programmes_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_programmes_plan_id_number'))
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('site', sa.String(length=100), nullable=False),
    sa.Column('sector', sa.Enum('health', 'education', 'elderly_care', 'childcare', 'employment_training', 'culture_tourism', 'sports', 'housing', 'social_security', 'other', name='sector', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('planned_investment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('responsible_unit', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('preparing', 'under_way', 'completed', 'in_use', 'suspended', 'cancelled', name='status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('modified_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_year >= start_year', name=op.f('ck_projects_years_in_order')),
    sa.CheckConstraint('planned_investment >= 0', name=op.f('ck_projects_investment_not_negative')),
    sa.CheckConstraint('start_year BETWEEN 1949 AND 2100 AND end_year BETWEEN 1949 AND 2100', name=op.f('ck_projects_years_in_range')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_projects_plan_id_plans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_projects_programme_id_programmes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_projects_region_id_regions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('plan_id', 'name', name=op.f('uq_projects_plan_id_name'))
    )
    op.create_index(op.f('ix_projects_programme_id'), 'projects', ['programme_id'])
    op.create_index(op.f('ix_projects_region_id'), 'projects', ['region_id'])

    op.create_table('annual_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('planned_investment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('planned_investment >= 0', name=op.f('ck_annual_plans_investment_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_annual_plans_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_plans')),
    sa.UniqueConstraint('project_id', 'year', name=op.f('uq_annual_plans_project_id_year'))
    )
    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('project_approval', 'feasibility_approval', 'design_approval', 'construction_permit', 'commencement', 'main_works_done', 'acceptance', 'in_use', name='kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=True),
    sa.Column('actual_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_milestones_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones')),
    sa.UniqueConstraint('project_id', 'kind', name=op.f('uq_milestones_project_id_kind'))
    )
    op.create_table('progress_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('cumulative_investment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('quarter_investment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('physical_progress', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('works_status', sa.Text(), nullable=True),
    sa.Column('problems', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('modified_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cumulative_investment >= 0', name=op.f('ck_progress_reports_cumulative_not_negative')),
    sa.CheckConstraint('physical_progress BETWEEN 0 AND 100', name=op.f('ck_progress_reports_physical_progress_percent')),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_progress_reports_quarter_valid')),
    sa.CheckConstraint('quarter_investment >= 0', name=op.f('ck_progress_reports_quarter_investment_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_progress_reports_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_reports')),
    sa.UniqueConstraint('project_id', 'year', 'quarter', name=op.f('uq_progress_reports_project_id_year_quarter'))
    )


def downgrade():
    op.drop_table('progress_reports')
    op.drop_table('milestones')
    op.drop_table('annual_plans')
    op.drop_index(op.f('ix_projects_region_id'), table_name='projects')
    op.drop_index(op.f('ix_projects_programme_id'), table_name='projects')
    op.drop_table('projects')
    op.drop_table('programmes')
    op.drop_table('regions')
    op.drop_table('plans')
