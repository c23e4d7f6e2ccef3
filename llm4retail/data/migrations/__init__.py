"""Alembic migrations of the store's schema (`llm4retail db upgrade`); see `llm4retail.data.migrate`."""
