"""`sex` as wide as its longest value in the passenger contract ("female"): 6, not 8.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.alter_column("sex", type_=sa.String(6), existing_type=sa.String(8))


def downgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.alter_column("sex", type_=sa.String(8), existing_type=sa.String(6))
