"""REST API (FastAPI): a thin layer over the library; build it with `create_app(settings)`."""
