"""What real registries keep about a project: 项目代码, 建设性质, 项目单位, 包联领导, contact,
coordinates, 资金来源 (project_funding), and 归档 (archive) instead of delete

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SOURCES = ('central_budget', 'special_bonds', 'ultra_long_bonds', 'provincial_funds', 'local_funds', 'bank_loans',
           'own_funds', 'private_capital', 'other')
NATURES = ('new', 'extension', 'reconstruction', 'relocation')
MONEY = sa.Numeric(14, 2).with_variant(sa.BigInteger(), 'sqlite')
"""万元 as the app's Money type stores it: NUMERIC(14, 2), or integer 分 on SQLite."""


def upgrade():
    op.create_table(
        'project_funding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.Enum(*SOURCES, name='source', native_enum=False, create_constraint=True, length=24),
                  nullable=False),
        sa.Column('amount', MONEY, nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_project_funding_amount_positive')),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_funding_project_id_projects'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_funding')),
        sa.UniqueConstraint('project_id', 'source', name=op.f('uq_project_funding_project_id_source')),
    )
    with op.batch_alter_table('project_funding') as batch_op:
        batch_op.create_index(batch_op.f('ix_project_funding_source'), ['source'], unique=False)

    with op.batch_alter_table('projects') as batch_op:
        batch_op.add_column(sa.Column('project_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('nature', sa.Enum(*NATURES, name='nature', native_enum=False,
                                                        create_constraint=True, length=24), nullable=True))
        batch_op.add_column(sa.Column('owner_unit', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('responsible_leader', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('contact_person', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True))
        batch_op.add_column(sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True))
        batch_op.add_column(sa.Column('archived_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('archive_reason', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_projects_project_code'), ['project_code'])
        batch_op.create_check_constraint('coordinates_paired', '(longitude IS NULL) = (latitude IS NULL)')
        batch_op.create_check_constraint(
            'coordinates_in_china', 'longitude BETWEEN 73.5 AND 135.1 AND latitude BETWEEN 3.8 AND 53.6')
        batch_op.create_check_constraint('archive_has_reason', '(archived_on IS NULL) = (archive_reason IS NULL)')


def downgrade():
    with op.batch_alter_table('projects') as batch_op:
        batch_op.drop_constraint(op.f('ck_projects_nature'), type_='check')  # the enum's own check
        batch_op.drop_constraint(op.f('ck_projects_archive_has_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_projects_coordinates_in_china'), type_='check')
        batch_op.drop_constraint(op.f('ck_projects_coordinates_paired'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_projects_project_code'), type_='unique')
        for column in ('archive_reason', 'archived_on', 'latitude', 'longitude', 'contact_phone', 'contact_person',
                       'responsible_leader', 'owner_unit', 'nature', 'project_code'):
            batch_op.drop_column(column)
    with op.batch_alter_table('project_funding') as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_funding_source'))
    op.drop_table('project_funding')
