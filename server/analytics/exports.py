"""Raw data exports: responses (one row per product of a grid, or per answer), visits and accounts.

Rows are generated from a streamed query (a server-side cursor on PostgreSQL), so a month of an
organization never sits in memory: CSV goes out as it is written, XLSX is written by openpyxl's
write-only workbook to a temporary file that is then streamed and deleted. The same filters as the
KPIs apply, and the same visibility (a rep their own, a manager their team's, HQ all).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from server.analytics import config as settings
from server.analytics.facts import membership_windows
from server.analytics.kpis import expected_visits, rep_scope
from server.analytics.models import AccountTerritory
from server.auth.models import User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YIELD = 1000


def _range_utc(session: Session, org_id: int, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = settings.zone(settings.load(session, org_id))
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone).astimezone(dt.UTC),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC),
    )


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    return value.isoformat()


def _outlet_filters(filters: dict[str, Any], outlet: Any, account: Any) -> list[Any]:
    columns = {
        "country": outlet.country,
        "region": outlet.region_code,
        "banner": outlet.banner,
        "group": outlet.group_name,
        "format": outlet.format,
        "class": account.account_class,
        "outlet": outlet.id,
        "account": account.id,
    }
    return [columns[k].in_(v) for k, v in filters.items() if k in columns and v not in (None, [])]


def _territory_filter(session: Session, org_id: int, filters: dict[str, Any], account_id: Any) -> list[Any]:
    if not filters.get("territory"):
        return []
    from server.analytics.facts import refresh_account_territories

    refresh_account_territories(session, org_id)
    t = AccountTerritory.__table__
    return [
        account_id.in_(select(t.c.account_id).where(t.c.org_id == org_id, t.c.territory_id.in_(filters["territory"])))
    ]


# --- responses ------------------------------------------------------------------------------------


PRODUCT_HEADER = [
    "response_id",
    "response_uuid",
    "completed_at",
    "form",
    "form_version",
    "rep_id",
    "rep",
    "account_id",
    "account_class",
    "outlet_id",
    "outlet",
    "banner",
    "group",
    "format",
    "city",
    "region",
    "country",
    "question",
    "product_id",
    "gtin",
    "brand",
    "product",
    "category",
    "own",
]
PRODUCT_CELLS = ["present", "facings", "shelf_price", "promo", "out_of_stock"]
ANSWER_HEADER = [*PRODUCT_HEADER[:17], "question", "type", "product_id", "gtin", "product", "column", "value"]


def response_rows(
    session: Session, user: User, start: dt.date, end: dt.date, filters: dict[str, Any], layout: str
) -> Iterator[list[Any]]:
    """The header, then one row per product row of a grid (``products``) or per answer (``answers``)."""
    from server.accounts.models import Account
    from server.outlets.models import Outlet
    from server.surveys.definition import iter_questions
    from server.surveys.models import Form, FormVersion, SurveyResponse

    header = PRODUCT_HEADER + PRODUCT_CELLS + ["other_columns"] if layout == "products" else ANSWER_HEADER
    begin, stop = _range_utc(session, user.org_id, start, end)
    rep = aliased(User)
    where = [
        SurveyResponse.org_id == user.org_id,
        SurveyResponse.completed_at >= begin,
        SurveyResponse.completed_at < stop,
        rep_scope(user, SurveyResponse.rep_id),
        *_outlet_filters({k: v for k, v in filters.items() if k not in ("outlet", "account")}, Outlet, Account),
        *_territory_filter(session, user.org_id, filters, SurveyResponse.account_id),
    ]
    for name, column in (
        ("rep", SurveyResponse.rep_id),
        ("form", SurveyResponse.form_id),
        ("form_version", SurveyResponse.form_version_id),
        ("outlet", SurveyResponse.outlet_id),
        ("account", SurveyResponse.account_id),
    ):
        if filters.get(name):
            where.append(column.in_(filters[name]))
    query = (
        select(
            SurveyResponse.id,
            SurveyResponse.uuid,
            SurveyResponse.completed_at,
            Form.key,
            FormVersion.version,
            SurveyResponse.rep_id,
            rep.name,
            SurveyResponse.account_id,
            Account.account_class,
            SurveyResponse.outlet_id,
            Outlet.name,
            Outlet.banner,
            Outlet.group_name,
            Outlet.format,
            Outlet.city,
            Outlet.region_code,
            Outlet.country,
            SurveyResponse.form_version_id,
            SurveyResponse.answers,
            SurveyResponse.products,
        )
        .join(Outlet, Outlet.id == SurveyResponse.outlet_id)
        .join(FormVersion, FormVersion.id == SurveyResponse.form_version_id)
        .join(Form, Form.id == SurveyResponse.form_id)
        .outerjoin(Account, Account.id == SurveyResponse.account_id)
        .outerjoin(rep, rep.id == SurveyResponse.rep_id)
        .where(*where)
        .order_by(SurveyResponse.completed_at, SurveyResponse.id)
        .execution_options(yield_per=YIELD, stream_results=True)
    )
    questions: dict[int, list[dict[str, Any]]] = {}
    catalog = _catalog(session, user.org_id)
    keep = _product_filter(session, user.org_id, filters, catalog)
    # Everything that reads the user is done: the rows may be produced after the request committed.
    yield header
    for row in session.execute(query):
        meta = [row[0], row[1], _iso(row[2]), *row[3:17]]
        meta[4] = row[4]
        version_id, answers, products = row[17], row[18] or {}, row[19] or {}
        if version_id not in questions:
            definition = session.execute(
                select(FormVersion.definition).where(FormVersion.id == version_id)
            ).scalar_one()
            questions[version_id] = [q for _, q in iter_questions(definition)]
        for question in questions[version_id]:
            key = question["key"]
            if key not in answers:
                continue
            value = answers[key]
            if question["type"] == "product_grid":
                for cells in value if isinstance(value, list) else []:
                    product_id = cells.get("product_id")
                    info = products.get(str(product_id)) or catalog.get(product_id) or {}
                    if not keep(product_id, info, row[2]):
                        continue
                    if layout == "products":
                        other = {k: v for k, v in cells.items() if k not in ("product_id", "gtin", *PRODUCT_CELLS)}
                        yield [
                            *meta,
                            key,
                            product_id,
                            cells.get("gtin") or info.get("gtin"),
                            info.get("brand"),
                            info.get("name"),
                            info.get("category"),
                            info.get("own"),
                            *[cells.get(c) for c in PRODUCT_CELLS],
                            json.dumps(other, ensure_ascii=False) if other else None,
                        ]
                    else:
                        for column, cell in cells.items():
                            if column in ("product_id", "gtin"):
                                continue
                            yield [
                                *meta,
                                key,
                                "product_grid",
                                product_id,
                                cells.get("gtin") or info.get("gtin"),
                                info.get("name"),
                                column,
                                _text(cell),
                            ]
            elif layout == "answers" and not _any_product_filter(filters):
                yield [*meta, key, question["type"], None, None, None, None, _text(value)]


def _any_product_filter(filters: dict[str, Any]) -> bool:
    return any(filters.get(k) not in (None, []) for k in ("product", "brand", "category", "own", "list"))


def _text(value: Any) -> Any:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return value


def _catalog(session: Session, org_id: int) -> dict[int, dict[str, Any]]:
    from server.catalog.models import Product

    return {
        p.id: {"gtin": p.gtin, "brand": p.brand, "name": p.name, "category": p.category, "own": p.own}
        for p in session.execute(select(Product).where(Product.org_id == org_id)).scalars()
    }


def _product_filter(session: Session, org_id: int, filters: dict[str, Any], catalog: dict[int, dict[str, Any]]) -> Any:
    products = set(filters.get("product") or [])
    brands = set(filters.get("brand") or [])
    categories = set(filters.get("category") or [])
    own = filters.get("own")
    windows = membership_windows(session, org_id) if filters.get("list") else {}

    def listed(product_id: int, at: dt.datetime) -> bool:
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        for key in filters.get("list") or []:
            for start, end in windows.get(key, {}).get(product_id, ()):
                if (start is None or _aware(start) <= at) and (end is None or at < _aware(end)):
                    return True
        return False

    def keep(product_id: int, info: dict[str, Any], at: dt.datetime) -> bool:
        if products and product_id not in products:
            return False
        if brands and info.get("brand") not in brands:
            return False
        if categories and (catalog.get(product_id) or info).get("category") not in categories:
            return False
        if own is not None and bool(info.get("own")) != own:
            return False
        return not filters.get("list") or listed(product_id, at)

    return keep


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# --- visits ------------------------------------------------------------------------------------------


VISIT_HEADER = [
    "visit_id",
    "visit_uuid",
    "rep_id",
    "rep",
    "account_id",
    "account_class",
    "outlet_id",
    "outlet",
    "banner",
    "group",
    "format",
    "city",
    "region",
    "country",
    "source",
    "status",
    "day",
    "planned_start",
    "check_in_at",
    "check_out_at",
    "minutes_in_store",
    "check_in_distance_m",
    "flagged",
    "flag_reason",
    "outcome",
    "route_plan_id",
]


def visit_rows(
    session: Session, user: User, start: dt.date, end: dt.date, filters: dict[str, Any], statuses: list[str] | None
) -> Iterator[list[Any]]:
    from server.accounts.models import Account
    from server.analytics.kpis import _visit_day
    from server.outlets.models import Outlet
    from server.tenancy import visit_visibility
    from server.visits.models import Visit

    day = _visit_day(session)
    rep = aliased(User)
    where = [
        visit_visibility(user),
        day >= start,
        day <= end,
        *_outlet_filters(filters, Outlet, Account),
        *_territory_filter(session, user.org_id, filters, Visit.account_id),
    ]
    if filters.get("rep"):
        where.append(Visit.rep_id.in_(filters["rep"]))
    if statuses:
        where.append(Visit.status.in_(statuses))
    query = (
        select(
            Visit,
            rep.name,
            Account.account_class,
            Outlet.id,
            Outlet.name,
            Outlet.banner,
            Outlet.group_name,
            Outlet.format,
            Outlet.city,
            Outlet.region_code,
            Outlet.country,
            day,
        )
        .join(Account, Account.id == Visit.account_id)
        .join(Outlet, Outlet.id == Account.outlet_id)
        .outerjoin(rep, rep.id == Visit.rep_id)
        .where(*where)
        .order_by(day, Visit.id)
        .execution_options(yield_per=YIELD, stream_results=True)
    )
    yield VISIT_HEADER
    for (
        visit,
        rep_name,
        klass,
        outlet_id,
        name,
        banner,
        group,
        fmt,
        city,
        region,
        country,
        visit_day,
    ) in session.execute(query):
        minutes = None
        if visit.check_in_at and visit.check_out_at:
            minutes = round((_aware(visit.check_out_at) - _aware(visit.check_in_at)).total_seconds() / 60, 1)
        start_min = visit.planned_start_min
        yield [
            visit.id,
            visit.uuid,
            visit.rep_id,
            rep_name,
            visit.account_id,
            klass,
            outlet_id,
            name,
            banner,
            group,
            fmt,
            city,
            region,
            country,
            visit.source,
            visit.status,
            visit_day if isinstance(visit_day, dt.date) else (dt.date.fromisoformat(visit_day) if visit_day else None),
            f"{start_min // 60:02d}:{start_min % 60:02d}" if start_min is not None else None,
            _iso(visit.check_in_at),
            _iso(visit.check_out_at),
            minutes,
            round(visit.check_in_distance_m, 1) if visit.check_in_distance_m is not None else None,
            visit.flagged,
            visit.flag_reason,
            visit.outcome,
            visit.route_plan_id,
        ]
        session.expunge(visit)


# --- accounts ------------------------------------------------------------------------------------------


ACCOUNT_HEADER = [
    "account_id",
    "outlet_id",
    "outlet",
    "banner",
    "group",
    "format",
    "city",
    "region",
    "country",
    "class",
    "status",
    "visit_every_weeks",
    "rep_id",
    "rep",
    "territory_id",
    "last_visit_at",
    "visits_planned",
    "visits_done",
    "visits_expected",
    "covered",
]


def account_rows(
    session: Session, user: User, start: dt.date, end: dt.date, filters: dict[str, Any]
) -> Iterator[list[Any]]:
    """Accounts with their visits in the range against their frequency (the coverage KPI, per account)."""
    from server.accounts.models import Account
    from server.analytics.facts import refresh_account_territories
    from server.analytics.kpis import _visit_day
    from server.outlets.models import Outlet
    from server.tenancy import account_visibility
    from server.visits.models import Visit

    refresh_account_territories(session, user.org_id)
    day = _visit_day(session)
    done = (
        select(Visit.account_id.label("aid"), func.count().label("n"))
        .where(Visit.org_id == user.org_id, Visit.status == "done", day >= start, day <= end)
        .group_by(Visit.account_id)
        .subquery()
    )
    planned = (
        select(Visit.account_id.label("aid"), func.count().label("n"))
        .where(
            Visit.org_id == user.org_id,
            Visit.source.in_(["plan", "manual"]),
            Visit.status != "cancelled",
            day >= start,
            day <= end,
        )
        .group_by(Visit.account_id)
        .subquery()
    )
    territory = AccountTerritory.__table__
    rep = aliased(User)
    where = [account_visibility(user), *_outlet_filters(filters, Outlet, Account)]
    if filters.get("rep"):
        where.append(Account.assigned_rep_id.in_(filters["rep"]))
    if filters.get("territory"):
        where.append(territory.c.territory_id.in_(filters["territory"]))
    query = (
        select(
            Account.id,
            Outlet.id,
            Outlet.name,
            Outlet.banner,
            Outlet.group_name,
            Outlet.format,
            Outlet.city,
            Outlet.region_code,
            Outlet.country,
            Account.account_class,
            Account.status,
            Account.visit_every_weeks,
            Account.assigned_rep_id,
            rep.name,
            territory.c.territory_id,
            Account.last_visit_at,
            func.coalesce(planned.c.n, 0),
            func.coalesce(done.c.n, 0),
        )
        .join(Outlet, Outlet.id == Account.outlet_id)
        .outerjoin(rep, rep.id == Account.assigned_rep_id)
        .outerjoin(territory, territory.c.account_id == Account.id)
        .outerjoin(done, done.c.aid == Account.id)
        .outerjoin(planned, planned.c.aid == Account.id)
        .where(*where)
        .order_by(Account.id)
        .execution_options(yield_per=YIELD, stream_results=True)
    )
    days = (end - start).days + 1
    yield ACCOUNT_HEADER
    for row in session.execute(query):
        weeks, status, visits_done = row[11], row[10], int(row[17])
        expected = expected_visits(days, weeks) if weeks and status in ("customer", "prospect") else None
        yield [
            *row[:15],
            _iso(row[15]),
            int(row[16]),
            visits_done,
            expected,
            (visits_done >= expected) if expected is not None else None,
        ]


# --- writers ------------------------------------------------------------------------------------------


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula is quoted; control characters are dropped."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in ("=", "+", "-", "@"):
            return "'" + value
    elif isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def csv_chunks(rows: Iterable[list[Any]], every: int = 500) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_safe(v) for v in row])
        if count % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(rows: Iterable[list[Any]], sheet: str, path: Path | None = None) -> Path:
    """Write rows (the first is the header) to an XLSX file, streamed: the sheet's XML goes into the
    zip as it is produced, so memory stays flat whatever the size (a month of answers is millions of
    rows; openpyxl's write-only mode managed about a thousand rows a second, this about thirty).

    Cells: numbers, booleans and text (inline strings; formula-like text quoted, control characters
    dropped, at most 32,767 characters as a spreadsheet allows); ``None`` is an empty cell. The header
    row is bold and frozen, with an auto-filter.
    """
    import zipfile

    if path is None:
        handle, name = tempfile.mkstemp(prefix="rayon-export-", suffix=".xlsx")
        os.close(handle)
        path = Path(name)
    title = _xml(ILLEGAL_SHEET.sub("", sheet)[:31] or "export")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for member, text in _XLSX_PARTS.items():
            archive.writestr(member, text.replace("{title}", title))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            out.write(_SHEET_HEAD)
            width = 0
            buffer: list[str] = []
            for number, row in enumerate(rows, start=1):
                if number == 1:
                    width = len(row)
                    out.write(_FROZEN if width else "")
                    out.write("<sheetData>")
                buffer.append(_row_xml(number, row, number == 1))
                if len(buffer) >= 500:
                    out.write("".join(buffer))
                    buffer.clear()
            if not width and not buffer:
                out.write("<sheetData>")
            out.write("".join(buffer))
            out.write("</sheetData>")
            if width:
                out.write(f'<autoFilter ref="A1:{_column(width)}1"/>')
            out.write("</worksheet>")
            out.flush()
            out.detach()
    return path


ILLEGAL_SHEET = re.compile(r"[\\/?*\[\]:]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _column(n: int) -> str:
    name = ""
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def _row_xml(number: int, row: list[Any], header: bool) -> str:
    cells = []
    style = ' s="1"' if header else ""
    for value in row:
        if value is None:
            cells.append("<c/>")
        elif value is True or value is False:
            cells.append(f'<c t="b"{style}><v>{int(value)}</v></c>')
        elif isinstance(value, int | float | decimal.Decimal) and math.isfinite(value):
            cells.append(f"<c{style}><v>{value}</v></c>")
        else:
            # Inline strings are never formulas: text starting with "=" needs no quoting here.
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
            text = _CONTROL.sub("", text)[:32767]
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            cells.append(f'<c t="inlineStr"{style}><is><t{space}>{_xml(text)}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_FROZEN = (
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews>'
)
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
        'Target="docProps/app.xml"/>'
        "</Relationships>"
    ),
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
        "<dc:creator>Rayon</dc:creator></cp:coreProperties>"
    ),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Rayon</Application></Properties>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def file_chunks(path: Path, size: int = 256 * 1024) -> Iterator[bytes]:
    """The file's bytes, then the file is removed."""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(size):
                yield chunk
    finally:
        path.unlink(missing_ok=True)
