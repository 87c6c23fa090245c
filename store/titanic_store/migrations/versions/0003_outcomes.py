"""Prediction ids, and the outcomes that refer to them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("prediction_id", sa.String(32)))
        batch.create_unique_constraint("uq_predictions_prediction_id", ["prediction_id"])
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("prediction_id", sa.String(32), nullable=False),
        sa.Column("survived", sa.SmallInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("prediction_id", name="uq_outcomes_prediction_id"),
    )


def downgrade() -> None:
    op.drop_table("outcomes")
    with op.batch_alter_table("predictions") as batch:
        batch.drop_constraint("uq_predictions_prediction_id", type_="unique")
        batch.drop_column("prediction_id")
