"""Dataset adapters: map public dataset folders (and plain contract files) onto the data contract."""

from llm4retail.data.adapters import public as _public  # noqa: F401  (registers the adapters)
from llm4retail.data.adapters.base import ADAPTERS, DatasetAdapter, FileTask, Rule, SkippedFile, infer_table, plan

__all__ = ["ADAPTERS", "DatasetAdapter", "FileTask", "Rule", "SkippedFile", "infer_table", "plan"]
