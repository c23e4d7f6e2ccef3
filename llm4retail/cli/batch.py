"""`llm4retail batch list|run|status`: batch jobs over the whole store, in this process or on Ray."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, services, settings, store
from llm4retail.errors import DataValidationError

batch_app = capability("batch")
commands = typer.Typer()
commands.add_typer(batch_app)

IN_PROCESS = "off"


def _params(pairs: list[str]) -> dict[str, Any]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise DataValidationError(f"--param takes NAME=VALUE, got '{pair}'")
        params[name.strip()] = value.strip()
    return params


@batch_app.command("list")
def list_jobs(as_json: JsonOption = False) -> None:
    """The batch jobs, their parameters and default chunk sizes."""
    from llm4retail.batch import JOBS

    jobs = [{"job": job.name, "description": job.description, "params": dict(job.defaults),
             "chunk_size": job.chunk_size, "output": job.output.name} for job in JOBS.values()]  # fmt: skip
    if as_json:
        echo_json(jobs)
        return
    for job in jobs:
        params = " ".join(f"{name}={value}" for name, value in job["params"].items())
        typer.echo(f"{job['job']:<10} {job['description']} [chunk {job['chunk_size']}{'; ' + params if params else ''}]")


@batch_app.command("run")
def run(
    context: typer.Context,
    job: Annotated[str, typer.Argument(help="The job (see `llm4retail batch list`).")],
    param: Annotated[list[str], typer.Option("--param", help="NAME=VALUE of a job parameter (repeatable).")] = [],  # noqa: B006
    ray: Annotated[str | None, typer.Option(
        help="Where to compute: 'local' (a Ray instance on this machine), 'auto' (the running cluster), an address "
             "(ray://host:10001), or 'off' (this process). Default: LLM4RETAIL_BATCH__RAY_ADDRESS, else this process.",
    )] = None,  # fmt: skip
    chunk_size: Annotated[int | None, typer.Option(min=1, help="Keys per chunk of a new run (default: the job's).")] = None,
    restart: Annotated[bool, typer.Option("--restart", help="Abandon an unfinished run instead of resuming it.")] = False,
    max_chunks: Annotated[int | None, typer.Option(min=1, help="Stop after this many chunks (resume later).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Run a batch job to the end, resuming the unfinished run of the same job, parameters and model if
    there is one (a run that was killed computes only its missing chunks)."""
    from llm4retail.batch import run_batch

    address = ray if ray is not None else settings(context).batch.ray_address
    report = run_batch(services(context), job, params=_params(param), chunk_size=chunk_size,
                       ray=None if address in (None, "", IN_PROCESS) else address, restart=restart,
                       max_chunks=max_chunks).as_dict()  # fmt: skip
    if as_json:
        echo_json(report)
        return
    typer.echo(
        f"{report['job']} run {report['run_id']} ({report['mode']}, model {report['model']}): {report['state']}; "
        f"{report['computed']} chunks computed now, {report['already_done']} before, of {report['chunks']}; "
        f"{report['rows']:,} rows written in {report['seconds']:.1f} s"
    )


@batch_app.command("status")
def status(
    context: typer.Context,
    job: Annotated[str | None, typer.Option(help="Only this job's runs.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Runs to show, newest first.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """The latest batch runs: state, chunks done, rows written."""
    from llm4retail.batch import batch_runs

    runs = batch_runs(store(context), job=job, limit=limit)
    if as_json:
        echo_json(runs)
        return
    if not runs:
        typer.echo("no batch runs yet")
    for run in runs:
        typer.echo(f"{run['run_id']:<36} {run['state']:<9} {run['chunks_done']}/{run['chunks']} chunks, "
                   f"{run['rows']:,} rows, model {run['model']}, started {run['created_at']}")  # fmt: skip
