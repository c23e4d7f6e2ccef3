"""The `llm4retail` command line: a thin layer over the library (parse, call one function, print).

Exit codes: 0 success, 1 other domain error, 2 bad input data, 3 bad configuration,
4 database unreachable.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from llm4retail.config import Settings, get_settings
from llm4retail.data.schemas import Table
from llm4retail.errors import ConfigError, DataValidationError, Llm4RetailError, StoreUnavailableError

app = typer.Typer(help="LLMforRetail: retail search, recommendations, assistant and analytics.", no_args_is_help=True)
demo_app = typer.Typer(help="The bundled demo store.", no_args_is_help=True)
data_app = typer.Typer(help="Import data and inspect the store.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate a capability on a dataset; prints metrics (JSON with --json).", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(data_app, name="data")
app.add_typer(eval_app, name="eval")

EXIT_CODES: list[tuple[type[Llm4RetailError], int]] = [
    (DataValidationError, 2),
    (ConfigError, 3),
    (StoreUnavailableError, 4),
    (Llm4RetailError, 1),
]


@dataclass
class CliState:
    """Global options, turned into settings on first use."""

    config: Path | None = None
    data_dir: Path | None = None
    database_url: str | None = None

    def settings(self) -> Settings:
        """Settings with the global flags as the highest-precedence source."""
        return get_settings(config_file=self.config, data_dir=self.data_dir, database_url=self.database_url)


def fail(error: Llm4RetailError) -> NoReturn:
    """Print the error and exit with its code."""
    code = next(code for kind, code in EXIT_CODES if isinstance(error, kind))
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code)


def echo_json(payload: Any) -> None:
    """One JSON object on stdout."""
    typer.echo(json.dumps(payload, ensure_ascii=False, default=str))


@app.callback()
def main_options(
    context: typer.Context,
    config: Annotated[Path | None, typer.Option(help="TOML config file (else LLM4RETAIL_CONFIG).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory (else LLM4RETAIL_DATA_DIR).")] = None,
    database_url: Annotated[
        str | None, typer.Option(help="postgresql://... (else LLM4RETAIL_DATABASE_URL; unset = embedded)")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
) -> None:
    """Global options apply to every command."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    context.obj = CliState(config=config, data_dir=data_dir, database_url=database_url)


def _store(context: typer.Context) -> Any:
    from llm4retail.data.store import Store

    return Store.from_settings(context.obj.settings())


@demo_app.command("init")
def demo_init(
    context: typer.Context,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same store.")] = 42,
    reset: Annotated[bool, typer.Option(help="Drop all tables first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Generate the deterministic bilingual demo store into the configured store."""
    from llm4retail.data.demo import init_demo_store

    try:
        settings = context.obj.settings()
        store = _store(context)
        written = init_demo_store(store, data_dir=settings.data_dir, seed=seed, reset=reset)
    except Llm4RetailError as error:
        fail(error)
    _print_counts(f"demo store ready in {store.description}", store.description, written, as_json=as_json)


@data_app.command("import")
def data_import(
    context: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or dataset folders (CSV, CSV.gz, JSONL(.gz), Parquet).")],
    table: Annotated[Table | None, typer.Option(help="Table of contract files (default: from name/columns).")] = None,
    chunk_rows: Annotated[int | None, typer.Option(min=1, help="Rows per chunk and transaction.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Import files or public dataset folders; prints accepted/rejected rows per table."""
    from llm4retail.data.importer import default_rejections_path, import_path

    reports = []
    try:
        settings = context.obj.settings()
        store = _store(context)
        rejections = default_rejections_path(settings.data_dir)
        for path in paths:
            reports.append(
                import_path(
                    path,
                    store=store,
                    table=table,
                    chunk_rows=chunk_rows or settings.import_chunk_rows,
                    progress=not as_json,
                    rejections_path=rejections,
                )
            )
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        merged = [report.as_dict() for report in reports]
        echo_json(merged[0] if len(merged) == 1 else {"imports": merged})
        return
    for report in reports:
        _print_import(report)


def _print_import(report: Any) -> None:
    for file in report.files:
        if file.skipped:
            typer.echo(f"skipped  {file.source}: {file.skipped}")
            continue
        typer.echo(f"imported {file.source} → {file.table}: {file.accepted:,} accepted, {file.rejected:,} rejected")
        if file.ignored_columns:
            typer.echo(f"  ignored columns: {', '.join(file.ignored_columns)}")
        for rejection in file.rejections:
            typer.echo(f"  rejected {rejection.source}:{rejection.line}: {rejection.reason}")
        if file.rejected > len(file.rejections):
            typer.echo(f"  ... {file.rejected - len(file.rejections):,} more in {report.rejections_file}")
    typer.echo("table         accepted   rejected")
    for name, totals in report.totals().items():
        typer.echo(f"{name:<12} {totals['accepted']:>9,} {totals['rejected']:>10,}")
    if report.rejections_file:
        typer.echo(f"all rejected rows: {report.rejections_file}")


@data_app.command("stats")
def data_stats(
    context: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Row counts of every table in the configured store."""
    try:
        store = _store(context)
        counts = store.counts()
    except Llm4RetailError as error:
        fail(error)
    _print_counts(f"store: {store.description}", store.description, counts, as_json=as_json)


def _print_counts(heading: str, store: str, counts: dict[str, int], *, as_json: bool) -> None:
    if as_json:
        echo_json({"store": store, "tables": counts})
        return
    typer.echo(heading)
    for table, rows in counts.items():
        typer.echo(f"  {table:<12} {rows:>10,}")


@app.command("search")
def search(
    context: typer.Context,
    query: Annotated[str, typer.Argument(help='What a shopper would type, e.g. "red sofa under 500".')],
    top_k: Annotated[int, typer.Option(min=1, max=100, help="Results to show.")] = 10,
    category: Annotated[str | None, typer.Option(help='Category path prefix, e.g. "Home > Furniture".')] = None,
    brand: Annotated[list[str] | None, typer.Option(help="Brand filter (repeatable).")] = None,
    price_min: Annotated[float | None, typer.Option(min=0, help="Lowest price.")] = None,
    price_max: Annotated[float | None, typer.Option(min=0, help="Highest price.")] = None,
    in_stock: Annotated[bool, typer.Option("--in-stock", help="Only available products.")] = False,
    customer_id: Annotated[str | None, typer.Option(help="Personalise with this customer's recent events.")] = None,
    explain: Annotated[bool, typer.Option(help="Show each hit's ranking features.")] = False,
    diversify: Annotated[bool, typer.Option(help="Spread results over brands and categories.")] = False,
    rebuild: Annotated[bool, typer.Option(help="Rebuild the index from the store first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Search the store's catalog (the index is built on first use and kept in the data directory)."""
    import dataclasses

    from llm4retail.search.results import SearchFilters
    from llm4retail.search.service import SearchService

    try:
        settings = context.obj.settings()
        store = _store(context)
        service = SearchService(store, data_dir=settings.data_dir, llm=settings.llm)
        engine = service.rebuild() if rebuild else service.engine()
        filters = SearchFilters(
            category=category,
            brands=tuple(brand or ()),
            price_min=price_min,
            price_max=price_max,
            available=True if in_stock else None,
        )
        recent = store.recent_product_ids(customer_id) if customer_id else []
        response = engine.search(
            query, filters=filters, top_k=top_k, recent_product_ids=recent, explain=explain, diversify_results=diversify
        )
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(dataclasses.asdict(response))
        return
    understood = response.understood
    typer.echo(f"{response.total} results for {query!r} (read as {understood['text']!r}"
               + (f", corrected {', '.join(understood['corrections'])}" if understood["corrections"] else "")
               + (f", price {understood['price']}" if understood["price"] else "") + ")")
    for rank, hit in enumerate(response.hits, start=1):
        price = "" if hit.price is None else f"{hit.price:,.2f}"
        typer.echo(f"{rank:>3}. {hit.product_id:<12} {price:>10}  {hit.title[:90]}")
        if hit.features:
            typer.echo("      " + ", ".join(f"{k}={v:g}" for k, v in hit.features.items() if v))


@app.command("train-search")
def train_search(
    context: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Train the search reranker from the store's queries and judgements tables; /search then uses it."""
    from llm4retail.search.service import SearchService

    try:
        settings = context.obj.settings()
        importance = SearchService(_store(context), data_dir=settings.data_dir).train_reranker()
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json({"feature_importance": importance})
        return
    typer.echo("reranker trained and saved; feature importance (gain share):")
    for name, share in sorted(importance.items(), key=lambda item: -item[1]):
        if share:
            typer.echo(f"  {name:<16} {share:.3f}")


@eval_app.command("search")
def eval_search(
    products: Annotated[Path, typer.Option(help="Products (or knowledge-base documents) file or dataset folder.")],
    queries: Annotated[Path, typer.Option(help="Queries file (query_id, query).")],
    qrels: Annotated[Path, typer.Option(help="Judgements file (query_id, product_id, grade).")],
    semantic: Annotated[bool, typer.Option(help="Use the embedding channel.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Full-catalog retrieval quality: bm25, zero_shot, learned (80/20 by query-id hash), zero_shot_heldout."""
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit
    from llm4retail.search.evaluate import evaluate_search, read_catalog

    try:
        product_frame = read_catalog(products)
        query_frame, _ = read_table(queries, Table.QUERIES)
        judgement_frame, _ = read_table(qrels, Table.JUDGEMENTS)
        report = evaluate_search(
            product_frame, query_frame, judgement_frame, dataset=str(products), semantic=semantic
        )
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


@app.command("recommend")
def recommend(
    context: typer.Context,
    customer_id: Annotated[str | None, typer.Argument(help="Customer to recommend for.")] = None,
    session: Annotated[str | None, typer.Option(help="Comma-separated recent product ids (anonymous).")] = None,
    similar: Annotated[str | None, typer.Option(help="Products similar to this product id.")] = None,
    bought_together: Annotated[str | None, typer.Option(help="Products bought with this product id.")] = None,
    top_k: Annotated[int, typer.Option(min=1, max=100, help="How many.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Recommendations from the store's events: for a customer, a session, similar items or bought together."""
    import dataclasses

    from llm4retail.recommend.service import RecommendService

    chosen = [value for value in (customer_id, session, similar, bought_together) if value]
    if len(chosen) != 1:
        typer.echo("error: give exactly one of CUSTOMER_ID, --session, --similar, --bought-together", err=True)
        raise typer.Exit(2)
    try:
        service = RecommendService(_store(context), data_dir=context.obj.settings().data_dir)
        if customer_id:
            items = service.for_customer(customer_id, top_k=top_k)
        elif session:
            items = service.for_session([p.strip() for p in session.split(",") if p.strip()], top_k=top_k)
        elif similar:
            items = service.similar(similar, top_k=top_k)
        else:
            items = service.bought_together(str(bought_together), top_k=top_k)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json({"items": [dataclasses.asdict(item) for item in items]})
        return
    for rank, item in enumerate(items, start=1):
        typer.echo(f"{rank:>3}. {item.product_id:<12} {str(item.title)[:60]:<60}  {item.reason}")


@app.command("train-recommend")
def train_recommend(
    context: typer.Context,
    models: Annotated[str | None, typer.Option(help="Comma-separated candidate models (default: all, plus the hybrid).")] = None,
    keep: Annotated[int, typer.Option(min=1, help="Model versions kept in the data directory.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Choose the recommender on the store's events by validation, refit it on all events and save a new version."""
    import dataclasses

    from llm4retail.recommend.training import train_recommender

    try:
        names = [name.strip() for name in models.split(",") if name.strip()] if models else None
        result = train_recommender(_store(context), data_dir=context.obj.settings().data_dir, models=names, keep=keep)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(dataclasses.asdict(result))
        return
    typer.echo(f"saved {result.version}: {result.model} (validation NDCG@10 {result.valid_ndcg_at_10:.4f}, "
               f"held-out NDCG@10 {result.test_ndcg_at_10:.4f}) in {result.seconds:.1f} s")  # fmt: skip


@eval_app.command("recommend")
def eval_recommend(
    events: Annotated[Path, typer.Option(help="Events file or dataset folder (customer_id, product_id, timestamp or seq).")],
    models: Annotated[str | None, typer.Option(help="Comma-separated model names (default: all, plus the hybrid).")] = None,
    products: Annotated[
        Path | None, typer.Option(help="Products file or folder (brand, category, attributes, text) for the graph and content models.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Leave-last-out, full ranking over all items; per-model metrics and the validation-chosen `best`."""
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit
    from llm4retail.recommend.evaluate import evaluate_recommenders

    try:
        frame, _ = read_table(events, Table.EVENTS)
        catalog = read_table(products, Table.PRODUCTS)[0] if products else None
        names = [name.strip() for name in models.split(",") if name.strip()] if models else None
        report = evaluate_recommenders(frame, dataset=str(events), models=names, products=catalog)
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


@app.command("serve")
def serve(
    context: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Run the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from llm4retail.api.app import create_app

    try:
        application = create_app(context.obj.settings())
    except Llm4RetailError as error:
        fail(error)
    uvicorn.run(application, host=host, port=port, log_level="info")


@eval_app.command("recommend")
def eval_recommend(
    events: Annotated[Path, typer.Option(help="Events file or dataset folder (customer_id, product_id, timestamp or seq).")],
    models: Annotated[str | None, typer.Option(help="Comma-separated model names (default: all, plus the hybrid).")] = None,
    products: Annotated[
        Path | None, typer.Option(help="Products file or folder (brand, category, attributes, text) for the graph and content models.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Leave-last-out, full ranking over all items; per-model metrics and the validation-chosen `best`."""
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit
    from llm4retail.recommend.evaluate import evaluate_recommenders

    try:
        frame, _ = read_table(events, Table.EVENTS)
        catalog = read_table(products, Table.PRODUCTS)[0] if products else None
        names = [name.strip() for name in models.split(",") if name.strip()] if models else None
        report = evaluate_recommenders(frame, dataset=str(events), models=names, products=catalog)
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


@app.command("serve")
def serve(
    context: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Run the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from llm4retail.api.app import create_app

    try:
        application = create_app(context.obj.settings())
    except Llm4RetailError as error:
        fail(error)
    uvicorn.run(application, host=host, port=port, log_level="info")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
