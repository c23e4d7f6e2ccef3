"""Batch jobs' ledger and output tables (recommendations, review analyses, payment scores, forecasts with advice); payments indexed by customer (a batch chunk reads its customers' payments).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
BATCH_TABLES = ("batch_chunks", "batch_forecasts", "batch_payment_scores", "batch_recommendations", "batch_review_analyses",
                "batch_runs")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    existing = set(inspector.get_table_names())

    if "batch_forecasts" not in existing:
        op.create_table("batch_forecasts",
        sa.Column("series", sa.Text(), nullable=False),
        sa.Column("product_id", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=True),
        sa.Column("forecast", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("advice", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("series")
        )
        op.create_index(op.f("ix_batch_forecasts_product_id"), "batch_forecasts", ["product_id"], unique=False)
        op.create_index(op.f("ix_batch_forecasts_run_id"), "batch_forecasts", ["run_id"], unique=False)
    if "batch_payment_scores" not in existing:
        op.create_table('batch_payment_scores',
        sa.Column('payment_id', sa.Text(), nullable=False),
        sa.Column('customer_key', sa.Text(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('decision', sa.Text(), nullable=False),
        sa.Column('model', sa.Text(), nullable=False),
        sa.Column('run_id', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('payment_id')
        )
        op.create_index(op.f('ix_batch_payment_scores_customer_key'), 'batch_payment_scores', ['customer_key'], unique=False)
        op.create_index(op.f('ix_batch_payment_scores_run_id'), 'batch_payment_scores', ['run_id'], unique=False)
    if "batch_recommendations" not in existing:
        op.create_table('batch_recommendations',
        sa.Column('customer_id', sa.Text(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Text(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('model', sa.Text(), nullable=False),
        sa.Column('run_id', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('customer_id', 'rank')
        )
        op.create_index(op.f('ix_batch_recommendations_run_id'), 'batch_recommendations', ['run_id'], unique=False)
    if "batch_review_analyses" not in existing:
        op.create_table('batch_review_analyses',
        sa.Column('review_id', sa.Text(), nullable=False),
        sa.Column('product_id', sa.Text(), nullable=True),
        sa.Column('language', sa.Text(), nullable=True),
        sa.Column('sentiment', sa.Text(), nullable=False),
        sa.Column('positive_probability', sa.Float(), nullable=False),
        sa.Column('aspects', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
        sa.Column('model', sa.Text(), nullable=False),
        sa.Column('run_id', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('review_id')
        )
        op.create_index(op.f('ix_batch_review_analyses_product_id'), 'batch_review_analyses', ['product_id'], unique=False)
        op.create_index(op.f('ix_batch_review_analyses_run_id'), 'batch_review_analyses', ['run_id'], unique=False)
    if "batch_runs" not in existing:
        op.create_table('batch_runs',
        sa.Column('run_id', sa.Text(), nullable=False),
        sa.Column('job', sa.Text(), nullable=False),
        sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
        sa.Column('model', sa.Text(), nullable=False),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('chunks', sa.Integer(), nullable=False),
        sa.Column('key_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('run_id')
        )
        op.create_index(op.f('ix_batch_runs_job'), 'batch_runs', ['job'], unique=False)
    if "batch_chunks" not in existing:
        op.create_table('batch_chunks',
        sa.Column('run_id', sa.Text(), nullable=False),
        sa.Column('chunk', sa.Integer(), nullable=False),
        sa.Column('key_list', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=True),
        sa.Column('seconds', sa.Float(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['batch_runs.run_id'], ),
        sa.PrimaryKeyConstraint('run_id', 'chunk')
        )
    if "ix_payments_customer_id" not in {index["name"] for index in inspector.get_indexes("payments")}:
        op.create_index('ix_payments_customer_id', 'payments', ['customer_id'], unique=False)


def downgrade() -> None:
    op.drop_index("ix_payments_customer_id", table_name="payments")
    for table in BATCH_TABLES:  # chunks before runs (its foreign key)
        op.drop_table(table)
