"""The schema of the stores made before migrations existed (llm4retail 0.1.0 up to this revision).

Rendered once by Alembic's autogenerate from that version's tables and frozen here. Each table is created
only when missing, so that a store made by that version (its tables created on first use, without a
version stamp) is brought under migrations by running this revision over it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if "api_keys" not in existing:
        op.create_table('api_keys',
        sa.Column('key_id', sa.Text(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('role', sa.Text(), nullable=False),
        sa.Column('key_hash', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('rotated_to', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('key_id'),
        sa.UniqueConstraint('key_hash')
        )
    if "assistant_conversations" not in existing:
        op.create_table('assistant_conversations',
        sa.Column('conversation_id', sa.Text(), nullable=False),
        sa.Column('customer_id', sa.Text(), nullable=False),
        sa.Column('language', sa.Text(), nullable=True),
        sa.Column('status', sa.Text(), nullable=False),
        sa.Column('state', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('conversation_id')
        )
        op.create_index(op.f('ix_assistant_conversations_customer_id'), 'assistant_conversations', ['customer_id'], unique=False)
    if "customers" not in existing:
        op.create_table('customers',
        sa.Column('customer_id', sa.Text(), nullable=False),
        sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('country', sa.Text(), nullable=True),
        sa.Column('segment', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('customer_id')
        )
    if "documents" not in existing:
        op.create_table('documents',
        sa.Column('doc_id', sa.Text(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('url', sa.Text(), nullable=True),
        sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.Column('language', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('doc_id')
        )
    if "events" not in existing:
        op.create_table('events',
        sa.Column('event_id', sa.Text(), nullable=False),
        sa.Column('customer_id', sa.Text(), nullable=False),
        sa.Column('product_id', sa.Text(), nullable=False),
        sa.Column('timestamp', sa.DateTime(), nullable=True),
        sa.Column('seq', sa.BigInteger(), nullable=True),
        sa.Column('event_type', sa.Text(), nullable=True),
        sa.Column('session_id', sa.Text(), nullable=True),
        sa.Column('quantity', sa.Float(precision=53), nullable=True),
        sa.Column('price', sa.Float(precision=53), nullable=True),
        sa.Column('order_id', sa.Text(), nullable=True),
        sa.Column('store_id', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('event_id')
        )
        op.create_index('ix_events_customer_id', 'events', ['customer_id'], unique=False)
        op.create_index('ix_events_product_id', 'events', ['product_id'], unique=False)
    if "judgements" not in existing:
        op.create_table('judgements',
        sa.Column('query_id', sa.Text(), nullable=False),
        sa.Column('product_id', sa.Text(), nullable=False),
        sa.Column('grade', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('query_id', 'product_id')
        )
        op.create_index('ix_judgements_product_id', 'judgements', ['product_id'], unique=False)
    if "orders" not in existing:
        op.create_table('orders',
        sa.Column('order_id', sa.Text(), nullable=False),
        sa.Column('customer_id', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.Text(), nullable=False),
        sa.Column('lines', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.Column('total', sa.Float(precision=53), nullable=True),
        sa.Column('currency', sa.Text(), nullable=True),
        sa.Column('shipping_status', sa.Text(), nullable=True),
        sa.Column('tracking_code', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('order_id')
        )
        op.create_index('ix_orders_customer_id', 'orders', ['customer_id'], unique=False)
    if "payments" not in existing:
        op.create_table('payments',
        sa.Column('payment_id', sa.Text(), nullable=False),
        sa.Column('amount', sa.Float(precision=53), nullable=False),
        sa.Column('timestamp', sa.DateTime(), nullable=False),
        sa.Column('customer_id', sa.Text(), nullable=True),
        sa.Column('order_id', sa.Text(), nullable=True),
        sa.Column('currency', sa.Text(), nullable=True),
        sa.Column('features', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.Column('label', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('payment_id')
        )
    if "products" not in existing:
        op.create_table('products',
        sa.Column('product_id', sa.Text(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('category', sa.Text(), nullable=True),
        sa.Column('brand', sa.Text(), nullable=True),
        sa.Column('price', sa.Float(precision=53), nullable=True),
        sa.Column('currency', sa.Text(), nullable=True),
        sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.Column('image_url', sa.Text(), nullable=True),
        sa.Column('available', sa.Boolean(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('product_id')
        )
    if "queries" not in existing:
        op.create_table('queries',
        sa.Column('query_id', sa.Text(), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('query_class', sa.Text(), nullable=True),
        sa.Column('language', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('query_id')
        )
    if "reviews" not in existing:
        op.create_table('reviews',
        sa.Column('review_id', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('product_id', sa.Text(), nullable=True),
        sa.Column('customer_id', sa.Text(), nullable=True),
        sa.Column('rating', sa.BigInteger(), nullable=True),
        sa.Column('label', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('language', sa.Text(), nullable=True),
        sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.PrimaryKeyConstraint('review_id')
        )
        op.create_index('ix_reviews_product_id', 'reviews', ['product_id'], unique=False)
    if "sales" not in existing:
        op.create_table('sales',
        sa.Column('product_id', sa.Text(), nullable=False),
        sa.Column('store_id', sa.Text(), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('quantity', sa.Float(precision=53), nullable=False),
        sa.Column('price', sa.Float(precision=53), nullable=True),
        sa.Column('on_promotion', sa.Boolean(), nullable=True),
        sa.Column('open', sa.Boolean(), nullable=True),
        sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.PrimaryKeyConstraint('product_id', 'store_id', 'date')
        )
    if "storefront_impressions" not in existing:
        op.create_table('storefront_impressions',
        sa.Column('impression_id', sa.Text(), nullable=False),
        sa.Column('shown_at', sa.DateTime(), nullable=False),
        sa.Column('surface', sa.Text(), nullable=False),
        sa.Column('model', sa.Text(), nullable=False),
        sa.Column('session_id', sa.Text(), nullable=False),
        sa.Column('customer_id', sa.Text(), nullable=True),
        sa.Column('query', sa.Text(), nullable=True),
        sa.Column('product_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
        sa.PrimaryKeyConstraint('impression_id')
        )
        op.create_index(op.f('ix_storefront_impressions_customer_id'), 'storefront_impressions', ['customer_id'], unique=False)
        op.create_index(op.f('ix_storefront_impressions_shown_at'), 'storefront_impressions', ['shown_at'], unique=False)
    if "utterances" not in existing:
        op.create_table('utterances',
        sa.Column('utterance_id', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('intent', sa.Text(), nullable=False),
        sa.Column('category', sa.Text(), nullable=True),
        sa.Column('language', sa.Text(), nullable=True),
        sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.PrimaryKeyConstraint('utterance_id')
        )
    if "assistant_handoffs" not in existing:
        op.create_table('assistant_handoffs',
        sa.Column('handoff_id', sa.Text(), nullable=False),
        sa.Column('conversation_id', sa.Text(), nullable=False),
        sa.Column('customer_id', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('transcript', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
        sa.Column('status', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['conversation_id'], ['assistant_conversations.conversation_id'], ),
        sa.PrimaryKeyConstraint('handoff_id')
        )
        op.create_index(op.f('ix_assistant_handoffs_conversation_id'), 'assistant_handoffs', ['conversation_id'], unique=False)
        op.create_index(op.f('ix_assistant_handoffs_status'), 'assistant_handoffs', ['status'], unique=False)
    if "assistant_messages" not in existing:
        op.create_table('assistant_messages',
        sa.Column('message_id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('conversation_id', sa.Text(), nullable=False),
        sa.Column('turn', sa.Integer(), nullable=False),
        sa.Column('role', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['assistant_conversations.conversation_id'], ),
        sa.PrimaryKeyConstraint('message_id')
        )
        op.create_index(op.f('ix_assistant_messages_conversation_id'), 'assistant_messages', ['conversation_id'], unique=False)
    if "storefront_clicks" not in existing:
        op.create_table('storefront_clicks',
        sa.Column('click_id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('impression_id', sa.Text(), nullable=False),
        sa.Column('product_id', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('clicked_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['impression_id'], ['storefront_impressions.impression_id'], ),
        sa.PrimaryKeyConstraint('click_id')
        )
        op.create_index(op.f('ix_storefront_clicks_impression_id'), 'storefront_clicks', ['impression_id'], unique=False)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not downgraded: it would drop every table of the store")
