"""规划指标: each plan's target indicators as printed (plan_indicators) and their yearly actual
values (indicator_values)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 05:08:43.223179

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('area', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=False),
    sa.Column('baseline', sa.String(length=100), nullable=False),
    sa.Column('baseline_value', sa.Numeric(precision=16, scale=4), nullable=True),
    sa.Column('target_year', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=100), nullable=False),
    sa.Column('target_value', sa.Numeric(precision=16, scale=4), nullable=True),
    sa.Column('nature', sa.Enum('binding', 'expected', name='nature', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('direction', sa.Enum('up', 'down', name='direction', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('measure', sa.Enum('level', 'cumulative', name='measure', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('target_year >= baseline_year', name=op.f('ck_plan_indicators_years_in_order')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_indicators_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_indicators')),
    sa.UniqueConstraint('plan_id', 'name', name=op.f('uq_plan_indicators_plan_id_name')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_plan_indicators_plan_id_number'))
    )
    op.create_table('indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=16, scale=4), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('modified_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['plan_indicators.id'], name=op.f('fk_indicator_values_indicator_id_plan_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
    sa.UniqueConstraint('indicator_id', 'year', name=op.f('uq_indicator_values_indicator_id_year'))
    )


def downgrade():
    op.drop_table('indicator_values')
    op.drop_table('plan_indicators')
