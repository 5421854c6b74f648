"""The quarterly round: reminders (催报), in-app messages and their e-mail, the problem ledger
(问题台账) and supervision notices (督办单), and an e-mail address per account

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submission_tokens',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('used_dt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_submission_tokens'))
    )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('sent_by', sa.String(length=100), nullable=False),
    sa.Column('sent_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_reminders_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_year'), ['year', 'quarter', 'region_id'], unique=False)

    op.create_table('supervision_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=100), nullable=True),
    sa.Column('requirement', sa.Text(), nullable=False),
    sa.Column('reply_deadline', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('state', sa.Enum('awaiting_reply', 'replied', 'closed', name='state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('replied_by', sa.String(length=100), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("state = 'awaiting_reply' OR reply IS NOT NULL OR state = 'closed'", name=op.f('ck_supervision_notices_replied_has_text')),
    sa.CheckConstraint('region_id IS NOT NULL OR unit IS NOT NULL', name=op.f('ck_supervision_notices_has_recipient')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_supervision_notices_region_id_regions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notices')),
    sa.UniqueConstraint('year', 'number', name=op.f('uq_supervision_notices_year_number'))
    )
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('sent_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_messages_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminders.id'], name=op.f('fk_messages_reminder_id_reminders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_recipient_id'), ['recipient_id', 'read_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_reminder_id'), ['reminder_id'], unique=False)

    op.create_table('mail_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sent', 'failed', name='state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_attempt_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_mail_deliveries_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_deliveries')),
    sa.UniqueConstraint('message_id', name=op.f('uq_mail_deliveries_message_id'))
    )
    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('progress_report_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('land', 'funding', 'permits', 'relocation', 'construction', 'other', name='kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible_units', sa.String(length=200), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('state', sa.Enum('pending', 'coordinating', 'solved', 'unsolvable', name='state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('closing_note', sa.Text(), nullable=True),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('raised_by', sa.String(length=100), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("state <> 'unsolvable' OR closing_note IS NOT NULL", name=op.f('ck_problems_unsolvable_has_reason')),
    sa.CheckConstraint("state NOT IN ('solved', 'unsolvable') OR closed_on IS NOT NULL", name=op.f('ck_problems_closed_has_date')),
    sa.ForeignKeyConstraint(['progress_report_id'], ['progress_reports.id'], name=op.f('fk_problems_progress_report_id_progress_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_problems_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems'))
    )
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problems_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problems_state'), ['state', 'deadline'], unique=False)

    op.create_table('problem_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('replied_on', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_problem_replies_problem_id_problems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_replies'))
    )
    with op.batch_alter_table('problem_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_replies_problem_id'), ['problem_id'], unique=False)

    op.create_table('supervision_notice_problems',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['supervision_notices.id'], name=op.f('fk_supervision_notice_problems_notice_id_supervision_notices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_supervision_notice_problems_problem_id_problems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_id', 'problem_id', name=op.f('pk_supervision_notice_problems'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))



def downgrade():
    op.drop_table('submission_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')

    op.drop_table('supervision_notice_problems')
    with op.batch_alter_table('problem_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_replies_problem_id'))

    op.drop_table('problem_replies')
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problems_state'))
        batch_op.drop_index(batch_op.f('ix_problems_project_id'))

    op.drop_table('problems')
    op.drop_table('mail_deliveries')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_recipient_id'))

    op.drop_table('messages')
    op.drop_table('supervision_notices')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_year'))

    op.drop_table('reminders')
