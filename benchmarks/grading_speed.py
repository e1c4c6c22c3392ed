"""Benchmark: ``grade_table`` on 1,000,000 customers against a row loop over ``grade_customer``.

The loop is timed on a sample and scaled to a million rows (a full loop would take minutes).
Both are measured in this one run and printed with their ratio. Targets (issue #2): the
million rows in under 2 s and at least 50× faster per row than the loop.

    python benchmarks/grading_speed.py [--rows 1000000] [--loop-sample 20000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from crmlab.rules.grading import BONUS_ITEMS, PENALTY_ITEMS, grade_customer, grade_table


def make_table(rows: int, seed: int = 7) -> pd.DataFrame:
    """Random customers: amounts over every band, every item 0..5."""
    rng = np.random.default_rng(seed)
    table = {"order_amount": np.round(rng.lognormal(4.0, 1.3, rows), 2)}
    for item in (*BONUS_ITEMS, *PENALTY_ITEMS):
        table[item.key] = rng.integers(0, 6, rows)
    return pd.DataFrame(table)


def loop_grade(table: pd.DataFrame) -> list[str]:
    """The row-by-row way: one grade_customer call per customer."""
    bonus_keys = [item.key for item in BONUS_ITEMS]
    penalty_keys = [item.key for item in PENALTY_ITEMS]
    levels = []
    for row in table.to_dict("records"):
        result = grade_customer(
            row["order_amount"],
            {key: row[key] for key in bonus_keys},
            {key: row[key] for key in penalty_keys},
        )
        levels.append(result.level)
    return levels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-sample", type=int, default=20_000)
    args = parser.parse_args()

    table = make_table(args.rows)
    grade_table(table.head(1000))  # warm-up: imports and first-call costs

    start = time.perf_counter()
    vectorised = grade_table(table)
    table_seconds = time.perf_counter() - start

    sample = table.head(args.loop_sample)
    start = time.perf_counter()
    loop_levels = loop_grade(sample)
    loop_seconds = time.perf_counter() - start

    agree = loop_levels == vectorised["level"].head(args.loop_sample).tolist()
    loop_scaled = loop_seconds / len(sample) * args.rows
    ratio = loop_scaled / table_seconds
    print(f"grade_table       {args.rows:>9,} rows: {table_seconds:8.3f} s "
          f"({table_seconds / args.rows * 1e9:7.1f} ns/row)")
    print(f"grade_customer    {len(sample):>9,} rows: {loop_seconds:8.3f} s "
          f"({loop_seconds / len(sample) * 1e9:7.1f} ns/row) → {loop_scaled:.1f} s scaled to "
          f"{args.rows:,}")
    print(f"speed-up per row: {ratio:.0f}×   (target ≥ 50×)")
    print(f"million rows under 2 s: {'yes' if table_seconds * 1e6 / args.rows < 2 else 'NO'}   "
          f"loop and table agree on the sample: {'yes' if agree else 'NO'}")


if __name__ == "__main__":
    main()
