"""Numbers leaders can trust: dated status history, generated-row marks, issued reports, and
money as whole 分 (integers) on SQLite

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

MONEY_COLUMNS = {
    "projects": ("planned_investment", "last_cumulative_investment", "last_year_investment"),
    "progress_reports": ("cumulative_investment", "quarter_investment"),
    "annual_plans": ("planned_investment",),
}
"""万元 columns; SQLite keeps them as integer 分 from this revision on."""
STATUS_AFTER_MILESTONE = {"commencement": "under_way", "acceptance": "completed", "in_use": "in_use"}
"""What the app records when a milestone's actual date moves a project on (the backfill reads them)."""
STATUS_VALUES = ("preparing", "under_way", "completed", "in_use", "suspended", "cancelled")


def _money_columns(to_integers: bool):
    """On SQLite: REAL-valued NUMERIC(14, 2) ⇄ integer 分. PostgreSQL keeps NUMERIC(14, 2)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in MONEY_COLUMNS.items():
        for column in columns:
            expression = f"CAST(ROUND({column} * 100) AS INTEGER)" if to_integers else f"{column} / 100.0"
            op.execute(f"UPDATE {table} SET {column} = {expression} WHERE {column} IS NOT NULL")
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                old, new = sa.Numeric(14, 2), sa.BigInteger()
                batch_op.alter_column(column, type_=new if to_integers else old,
                                      existing_type=old if to_integers else new)


def upgrade():
    _money_columns(to_integers=True)
    op.create_table(
        'status_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum(*STATUS_VALUES, name='status', native_enum=False, create_constraint=True,
                                    length=24), nullable=False),
        sa.Column('since', sa.Date(), nullable=True),
        sa.Column('source', sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_status_changes_project_id_projects'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_status_changes')),
    )
    with op.batch_alter_table('status_changes') as batch_op:
        batch_op.create_index(batch_op.f('ix_status_changes_project_id'), ['project_id', 'since'], unique=False)
    with op.batch_alter_table('projects') as batch_op:
        batch_op.add_column(sa.Column('status_since', sa.Date(), nullable=True))
    for table in ('progress_reports', 'milestones', 'annual_plans'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('generated', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'issued_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False),
        sa.Column('scope_key', sa.String(length=100), nullable=False),
        sa.Column('scope', sa.String(length=300), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('issue_number', sa.String(length=50), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('figures', sa.Text(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('issued_by', sa.String(length=50), nullable=False),
        sa.Column('issued_dt', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_issued_reports_issued_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_reports')),
        sa.UniqueConstraint('issue_number', name=op.f('uq_issued_reports_issue_number')),
        sa.UniqueConstraint('year', 'quarter', 'scope_key', name=op.f('uq_issued_reports_year_quarter_scope_key')),
    )
    _backfill_status_history()


def _backfill_status_history():
    """Each project's history from its milestones (开工 → 在建, 竣工验收 → 已竣工, 投入使用 → 已投用),
    in date order, then its current status where the milestones do not explain it. A project
    whose 开工 is recorded was 前期 before it; otherwise its first status held from the beginning."""
    connection = op.get_bind()
    projects = sa.table('projects', sa.column('id', sa.Integer), sa.column('status', sa.String),
                        sa.column('status_since', sa.Date), sa.column('modified_dt', sa.DateTime))
    milestones = sa.table('milestones', sa.column('project_id', sa.Integer), sa.column('kind', sa.String),
                          sa.column('actual_date', sa.Date))
    changes = sa.table('status_changes', sa.column('project_id', sa.Integer), sa.column('status', sa.String),
                       sa.column('since', sa.Date), sa.column('source', sa.String))
    reached = {}
    for project_id, kind, actual in connection.execute(
            sa.select(milestones.c.project_id, milestones.c.kind, milestones.c.actual_date)
            .where(milestones.c.actual_date.is_not(None), milestones.c.kind.in_(list(STATUS_AFTER_MILESTONE)))):
        reached.setdefault(project_id, []).append((actual, kind))
    rows = []
    for project_id, status, modified in connection.execute(sa.select(projects.c.id, projects.c.status,
                                                                      projects.c.modified_dt)):
        events = sorted(reached.get(project_id, []), key=lambda event: (event[0], event[1]))
        history = [(None, "preparing" if any(kind == "commencement" for _, kind in events) else status, "backfill")]
        for actual, kind in events:
            history.append((actual, STATUS_AFTER_MILESTONE[kind], kind))
        if history[-1][1] != status:
            since = max(modified.date() if modified else date.today(), history[-1][0] or date.min)
            history.append((since, status, "backfill"))
        rows += [{"project_id": project_id, "status": s, "since": since, "source": source}
                 for since, s, source in history]
        if history[-1][0] is not None:
            connection.execute(projects.update().where(projects.c.id == project_id)
                               .values(status_since=history[-1][0]))
    if rows:
        connection.execute(changes.insert(), rows)


def downgrade():
    op.drop_table('issued_reports')
    for table in ('annual_plans', 'milestones', 'progress_reports'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('generated')
    with op.batch_alter_table('projects') as batch_op:
        batch_op.drop_column('status_since')
    with op.batch_alter_table('status_changes') as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_changes_project_id'))
    op.drop_table('status_changes')
    _money_columns(to_integers=False)
