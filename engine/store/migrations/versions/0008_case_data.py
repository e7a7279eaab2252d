"""the case data as a column, written by every command that runs the workflow (issue 11)

Revision ID: 0008_case_data
Revises: 0007_participants
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_case_data"
down_revision = "0007_participants"
branch_labels = None
depends_on = None


# Not backfilled: NULL means "not written yet", and the reader then restores the workflow as before
# (engine/service.py, _case_view); the next command on the case writes it.
def upgrade() -> None:
    op.add_column("cases", sa.Column("data_json", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("cases", "data_json")
