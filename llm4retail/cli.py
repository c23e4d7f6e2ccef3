"""The `llm4retail` command line: a thin layer over the library (parse, call one function, print).

Exit codes: 0 success, 1 other domain error, 2 bad input data, 3 bad configuration,
4 database unreachable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def cli_errors() -> Iterator[None]:
    """Library errors exit with their code (`fail`); bad option values (ValueError from an enum) exit 2."""
    try:
        yield
    except Llm4RetailError as error:
        fail(error)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


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


# --- risk and marketing: payment risk, customer value, segments ----------------------------------
risk_app = typer.Typer(help="Payment risk: train the detectors, score payments.", no_args_is_help=True)
segments_app = typer.Typer(help="Customer value: RFM segments, CLV, churn, audiences.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")
app.add_typer(segments_app, name="segments")


def _risk_service(context: typer.Context) -> Any:
    from llm4retail.risk.service import RiskService

    return RiskService(context.obj.settings(), _store(context))


@risk_app.command("train")
def risk_train(
    context: typer.Context,
    payments: Annotated[Path | None, typer.Option(help="Payments file or folder (default: the store's payments).")] = None,
    rules: Annotated[Path | None, typer.Option(help="JSON list of rules (else LLM4RETAIL_RISK__RULES_FILE).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Fit the detectors and thresholds and save them as a new version in <data-dir>/models/risk."""
    from llm4retail.data.importer import read_table

    try:
        frame = read_table(payments, Table.PAYMENTS)[0] if payments else None
        summary = _risk_service(context).train(frame, rules_file=rules)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(summary)
        return
    typer.echo(f"risk model {summary['version']} trained on {summary['n_payments']:,} payments; "
               f"active detector: {summary['active']}")
    thresholds = summary["thresholds"]
    typer.echo(f"review at score >= {thresholds['review']:.4f}, decline at >= {thresholds['decline']:.4f}")


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

    return MarketingService(context.obj.settings(), _store(context))


@segments_app.command("train")
def segments_train(
    context: typer.Context,
    horizon_days: Annotated[int, typer.Option(min=1, help="N of the purchase probability (next N days).")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Fit lifetime value (BG/NBD, Gamma-Gamma) and purchase prediction on the store; save a new version."""
    try:
        report = _marketing(context).train(horizon_days=horizon_days)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(report)
        return
    typer.echo(f"customer models {report['version']} trained on {report['customers']:,} customers "
               f"as of {report['as_of']}")


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


# --- forecasting, inventory and pricing (issue 8) -------------------------------------------------
inventory_app = typer.Typer(help="Inventory advice from the demand forecast, and its replay.", no_args_is_help=True)
pricing_app = typer.Typer(help="Price elasticities and profit-maximising price advice.", no_args_is_help=True)
app.add_typer(inventory_app, name="inventory")
app.add_typer(pricing_app, name="pricing")


def _forecast_models(models: str | None) -> Any:
    from llm4retail.forecast.base import ForecastModel

    if not models:
        return None
    try:
        return [ForecastModel(name.strip()) for name in models.split(",") if name.strip()]
    except ValueError as error:
        raise DataValidationError(f"unknown model in {models!r}; choose from {[m.value for m in ForecastModel]}") from error


def _forecast_service(context: typer.Context, models: str | None = None) -> Any:
    from llm4retail.forecast.service import ForecastService

    return ForecastService(_store(context), data_dir=context.obj.settings().data_dir, models=_forecast_models(models))


def _inventory_settings(lead_time: int, review_period: int, service_level: float | None, holding_cost: float,
                        stockout_cost: float) -> Any:
    from llm4retail.inventory.base import InventorySettings

    return InventorySettings(lead_time=lead_time, review_period=review_period, service_level=service_level,
                             holding_cost=holding_cost, stockout_cost=stockout_cost)


LeadTime = Annotated[int, typer.Option(min=1, help="Days from order to arrival.")]
ReviewPeriod = Annotated[int, typer.Option(min=1, help="Days between orders.")]
ServiceLevel = Annotated[float, typer.Option(min=0.5, max=0.999, help="Cycle service level (probability that stock covers demand).")]
HoldingCost = Annotated[float, typer.Option(min=0.0, help="Cost of one unit held one day.")]
StockoutCost = Annotated[float, typer.Option(min=0.0, help="Cost of one unit of lost demand.")]
ForecastModels = Annotated[str | None, typer.Option(help="Comma-separated candidate models (default: all affordable).")]


@app.command("forecast")
def forecast(
    context: typer.Context,
    product_id: Annotated[str, typer.Argument(help="Product to forecast.")],
    store_id: Annotated[str | None, typer.Option(help="Its store, when it sells in several.")] = None,
    horizon: Annotated[int, typer.Option(min=1, max=28, help="Steps to forecast.")] = 28,
    history: Annotated[int, typer.Option(min=0, help="Recent history steps to show.")] = 28,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG of history, forecast and 90% interval here.")] = None,
    models: ForecastModels = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Demand forecast of a product from the store's sales (model chosen by backtest, fitted once and saved)."""
    try:
        series = _forecast_service(context, models).product_forecast(product_id, store_id=store_id, horizon=horizon,
                                                             history_steps=history)
        if plot is not None:
            from llm4retail.forecast.plot import plot_forecast

            plot_forecast(series, plot)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(series)
        return
    typer.echo(f"{series['product_id']} @ {series['store_id']}: {series['model']} ({series['frequency']})")
    for point in series["forecast"]:
        typer.echo(f"  {point['date']}  {point['mean']:>10.1f}  [{point['lower_90']:.1f}, {point['upper_90']:.1f}]"
                   + ("" if point["open"] else "  closed"))
    if plot is not None:
        typer.echo(f"plot written to {plot}")


@inventory_app.command("advise")
def inventory_advise(
    context: typer.Context,
    product_id: Annotated[str | None, typer.Argument(help="Only this product (default: all).")] = None,
    store_id: Annotated[str | None, typer.Option(help="Its store, when it sells in several.")] = None,
    on_hand: Annotated[float | None, typer.Option(min=0.0, help="Current stock of PRODUCT_ID.")] = None,
    lead_time: LeadTime = 3, review_period: ReviewPeriod = 7, service_level: ServiceLevel = 0.95,
    holding_cost: HoldingCost = 0.01, stockout_cost: StockoutCost = 1.0, models: ForecastModels = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Safety stock, reorder point, order-up-to level and order quantity per product."""
    from llm4retail.inventory.service import inventory_advice

    try:
        settings = _inventory_settings(lead_time, review_period, service_level, holding_cost, stockout_cost)
        result = inventory_advice(_forecast_service(context, models), settings, product_id=product_id, store_id=store_id,
                                  on_hand=on_hand)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(result)
        return
    typer.echo(f"forecast model {result['forecast_model']}, service level {result['settings']['target_service_level']}")
    typer.echo("product       store       daily  safety  reorder_pt  order_up_to  order_qty")
    for item in result["items"]:
        typer.echo(f"{item['product_id']:<13} {item['store_id']:<10} {item['daily_demand']:>6.1f} {item['safety_stock']:>7.1f} "
                   f"{item['reorder_point']:>11.1f} {item['order_up_to']:>12.1f} {item['order_quantity']:>10.0f}")


@inventory_app.command("simulate")
def inventory_simulate(
    context: typer.Context,
    sales: Annotated[Path | None, typer.Option(help="Sales file or dataset folder (default: the store's sales).")] = None,
    days: Annotated[int, typer.Option(min=7, help="Held-out days to replay.")] = 42,
    lead_time: LeadTime = 3, review_period: ReviewPeriod = 7, service_level: ServiceLevel = 0.95,
    holding_cost: HoldingCost = 0.01, stockout_cost: StockoutCost = 1.0, models: ForecastModels = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Replay the last DAYS days: the advised policy against naive ones (fill rate, stock-outs, average stock)."""
    from llm4retail.data.importer import read_table
    from llm4retail.forecast.panel import panel_from_sales
    from llm4retail.inventory.simulate import simulate_inventory

    try:
        settings = _inventory_settings(lead_time, review_period, service_level, holding_cost, stockout_cost)
        frame = read_table(sales, Table.SALES)[0] if sales else _store(context).read_frame(Table.SALES)
        report = simulate_inventory(panel_from_sales(frame), settings, days=days, models=_forecast_models(models))
    except Llm4RetailError as error:
        fail(error)
    report["dataset"] = str(sales) if sales else "store"
    if as_json:
        echo_json(report)
        return
    typer.echo(f"replay of {days} days, {report['n']} series, forecast {report['forecast_model']}, "
               f"target service level {report['settings']['target_service_level']}")
    typer.echo("policy          fill_rate  cycle_service  stockout_days  avg_inventory  total_cost")
    for name, outcome in report["policies"].items():
        typer.echo(f"{name:<15} {outcome['fill_rate']:>9.4f} {outcome['cycle_service_level']:>14.4f} "
                   f"{outcome['stockout_days']:>14} {outcome['average_inventory']:>14.2f} {outcome['total_cost']:>11.2f}")


@pricing_app.command("advise")
def pricing_advise(
    context: typer.Context,
    product_id: Annotated[str, typer.Argument(help="Product to price.")],
    store_id: Annotated[str | None, typer.Option(help="Its store, when it sells in several.")] = None,
    unit_cost: Annotated[float | None, typer.Option(min=0.0, help="Unit cost (else the cost attribute, else assumed).")] = None,
    min_margin: Annotated[float, typer.Option(min=0.0, max=0.99, help="Least (price - cost) / price.")] = 0.1,
    max_change: Annotated[float, typer.Option(min=0.01, max=0.99, help="Largest relative change per step.")] = 0.1,
    ending: Annotated[str, typer.Option(help="Price ending: any, .99, .9 or .00.")] = "any",
    horizon_days: Annotated[int, typer.Option(min=1, help="Days of the reported revenue/profit change.")] = 28,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Profit-maximising price within the rules, with expected revenue/profit change and 90% intervals."""
    from llm4retail.pricing.optimise import PriceConstraints, PriceEnding
    from llm4retail.pricing.service import PricingService

    try:
        try:
            price_ending = PriceEnding(ending)
        except ValueError as error:
            raise DataValidationError(f"ending must be one of {[e.value for e in PriceEnding]}, got {ending!r}") from error
        constraints = PriceConstraints(min_margin=min_margin, max_change=max_change, ending=price_ending,
                                       horizon_days=horizon_days)
        advice = PricingService(_forecast_service(context)).price_advice(
            product_id, store_id=store_id, unit_cost=unit_cost, constraints=constraints)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json(advice)
        return
    typer.echo(f"{advice['product_id']}: elasticity {advice['elasticity']:.2f} "
               f"[{advice['elasticity_lower_90']:.2f}, {advice['elasticity_upper_90']:.2f}] ({advice['category']})")
    typer.echo(f"  price {advice['current_price']:.2f} -> {advice['recommended_price']:.2f} ({advice['change']:+.1%}); "
               f"cost {advice['unit_cost']:.2f} ({advice['cost_source']})")
    typer.echo(f"  profit over {advice['horizon_days']} days {advice['expected_profit_change']:+.2f} "
               f"[{advice['profit_change_lower_90']:+.2f}, {advice['profit_change_upper_90']:+.2f}], "
               f"P(up) {advice['probability_profit_up']:.2f}; revenue {advice['expected_revenue_change']:+.2f}")


@pricing_app.command("elasticities")
def pricing_elasticities(
    context: typer.Context,
    truth: Annotated[Path | None, typer.Option(help="Known elasticities (the demo's truth.json) to score recovery.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Every product's elasticity, shrunk toward its category, with a 90% interval."""
    from llm4retail.pricing.service import PricingService

    try:
        service = PricingService(_forecast_service(context))
        rows = service.elasticities()
        recovery = None
        if truth is not None:
            known = json.loads(truth.read_text(encoding="utf-8")).get("price_elasticity", {})
            recovery = service.model()[0].evaluate(known)
    except Llm4RetailError as error:
        fail(error)
    except (OSError, json.JSONDecodeError) as error:
        fail(DataValidationError(f"cannot read the truth file {truth}: {error}"))
    if as_json:
        echo_json({"elasticities": rows, "recovery": recovery})
        return
    for row in rows:
        typer.echo(f"{row['product_id']:<12} {row['elasticity']:>6.2f} [{row['elasticity_lower_90']:.2f}, "
                   f"{row['elasticity_upper_90']:.2f}]  {row['category']}")
    if recovery is not None:
        typer.echo("recovery: " + ", ".join(f"{key} {value:.4f}" for key, value in recovery.items()))


@eval_app.command("forecast")
def eval_forecast(
    sales: Annotated[Path, typer.Option(help="Sales file or dataset folder (product_id, date, quantity, ...).")],
    horizon: Annotated[int, typer.Option(min=1, help="Dates held out per fold (e.g. 42 days, 6 weeks).")],
    folds: Annotated[int, typer.Option(min=1, help="Rolling origins, HORIZON apart.")] = 3,
    models: Annotated[str | None, typer.Option(help="Comma-separated model names (default: all affordable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Rolling-origin backtest: per-model mase, smape, wape, coverage_90, fit/predict seconds and the `chosen`
    model (picked per fold on the training window only); closed days are counted, never scored."""
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit
    from llm4retail.forecast.backtest import evaluate_forecasters
    from llm4retail.forecast.panel import panel_from_sales

    try:
        frame, _ = read_table(sales, Table.SALES)
        report = evaluate_forecasters(panel_from_sales(frame), horizon=horizon, folds=folds, dataset=str(sales),
                                      models=_forecast_models(models))
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


# --- end of forecasting, inventory and pricing -----------------------------------------------------


# --- assistant (issue 6) -------------------------------------------------------------------------
assistant_app = typer.Typer(help="The customer-service assistant: train, hand-offs.", no_args_is_help=True)
app.add_typer(assistant_app, name="assistant")


def _assistant(context: typer.Context, backend: Any) -> Any:
    from llm4retail.assistant.assistant import Assistant
    from llm4retail.assistant.backends import select_backend

    settings = context.obj.settings()
    answer_backend = select_backend(backend, llm=settings.llm, data_dir=settings.data_dir)
    return Assistant.from_store(_store(context), data_dir=settings.data_dir, backend=answer_backend)


@assistant_app.command("train")
def assistant_train(
    context: typer.Context,
    utterances: Annotated[
        Path | None, typer.Option(help="Labelled utterances (text,intent; Bitext labels are mapped). Default: the store's.")
    ] = None,
    features: Annotated[str, typer.Option(help="tfidf, embedding or combined (default).")] = "combined",
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Train and save the intent model: the bilingual seed set (filled from the catalog) plus labelled utterances."""
    from llm4retail.assistant.classifier import FeatureSet
    from llm4retail.assistant.modelling import train_store_model
    from llm4retail.data.importer import read_table

    with cli_errors():
        chosen = FeatureSet(features)
        frame = read_table(utterances, Table.UTTERANCES)[0] if utterances else None
        summary = train_store_model(_store(context), data_dir=context.obj.settings().data_dir, utterances=frame, features=chosen)
    if as_json:
        echo_json(summary)
        return
    typer.echo(f"intent model trained on {summary['rows']:,} utterances in {summary['seconds']} s → {summary['directory']}")


@assistant_app.command("handoffs")
def assistant_handoffs(
    context: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Include resolved hand-offs.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    """Conversations handed to a person, newest first."""
    from llm4retail.assistant.state import ConversationRepository, HandoffStatus

    try:
        items = ConversationRepository(_store(context)).handoffs(status=None if show_all else HandoffStatus.OPEN)
    except Llm4RetailError as error:
        fail(error)
    if as_json:
        echo_json({"items": [item.model_dump(mode="json") for item in items]})
        return
    for item in items:
        typer.echo(f"{item.handoff_id}  {item.status.value:<8} {item.created_at:%Y-%m-%d %H:%M}  {item.summary}")


@assistant_app.command("resolve")
def assistant_resolve(
    context: typer.Context,
    handoff_id: Annotated[str, typer.Argument(help="The hand-off to close.")],
    note: Annotated[str | None, typer.Option(help="How it was resolved.")] = None,
) -> None:
    """Resolve a hand-off; the assistant answers that conversation again."""
    from llm4retail.assistant.state import ConversationRepository

    try:
        ConversationRepository(_store(context)).resolve_handoff(handoff_id, resolution=note)
    except Llm4RetailError as error:
        fail(error)
    typer.echo(f"resolved {handoff_id}")


@app.command("chat")
def chat(
    context: typer.Context,
    customer: Annotated[str, typer.Option(help="The signed-in customer's id.")],
    message: Annotated[list[str] | None, typer.Option(help="Send these messages and exit (repeatable).")] = None,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation.")] = None,
    backend: Annotated[str, typer.Option(help="auto, template, local or endpoint.")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per answer.")] = False,
) -> None:
    """Chat with the assistant as a customer: interactive (empty line or Ctrl-D quits) or with --message."""
    from llm4retail.assistant.backends import BackendKind

    with cli_errors():
        assistant = _assistant(context, BackendKind(backend))
        conversation_id = conversation or assistant.start(customer_id=customer).conversation_id
        if not as_json:
            typer.echo(f"conversation {conversation_id} (customer {customer}); empty line to quit")
        for text in message or _stdin_lines():
            result = assistant.reply(conversation_id, text, customer_id=customer)
            if as_json:
                echo_json(result.as_dict())
                continue
            typer.echo(f"assistant> {result.text}")
            for index, source in enumerate(result.sources, start=1):
                typer.echo(f"    [{index}] {source['title']} ({source['id']})")
            if result.handoff:
                typer.echo(f"    (handed off: {result.handoff['reason']})")


def _stdin_lines() -> Any:
    while True:
        try:
            line = input("you> ")
        except EOFError:
            return
        if not line.strip():
            return
        yield line


@eval_app.command("intent")
def eval_intent(
    train: Annotated[Path, typer.Option(help="Labelled utterances (text,intent), file or dataset folder.")],
    test: Annotated[Path | None, typer.Option(help="Test utterances; default: a fixed stratified 80/20 split of --train.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Intent classification: features chosen on validation, then accuracy, macro-F1, calibration, training seconds."""
    from llm4retail.assistant.evaluate import evaluate_intents
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit

    try:
        train_frame, _ = read_table(train, Table.UTTERANCES)
        test_frame = read_table(test, Table.UTTERANCES)[0] if test else None
        report = evaluate_intents(train_frame, test_frame, dataset=str(train))
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


@eval_app.command("assistant")
def eval_assistant(
    context: typer.Context,
    suite: Annotated[Path, typer.Option(help="Conversation suite (JSON lines), e.g. bench/assistant/suite.jsonl.")],
    backend: Annotated[str, typer.Option(help="auto, template, local or endpoint.")] = "auto",
    use_store: Annotated[bool, typer.Option("--use-store", help="Run on the configured store, not a fresh demo store.")] = False,
    demo_seed: Annotated[int, typer.Option(help="Seed of the fresh demo store.")] = 42,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Scripted conversations: task success, fabricated facts, leaks, hand-off precision/recall, latency per turn."""
    from llm4retail.assistant.backends import BackendKind
    from llm4retail.assistant.suite_runner import evaluate_assistant
    from llm4retail.eval import emit

    with cli_errors():
        settings = context.obj.settings()
        report = evaluate_assistant(
            suite, store=_store(context) if use_store else None, data_dir=settings.data_dir if use_store else None,
            backend=BackendKind(backend), llm=settings.llm, demo_seed=demo_seed,
        )
    emit(report, as_json=as_json)


# --- end of assistant ----------------------------------------------------------------------------


# --- reviews, catalog attributes and retail NLP models (sentiment, aspects, pre-training, compression) --
reviews_app = typer.Typer(help="Review sentiment, aspects and product summaries.", no_args_is_help=True)
models_app = typer.Typer(help="Retail NLP models: pre-train, fine-tune, compress (distil + int8).", no_args_is_help=True)
catalog_app = typer.Typer(help="Product attribute extraction from titles and descriptions.", no_args_is_help=True)
app.add_typer(reviews_app, name="reviews")
app.add_typer(models_app, name="models")
app.add_typer(catalog_app, name="catalog")
ReviewFiles = Annotated[list[Path], typer.Option("--train", help="Reviews (file or dataset folder); repeatable.")]
TaskOption = Annotated[str, typer.Option(help="binary (1-2 stars negative, 4-5 positive) or stars (1-5).")]
BudgetOption = Annotated[float, typer.Option(help="Wall-clock seconds of each training run.")]
# Sentiment fine-tuning ends on its step limit or early stopping; the clock is only a cap
# (the same value as llm4retail.reviews.evaluate.DEFAULT_BUDGET_SECONDS, kept here so the CLI starts without torch).
FINETUNE_CAP_SECONDS = 1800.0
FinetuneCapOption = Annotated[float, typer.Option(help="Wall-clock cap of each fine-tuning run (which otherwise ends after 4,500 steps or early stopping).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _sentiment_task(task: str) -> Any:
    from llm4retail.reviews.base import SentimentTask

    try:
        return SentimentTask(task)
    except ValueError:
        fail(DataValidationError(f"--task must be one of {[t.value for t in SentimentTask]}, got {task!r}"))


def _review_service(context: typer.Context) -> Any:
    from llm4retail.reviews.service import ReviewService

    settings = context.obj.settings()
    return ReviewService(_store(context), data_dir=settings.data_dir, llm=settings.llm)


@eval_app.command("sentiment")
def eval_sentiment(
    context: typer.Context,
    train: Annotated[Path, typer.Option(help="Labelled reviews (label 0/1 and/or rating 1-5), file or dataset folder.")],
    test: Annotated[Path | None, typer.Option(help="Test reviews; default: 20% of --train by review_id hash.")] = None,
    task: TaskOption = "binary",
    models: Annotated[str | None, typer.Option(help="Comma-separated candidates (default: all).")] = None,
    budget_seconds: FinetuneCapOption = FINETUNE_CAP_SECONDS,
    save: Annotated[bool, typer.Option("--save", help="Save the best model in the data directory (models/sentiment).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Sentiment: TF-IDF (words, chars, both, NB-weighted), frozen and fine-tuned USE, their blend; best by validation."""
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit
    from llm4retail.reviews.evaluate import Candidate, evaluate_sentiment

    try:
        candidates = [Candidate(name.strip()) for name in models.split(",")] if models else list(Candidate)
    except ValueError:
        fail(DataValidationError(f"--models takes names from {[c.value for c in Candidate]}, got {models!r}"))
    try:
        train_frame, _ = read_table(train, Table.REVIEWS)
        test_frame = read_table(test, Table.REVIEWS)[0] if test else None
        report = evaluate_sentiment(
            train_frame, test_frame, task=_sentiment_task(task), dataset=str(train), candidates=candidates,
            budget_seconds=budget_seconds, save_to=context.obj.settings().data_dir if save else None,
        )
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


@eval_app.command("attributes")
def eval_attributes(
    products: Annotated[Path, typer.Option(help="Products with attributes (file or dataset folder).")],
    top: Annotated[int, typer.Option(help="How many attributes to evaluate.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Attribute extraction (rules + tagger) vs the dictionary baseline: per-attribute precision/recall/F1."""
    from llm4retail.catalog.evaluate import evaluate_attributes
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit

    try:
        frame, _ = read_table(products, Table.PRODUCTS)
        report = evaluate_attributes(frame, dataset=str(products), top=top)
    except Llm4RetailError as error:
        fail(error)
    emit(report, as_json=as_json)


@reviews_app.command("analyze")
def reviews_analyze(
    context: typer.Context,
    texts: Annotated[list[str] | None, typer.Argument(help="Review texts (default: one per line on stdin).")] = None,
) -> None:
    """Sentiment and aspect mentions (with evidence spans) of review texts, as JSON."""
    items = list(texts or [line for line in _stdin_lines()])
    try:
        echo_json(_review_service(context).analyze(items))
    except Llm4RetailError as error:
        fail(error)


@reviews_app.command("summarize")
def reviews_summarize(context: typer.Context, product_id: Annotated[str, typer.Argument(help="Product id.")]) -> None:
    """A product's review summary: aspect breakdown, quotes, synthesis (LLM when configured, else extractive)."""
    from llm4retail.assistant.backends import BackendKind, select_backend

    try:
        settings = context.obj.settings()
        generator = select_backend(BackendKind.AUTO, llm=settings.llm, data_dir=settings.data_dir)
        echo_json(_review_service(context).summary(product_id, generator=generator).as_dict())
    except Llm4RetailError as error:
        fail(error)


@reviews_app.command("train")
def reviews_train(
    context: typer.Context,
    train: ReviewFiles,
    task: TaskOption = "binary",
    models: Annotated[str, typer.Option(help="Comma-separated candidates.")] = "tfidf,nb_tfidf,use_finetuned,blend",
    budget_seconds: FinetuneCapOption = FINETUNE_CAP_SECONDS,
) -> None:
    """Train sentiment candidates on all labelled reviews; the best by validation becomes LATEST."""
    from llm4retail.models.workflows import read_reviews
    from llm4retail.reviews.evaluate import Candidate
    from llm4retail.reviews.training import train_sentiment

    with cli_errors():
        report = train_sentiment(
            read_reviews(train), data_dir=context.obj.settings().data_dir, task=_sentiment_task(task),
            candidates=[Candidate(name.strip()) for name in models.split(",")], budget_seconds=budget_seconds,
        )
    echo_json(report)


@models_app.command("pretrain")
def models_pretrain(
    context: typer.Context,
    corpus: Annotated[list[Path], typer.Option(help="Files or dataset folders with reviews/products/documents; repeatable.")],
    demo: Annotated[bool, typer.Option(help="Add the demo store's texts.")] = True,
    budget_seconds: BudgetOption = 600.0,
    dim: Annotated[int, typer.Option(help="Hidden width.")] = 128,
    layers: Annotated[int, typer.Option(help="Transformer blocks.")] = 2,
    heads: Annotated[int, typer.Option(help="Attention heads.")] = 2,
    max_tokens: Annotated[int, typer.Option(help="Longest input in tokens.")] = 128,
    dropout: Annotated[float, typer.Option(help="Dropout while pre-training (fine-tuning uses 0.1).")] = 0.0,
    unigram_bias: Annotated[bool, typer.Option(help="Start the MLM output bias at the corpus' log unigram frequencies.")] = True,
) -> None:
    """Masked-language-model pre-training of a small Transformer encoder (saved under models/encoders)."""
    from llm4retail.models.corpus import corpus_from_frames, corpus_from_paths
    from llm4retail.models.transformer import TransformerConfig
    from llm4retail.models.workflows import pretrain_encoder

    try:
        texts = corpus_from_paths(corpus)
        if demo:
            from llm4retail.data.synthetic import generate_demo_store

            texts += corpus_from_frames(generate_demo_store(seed=42).tables)
        shape = TransformerConfig(vocab_size=1, dim=dim, layers=layers, heads=heads, feed_forward=4 * dim, max_positions=max_tokens)
        echo_json(pretrain_encoder(texts, data_dir=context.obj.settings().data_dir, shape=shape, budget_seconds=budget_seconds,
                                   dropout=dropout, unigram_bias=unigram_bias))
    except Llm4RetailError as error:
        fail(error)


@models_app.command("finetune")
def models_finetune(
    context: typer.Context,
    train: ReviewFiles,
    encoder: Annotated[str, typer.Option(help="use (USE multilingual v3), pretrained (ours, LATEST) or scratch.")] = "use",
    task: TaskOption = "binary",
    budget_seconds: BudgetOption = 600.0,
    max_train: Annotated[int | None, typer.Option(help="Subsample the training part to this many reviews.")] = None,
) -> None:
    """Fine-tune an encoder + head on the 80% training part; prints test scores; saves under models/sentiment."""
    from llm4retail.models.workflows import finetune_sentiment, read_reviews
    from llm4retail.reviews.neural import EncoderKind

    with cli_errors():
        report = finetune_sentiment(
            read_reviews(train), data_dir=context.obj.settings().data_dir, encoder=EncoderKind(encoder),
            task=_sentiment_task(task), budget_seconds=budget_seconds, max_train=max_train,
        )
    echo_json(report)


@models_app.command("compress")
def models_compress(
    context: typer.Context,
    train: ReviewFiles,
    teacher: Annotated[str | None, typer.Option(help="Teacher version under models/sentiment (default LATEST).")] = None,
    student: Annotated[str, typer.Option(help="bag (hashed n-grams), pretrained (our MLM encoder, LATEST) or scratch.")] = "bag",
    task: TaskOption = "binary",
    budget_seconds: BudgetOption = 600.0,
    temperature: Annotated[float, typer.Option(help="Distillation temperature tau.")] = 2.0,
    alpha: Annotated[float, typer.Option(help="Weight of the distillation term.")] = 0.7,
    speed_reviews: Annotated[int, typer.Option(help="Test reviews timed at each batch size.")] = 256,
) -> None:
    """Distil the teacher into a small student, quantise it to int8, print the trade-off table."""
    from llm4retail.models.workflows import compress_sentiment, read_reviews
    from llm4retail.reviews.neural import EncoderKind

    with cli_errors():
        report = compress_sentiment(
            read_reviews(train), data_dir=context.obj.settings().data_dir, task=_sentiment_task(task),
            teacher_version=teacher, student=EncoderKind(student), budget_seconds=budget_seconds,
            temperature=temperature, alpha=alpha, speed_reviews=speed_reviews,
        )
    echo_json(report)


@catalog_app.command("train")
def catalog_train(
    context: typer.Context,
    products: Annotated[Path, typer.Option(help="Products with attributes (file or dataset folder).")],
    top: Annotated[int, typer.Option(help="How many attributes to learn.")] = 20,
) -> None:
    """Train the attribute extractor on a catalog; it serves POST /products/extract-attributes."""
    from llm4retail.catalog.training import train_extractor
    from llm4retail.data.importer import read_table

    try:
        frame, _ = read_table(products, Table.PRODUCTS)
        echo_json(train_extractor(frame, data_dir=context.obj.settings().data_dir, top=top))
    except Llm4RetailError as error:
        fail(error)


# --- end of reviews, catalog and NLP models --------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
