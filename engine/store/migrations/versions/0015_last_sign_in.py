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


# Plain ALTER TABLE, not a batch copy: on SQLite a batch recreates `users`, and the tables whose foreign keys point
# at it then fail their checks (SQLite 3.35+ drops a column in place).
def upgrade() -> None:
    op.add_column("users", sa.Column("last_sign_in_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("users", "last_sign_in_at")
