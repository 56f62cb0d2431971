"""The catalog: products (by GTIN), product lists and CSV/XLSX import. Functions flush; the
request boundary commits."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.auth.models import User
from server.auth.permissions import require
from server.catalog.gtin import GtinError, normalise_gtin
from server.catalog.models import Product, ProductList, ProductListItem
from server.errors import Problem, field_error
from server.surveys.expr import Dec
from server.tenancy import scoped

MAX_IMPORT_ROWS = 20_000
PRICE_MAX_MINOR = 100_000_000  # 1,000,000.00


# --- values ---------------------------------------------------------------------------------------


def price_to_minor(value: Any, field_name: str = "list_price") -> int | None:
    """A price (number, or text with . or , as decimal mark) in minor units. :raise ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("must be a number such as 1.29")
    if isinstance(value, int | float):
        dec = Dec.parse(repr(value)) if isinstance(value, float) else Dec.make(value, 0)
    elif isinstance(value, str):
        text = value.strip().replace("€", "").replace("EUR", "").strip()
        if re.fullmatch(r"[0-9]+,[0-9]+", text):
            text = text.replace(",", ".")
        dec = Dec.parse(text) if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text) else None
    else:
        dec = None
    if dec is None:
        raise ValueError(f"'{value}' is not a price such as 1.29")
    if dec.coef < 0:
        raise ValueError("must not be negative")
    if dec.scale > 2:
        raise ValueError(f"'{value}' has more than 2 decimals")
    minor = dec.coef * 10 ** (2 - dec.scale)
    if minor > PRICE_MAX_MINOR:
        raise ValueError("is too large")
    return minor


def minor_to_price(minor: int | None) -> int | float | None:
    return None if minor is None else Dec.make(minor, 2).to_json()


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "gtin": product.gtin,
        "brand": product.brand,
        "name": product.name,
        "category": product.category,
        "size": product.size,
        "own": product.own,
        "list_price": minor_to_price(product.list_price_minor),
        "currency": product.currency,
        "active": product.active,
        "created_at": _iso(product.created_at),
        "updated_at": _iso(product.updated_at),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# --- products -------------------------------------------------------------------------------------


def list_products(session: Session, user: User, args: dict[str, Any]) -> dict[str, Any]:
    require(user, "catalog.read")
    query = scoped(Product, user)
    if args.get("q"):
        for word in args["q"].lower().split():
            like = f"%{word}%"
            query = query.where(
                or_(func.lower(Product.name).like(like), func.lower(Product.brand).like(like), Product.gtin.like(like))
            )
    for key in ("own", "active"):
        if key in args:
            query = query.where(getattr(Product, key).is_(args[key]))
    for key in ("brand", "category"):
        if args.get(key):
            query = query.where(func.lower(getattr(Product, key)) == args[key].lower())
    if args.get("gtin"):
        try:
            query = query.where(Product.gtin == normalise_gtin(args["gtin"]))
        except GtinError as exc:
            raise field_error("gtin", str(exc)) from None
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = session.execute(
        query.order_by(Product.own.desc(), Product.brand, Product.name, Product.id)
        .limit(args["limit"])
        .offset(args["offset"])
    ).scalars()
    return {"items": [product_json(p) for p in rows], "total": total, "limit": args["limit"], "offset": args["offset"]}


def _apply_product(product: Product, data: dict[str, Any]) -> None:
    for key in ("brand", "name", "category", "size", "own", "currency", "active"):
        if key in data:
            value = data[key]
            if isinstance(value, str):
                value = value.strip() or None if key in ("category", "size") else value.strip()
            setattr(product, key, value)
    if "list_price" in data:
        try:
            product.list_price_minor = price_to_minor(data["list_price"])
        except ValueError as exc:
            raise field_error("list_price", str(exc), "body") from None


def _gtin_or_422(value: Any, field_name: str = "gtin") -> str:
    try:
        return normalise_gtin(value)
    except GtinError as exc:
        raise field_error(field_name, str(exc), "body") from None


def _by_gtin(session: Session, org_id: int, gtin: str) -> Product | None:
    return session.execute(select(Product).where(Product.org_id == org_id, Product.gtin == gtin)).scalar_one_or_none()


def create_product(session: Session, user: User, data: dict[str, Any]) -> Product:
    require(user, "catalog.write")
    gtin = _gtin_or_422(data["gtin"])
    existing = _by_gtin(session, user.org_id, gtin)
    if existing is not None:
        raise Problem("conflict", f"GTIN {gtin} is already product {existing.id}.", product_id=existing.id)
    product = Product(org_id=user.org_id, gtin=gtin, own=True, currency="EUR", active=True)
    _apply_product(product, data)
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, user: User, product: Product, data: dict[str, Any]) -> Product:
    require(user, "catalog.write")
    if "gtin" in data:
        gtin = _gtin_or_422(data["gtin"])
        if gtin != product.gtin:
            existing = _by_gtin(session, user.org_id, gtin)
            if existing is not None:
                raise Problem("conflict", f"GTIN {gtin} is already product {existing.id}.", product_id=existing.id)
            product.gtin = gtin
    _apply_product(product, data)
    session.flush()
    return product


# --- product lists --------------------------------------------------------------------------------


def product_list_json(product_list: ProductList, *, products: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": product_list.id,
        "key": product_list.key,
        "name": product_list.name,
        "description": product_list.description,
        "product_count": len(product_list.items),
        "created_at": _iso(product_list.created_at),
        "updated_at": _iso(product_list.updated_at),
    }
    if products:
        body["products"] = [{**product_json(i.product), "reference": i.reference} for i in product_list.items]
    return body


def save_product_list(session: Session, user: User, product_list: ProductList, data: dict[str, Any]) -> ProductList:
    require(user, "catalog.write")
    if "key" in data and data["key"] != product_list.key:
        clash = session.execute(
            select(ProductList.id).where(ProductList.org_id == user.org_id, ProductList.key == data["key"])
        ).scalar_one_or_none()
        if clash is not None:
            raise Problem("conflict", f"There is already a product list '{data['key']}' ({clash}).", list_id=clash)
        product_list.key = data["key"]
    for key in ("name", "description"):
        if key in data:
            setattr(product_list, key, data[key])
    session.add(product_list)
    session.flush()
    if "products" in data:
        _set_items(session, user, product_list, data["products"])
    return product_list


def _set_items(session: Session, user: User, product_list: ProductList, items: list[dict[str, Any]]) -> None:
    errors: list[dict[str, Any]] = []
    wanted: list[tuple[Product, bool]] = []
    seen: dict[int, int] = {}
    by_id = {
        p.id: p
        for p in session.execute(
            scoped(Product, user).where(Product.id.in_([i["product_id"] for i in items if "product_id" in i] or [-1]))
        ).scalars()
    }
    for index, item in enumerate(items):
        where = f"products[{index}]"
        product: Product | None = None
        if ("product_id" in item) == ("gtin" in item):
            errors.append({"field": where, "in": "body", "message": "give either product_id or gtin"})
            continue
        if "product_id" in item:
            product = by_id.get(item["product_id"])
            if product is None:
                errors.append(
                    {"field": f"{where}.product_id", "in": "body", "message": f"no product {item['product_id']}"}
                )
                continue
        else:
            try:
                gtin = normalise_gtin(item["gtin"])
            except GtinError as exc:
                errors.append({"field": f"{where}.gtin", "in": "body", "message": str(exc)})
                continue
            product = _by_gtin(session, user.org_id, gtin)
            if product is None:
                errors.append({"field": f"{where}.gtin", "in": "body", "message": f"no product with GTIN {gtin}"})
                continue
        if product.id in seen:
            errors.append(
                {
                    "field": where,
                    "in": "body",
                    "message": f"product {product.id} is already at products[{seen[product.id]}]",
                }
            )
            continue
        seen[product.id] = index
        wanted.append((product, item.get("reference", False)))
    if errors:
        raise Problem("validation-error", "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]), errors=errors)
    current = {i.product_id: i for i in product_list.items}
    keep = {p.id for p, _ in wanted}
    for product_id, item in current.items():
        if product_id not in keep:
            product_list.items.remove(item)
            session.delete(item)
    session.flush()
    for position, (product, reference) in enumerate(wanted):
        item = current.get(product.id)
        if item is None:
            item = ProductListItem(org_id=user.org_id, list_id=product_list.id, product_id=product.id)
            item.product = product
            product_list.items.append(item)
        if item.position != position:
            item.position = position
        if item.reference != reference:
            item.reference = reference
    session.flush()
    session.expire(product_list, ["items"])


def lists_by_key(session: Session, org_id: int, keys: set[str]) -> dict[str, ProductList]:
    if not keys:
        return {}
    rows = session.execute(
        select(ProductList).where(ProductList.org_id == org_id, ProductList.key.in_(sorted(keys)))
    ).scalars()
    return {pl.key: pl for pl in rows}


# --- import -------------------------------------------------------------------------------------

#: Accepted column headers (lower case) and the field each means.
HEADERS = {
    "gtin": "gtin",
    "ean": "gtin",
    "ean13": "gtin",
    "barcode": "gtin",
    "upc": "gtin",
    "brand": "brand",
    "name": "name",
    "product": "name",
    "category": "category",
    "size": "size",
    "own": "own",
    "list_price": "list_price",
    "price": "list_price",
    "currency": "currency",
    "active": "active",
}
REQUIRED_COLUMNS = ("gtin", "brand", "name")
_TRUE = {"1", "true", "yes", "y", "x", "own", "ja", "oui", "wahr", "vrai"}
_FALSE = {"0", "false", "no", "n", "competitor", "nein", "non", "falsch", "faux"}
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected_count": len(self.rejected),
            "rejected": self.rejected,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
        }


def read_table(data: bytes) -> list[list[Any]]:
    """The rows of a CSV (UTF-8 or Windows-1252, comma or semicolon) or XLSX file (first sheet).

    :raise Problem: 422 ``file`` when it is neither.
    """
    if data.startswith(XLSX_MAGIC):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            workbook.close()
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
            raise field_error("file", f"the XLSX file cannot be read ({exc.__class__.__name__})", "body") from None
        return rows
    if b"\x00" in data[:4096]:
        raise field_error("file", "send a CSV or XLSX file", "body")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _gtin_cell(value: Any) -> str:
    text = _cell_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and len(text) < 13 and len(text) not in (8, 12):
        text = text.rjust(13, "0")  # a spreadsheet dropped the leading zeros
    return text


def _flag(value: Any) -> bool:
    text = _cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"'{value}' is not yes/no (or own/competitor)")


def import_products(session: Session, user: User, data: bytes, *, dry_run: bool) -> dict[str, Any]:
    """Create or update products from a table, idempotent by GTIN; rejected rows are reported
    (row number as in the spreadsheet, column, reason) and skipped. ``dry_run``: change nothing."""
    require(user, "catalog.write")
    table = read_table(data)
    while table and not any(_cell_text(c) for c in table[0]):
        table.pop(0)
    if not table:
        raise field_error("file", "the file is empty", "body")
    header = [_cell_text(h).lower().replace(" ", "_") for h in table[0]]
    mapping: dict[int, str] = {}
    report = ImportReport(dry_run=dry_run)
    for index, name in enumerate(header):
        target = HEADERS.get(name)
        if target is None or target in mapping.values():
            if name:
                report.ignored_columns.append(name)
            continue
        mapping[index] = target
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        raise field_error(
            "file", f"the header row lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", "body"
        )
    report.columns = list(mapping.values())
    body = table[1:]
    if len(body) > MAX_IMPORT_ROWS:
        raise field_error("file", f"at most {MAX_IMPORT_ROWS} rows per import, not {len(body)}", "body")
    existing = {p.gtin: p for p in session.execute(scoped(Product, user)).scalars()}
    seen: dict[str, int] = {}
    for offset, raw in enumerate(body):
        row_number = offset + 2
        if not any(_cell_text(c) for c in raw):
            continue
        report.rows += 1
        cells = {target: raw[i] if i < len(raw) else None for i, target in mapping.items()}
        values, problem = _parse_row(cells)
        if problem is not None:
            column, reason = problem
            report.rejected.append(
                {"row": row_number, "column": column, "value": _cell_text(cells.get(column)), "reason": reason}
            )
            continue
        gtin = values["gtin"]
        if gtin in seen:
            report.rejected.append(
                {"row": row_number, "column": "gtin", "value": gtin, "reason": f"the same GTIN as row {seen[gtin]}"}
            )
            continue
        seen[gtin] = row_number
        product = existing.get(gtin)
        if product is None:
            report.created += 1
            if not dry_run:
                product = Product(org_id=user.org_id, gtin=gtin, own=True, currency="EUR", active=True)
                _set_import_values(product, values)
                session.add(product)
            continue
        if _differs(product, values):
            report.updated += 1
            if not dry_run:
                _set_import_values(product, values)
        else:
            report.unchanged += 1
    if not dry_run:
        session.flush()
    return report.as_json()


def _parse_row(cells: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    values: dict[str, Any] = {}
    try:
        values["gtin"] = normalise_gtin(_gtin_cell(cells["gtin"]))
    except GtinError as exc:
        return values, ("gtin", str(exc) if _cell_text(cells["gtin"]) else "is empty")
    for key, limit in (("brand", 100), ("name", 200)):
        text = _cell_text(cells[key])
        if not text:
            return values, (key, "is empty")
        if len(text) > limit:
            return values, (key, f"is longer than {limit} characters")
        values[key] = text
    for key, limit in (("category", 100), ("size", 40)):
        if key in cells:
            text = _cell_text(cells[key])
            if len(text) > limit:
                return values, (key, f"is longer than {limit} characters")
            values[key] = text or None
    for key in ("own", "active"):
        if key in cells and _cell_text(cells[key]):
            try:
                values[key] = _flag(cells[key])
            except ValueError as exc:
                return values, (key, str(exc))
    if "list_price" in cells:
        try:
            values["list_price_minor"] = price_to_minor(cells["list_price"])
        except ValueError as exc:
            return values, ("list_price", str(exc))
    if "currency" in cells and _cell_text(cells["currency"]):
        text = _cell_text(cells["currency"]).upper()
        if not re.fullmatch(r"[A-Z]{3}", text):
            return values, ("currency", f"'{text}' is not an ISO 4217 code such as EUR")
        values["currency"] = text
    return values, None


def _differs(product: Product, values: dict[str, Any]) -> bool:
    return any(getattr(product, k) != v for k, v in values.items() if k != "gtin")


def _set_import_values(product: Product, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if getattr(product, key) != value:
            setattr(product, key, value)
