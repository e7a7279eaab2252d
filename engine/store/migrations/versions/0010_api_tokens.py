"""api_tokens and api_idempotency: bearer tokens (hashes only) and the API's Idempotency-Key replies (issue 23)

Revision ID: 0010_api_tokens
Revises: 0009_case_state_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_api_tokens"
down_revision = "0009_case_state_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.String(100)),
        sa.ForeignKeyConstraint(["user_name"], ["users.name"], name=op.f("fk_api_tokens_user_name_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_name"), "api_tokens", ["user_name"])
    op.create_table(
        "api_idempotency",
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("location", sa.String(300)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_name", "key", name=op.f("pk_api_idempotency")),
    )
    op.create_index(op.f("ix_api_idempotency_created_at"), "api_idempotency", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_api_idempotency_created_at"), table_name="api_idempotency")
    op.drop_table("api_idempotency")
    op.drop_index(op.f("ix_api_tokens_user_name"), table_name="api_tokens")
    op.drop_table("api_tokens")
