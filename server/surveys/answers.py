"""Checking a response's answers against its form version, completely, and computing its values.

The order is the form's (sections, then questions, then a grid's columns), so rules see the
earlier answers as already checked:

1. a section or question whose ``relevant`` is not true is skipped and its answer dropped;
2. the answer must have the question's type (and is normalised: GTINs, UUIDs, whole numbers);
3. ``required`` (true, or an expression that is true) needs an answer;
4. bounds (min/max, decimals, lengths, counts, pattern) and then ``constraint`` (with ``.`` the
   answer) must hold;
5. after all questions, the computed values are evaluated in order, then the form's checks.

Every problem is collected, each with its path (``answers.shelf[3].facings``). A rule that cannot be
evaluated (a mistake of the form, not of the answer) counts as null, exactly as in the web app:
not relevant, not required, constraint passed, computed value null; it is reported in ``warnings``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from server.catalog.gtin import GtinError, normalise_gtin
from server.surveys import expr
from server.surveys.definition import localise
from server.surveys.expr import Dec, ExprError

MAX_NUMBER = 10**12
DEFAULT_TEXT_LENGTH = 2000
MAX_GRID_ROWS = 500


@dataclass(frozen=True)
class GridProduct:
    id: int
    gtin: str
    name: str
    brand: str
    category: str | None
    own: bool

    def snapshot(self) -> dict[str, Any]:
        return {
            "gtin": self.gtin,
            "name": self.name,
            "brand": self.brand,
            "category": self.category,
            "own": self.own,
        }


@dataclass
class Catalog:
    """The organization's products, and which are reference products of each product list."""

    by_id: dict[int, GridProduct]
    by_gtin: dict[str, GridProduct]
    references: dict[str, set[int]] = field(default_factory=dict)


@dataclass
class Result:
    answers: dict[str, Any]
    computed: dict[str, Any]
    photos: list[tuple[str, int, str]]  # (question, position, uuid)
    products: dict[str, dict[str, Any]]
    warnings: list[dict[str, str]]
    errors: list[dict[str, Any]]


class Checker:
    def __init__(self, definition: dict[str, Any], catalog: Catalog, locale: str | None = None) -> None:
        self.definition = definition
        self.catalog = catalog
        self.locale = locale
        self.errors: list[dict[str, Any]] = []
        self.warnings: list[dict[str, str]] = []
        self.ctx: dict[str, Any] = {}
        self.clean: dict[str, Any] = {}
        self.photos: list[tuple[str, int, str]] = []
        self.products: dict[str, dict[str, Any]] = {}
        self.failed: set[str] = set()  # questions whose answer has an error

    # --- helpers ---------------------------------------------------------------------------------

    def error(self, path: str, message: str) -> None:
        self.errors.append({"field": path, "in": "body", "message": message})

    def rule(self, text: str, ctx: dict[str, Any], where: str) -> Any:
        """The value of a rule, or None (with a warning) when the form's expression fails."""
        try:
            return expr.evaluate(text, ctx)
        except ExprError as exc:
            self.warnings.append({"rule": where, "message": f"{exc.kind} error: {exc}"})
            return None

    def is_true(self, text: Any, ctx: dict[str, Any], where: str, default: bool) -> bool:
        if text is None:
            return default
        if isinstance(text, bool):
            return text
        value = self.rule(text, ctx, where)
        if value is not None and not isinstance(value, bool):
            self.warnings.append({"rule": where, "message": f"gave a {expr.type_name(value)}, not true or false"})
            return False
        return value is True

    # --- the walk --------------------------------------------------------------------------------

    def run(self, answers: dict[str, Any]) -> Result:
        known: set[str] = set()
        for s, section in enumerate(self.definition["sections"]):
            shown = self.is_true(section.get("relevant"), self.ctx, f"sections[{s}].relevant", True)
            for q, question in enumerate(section["questions"]):
                key = question["key"]
                known.add(key)
                where = f"sections[{s}].questions[{q}]"
                relevant = shown and self.is_true(question.get("relevant"), self.ctx, f"{where}.relevant", True)
                self.ctx[key] = None
                if not relevant:
                    continue
                self.question(question, answers.get(key), f"answers.{key}", where)
        for key in answers:
            if key not in known:
                self.error(f"answers.{key}", "is not a question of this form version")
        computed: dict[str, Any] = {}
        for c, item in enumerate(self.definition.get("computed") or []):
            value = self.rule(item["expression"], self.ctx, f"computed[{c}]")
            self.ctx[item["key"]] = value
            computed[item["key"]] = expr.to_json(value)
        for c, check in enumerate(self.definition.get("checks") or []):
            # A check over answers that already have errors would only repeat them.
            if {r[0] for r in expr.parse(check["assert"]).references()} & self.failed:
                continue
            if self.rule(check["assert"], self.ctx, f"checks[{c}]") is False:
                self.error(f"answers.{check['field']}", localise(check["message"], self.locale) or "check failed")
        return Result(self.clean, computed, self.photos, self.products, self.warnings, self.errors)

    def question(self, question: dict[str, Any], raw: Any, path: str, where: str) -> None:
        key = question["key"]
        before = len(self.errors)
        if question["type"] == "product_grid":
            value, ctx_value = self.grid(question, raw, path, where)
        else:
            value = self.value(question, raw, path)
            ctx_value = None if value is None else expr.from_json(value)
        if len(self.errors) > before:
            self.failed.add(key)
            return
        if value is None:
            if self.is_true(question.get("required"), self.ctx, f"{where}.required", False):
                self.error(path, "is required")
            return
        if "constraint" in question:
            ctx = {**self.ctx, ".": ctx_value}
            if self.rule(question["constraint"], ctx, f"{where}.constraint") is False:
                self.error(path, self.constraint_message(question))
                self.failed.add(key)
                return
        self.clean[key] = value
        self.ctx[key] = ctx_value
        if question["type"] == "photo":
            self.photos.extend((key, i, u) for i, u in enumerate(value))

    def constraint_message(self, question: dict[str, Any]) -> str:
        message = localise(question.get("constraint_message"), self.locale)
        return message or f"does not meet the form's rule: {question['constraint']}"

    # --- one value -------------------------------------------------------------------------------

    def value(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        """The normalised answer, or None when unanswered or wrong (the error is recorded)."""
        if raw is None or raw == "" or raw == []:
            return None
        kind = q["type"]
        checker = getattr(self, f"_{kind}")
        return checker(q, raw, path)

    def _number(self, q: dict[str, Any], raw: Any, path: str, *, whole: bool, decimals: int | None) -> Any:
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int | float)
            or (isinstance(raw, float) and not math.isfinite(raw))
        ):
            self.error(path, "must be a whole number" if whole else "must be a number")
            return None
        if abs(raw) > MAX_NUMBER:
            self.error(path, f"must be between {-MAX_NUMBER} and {MAX_NUMBER}")
            return None
        number = expr.from_json(raw)
        if whole and not number.is_integer():
            self.error(path, "must be a whole number")
            return None
        if decimals is not None and number.scale > decimals:
            self.error(path, f"must have at most {decimals} decimal{'s' if decimals != 1 else ''}")
            return None
        low, high = q.get("min"), q.get("max")
        if low is not None and number.cmp(expr.from_json(low)) < 0:
            self.error(path, f"must be at least {_show(low)}")
            return None
        if high is not None and number.cmp(expr.from_json(high)) > 0:
            self.error(path, f"must be at most {_show(high)}")
            return None
        return number.to_json()

    def _integer(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        return self._number(q, raw, path, whole=True, decimals=None)

    def _decimal(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        return self._number(q, raw, path, whole=False, decimals=q.get("decimals"))

    def _price(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        bounded = {"min": 0, **q}
        return self._number(bounded, raw, path, whole=False, decimals=q.get("decimals", 2))

    def _boolean(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        if not isinstance(raw, bool):
            self.error(path, "must be true or false")
            return None
        return raw

    def _choices(self, q: dict[str, Any]) -> list[str]:
        return [c["value"] for c in q["choices"]]

    def _single(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        values = self._choices(q)
        if not isinstance(raw, str) or raw not in values:
            self.error(path, f"must be one of: {', '.join(values)}")
            return None
        return raw

    def _multiple(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        values = self._choices(q)
        if not isinstance(raw, list):
            self.error(path, f"must be a list of choices among: {', '.join(values)}")
            return None
        ok = True
        for i, item in enumerate(raw):
            if not isinstance(item, str) or item not in values:
                self.error(f"{path}[{i}]", f"must be one of: {', '.join(values)}")
                ok = False
            elif item in raw[:i]:
                self.error(f"{path}[{i}]", f"'{item}' is chosen twice")
                ok = False
        if not ok:
            return None
        if len(raw) < q.get("min_selected", 0):
            self.error(path, f"choose at least {q['min_selected']}")
            return None
        if len(raw) > q.get("max_selected", len(values)):
            self.error(path, f"choose at most {q['max_selected']}")
            return None
        return [v for v in values if v in raw]  # in the form's order

    def _text(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        if not isinstance(raw, str):
            self.error(path, "must be text")
            return None
        if not raw.strip():
            return None
        length = len(raw)
        if length > q.get("max_length", DEFAULT_TEXT_LENGTH):
            self.error(path, f"must have at most {q.get('max_length', DEFAULT_TEXT_LENGTH)} characters")
            return None
        if length < q.get("min_length", 0):
            self.error(path, f"must have at least {q['min_length']} characters")
            return None
        if "pattern" in q and not self._matches(q["pattern"], raw):
            self.error(path, f"does not have the expected form ({q['pattern']})")
            return None
        return raw

    def _matches(self, pattern: str, text: str) -> bool:
        if len(text) > expr.REGEX_MAX_SUBJECT:
            return False
        return expr.compile_regex(pattern).fullmatch(text) is not None

    def _date(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        if not isinstance(raw, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            self.error(path, "must be a date such as 2026-11-25")
            return None
        try:
            dt.date.fromisoformat(raw)
        except ValueError:
            self.error(path, f"{raw} is not a date of the calendar")
            return None
        return raw

    def _photo(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            self.error(path, "must be a list of photo UUIDs")
            return None
        out: list[str] = []
        for i, item in enumerate(items):
            canonical = canonical_uuid(item)
            if canonical is None:
                self.error(f"{path}[{i}]", "must be a photo UUID")
                return None
            if canonical in out:
                self.error(f"{path}[{i}]", "the same photo is given twice")
                return None
            out.append(canonical)
        limit = q.get("max_photos", 1)
        if len(out) > limit:
            self.error(path, f"at most {limit} photo{'s' if limit != 1 else ''}")
            return None
        return out

    def _barcode(self, q: dict[str, Any], raw: Any, path: str) -> Any:
        if not isinstance(raw, str):
            self.error(path, "must be the scanned code as text")
            return None
        if q.get("gtin", True):
            try:
                return normalise_gtin(raw)
            except GtinError as exc:
                self.error(path, str(exc))
                return None
        if len(raw) > 100:
            self.error(path, "must have at most 100 characters")
            return None
        if "pattern" in q and not self._matches(q["pattern"], raw):
            self.error(path, f"does not have the expected form ({q['pattern']})")
            return None
        return raw

    # --- product grids ---------------------------------------------------------------------------

    def grid(self, q: dict[str, Any], raw: Any, path: str, where: str) -> tuple[Any, Any]:
        if raw is None or raw == []:
            return None, None
        if not isinstance(raw, list):
            self.error(path, "must be a list of rows, one per product")
            return None, None
        if len(raw) > MAX_GRID_ROWS:
            self.error(path, f"at most {MAX_GRID_ROWS} rows")
            return None, None
        columns = {c["key"]: c for c in q["columns"]}
        references = self.catalog.references.get(q["product_list"], set())
        rows: list[dict[str, Any]] = []
        ctx_rows: list[dict[str, Any]] = []
        seen: dict[int, int] = {}
        for i, item in enumerate(raw):
            rpath = f"{path}[{i}]"
            if not isinstance(item, dict):
                self.error(rpath, "must be an object with the product and the columns")
                continue
            product = self.grid_product(item, rpath)
            for name in item:
                if name not in columns and name not in ("product_id", "gtin"):
                    self.error(f"{rpath}.{name}", f"is not a column (columns: {', '.join(columns)})")
            if product is None:
                continue
            if product.id in seen:
                self.error(rpath, f"product {product.gtin} is already in row {seen[product.id]}")
                continue
            seen[product.id] = i
            self.products[str(product.id)] = product.snapshot()
            row: dict[str, Any] = {"product_id": product.id, "gtin": product.gtin}
            ctx_row: dict[str, Any] = {
                "product_id": Dec.make(product.id, 0),
                "_gtin": product.gtin,
                "_name": product.name,
                "_brand": product.brand,
                "_category": product.category,
                "_own": product.own,
                "_reference": product.id in references,
            }
            for c, column in enumerate(q["columns"]):
                col = column["key"]
                cwhere = f"{where}.columns[{c}]"
                cpath = f"{rpath}.{col}"
                ctx = {**self.ctx, "row": ctx_row}
                ctx_row[col] = None
                if not self.is_true(column.get("relevant"), ctx, f"{cwhere}.relevant", True):
                    continue
                before = len(self.errors)
                value = self.value(column, item.get(col), cpath)
                if len(self.errors) > before:
                    continue
                if value is None:
                    if self.is_true(column.get("required"), ctx, f"{cwhere}.required", False):
                        self.error(cpath, "is required")
                    continue
                cell = expr.from_json(value)
                if "constraint" in column:
                    if self.rule(column["constraint"], {**ctx, ".": cell}, f"{cwhere}.constraint") is False:
                        self.error(cpath, self.constraint_message(column))
                        continue
                row[col] = value
                ctx_row[col] = cell
            rows.append(row)
            ctx_rows.append(ctx_row)
        return (rows or None), (ctx_rows or None)

    def grid_product(self, item: dict[str, Any], rpath: str) -> GridProduct | None:
        if "product_id" in item:
            product_id = item["product_id"]
            if isinstance(product_id, bool) or not isinstance(product_id, int):
                self.error(f"{rpath}.product_id", "must be a product id")
                return None
            product = self.catalog.by_id.get(product_id)
            if product is None:
                self.error(f"{rpath}.product_id", f"there is no product {product_id}")
                return None
            if "gtin" in item and _gtin_or_none(item["gtin"]) != product.gtin:
                self.error(f"{rpath}.gtin", f"is not the GTIN of product {product_id} ({product.gtin})")
                return None
            return product
        if "gtin" in item:
            try:
                gtin = normalise_gtin(item["gtin"])
            except GtinError as exc:
                self.error(f"{rpath}.gtin", str(exc))
                return None
            product = self.catalog.by_gtin.get(gtin)
            if product is None:
                self.error(f"{rpath}.gtin", f"no product of the catalog has the GTIN {gtin}")
            return product
        self.error(rpath, "name the product with product_id or gtin")
        return None


def _gtin_or_none(value: Any) -> str | None:
    try:
        return normalise_gtin(value)
    except GtinError:
        return None


def _show(number: Any) -> str:
    return str(expr.from_json(number))


def canonical_uuid(value: Any) -> str | None:
    """The lower-case hyphenated form of a UUID, or None when it is not one."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return str(uuidlib.UUID(value))
    except ValueError:
        return None


def check_answers(definition: dict[str, Any], answers: dict[str, Any], catalog: Catalog, locale: str | None) -> Result:
    """Check ``answers`` against ``definition``; the result lists errors (empty when valid)."""
    return Checker(definition, catalog, locale).run(answers)
