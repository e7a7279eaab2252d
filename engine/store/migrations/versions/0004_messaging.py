"""messaging: event subscriptions, cases by business key

Revision ID: 0004_messaging
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0004_messaging'
down_revision = '0003_audit_indexes'  # rechained at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_subscriptions',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('element_id', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_event_subscriptions_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', 'kind', 'name', 'element_id', name=op.f('pk_event_subscriptions'))
    )
    with op.batch_alter_table('event_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_event_subscriptions_kind_name', ['kind', 'name'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_business_key'), ['business_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_business_key'))
    with op.batch_alter_table('event_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_event_subscriptions_kind_name')
    op.drop_table('event_subscriptions')
