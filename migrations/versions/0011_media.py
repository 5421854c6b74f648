"""现场照片 on quarterly progress (progress_photos) and documents on milestones
(milestone_documents); the files themselves live in the media folder

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 05:48:31.529896

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('milestone_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_milestone_documents_milestone_id_milestones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_milestone_documents_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_documents'))
    )
    with op.batch_alter_table('milestone_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_documents_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('progress_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('thumbnail_digest', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=True),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_progress_photos_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['progress_reports.id'], name=op.f('fk_progress_photos_report_id_progress_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_photos'))
    )
    with op.batch_alter_table('progress_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_photos_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_photos_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('progress_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_photos_report_id'))
        batch_op.drop_index(batch_op.f('ix_progress_photos_project_id'))

    op.drop_table('progress_photos')
    with op.batch_alter_table('milestone_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_documents_milestone_id'))

    op.drop_table('milestone_documents')
