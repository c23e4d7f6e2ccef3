"""`llm4retail forecast train|predict|eval`, `inventory advise|simulate`, `pricing train|advise|elasticities`
(old names: `forecast PRODUCT_ID`, `eval forecast`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import (
    JsonOption,
    RayOption,
    capability,
    echo_json,
    emit_report,
    parse_choices,
    services,
    store,
)
from llm4retail.data.schemas import Table
from llm4retail.forecast.base import ForecastModel
from llm4retail.pricing.optimise import PriceEnding

forecast_app = capability("forecast", default="predict")
inventory_app = capability("inventory")
pricing_app = capability("pricing")
commands = typer.Typer()
for group in (forecast_app, inventory_app, pricing_app):
    commands.add_typer(group)

LeadTime = Annotated[int, typer.Option(min=1, help="Days from order to arrival.")]
ReviewPeriod = Annotated[int, typer.Option(min=1, help="Days between orders.")]
ServiceLevel = Annotated[float, typer.Option(min=0.5, max=0.999, help="Cycle service level (probability that stock covers demand).")]
HoldingCost = Annotated[float, typer.Option(min=0.0, help="Cost of one unit held one day.")]
StockoutCost = Annotated[float, typer.Option(min=0.0, help="Cost of one unit of lost demand.")]
ForecastModels = Annotated[str | None, typer.Option(help="Comma-separated candidate models (default: all affordable).")]


def _models(models: str | None) -> list[ForecastModel] | None:
    return parse_choices(models, ForecastModel, option="--models")


def _inventory_settings(lead_time: int, review_period: int, service_level: float | None, holding_cost: float,
                        stockout_cost: float) -> Any:
    from llm4retail.inventory.base import InventorySettings

    return InventorySettings(lead_time=lead_time, review_period=review_period, service_level=service_level,
                             holding_cost=holding_cost, stockout_cost=stockout_cost)


@forecast_app.command("train")
def train(
    context: typer.Context,
    horizon: Annotated[int, typer.Option(min=1, help="Steps the forecaster is fitted for (the most a forecast may ask).")] = 28,
    models: ForecastModels = None,
    ray: RayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Choose a model by backtest on the store's sales, refit it and save it as the served version."""
    report = services(context).forecast.train(horizon=horizon, models=_models(models), ray=ray)
    if as_json:
        echo_json(report)
        return
    typer.echo(f"forecast {report['version']}: {report['chosen']} over {report['n_series']} series, "
               f"horizon {report['horizon']}")


@forecast_app.command("predict")
def predict(
    context: typer.Context,
    product_id: Annotated[str, typer.Argument(help="Product to forecast.")],
    store_id: Annotated[str | None, typer.Option(help="Its store, when it sells in several.")] = None,
    horizon: Annotated[int | None, typer.Option(min=1, help="Steps to forecast (default: the trained horizon).")] = None,
    history: Annotated[int, typer.Option(min=0, help="Recent history steps to show.")] = 28,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG of history, forecast and 90% interval here.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Demand forecast of a product from the trained forecaster (`llm4retail forecast train`)."""
    series = services(context).forecast.product_forecast(product_id, store_id=store_id, horizon=horizon,
                                                         history_steps=history)
    if plot is not None:
        from llm4retail.forecast.plot import plot_forecast

        plot_forecast(series, plot)
    if as_json:
        echo_json(series)
        return
    typer.echo(f"{series['product_id']} @ {series['store_id']}: {series['model']} ({series['frequency']})")
    for point in series["forecast"]:
        typer.echo(f"  {point['date']}  {point['mean']:>10.1f}  [{point['lower_90']:.1f}, {point['upper_90']:.1f}]"
                   + ("" if point["open"] else "  closed"))
    if plot is not None:
        typer.echo(f"plot written to {plot}")


@forecast_app.command("eval")
def evaluate(
    context: typer.Context,
    sales: Annotated[Path, typer.Option(help="Sales file or dataset folder (product_id, date, quantity, ...).")],
    horizon: Annotated[int, typer.Option(min=1, help="Dates held out per fold (e.g. 42 days, 6 weeks).")],
    folds: Annotated[int, typer.Option(min=1, help="Rolling origins, HORIZON apart.")] = 3,
    models: Annotated[str | None, typer.Option(help="Comma-separated model names (default: all affordable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Rolling-origin backtest: per-model mase, smape, wape, coverage_90, fit/predict seconds and the `chosen`
    model (picked per fold on the training window only); closed days are counted, never scored."""
    from llm4retail.data.importer import read_table
    from llm4retail.forecast.backtest import evaluate_forecasters
    from llm4retail.forecast.panel import panel_from_sales

    chosen = _models(models)
    panel = panel_from_sales(read_table(sales, Table.SALES)[0])
    emit_report(context, evaluate_forecasters(panel, horizon=horizon, folds=folds, dataset=str(sales), models=chosen), as_json=as_json)


@inventory_app.command("advise")
def inventory_advise(
    context: typer.Context,
    product_id: Annotated[str | None, typer.Argument(help="Only this product (default: all).")] = None,
    store_id: Annotated[str | None, typer.Option(help="Its store, when it sells in several.")] = None,
    on_hand: Annotated[float | None, typer.Option(min=0.0, help="Current stock of PRODUCT_ID.")] = None,
    lead_time: LeadTime = 3, review_period: ReviewPeriod = 7, service_level: ServiceLevel = 0.95,
    holding_cost: HoldingCost = 0.01, stockout_cost: StockoutCost = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Safety stock, reorder point, order-up-to level and order quantity per product (from `llm4retail forecast train`)."""
    policy = _inventory_settings(lead_time, review_period, service_level, holding_cost, stockout_cost)
    result = services(context).inventory.advice(policy, product_id=product_id, store_id=store_id, on_hand=on_hand)
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
    as_json: JsonOption = False,
) -> None:
    """Replay the last DAYS days: the advised policy against naive ones (fill rate, stock-outs, average stock)."""
    from llm4retail.data.importer import read_table
    from llm4retail.forecast.panel import panel_from_sales
    from llm4retail.inventory.simulate import simulate_inventory

    policy = _inventory_settings(lead_time, review_period, service_level, holding_cost, stockout_cost)
    frame = read_table(sales, Table.SALES)[0] if sales else store(context).read_frame(Table.SALES)
    report = simulate_inventory(panel_from_sales(frame), policy, days=days, models=_models(models))
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


@pricing_app.command("train")
def pricing_train(context: typer.Context, as_json: JsonOption = False) -> None:
    """Fit every product's price elasticity on the store's sales and save them as the served version."""
    report = services(context).pricing.train()
    if as_json:
        echo_json(report)
        return
    typer.echo(f"pricing {report['version']}: {report['n_estimated']} of {report['n_series']} series estimated")


@pricing_app.command("advise")
def pricing_advise(
    context: typer.Context,
    product_id: Annotated[str, typer.Argument(help="Product to price.")],
    store_id: Annotated[str | None, typer.Option(help="Its store, when it sells in several.")] = None,
    unit_cost: Annotated[float | None, typer.Option(min=0.0, help="Unit cost (else the cost attribute, else assumed).")] = None,
    min_margin: Annotated[float, typer.Option(min=0.0, max=0.99, help="Least (price - cost) / price.")] = 0.1,
    max_change: Annotated[float, typer.Option(min=0.01, max=0.99, help="Largest relative change per step.")] = 0.1,
    ending: Annotated[PriceEnding, typer.Option(help="Price ending.")] = PriceEnding.ANY,
    horizon_days: Annotated[int, typer.Option(min=1, help="Days of the reported revenue/profit change.")] = 28,
    as_json: JsonOption = False,
) -> None:
    """Profit-maximising price within the rules, with expected revenue/profit change and 90% intervals."""
    from llm4retail.pricing.optimise import PriceConstraints

    constraints = PriceConstraints(min_margin=min_margin, max_change=max_change, ending=ending, horizon_days=horizon_days)
    advice = services(context).pricing.price_advice(
        product_id, store_id=store_id, unit_cost=unit_cost, constraints=constraints)
    if as_json:
        echo_json(advice)
        return
    typer.echo(f"{advice['product_id']}: elasticity {advice['elasticity']:.2f} "
               f"[{advice['elasticity_lower_90']:.2f}, {advice['elasticity_upper_90']:.2f}] ({advice['category']})")
    typer.echo(f"  price {advice['current_price']:.2f} {advice['currency']} ({advice['price_source']} price) -> "
               f"{advice['recommended_price']:.2f} {advice['currency']} ({advice['change']:+.1%}); "
               f"cost {advice['unit_cost']:.2f} ({advice['cost_source']})")
    typer.echo(f"  profit over {advice['horizon_days']} days {advice['expected_profit_change']:+.2f} "
               f"[{advice['profit_change_lower_90']:+.2f}, {advice['profit_change_upper_90']:+.2f}], "
               f"P(up) {advice['probability_profit_up']:.2f}; revenue {advice['expected_revenue_change']:+.2f}")


@pricing_app.command("elasticities")
def pricing_elasticities(
    context: typer.Context,
    truth: Annotated[Path | None, typer.Option(help="Known elasticities (the demo's truth.json) to score recovery.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every product's elasticity, shrunk toward its category, with a 90% interval."""
    from llm4retail.pricing.evaluate import evaluate_elasticity_recovery
    service = services(context).pricing
    rows = service.elasticities()
    recovery = evaluate_elasticity_recovery(service.model(), truth_file=truth) if truth is not None else None
    if as_json:
        echo_json({"elasticities": rows, "recovery": recovery})
        return
    for row in rows:
        typer.echo(f"{row['product_id']:<12} {row['elasticity']:>6.2f} [{row['elasticity_lower_90']:.2f}, "
                   f"{row['elasticity_upper_90']:.2f}]  {row['category']}")
    if recovery is not None:
        typer.echo("recovery: " + ", ".join(f"{key} {value:.4f}" for key, value in recovery.items()))
