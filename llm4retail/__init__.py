"""LLMforRetail: one retail AI engine over one data model."""

__version__ = "0.1.0"
