"""The embeddings of the whole catalog that `llm4retail batch run embed` computes and `search train` indexes.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "batch_product_embeddings" in set(sa.inspect(op.get_bind()).get_table_names()):
        return  # made by a run of this version before the store was upgraded
    op.create_table(
        "batch_product_embeddings",
        sa.Column("product_id", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_index(op.f("ix_batch_product_embeddings_run_id"), "batch_product_embeddings", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_batch_product_embeddings_run_id"), table_name="batch_product_embeddings")
    op.drop_table("batch_product_embeddings")
