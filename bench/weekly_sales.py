"""Write weekly sales files without price, promotion or open columns, to check that `eval forecast` runs unchanged.

Two files: Rossmann stores 1-20 summed by week (Monday-Sunday, complete weeks only) and
the demo store's 60 daily series summed the same way. Columns: product_id, store_id
(Rossmann only), date (the week's Sunday), quantity.

Usage:
    python bench/weekly_sales.py OUT_DIR
    llm4retail eval forecast --sales OUT_DIR/rossmann_weekly.csv --horizon 6 --json
    llm4retail eval forecast --sales OUT_DIR/demo_weekly.csv --horizon 6 --json
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import generate_demo_store

ROSSMANN = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "sales_rossmann" / "rossmann_stores_1_20.csv.gz"


def weekly(frame: pd.DataFrame, *, keys: list[str], date: str, quantity: str) -> pd.DataFrame:
    """Complete Monday-Sunday weeks, summed per key, dated by their Sunday."""
    week = pd.to_datetime(frame[date]).dt.to_period("W-SUN")
    grouped = frame.assign(week=week).groupby([*keys, "week"])[quantity].agg(["sum", "size"]).reset_index()
    grouped = grouped[grouped["size"] == 7]
    out = grouped[keys].copy()
    out["date"] = grouped["week"].dt.end_time.dt.date
    out["quantity"] = grouped["sum"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    rossmann = pd.read_csv(ROSSMANN)
    stores = weekly(rossmann, keys=["Store"], date="Date", quantity="Sales").rename(columns={"Store": "store_id"})
    stores.insert(0, "product_id", "ALL")
    stores.to_csv(args.out_dir / "rossmann_weekly.csv", index=False)
    demo = generate_demo_store(seed=42).tables[Table.SALES]
    weekly(demo, keys=["product_id"], date="date", quantity="quantity").to_csv(args.out_dir / "demo_weekly.csv", index=False)
    print(f"wrote {args.out_dir / 'rossmann_weekly.csv'} ({len(stores)} rows) and {args.out_dir / 'demo_weekly.csv'}")


if __name__ == "__main__":
    main()
