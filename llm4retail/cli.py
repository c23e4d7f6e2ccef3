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


# --- risk and marketing: payment risk, customer value, segments ----------------------------------
risk_app = typer.Typer(help="Payment risk: train the detectors, score payments.", no_args_is_help=True)
segments_app = typer.Typer(help="Customer value: RFM segments, CLV, churn, audiences.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")
app.add_typer(segments_app, name="segments")


def _risk_service(context: typer.Context, *, rules_file: Path | None = None) -> Any:
    from llm4retail.risk.config import get_risk_settings
    from llm4retail.risk.service import RiskService

    settings = context.obj.settings()
    return RiskService(_store(context), data_dir=settings.data_dir, settings=get_risk_settings(rules_file=rules_file))


@risk_app.command("train")
def risk_train(
    context: typer.Context,
    payments: Annotated[Path | None, typer.Option(help="Payments file or folder (default: the store's payments).")] = None,
    rules: Annotated[Path | None, typer.Option(help="JSON list of rules (else LLM4RETAIL_RISK__RULES_FILE).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Fit the detectors and thresholds and save them in <data-dir>/models/risk."""
    from llm4retail.data.importer import read_table

    try:
        frame = read_table(payments, Table.PAYMENTS)[0] if payments else None
        service = _risk_service(context, rules_file=rules)
        model = service.train(frame)
    except Llm4RetailError as error:
        fail(error)
    summary = {"active": model.active_.value, "detectors": [kind.value for kind in model.detectors_],
               "features": model.spec_.columns, "thresholds": {"review": model.thresholds_.review,
                                                               "decline": model.thresholds_.decline}, **model.meta_}
    if as_json:
        echo_json(summary)
        return
    typer.echo(f"risk model trained on {summary['n_payments']:,} payments; active detector: {summary['active']}")
    typer.echo(f"review at score >= {model.thresholds_.review:.4f}, decline at >= {model.thresholds_.decline:.4f}")


@risk_app.command("score")
def risk_score(
    context: typer.Context,
    payment: Annotated[str, typer.Argument(help='One payment as JSON, e.g. \'{"amount": 99, "currency": "EUR"}\'.')],
    what_if: Annotated[bool, typer.Option("--what-if", help="Do not add it to the customer's state.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Score one payment with the saved model (customer state seeded from the store's payments)."""
    from llm4retail.errors import DataValidationError as InvalidInput

    try:
        try:
            body = json.loads(payment)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"the payment is not valid JSON: {error}") from error
        result = _risk_service(context).score(body, record=not what_if).as_dict()
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(result)
        return
    typer.echo(f"{result['decision'].upper()}  score {result['score']:.4f} ({result['detector']})")
    for reason in result["reasons"]:
        typer.echo(f"  - {reason['description']}")


@risk_app.command("score-file")
def risk_score_file(
    context: typer.Context,
    payments: Annotated[Path, typer.Argument(help="Payments file or folder (contract format).")],
    out: Annotated[Path, typer.Option(help="CSV of payment_id, score, decision.")] = Path("risk_scores.csv"),
) -> None:
    """Batch-score a payments file with the saved model (velocity features from the file's own history)."""
    from llm4retail.data.importer import read_table

    try:
        frame = read_table(payments, Table.PAYMENTS)[0]
        model = _risk_service(context).model()
        scores = model.predict(frame)
    except Llm4RetailError as error:
        fail(error)
    decisions = [model.thresholds_.decide(float(score)).value for score in scores]
    frame.assign(score=scores, decision=decisions)[["payment_id", "score", "decision"]].to_csv(out, index=False)
    counts = {name: decisions.count(name) for name in ("approve", "review", "decline")}
    typer.echo(f"scored {len(frame):,} payments → {out}: {counts}")


def _marketing(context: typer.Context) -> Any:
    from llm4retail.marketing.service import MarketingService

    return MarketingService(_store(context))


@segments_app.command("list")
def segments_list(
    context: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False
) -> None:
    """Every RFM segment with its size, share and expected value (summed 12-month CLV)."""
    try:
        service = _marketing(context)
        rows = service.segments()
        as_of = service.table().attrs["as_of"]
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json({"as_of": as_of, "segments": rows})
        return
    typer.echo(f"segments as of {as_of}")
    typer.echo(f"{'segment':<22}{'customers':>10}{'share':>8}{'expected value':>16}{'mean churn':>12}")
    for row in rows:
        churn = "-" if row["mean_churn_probability"] is None else f"{row['mean_churn_probability']:.3f}"
        typer.echo(f"{row['segment']:<22}{row['customers']:>10,}{row['share']:>8.1%}{row['expected_value']:>16,.2f}{churn:>12}")


@segments_app.command("profile")
def segments_profile(
    context: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="Customer id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """A customer's segment, RFM scores, CLV, churn and purchase probability."""
    try:
        profile = _marketing(context).profile(customer_id)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(profile)
        return
    for key, value in profile.items():
        typer.echo(f"{key:<24} {value}")


@segments_app.command("export")
def segments_export(
    context: typer.Context,
    segment: Annotated[list[str], typer.Argument(help="Segment names (see `segments list`).")],
    out: Annotated[Path, typer.Option(help="CSV file to write.")] = Path("audience.csv"),
    min_clv: Annotated[float | None, typer.Option(min=0, help="Only customers with at least this CLV.")] = None,
    min_purchase_probability: Annotated[float | None, typer.Option(min=0, max=1)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Write a campaign audience (CSV) and print its size and expected value."""
    from llm4retail.errors import DataValidationError as InvalidInput
    from llm4retail.marketing.rfm import Segment

    try:
        try:
            chosen = [Segment(name) for name in segment]
        except ValueError as error:
            raise InvalidInput(f"{error}; known segments: {', '.join(s.value for s in Segment)}") from error
        frame = _marketing(context).audience(chosen, min_clv=min_clv, min_purchase_probability=min_purchase_probability)
    except Llm4RetailError as error:
        fail(error)
    frame.to_csv(out, index=False)
    summary = {"file": str(out), "customers": len(frame), "expected_value": float(frame["clv"].sum())}
    if as_json:
        echo_json(summary)
        return
    typer.echo(f"{summary['customers']:,} customers, expected value {summary['expected_value']:,.2f} → {out}")


@eval_app.command("risk")
def eval_risk(
    payments: Annotated[Path, typer.Option(help="Labelled payments file or folder (contract format).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Time split (earlier 70% train, rest test): supervised, unsupervised and rules detectors."""
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit
    from llm4retail.risk.evaluate import evaluate_risk

    try:
        report = evaluate_risk(read_table(payments, Table.PAYMENTS)[0], dataset=str(payments))
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


@eval_app.command("clv")
def eval_clv(
    transactions: Annotated[Path, typer.Option(help="Orders file or folder (contract format or a dataset folder).")],
    calibration_end: Annotated[str, typer.Option(help="Last day of the calibration period, YYYY-MM-DD.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """BG/NBD purchase forecast for the holdout (after the date) against the naive rate extrapolation."""
    import pandas as pd

    from llm4retail.data.importer import read_table
    from llm4retail.errors import DataValidationError as InvalidInput
    from llm4retail.eval import emit
    from llm4retail.marketing.clv import evaluate_clv

    try:
        try:
            end = pd.Timestamp(calibration_end)
        except ValueError as error:
            raise InvalidInput(f"--calibration-end must be a date (YYYY-MM-DD), got {calibration_end!r}") from error
        report = evaluate_clv(read_table(transactions, Table.ORDERS)[0], calibration_end=end, dataset=str(transactions))
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


@eval_app.command("purchase")
def eval_purchase(
    orders: Annotated[Path, typer.Option(help="Orders file or folder.")],
    events: Annotated[Path | None, typer.Option(help="Events file (views, carts) for recency-of-views features.")] = None,
    products: Annotated[Path | None, typer.Option(help="Products file (categories).")] = None,
    horizon_days: Annotated[int, typer.Option(min=1, help="N: predict a purchase in the next N days.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Purchase-in-N-days model vs the RFM-only baseline on the last N days."""
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit
    from llm4retail.marketing.evaluate import evaluate_purchase

    try:
        report = evaluate_purchase(
            read_table(orders, Table.ORDERS)[0],
            events=read_table(events, Table.EVENTS)[0] if events else None,
            products=read_table(products, Table.PRODUCTS)[0] if products else None,
            horizon_days=horizon_days, dataset=str(orders),
        )
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


# --- end of risk and marketing -------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
