"""The predictions table, as the API created it before migrations existed.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("row_index", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("pclass", sa.SmallInteger()),
        sa.Column("sex", sa.String(8)),
        sa.Column("age", sa.Float()),
        sa.Column("sibsp", sa.SmallInteger()),
        sa.Column("parch", sa.SmallInteger()),
        sa.Column("fare", sa.Float()),
        sa.Column("embarked", sa.String(1)),
        sa.Column("title", sa.String(16)),
        sa.Column("deck", sa.String(16)),
        sa.Column("probability", sa.Float()),
        sa.Column("prediction", sa.SmallInteger()),
        sa.Column("errors", sa.JSON(none_as_null=True)),
    )
    op.create_index("ix_predictions_created_at", "predictions", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_predictions_created_at", table_name="predictions")
    op.drop_table("predictions")
