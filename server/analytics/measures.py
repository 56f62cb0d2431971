"""The summable measures, written once as SQL over the fact tables.

The same expressions fill the rollups (grouped by bucket, segment, product and form version) and
answer queries straight from the facts, so both paths give the same sums. Every KPI is a ratio or a
mean of these sums (see :mod:`server.analytics.kpis` and ``docs/kpis.md``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Float, case, cast, func, literal

from server.analytics.models import RESPONSE_MEASURES, SHELF_MEASURES


def _count(expr: Any) -> Any:
    return func.coalesce(func.sum(case((expr.is_not(None), 1), else_=0)), 0)


def _sum(expr: Any, as_float: bool = False) -> Any:
    return func.coalesce(func.sum(cast(expr, Float if as_float else BigInteger)), 0)


def shelf_aggregates(f: Any) -> dict[str, Any]:
    """Aggregate expressions over shelf facts ``f`` (a table or alias), one per measure."""
    weight_if_observed = case((f.c.present.is_not(None), f.c.weight), else_=None)
    weight_if_present = case((f.c.present == 1, f.c.weight), else_=None)
    out = {
        "n_obs": _count(f.c.present),
        "n_present": _sum(f.c.present),
        "w_obs": _sum(weight_if_observed, True),
        "w_present": _sum(weight_if_present, True),
        "n_fac": _count(f.c.facings),
        "s_fac": _sum(f.c.facings),
        "n_oos": _count(f.c.oos),
        "s_oos": _sum(f.c.oos),
        "n_price": _count(f.c.price_minor),
        "s_price": _sum(f.c.price_minor),
        "s_price2": _sum(cast(f.c.price_minor, BigInteger) * cast(f.c.price_minor, BigInteger)),
        "n_pi": _count(f.c.price_index_bp),
        "s_pi": _sum(f.c.price_index_bp),
        "n_promo": _count(f.c.promo),
        "s_promo": _sum(f.c.promo),
        "n_ms": _count(case((f.c.must_stock == 1, f.c.present), else_=None)),
        "s_ms": _sum(case((f.c.must_stock == 1, f.c.present), else_=None)),
        "n_pp": _count(case((f.c.promo_planned == 1, f.c.promo), else_=None)),
        "s_pp": _sum(case((f.c.promo_planned == 1, f.c.promo), else_=None)),
    }
    assert list(out) == list(SHELF_MEASURES)
    return out


def response_aggregates(r: Any) -> dict[str, Any]:
    out = {
        "n_resp": func.coalesce(func.sum(literal(1)), 0),
        "n_pos": _count(r.c.pos_any),
        "s_pos": _sum(r.c.pos_any),
        "n_place": _count(r.c.pos_ok),
        "s_place": _sum(r.c.pos_ok),
        "n_prun": _count(r.c.promo_running),
        "s_prun": _sum(r.c.promo_running),
        "n_score": _count(r.c.score_bp),
        "s_score": _sum(r.c.score_bp),
    }
    assert list(out) == list(RESPONSE_MEASURES)
    return out


def rollup_sums(t: Any, names: list[str]) -> dict[str, Any]:
    """Reading a rollup: the sum of each stored measure."""
    return {name: func.coalesce(func.sum(t.c[name]), 0) for name in names}
