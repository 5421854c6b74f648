"""专栏 tasks: the quantitative items of each programme box (programme_tasks), the projects that
deliver them (programme_task_projects) and their progress entries (task_progress)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 05:17:55.962879

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('target_quantity', sa.Numeric(precision=16, scale=4), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_tasks_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_tasks')),
    sa.UniqueConstraint('programme_id', 'number', name=op.f('uq_programme_tasks_programme_id_number'))
    )
    op.create_table('programme_task_projects',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_programme_task_projects_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['programme_tasks.id'], name=op.f('fk_programme_task_projects_task_id_programme_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'project_id', name=op.f('pk_programme_task_projects'))
    )
    op.create_table('task_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=16, scale=4), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['programme_tasks.id'], name=op.f('fk_task_progress_task_id_programme_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_progress')),
    sa.UniqueConstraint('task_id', 'recorded_on', name=op.f('uq_task_progress_task_id_recorded_on'))
    )


def downgrade():
    op.drop_table('task_progress')
    op.drop_table('programme_task_projects')
    op.drop_table('programme_tasks')
