"""Seeded generator of the course's sample data (``data/*.csv``).

``generate_all(out_dir, seed)`` writes the five tables; the same seed gives byte-identical
files. The story: 杭州 supplier of industrial and office goods (our firm) with about 320
business customers, their orders from 2023 to 2025 (``YEARS``; "this year" is 2025, as of
``AS_OF``), credit files and open invoices for some of them, and a satisfaction survey that a
class of six groups ran for a retail store, with the defects a real survey has.

Every name is invented by composing a city, two brand syllables, an industry word and a legal
form; famous brands are excluded (``_FAMOUS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.data.io import write_table
from crmlab.data.schemas import (
    COMMUNICATION_LEVELS,
    REPUTATION_LEVELS,
    SCHEMAS,
    SURVEY_ANSWERS,
    SURVEY_ITEMS,
    VALUATIONS,
)
from crmlab.rules.survey import FACT_QUESTIONS, RECOMMEND_SCALE, SATISFACTION_SCALE

DEFAULT_SEED = 2025
AS_OF = date(2025, 12, 31)
"""The as-of date of every sample table: the last day of "this year"."""
THIS_YEAR = AS_OF.year
YEARS: tuple[int, ...] = (2023, 2024, 2025)
"""Years covered by the orders: 前年 (prev2), 上年 (prev1), 本年 (this year)."""

N_CUSTOMERS = 320
N_CREDIT_FILES = 120


@dataclass(frozen=True)
class Industry:
    """An industry of the sample customers and how its companies are named."""

    name: str
    words: tuple[str, ...]  # the industry part of a company name
    weight: float  # share of customers
    margin: float  # typical gross margin of our sales to it
    outlook: int  # typical 5C "conditions" score


INDUSTRIES: tuple[Industry, ...] = (
    Industry("制造", ("机械", "精密机械", "五金制品", "模具"), 0.20, 0.28, 62),
    Industry("零售", ("商贸", "百货", "连锁超市"), 0.12, 0.24, 55),
    Industry("餐饮", ("餐饮管理", "餐饮服务", "酒店管理"), 0.08, 0.33, 50),
    Industry("物流", ("物流", "供应链管理", "仓储物流"), 0.09, 0.26, 60),
    Industry("建筑", ("建设工程", "建筑工程", "装饰工程"), 0.09, 0.22, 45),
    Industry("医药", ("医药", "生物医药", "医疗器械"), 0.08, 0.38, 72),
    Industry("电子", ("电子科技", "光电科技", "智能科技"), 0.11, 0.33, 68),
    Industry("汽车配件", ("汽车配件", "汽车零部件"), 0.09, 0.27, 58),
    Industry("食品", ("食品", "食品科技"), 0.07, 0.30, 64),
    Industry("化工", ("化工", "新材料"), 0.07, 0.25, 52),
)

CITIES: tuple[tuple[str, str, float], ...] = (
    ("杭州", "浙江省", 10), ("宁波", "浙江省", 6), ("温州", "浙江省", 4), ("绍兴", "浙江省", 3),
    ("嘉兴", "浙江省", 3), ("苏州", "江苏省", 6), ("南京", "江苏省", 4), ("无锡", "江苏省", 3),
    ("常州", "江苏省", 2), ("上海", "上海市", 7), ("北京", "北京市", 3), ("天津", "天津市", 2),
    ("广州", "广东省", 3), ("深圳", "广东省", 3), ("东莞", "广东省", 2), ("佛山", "广东省", 2),
    ("合肥", "安徽省", 3), ("福州", "福建省", 2), ("厦门", "福建省", 2), ("南昌", "江西省", 2),
    ("武汉", "湖北省", 3), ("长沙", "湖南省", 2), ("郑州", "河南省", 2), ("济南", "山东省", 2),
    ("青岛", "山东省", 2), ("成都", "四川省", 3), ("重庆", "重庆市", 2), ("西安", "陕西省", 2),
)
"""(city, province or municipality, weight): most customers are near our firm in 杭州."""

_SYLLABLES = tuple("恒瑞华鑫盛达德泰嘉信鸿宏源和丰隆通利安康金兴凯博振裕永正启明远佳诚汇聚润祥峰晟")
_FAMOUS = frozenset({
    "华润", "信达", "泰康", "恒瑞", "正泰", "华泰", "汇丰", "安信", "华信", "宏达", "康佳",
    "金利", "永安", "利丰", "恒安", "达利", "永和", "汇源", "恒源", "鸿源", "嘉和", "金龙",
    "安利", "鑫源", "泰和", "康恩", "鸿达", "恒利", "华安", "兴业", "德利", "启明", "聚源",
    "明远", "金盛", "和信", "金和", "振华", "华祥", "永利", "润和", "佳诚", "祥和",
    "嘉德", "德信", "华鑫", "恒隆", "汇金", "瑞信", "安盛", "华远", "华丰", "利华", "德华",
    "安康", "德宏", "盛通", "宏信", "瑞泰", "泰信", "信隆", "金瑞", "信诚", "汇通", "恒信",
})
"""Syllable pairs that are, or closely echo, well-known company or brand names."""

CATEGORIES: tuple[tuple[str, float], ...] = (
    ("包装材料", 1.4), ("劳保用品", 1.2), ("办公用品", 1.3), ("五金工具", 1.1),
    ("电气元件", 1.0), ("清洁用品", 0.8), ("仓储设备", 0.6), ("技术服务", 0.5),
)
"""What our firm sells: product category and its popularity."""

MONTH_WEIGHTS: tuple[float, ...] = (0.75, 0.55, 1.0, 1.05, 1.1, 1.1, 0.95, 0.9, 1.1, 1.05, 1.15, 1.3)
"""Seasonality of orders: quiet around the Spring Festival, busy before the year closes."""


@dataclass(frozen=True)
class SurveyDefects:
    """How many questionnaires of each defect the sample survey holds (the cleaning lesson)."""

    blank: int = 15  # nothing answered
    invalid: int = 15  # an answer out of range or not a number
    duplicate: int = 10  # a second row with an earlier row's respondent_id (entered twice)
    partial: int = 25  # some answers missing, the rest valid


SURVEY_DEFECTS = SurveyDefects()
SURVEY_GROUPS: tuple[int, ...] = (4, 3, 4, 3, 4, 3)
"""Surveyors per group (第1组 … 第6组)."""
SURVEY_PER_SURVEYOR = 20
SURVEY_FACT_WEIGHTS: dict[str, tuple[float, ...]] = {
    "gender": (0.45, 0.55),
    "age_band": (0.24, 0.3, 0.22, 0.17, 0.07),
    "channel": (0.3, 0.28, 0.15, 0.2, 0.07),
}
"""How often respondents pick each option of the background questions (in their order)."""

_SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘")
_GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬宇浩凯鹏欣怡晨"
               "婷雪琳佳瑶睿哲轩涵")


# --- small helpers -------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, items: tuple, weights, size: int | None = None):
    return rng.choice(np.array(items, dtype=object), size=size, p=_normalised(weights))


def _day_offsets(start: date, end: date) -> tuple[np.ndarray, np.ndarray]:
    """Days of [start, end] as offsets from ``start`` and their seasonal weights."""
    days = pd.date_range(start, end, freq="D")
    weights = np.array(MONTH_WEIGHTS)[days.month - 1]
    return np.arange(len(days)), weights / weights.sum()


# --- customers and orders ------------------------------------------------------------------------


def _company_names(rng: np.random.Generator, cities: np.ndarray, industries: np.ndarray,
                   listed: np.ndarray) -> list[str]:
    words = {i.name: i.words for i in INDUSTRIES}
    names: list[str] = []
    taken: set[str] = set()
    for city, industry, is_listed in zip(cities, industries, listed, strict=True):
        while True:
            first, second = rng.choice(len(_SYLLABLES), size=2, replace=False)
            brand = _SYLLABLES[first] + _SYLLABLES[second]
            word = words[industry][rng.integers(len(words[industry]))]
            if is_listed:
                suffix = "股份有限公司"
            elif industry == "零售" and rng.random() < 0.5:
                word, suffix = "", "贸易有限公司"
            else:
                suffix = "股份有限公司" if rng.random() < 0.12 else "有限公司"
            name = f"{city}{brand}{word}{suffix}"
            if brand not in _FAMOUS and name not in taken:
                taken.add(name)
                names.append(name)
                break
    return names


def _customer_years(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Latent size and the yearly amount (万元) each customer aims at, with its life story."""
    size = np.exp(rng.normal(np.log(26), 1.42, n))  # Pareto-like: a few giants dominate
    status = _pick(rng, ("steady", "new2024", "new2025", "churned", "dropped"),
                   (0.76, 0.08, 0.06, 0.05, 0.05), n)
    growth = rng.normal(0.05, 0.16, n)
    factor = np.clip(1 + growth[:, None] + rng.normal(0, 0.08, (n, 2)), 0.3, 2.0)
    plan = np.column_stack([size, size * factor[:, 0], size * factor[:, 0] * factor[:, 1]])
    plan[status == "new2024", 0] = 0
    plan[status == "new2025", :2] = 0
    plan[status == "churned", 2] = 0
    dropped = status == "dropped"
    plan[dropped, 2] = plan[dropped, 1] * rng.uniform(0.12, 0.4, dropped.sum())
    # the first and last month with orders, for customers who start or stop within a year
    start = np.where(np.isin(status, ("new2024", "new2025")), rng.integers(1, 11, n), 1)
    stop = np.where(status == "churned", rng.integers(3, 13, n), 12)
    return pd.DataFrame({
        "size": size, "status": status, "growth": growth, "start": start, "stop": stop,
        **{f"plan{year}": plan[:, i] for i, year in enumerate(YEARS)},
    })


def _orders_for(rng: np.random.Generator, ids: list[str], life: pd.DataFrame) -> pd.DataFrame:
    """Orders of every customer-year with a plan; amounts in 分 (integers) for exact sums."""
    names = tuple(c for c, _ in CATEGORIES)
    popularity = np.array([w for _, w in CATEGORIES])
    kinds = np.clip(1 + rng.poisson(0.6 + 0.45 * np.log1p(life["size"] / 10)), 1, len(names))
    parts: list[pd.DataFrame] = []
    for i, customer in enumerate(ids):
        own = rng.choice(len(names), size=kinds[i], replace=False,
                         p=popularity / popularity.sum())
        mix = rng.dirichlet(np.ones(len(own)) * 1.5)
        for year in YEARS:
            amount = life.at[i, f"plan{year}"]
            if amount <= 0:
                continue
            status = life.at[i, "status"]
            first = life.at[i, "start"] if status == f"new{year}" else 1
            last = life.at[i, "stop"] if status == "churned" and year == YEARS[1] else 12
            months = last - first + 1
            lam = months / 12 * (5 + 2.8 * amount ** 0.55)
            count = max(1, int(rng.poisson(lam)))
            start_day = date(year, first, 1)
            end_day = (date(year, last, 28) if last < 12 else date(year, 12, 31))
            offsets, p = _day_offsets(start_day, end_day)
            days = rng.choice(offsets, size=count, p=p)
            weights = rng.lognormal(0, 0.75, count)
            fen = np.maximum(np.round(amount * 1_000_000 * weights / weights.sum()), 5_000)
            parts.append(pd.DataFrame({
                "customer_id": customer,
                "order_date": pd.Timestamp(start_day) + pd.to_timedelta(days, unit="D"),
                "fen": fen.astype(np.int64),
                "category": np.array(names, dtype=object)[rng.choice(own, size=count, p=mix)],
            }))
    orders = pd.concat(parts, ignore_index=True)
    orders["year"] = orders["order_date"].dt.year
    return orders


def _settle_ties(orders: pd.DataFrame) -> pd.DataFrame:
    """Nudge one order by 1 分 where a customer-year total ends in exactly 50 元 (…xx.xx5 万).

    Then "sum ÷ 10,000, rounded to 2 decimals" cannot depend on how a reader adds the floats.
    """
    totals = orders.groupby(["customer_id", "year"])["fen"].transform("sum")
    tie = (totals % 10_000) == 5_000
    if tie.any():
        largest = orders[tie].groupby(["customer_id", "year"])["fen"].idxmax()
        orders.loc[largest.to_numpy(), "fen"] += 1
    return orders


def _traits(rng: np.random.Generator, life: pd.DataFrame) -> pd.DataFrame:
    """Customer traits correlated with size, history and a latent risk."""
    n = len(life)
    log_size = np.log(life["size"].to_numpy() / 26)
    status = life["status"].to_numpy()
    coop = np.clip(np.round(2 + rng.exponential(3.5, n) + 1.2 * np.maximum(log_size, 0)), 2, 19)
    coop = np.where(status == "new2024", 1, np.where(status == "new2025", 0, coop)).astype(int)
    listed = rng.random(n) < 1 / (1 + np.exp(-(-4.3 + 1.1 * log_size + 0.1 * coop)))
    value_score = 0.5 * log_size + 3 * life["growth"].to_numpy() + rng.normal(0, 0.8, n)
    valuation = np.where(value_score > 0.8, VALUATIONS[0],
                         np.where(value_score < -0.6, VALUATIONS[2], VALUATIONS[1]))
    risk = (rng.normal(0, 1, n) - 0.3 * log_size
            + 0.6 * np.isin(status, ("churned", "dropped")))
    overdue = rng.poisson(np.exp(-1.1 + 0.9 * risk))
    max_days = np.where(overdue > 0,
                        np.clip(np.round(3 + rng.exponential(20 * np.exp(0.45 * risk))), 1, 365), 0)
    malicious = (overdue > 0) & (risk > 1.4) & (rng.random(n) < 0.5)
    mood = rng.normal(0, 1, n) - 0.5 * risk
    communication = np.where(mood > 0, COMMUNICATION_LEVELS[0],
                             np.where(mood < -1.3, COMMUNICATION_LEVELS[2], COMMUNICATION_LEVELS[1]))
    standing = rng.normal(0, 1, n) - 0.7 * risk
    reputation = np.where(standing > -0.2, REPUTATION_LEVELS[0],
                          np.where(standing < -1.6, REPUTATION_LEVELS[2], REPUTATION_LEVELS[1]))
    good_name = reputation == REPUTATION_LEVELS[0]
    referrals = rng.poisson(np.exp(-1.5 + 0.35 * log_size + 0.07 * coop + 0.4 * good_name))
    return pd.DataFrame({
        "cooperation_years": coop,
        "listed": listed,
        "valuation": valuation,
        "referrals": referrals,
        "communication": communication,
        "reputation": reputation,
        "overdue_count": overdue,
        "max_overdue_days": max_days.astype(int),
        "malicious_arrears": malicious,
        "complaints": rng.poisson(np.exp(-0.9 + 0.6 * risk + 0.1 * np.maximum(log_size, 0))),
        "lawsuits": rng.poisson(np.exp(-3.6 + 0.9 * risk)),
        "breaches": rng.poisson(np.exp(-3.3 + 0.8 * risk + 0.8 * (status == "churned"))),
        "risk": risk,
    })


def _customers_and_orders(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = N_CUSTOMERS
    ids = [f"C{i:04d}" for i in range(1, n + 1)]
    life = _customer_years(rng, n)
    industry = _pick(rng, tuple(i.name for i in INDUSTRIES), [i.weight for i in INDUSTRIES], n)
    city = rng.choice(len(CITIES), size=n, p=_normalised([w for *_, w in CITIES]))
    traits = _traits(rng, life)
    names = _company_names(rng, np.array([CITIES[c][0] for c in city]), industry,
                           traits["listed"].to_numpy())
    orders = _settle_ties(_orders_for(rng, ids, life))

    yearly = orders.pivot_table(index="customer_id", columns="year", values="fen",
                                aggfunc="sum", fill_value=0).reindex(ids, fill_value=0)
    kinds = orders.groupby("customer_id")["category"].nunique().reindex(ids, fill_value=0)
    margin = np.array([{i.name: i.margin for i in INDUSTRIES}[x] for x in industry])
    customers = pd.DataFrame({
        "customer_id": ids,
        "name": names,
        "industry": industry,
        "region": [CITIES[c][1] for c in city],
        "order_amount": _wan(yearly.get(THIS_YEAR, 0)),
        "order_amount_prev1": _wan(yearly.get(THIS_YEAR - 1, 0)),
        "order_amount_prev2": _wan(yearly.get(THIS_YEAR - 2, 0)),
        "gross_margin": np.round(np.clip(rng.normal(margin, 0.08), 0.03, 0.72), 3),
        "product_kinds": kinds.to_numpy(),
    })
    customers = pd.concat([customers, traits], axis=1)
    return customers, orders


def _normalised(weights) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return p / p.sum()


def _wan(fen) -> np.ndarray:
    """分 → 万元 rounded to 2 decimals (1 万元 = 1,000,000 分)."""
    return np.round(np.asarray(fen, dtype=np.int64) / 1_000_000, 2)


def _orders_table(orders: pd.DataFrame) -> pd.DataFrame:
    ordered = orders.sort_values(["order_date", "customer_id", "fen"], kind="stable")
    seq = ordered.groupby("year").cumcount() + 1
    return pd.DataFrame({
        "order_id": [f"SO{y}{s:05d}" for y, s in zip(ordered["year"], seq, strict=True)],
        "customer_id": ordered["customer_id"].to_numpy(),
        "order_date": ordered["order_date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "amount": ordered["fen"].to_numpy() / 100,
        "category": ordered["category"].to_numpy(),
    })


CUSTOMER_COLUMNS: tuple[str, ...] = tuple(SCHEMAS["customers"].columns)


def generate_customers_and_orders(seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The customers table and its orders (amounts in 元), exactly consistent with each other."""
    rng = np.random.default_rng([seed, 1])
    customers, orders = _customers_and_orders(rng)
    return customers[list(CUSTOMER_COLUMNS)], _orders_table(orders)


# --- credit files and receivables ----------------------------------------------------------------


def generate_credit(customers: pd.DataFrame, seed: int = DEFAULT_SEED,
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Credit files (statements + 5C scores) and open invoices for ``N_CREDIT_FILES`` customers.

    Picked among customers with orders this year, bigger ones more often. ``annual_credit_sales``
    is what we sold the customer on credit this year; ``receivables_end`` is the sum of its open
    invoices as of ``AS_OF``.
    """
    rng = np.random.default_rng([seed, 2])
    active = customers[customers["order_amount"] > 0]
    weights = np.sqrt(active["order_amount"].to_numpy())
    chosen = rng.choice(len(active), size=min(N_CREDIT_FILES, len(active)), replace=False,
                        p=weights / weights.sum())
    base = active.iloc[np.sort(chosen)].reset_index(drop=True)
    n = len(base)
    risk = _customer_risk(base)
    strength = rng.normal(0, 1, n)  # sound firms look sound on every factor
    distressed = rng.random(n) < 0.06

    total_assets = np.round(np.maximum(base["order_amount"] * rng.uniform(4, 25, n), 150)
                            * rng.lognormal(0, 0.3, n), 2)
    current_assets = np.round(total_assets * rng.uniform(0.3, 0.75, n), 2)
    inventory = np.round(current_assets * rng.uniform(0.1, 0.5, n), 2)
    debt_ratio = np.clip(rng.normal(0.48 + 0.08 * risk - 0.08 * strength, 0.1), 0.12, 0.92)
    debt_ratio = np.where(distressed, rng.uniform(0.9, 1.25, n), debt_ratio)
    total_liabilities = np.round(total_assets * debt_ratio, 2)
    current_share = np.where(distressed, rng.uniform(0.75, 0.95, n), rng.uniform(0.45, 0.85, n))
    current_liabilities = np.round(total_liabilities * current_share, 2)
    credit_sales = np.round(base["order_amount"] * rng.uniform(0.55, 0.95, n), 2)

    invoices = _invoices(rng, base["customer_id"], credit_sales, risk, distressed)
    receivables_end = (invoices.groupby("customer_id")["cents"].sum()
                       .reindex(base["customer_id"], fill_value=0).to_numpy() / 100)
    dso_begin = np.clip(rng.normal(55 + 15 * risk, 15), 15, 200)
    receivables_begin = np.round(base["order_amount_prev1"].clip(lower=credit_sales * 0.8)
                                 * dso_begin / 365, 2)

    current_ratio = current_assets / np.maximum(current_liabilities, 0.01)
    quick_ratio = (current_assets - inventory) / np.maximum(current_liabilities, 0.01)
    noise = rng.normal(0, 5, (5, n))
    character = (82 - 6 * base["overdue_count"] - 25 * base["malicious_arrears"]
                 - 0.08 * base["max_overdue_days"] - 12 * (base["reputation"] == "差")
                 + 5 * (base["reputation"] == "好") + 0.6 * base["cooperation_years"]
                 + 3 * strength)
    capacity = 30 + 20 * np.minimum(current_ratio, 2.5) + 10 * np.minimum(quick_ratio, 1.5)
    capital = 110 * (1 - debt_ratio) + 25
    collateral = 20 + 80 * (1 - current_assets / total_assets) + 2 * noise[3] + 5 * strength
    outlook = np.array([{i.name: i.outlook for i in INDUSTRIES}[x] for x in base["industry"]])
    scores = {
        key: np.clip(np.round(np.asarray(value, dtype=float) + noise[k]), 0, 100).astype(int)
        for k, (key, value) in enumerate({
            "character": character, "capacity": capacity, "capital": capital,
            "collateral": collateral, "conditions": outlook + 6 + 6 * strength + noise[4],
        }.items())
    }
    files = pd.DataFrame({
        "customer_id": base["customer_id"],
        "name": base["name"],
        "industry": base["industry"],
        "current_assets": current_assets,
        "inventory": inventory,
        "current_liabilities": current_liabilities,
        "total_assets": total_assets,
        "total_liabilities": total_liabilities,
        "annual_credit_sales": credit_sales,
        "receivables_begin": receivables_begin,
        "receivables_end": np.round(receivables_end, 2),
        **scores,
    })
    return files, _receivables_table(invoices)


def _customer_risk(customers: pd.DataFrame) -> np.ndarray:
    """A payment-risk index from the customer's record (0 for a clean record)."""
    return (0.35 * customers["overdue_count"].to_numpy()
            + 1.5 * customers["malicious_arrears"].to_numpy()
            + 0.5 * (customers["reputation"] == "差").to_numpy()
            + 0.004 * customers["max_overdue_days"].to_numpy())


def _invoices(rng: np.random.Generator, ids: pd.Series, credit_sales: np.ndarray,
              risk: np.ndarray, distressed: np.ndarray) -> pd.DataFrame:
    """Open invoices: recent ones for everybody, long-overdue ones for risky customers."""
    rows: list[tuple[str, date, int, int]] = []
    for i, customer in enumerate(ids):
        monthly = max(credit_sales[i] / 12, 0.5)
        for _ in range(int(np.clip(rng.poisson(2.2) + 1, 1, 6))):
            age = int(rng.integers(3, 110))
            rows.append((customer, AS_OF - timedelta(days=age), int(rng.choice((30, 45, 60, 90))),
                         round(monthly * rng.uniform(0.2, 1.0) * 100)))
        stale = risk[i] > 1.3 or distressed[i] or rng.random() < 0.04
        for _ in range(int(stale) * int(rng.integers(1, 3))):
            age = int(rng.integers(240, 620))
            rows.append((customer, AS_OF - timedelta(days=age), int(rng.choice((30, 60, 90))),
                         round(monthly * rng.uniform(0.3, 1.2) * 100)))
    invoices = pd.DataFrame(rows, columns=["customer_id", "invoice_date", "terms", "cents"])
    invoices["cents"] = invoices["cents"].clip(lower=1)
    return invoices


def _receivables_table(invoices: pd.DataFrame) -> pd.DataFrame:
    ordered = invoices.sort_values(["invoice_date", "customer_id", "cents"], kind="stable")
    invoice_date = pd.to_datetime(ordered["invoice_date"])
    due = invoice_date + pd.to_timedelta(ordered["terms"], unit="D")
    return pd.DataFrame({
        "invoice_id": [f"INV{k:05d}" for k in range(1, len(ordered) + 1)],
        "customer_id": ordered["customer_id"].to_numpy(),
        "invoice_date": invoice_date.dt.strftime("%Y-%m-%d").to_numpy(),
        "due_date": due.dt.strftime("%Y-%m-%d").to_numpy(),
        "outstanding": ordered["cents"].to_numpy() / 100,
    })


# --- survey --------------------------------------------------------------------------------------


def _student_names(rng: np.random.Generator, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        given = "".join(rng.choice(_GIVEN, size=int(rng.integers(1, 3))))
        name = _SURNAMES[rng.integers(len(_SURNAMES))] + given
        if name not in names:
            names.append(name)
    return names


def _weights(column: str, options: tuple) -> tuple[float, ...]:
    weights = SURVEY_FACT_WEIGHTS[column]
    if len(weights) != len(options):  # crmlab.rules.survey changed its options: update the weights
        raise ValueError(f"SURVEY_FACT_WEIGHTS[{column!r}] has {len(weights)} weights for "
                         f"{len(options)} options")
    return weights


def _clean_answers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Plausible answers: items share a latent satisfaction; overall and recommend follow."""
    low, high = SATISFACTION_SCALE
    latent = rng.normal(0, 1, n)
    item_means = np.array([3.9, 3.2, 3.8, 3.5, 3.4, 3.7])
    raw = item_means + 0.75 * latent[:, None] + rng.normal(0, 0.6, (n, len(item_means)))
    items = np.clip(np.round(raw), low, high).astype(int)
    overall = np.clip(np.round(items.mean(axis=1) + 0.3 * latent + rng.normal(0, 0.4, n)),
                      low, high).astype(int)
    r_low, r_high = RECOMMEND_SCALE
    recommend = np.clip(np.round(1.9 * overall + 0.3 + rng.normal(0, 1.1, n)), r_low, r_high)
    answers = pd.DataFrame(items.astype(str), columns=list(SURVEY_ITEMS)).astype(object)
    answers["overall"] = overall.astype(str)
    answers["recommend"] = recommend.astype(int).astype(str)
    return answers.astype(object)


_BAD_ITEM_ANSWERS = ("0", "6", "7", "9", "55", "-1", "五", "满意", "4分", "很好", "3,4")
_BAD_RECOMMEND_ANSWERS = ("11", "12", "-1", "100", "十", "愿意", "八")


def generate_survey(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The class's satisfaction survey with ``SURVEY_DEFECTS`` built in, everything as text."""
    rng = np.random.default_rng([seed, 3])
    surveyors = _student_names(rng, sum(SURVEY_GROUPS))
    group_of = [f"第{g + 1}组" for g, k in enumerate(SURVEY_GROUPS) for _ in range(k)]
    n = len(surveyors) * SURVEY_PER_SURVEYOR
    who = np.repeat(np.arange(len(surveyors)), SURVEY_PER_SURVEYOR)
    survey = pd.DataFrame({
        "respondent_id": [f"R{k:04d}" for k in range(1, n + 1)],
        "group": np.array(group_of, dtype=object)[who],
        "surveyor": np.array(surveyors, dtype=object)[who],
        **{q.column: _pick(rng, q.values, _weights(q.column, q.values), n)
           for q in FACT_QUESTIONS},
    })
    survey = pd.concat([survey, _clean_answers(rng, n)], axis=1)
    # a few respondents skip a background question
    for column in ("gender", "age_band"):
        survey.loc[rng.random(n) < 0.03, column] = ""

    d = SURVEY_DEFECTS
    order = rng.permutation(n)
    blank, invalid, partial, spare = np.split(
        order, np.cumsum([d.blank, d.invalid, d.partial]))
    survey.loc[blank, ["gender", "age_band", "channel", *SURVEY_ANSWERS]] = ""
    for row in invalid:
        for column in rng.choice(SURVEY_ANSWERS, size=int(rng.integers(1, 3)), replace=False):
            bad = _BAD_RECOMMEND_ANSWERS if column == "recommend" else _BAD_ITEM_ANSWERS
            survey.at[row, column] = bad[rng.integers(len(bad))]
    for row in partial:
        missing = rng.choice(SURVEY_ANSWERS, size=int(rng.integers(1, 4)), replace=False)
        survey.loc[row, list(missing)] = ""
    # entered twice: a copy of a clean questionnaire, later in the same surveyor's pile
    sources = np.sort(rng.choice(spare, size=d.duplicate, replace=False))
    pieces, previous = [], 0
    for source in sources:
        end = (source // SURVEY_PER_SURVEYOR + 1) * SURVEY_PER_SURVEYOR
        pieces += [survey.iloc[previous:end], survey.iloc[[source]]]
        previous = end
    survey = pd.concat([*pieces, survey.iloc[previous:]], ignore_index=True)
    return survey


# --- everything ----------------------------------------------------------------------------------

FILE_NAMES: tuple[str, ...] = ("customers", "orders", "credit_files", "receivables", "survey")


def generate_tables(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """All five tables as DataFrames, as they are written to CSV."""
    customers, orders = generate_customers_and_orders(seed)
    credit_files, receivables = generate_credit(customers, seed)
    return {
        "customers": customers,
        "orders": orders,
        "credit_files": credit_files,
        "receivables": receivables,
        "survey": generate_survey(seed),
    }


def generate_all(out_dir: Path, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the five sample tables as UTF-8 CSVs into ``out_dir``; name → path.

    Deterministic: the same seed gives byte-identical files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {name: write_table(table, out / f"{name}.csv")
            for name, table in generate_tables(seed).items()}

