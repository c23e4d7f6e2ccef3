"""Batch jobs over the whole store, in this process or on Ray: chunked, resumable, with progress.

Example:
    >>> from llm4retail.batch import run_batch
    >>> run_batch(services, "reviews", ray="local").as_dict()
"""

from llm4retail.batch.jobs import JOBS, BatchJob, get_job
from llm4retail.batch.runner import BatchReport, batch_runs, run_batch

__all__ = ["JOBS", "BatchJob", "BatchReport", "batch_runs", "get_job", "run_batch"]
