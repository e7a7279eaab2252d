"""the operator's console: when each user last signed in (issue 24)

Revision ID: 0015_last_sign_in
Revises: 0014_admin
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_last_sign_in"
down_revision = "0014_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_sign_in_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_sign_in_at")
