"""A brand's own customer list in: map columns, clean every row, match it to an outlet, then apply.

1. **Read** (CSV in UTF-8, UTF-16, Windows-1252 or Latin-1, any delimiter; or XLSX) and
   **map** columns to fields: given explicitly, from a saved mapping of the organization, or
   suggested from the header (English, German, French names). Values every row shares
   (``country``, ``banner``, ``format``, ``status``) can be given as defaults.
2. **Clean** each row (:mod:`server.quality.normalise`), keeping notes of every repair.
3. **Match**: exactly by the brand's own customer id when it has been imported before, else by
   banner + address, else by similarity and distance (rows without coordinates are placed on
   their postcode or town centroid). Each row ends as ``matched`` (with its score),
   ``ambiguous`` (candidates for a person to choose) or ``new``. Nothing is dropped: a row that
   cannot be used is ``new`` with a note saying why it cannot be created.
4. **Apply** (after the dry run): accounts for matched rows, private outlets plus accounts for
   new rows, nothing for ambiguous rows until someone resolves them. Applying again, or
   importing the same file again, changes nothing.

Large files are matched in a background job (:mod:`server.jobs`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server import jobs
from server.accounts.models import Account, AccountClass, AccountStatus
from server.auth.models import User, utcnow
from server.auth.permissions import require
from server.errors import Problem, field_error
from server.outlets.models import Outlet, OutletFormat
from server.quality import banners
from server.quality.facts import new_outlet
from server.quality.matching import MATCH, Matcher, Place
from server.quality.models import AccountExternalId, CustomerImport, CustomerImportRow, ImportMapping
from server.quality.normalise import (
    check_position,
    clean_city,
    clean_text,
    expand_street,
    normalise_country,
    normalise_postcode,
    parse_coordinate,
    phone_e164,
    smart_case,
    split_street,
    strip_postal_noise,
)
from server.quality.tables import TARGETS, read_table, suggest_columns
from server.tenancy import get_scoped, outlet_visibility
from server.text import fold

#: Files with more rows than this are matched by a background job.
INLINE_ROWS = 2_000
DEFAULT_KEYS = ("country", "banner", "format", "status", "account_class")
FORMATS = [f.value for f in OutletFormat]
_FORMAT_WORDS = {
    "hyper": "hypermarket",
    "hypermarche": "hypermarket",
    "sb warenhaus": "hypermarket",
    "verbrauchermarkt": "hypermarket",
    "super": "supermarket",
    "supermarche": "supermarket",
    "supermarkt": "supermarket",
    "discounter": "discount",
    "discount": "discount",
    "hard discount": "discount",
    "proxi": "convenience",
    "proximite": "convenience",
    "superette": "convenience",
    "kiosk": "convenience",
    "tankstelle": "convenience",
    "drogerie": "drugstore",
    "drogeriemarkt": "drugstore",
    "droguerie": "drugstore",
    "cash carry": "cash_and_carry",
    "cash and carry": "cash_and_carry",
    "grossmarkt": "cash_and_carry",
    "c c": "cash_and_carry",
}
_STATUS_WORDS = {
    "customer": "customer",
    "client": "customer",
    "kunde": "customer",
    "active": "customer",
    "aktiv": "customer",
    "actif": "customer",
    "prospect": "prospect",
    "interessent": "prospect",
    "lead": "prospect",
    "lost": "lost",
    "verloren": "lost",
    "perdu": "lost",
    "inactive": "lost",
    "inaktiv": "lost",
    "not a target": "not_a_target",
    "kein ziel": "not_a_target",
}


# --- mappings ---------------------------------------------------------------------------------


def mapping_json(mapping: ImportMapping) -> dict[str, Any]:
    return {
        "id": mapping.id,
        "name": mapping.name,
        "columns": mapping.columns,
        "defaults": mapping.defaults,
        "created_at": mapping.created_at.isoformat() if mapping.created_at else None,
        "updated_at": mapping.updated_at.isoformat() if mapping.updated_at else None,
    }


def check_defaults(defaults: dict[str, Any], prefix: str = "defaults") -> dict[str, Any]:
    """:raise Problem: 422 naming ``defaults.<key>`` for an unknown key or value."""
    out: dict[str, Any] = {}
    errors = []
    for key, value in defaults.items():
        field = f"{prefix}.{key}"
        if key not in DEFAULT_KEYS:
            errors.append((field, f"not a default; one of {', '.join(DEFAULT_KEYS)}"))
        elif value is None:
            continue
        elif not isinstance(value, str) or not value.strip() or len(value) > 100:
            errors.append((field, "must be a non-empty text of at most 100 characters"))
        elif key == "country":
            country = normalise_country(value)
            if country is None:
                errors.append((field, "must be a country (ISO code such as DE or FR)"))
            out[key] = country
        elif key == "format" and value not in FORMATS:
            errors.append((field, f"must be one of {', '.join(FORMATS)}"))
        elif key == "status" and value not in [s.value for s in AccountStatus]:
            errors.append((field, f"must be one of {', '.join(s.value for s in AccountStatus)}"))
        elif key == "account_class" and value not in [c.value for c in AccountClass]:
            errors.append((field, "must be A, B or C"))
        else:
            out[key] = value.strip()
    if errors:
        raise Problem(
            "validation-error",
            "; ".join(f"{f}: {m}" for f, m in errors),
            errors=[{"field": f, "in": "body", "message": m} for f, m in errors],
        )
    return out


def check_columns(columns: dict[str, Any], header: list[str] | None = None, prefix: str = "columns") -> dict[str, str]:
    errors = []
    for target, column in columns.items():
        if target not in TARGETS:
            errors.append((f"{prefix}.{target}", f"not a field; one of {', '.join(TARGETS)}"))
        elif not isinstance(column, str) or not column.strip():
            errors.append((f"{prefix}.{target}", "must name a column of the file"))
        elif header is not None and column not in header:
            errors.append((f"{prefix}.{target}", f"the file has no column {column!r} (it has: {', '.join(header)})"))
    if errors:
        raise Problem(
            "validation-error",
            "; ".join(f"{f}: {m}" for f, m in errors),
            errors=[{"field": f, "in": "body", "message": m} for f, m in errors],
        )
    return {k: v for k, v in columns.items()}


# --- one row ----------------------------------------------------------------------------------


def _cell(raw: dict[str, Any], columns: dict[str, str], target: str) -> Any:
    column = columns.get(target)
    return raw.get(column) if column else None


def clean_row(
    raw: dict[str, Any], columns: dict[str, str], defaults: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The normalised fields of one row and the notes of what was repaired or dropped."""
    notes: list[str] = []
    country = normalise_country(_cell(raw, columns, "country"), defaults.get("country"))
    if _cell(raw, columns, "country") and country is None:
        notes.append(f"country {_cell(raw, columns, 'country')!r} not understood")
    street = clean_text(_cell(raw, columns, "street"), 200)
    number = clean_text(_cell(raw, columns, "house_number"), 20)
    address = clean_text(_cell(raw, columns, "address"), 300)
    if address and not street:
        address, removed = strip_postal_noise(address)
        notes += removed
        street, split_number = split_street(address, country)
        number = number or split_number
    elif street:
        street, removed = strip_postal_noise(street)
        notes += removed
        if not number:
            street, number = split_street(street, country)
    street = smart_case(expand_street(street)) if street else None
    city, cedex, city_notes = clean_city(_cell(raw, columns, "city"))
    notes += city_notes
    postcode, note = normalise_postcode(_cell(raw, columns, "postcode"), country)
    if note:
        notes.append(note)
    lat, lon, note = check_position(
        parse_coordinate(_cell(raw, columns, "lat")), parse_coordinate(_cell(raw, columns, "lon")), country
    )
    if note:
        notes.append(note)
    phone, note = phone_e164(_cell(raw, columns, "phone"), country)
    if note:
        notes.append(note)
    name = smart_case(clean_text(_cell(raw, columns, "name"), 200))
    banner_text = clean_text(_cell(raw, columns, "banner"), 100) or defaults.get("banner")
    banner = banners.normalise(brand=banner_text, country=country) if banner_text else None
    if banner is None and name:
        known = banners.lookup(name, country, anywhere=False)
        banner = known.name if known else None
    if not name:
        name = banner
    elif banner and fuzz.partial_ratio(fold(banner), fold(name)) < 80:
        name = f"{banner} {name}"[:200]  # "Dijon" in Cora's list is the store "Cora Dijon"
    format_ = _format(clean_text(_cell(raw, columns, "format")), notes) or banners.format_of(banner)
    format_ = format_ or defaults.get("format")
    status = _status(clean_text(_cell(raw, columns, "status")), notes) or defaults.get("status") or "customer"
    klass = (clean_text(_cell(raw, columns, "account_class")) or defaults.get("account_class") or "").upper() or None
    if klass and klass not in ("A", "B", "C"):
        notes.append(f"class {klass!r} is not A, B or C; ignored")
        klass = None
    website = clean_text(_cell(raw, columns, "website"), 300)
    if website and not re.match(r"^https?://", website):
        website = "https://" + website if re.match(r"^[\w.-]+\.[a-z]{2,}(/.*)?$", website, re.I) else None
    external_id = clean_text(_cell(raw, columns, "external_id"), 100)
    values = {
        "external_id": external_id,
        "name": name,
        "banner": banner,
        "format": format_,
        "street": street,
        "house_number": number,
        "postcode": postcode,
        "city": city,
        "cedex": cedex,
        "country": country,
        "lat": lat,
        "lon": lon,
        "phone": phone,
        "website": website,
        "status": status,
        "account_class": klass,
    }
    return values, notes


def _format(text: str | None, notes: list[str]) -> str | None:
    if not text:
        return None
    key = fold(text)
    if text in FORMATS:
        return text
    for word, value in _FORMAT_WORDS.items():
        if key == word or key.startswith(word + " "):
            return value
    notes.append(f"format {text!r} not understood")
    return None


def _status(text: str | None, notes: list[str]) -> str | None:
    if not text:
        return None
    value = _STATUS_WORDS.get(fold(text)) or (text if text in [s.value for s in AccountStatus] else None)
    if value is None:
        notes.append(f"status {text!r} not understood")
    return value


def place_of_values(values: dict[str, Any]) -> Place:
    return Place(
        name=values.get("name"),
        banner=values.get("banner"),
        street=values.get("street"),
        house_number=values.get("house_number"),
        postcode=values.get("postcode"),
        city=values.get("city"),
        country=values.get("country"),
        lat=values.get("lat"),
        lon=values.get("lon"),
        precision="exact" if values.get("lat") is not None else None,
        phone=values.get("phone"),
        cedex=bool(values.get("cedex")),
    )


# --- the import -------------------------------------------------------------------------------


def start_import(
    session: Session,
    user: User,
    data: bytes,
    *,
    file_name: str | None = None,
    columns: dict[str, str] | None = None,
    defaults: dict[str, Any] | None = None,
    mapping_id: int | None = None,
) -> CustomerImport:
    """Read, map and store the rows, then match them (here, or in a job for large files)."""
    require(user, "accounts.write")
    table = read_table(data)
    chosen: dict[str, str] = {}
    chosen_defaults: dict[str, Any] = {}
    if mapping_id is not None:
        try:
            mapping = get_scoped(ImportMapping, mapping_id, what="mapping", user=user)
        except Problem:
            raise field_error("mapping_id", f"there is no mapping {mapping_id}", "body") from None
        chosen.update(mapping.columns)
        chosen_defaults.update(mapping.defaults)
    if not chosen:
        chosen = suggest_columns(table.header)
    chosen.update(columns or {})
    chosen_defaults.update(defaults or {})
    chosen = check_columns(chosen, table.header)
    chosen_defaults = check_defaults(chosen_defaults)
    if not ({"name", "address", "street", "lat", "external_id"} & set(chosen)):
        raise field_error(
            "columns",
            "no column holds a name, an address or coordinates; map them with columns "
            f"(the file's columns: {', '.join(table.header)})",
            "body",
        )
    record = CustomerImport(
        org_id=user.org_id,
        user_id=user.id,
        file_name=(file_name or "")[:300] or None,
        file_sha256=hashlib.sha256(data).hexdigest(),
        encoding=table.encoding,
        status="matching",
        columns=chosen,
        defaults=chosen_defaults,
        summary={
            "ignored_columns": [h for h in table.header if h not in chosen.values()],
            "delimiter": table.delimiter,
        },
    )
    session.add(record)
    session.flush()
    rows = []
    for offset, cells in enumerate(table.rows):
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        raw = {h: _plain(cells[i]) if i < len(cells) else None for i, h in enumerate(table.header)}
        rows.append(
            {
                "import_id": record.id,
                "org_id": user.org_id,
                "row_number": table.first_row_number + offset,
                "raw": raw,
                "values": {},
                "notes": [],
                "outcome": "pending",
                "candidates": [],
            }
        )
    if not rows:
        raise field_error("file", "the file has a header but no rows", "body")
    session.execute(CustomerImportRow.__table__.insert(), rows)
    session.flush()
    if len(rows) > INLINE_ROWS:
        job = jobs.submit(
            session,
            org_id=user.org_id,
            user_id=user.id,
            kind="quality.customer_import",
            params={"import_id": record.id},
        )
        record.job_id = job.id
        record.summary = {**record.summary, "rows": len(rows)}
    else:
        match_import(session, record)
    session.flush()
    return record


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def match_import(session: Session, record: CustomerImport, progress: Any = None) -> None:
    """Clean and match every row of an import (the dry run)."""
    matcher = Matcher(session, record.org_id)
    external = dict(
        session.execute(
            select(AccountExternalId.external_id, Account.outlet_id)
            .join(Account, Account.id == AccountExternalId.account_id)
            .where(AccountExternalId.org_id == record.org_id)
        ).all()
    )
    rows = (
        session.execute(
            select(CustomerImportRow)
            .where(CustomerImportRow.import_id == record.id)
            .order_by(CustomerImportRow.row_number)
        )
        .scalars()
        .all()
    )
    by_outlet: dict[int, CustomerImportRow] = {}
    for index, row in enumerate(rows):
        values, notes = clean_row(row.raw, record.columns, record.defaults)
        place = place_of_values(values)
        if values["external_id"] and values["external_id"] in external:
            outcome, outlet_id, score, method, candidates = (
                "matched",
                external[values["external_id"]],
                1.0,
                "external_id",
                [],
            )
        else:
            decision = matcher.decide(place)
            outcome, outlet_id, score = decision.outcome, decision.outlet_id, decision.score
            method, candidates = decision.method, decision.candidates
            if place.precision and place.precision != "exact":
                notes.append(f"no coordinates: placed on the {place.precision} centroid")
                values["position_precision"] = place.precision
            if place.lat is not None and values["lat"] is None:
                values["geocoded"] = {"lat": round(place.lat, 6), "lon": round(place.lon, 6)}  # type: ignore[arg-type]
            if place.lat is None:
                notes.append("no position: no coordinates, and neither postcode nor town is known")
        row.values, row.notes = values, notes
        row.outcome, row.outlet_id, row.score, row.method, row.candidates = (
            outcome,
            outlet_id,
            score,
            method,
            candidates,
        )
        if outcome == "matched" and outlet_id is not None:
            other = by_outlet.get(outlet_id)
            if other is not None:
                loser = row if (row.score or 0) <= (other.score or 0) else other
                winner = other if loser is row else row
                loser.notes = [*loser.notes, f"row {winner.row_number} matches the same outlet"]
                loser.candidates = loser.candidates or [{"outlet_id": outlet_id, "score": loser.score}]
                loser.outcome, loser.outlet_id, loser.method = "ambiguous", None, None
                by_outlet[outlet_id] = winner
            else:
                by_outlet[outlet_id] = row
        if progress and index % 200 == 0:
            progress(index, len(rows))
    record.status = "ready"
    record.summary = {**record.summary, **_counts(rows)}
    session.flush()


def _counts(rows: list[CustomerImportRow]) -> dict[str, Any]:
    outcomes = Counter(r.outcome for r in rows)
    methods = Counter(r.method for r in rows if r.outcome == "matched")
    applied = Counter(r.applied for r in rows if r.applied)
    return {
        "rows": len(rows),
        "matched": outcomes.get("matched", 0),
        "ambiguous": outcomes.get("ambiguous", 0),
        "new": outcomes.get("new", 0),
        "matched_by": dict(sorted(methods.items())),
        "rows_with_notes": sum(1 for r in rows if r.notes),
        "unresolved": sum(1 for r in rows if r.outcome == "ambiguous" and not r.resolution),
        "applied": dict(sorted(applied.items())),
    }


def run_import_job(context: jobs.JobContext) -> dict[str, Any]:
    session = context.session
    record = session.get(CustomerImport, context.params["import_id"])
    if record is None:
        raise ValueError(f"customer import {context.params['import_id']} is gone")
    try:
        match_import(session, record, progress=lambda i, n: None)
    except Exception as exc:
        session.rollback()
        record = session.get(CustomerImport, context.params["import_id"])
        record.status, record.error = "failed", str(exc)[:500]
        session.commit()
        raise
    session.commit()
    return {"import_id": record.id, **{k: record.summary.get(k) for k in ("rows", "matched", "ambiguous", "new")}}


jobs.register("quality.customer_import", run_import_job)


def import_json(record: CustomerImport) -> dict[str, Any]:
    return {
        "id": record.id,
        "file_name": record.file_name,
        "status": record.status,
        "encoding": record.encoding,
        "columns": record.columns,
        "defaults": record.defaults,
        "summary": record.summary,
        "error": record.error,
        "job_id": record.job_id,
        "job_url": f"/api/v1/jobs/{record.job_id}" if record.job_id else None,
        "created_at": record.created_at.isoformat() if record.created_at else None,
        "applied_at": record.applied_at.isoformat() if record.applied_at else None,
        "url": f"/api/v1/customer-imports/{record.id}",
    }


def row_json(row: CustomerImportRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "row": row.row_number,
        "outcome": row.outcome,
        "method": row.method,
        "score": row.score,
        "outlet_id": row.outlet_id,
        "candidates": row.candidates,
        "values": row.values,
        "notes": row.notes,
        "raw": row.raw,
        "resolution": row.resolution,
        "applied": row.applied,
        "account_id": row.account_id,
    }


def list_rows(session: Session, record: CustomerImport, args: dict[str, Any]) -> dict[str, Any]:
    query = select(CustomerImportRow).where(CustomerImportRow.import_id == record.id)
    if args.get("outcome"):
        query = query.where(CustomerImportRow.outcome.in_(args["outcome"]))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(CustomerImportRow.row_number).limit(args["limit"]).offset(args["offset"])
    ).scalars()
    return {"items": [row_json(r) for r in rows], "total": total, "limit": args["limit"], "offset": args["offset"]}


# --- applying ---------------------------------------------------------------------------------


def apply_import(session: Session, user: User, record: CustomerImport) -> dict[str, Any]:
    """Accounts (and private outlets) for every decided row; idempotent."""
    require(user, "accounts.write")
    if record.status == "matching":
        raise Problem("conflict", f"Import {record.id} is still being matched; apply it when its job is done.")
    if record.status == "failed":
        raise Problem("conflict", f"Import {record.id} failed ({record.error}); upload the file again.")
    rows = (
        session.execute(
            select(CustomerImportRow)
            .where(CustomerImportRow.import_id == record.id)
            .order_by(CustomerImportRow.row_number)
        )
        .scalars()
        .all()
    )
    applier = _Applier(session, user)
    for row in rows:
        applier.apply(row)
    record.status = "applied"
    record.applied_at = record.applied_at or utcnow()
    record.summary = {**record.summary, **_counts(rows)}
    session.flush()
    return {"import": import_json(record), "changes": dict(applier.changes)}


class _Applier:
    def __init__(self, session: Session, user: User) -> None:
        self.session = session
        self.user = user
        self.matcher = Matcher(session, user.org_id)
        self.changes: Counter[str] = Counter()
        self.created: set[int] = set()

    def apply(self, row: CustomerImportRow) -> None:
        if row.applied in ("created", "existing"):
            return
        target = self._target(row)
        if target is None:
            return
        outlet_id, outlet_created = target
        values = row.values
        account_id = self.session.execute(
            select(Account.id).where(Account.org_id == self.user.org_id, Account.outlet_id == outlet_id)
        ).scalar_one_or_none()
        if account_id is None:
            from server.accounts.service import create_account

            data: dict[str, Any] = {"outlet_id": outlet_id, "status": values.get("status") or "customer"}
            if values.get("account_class"):
                data["account_class"] = values["account_class"]
            savepoint = self.session.begin_nested()
            try:
                account = create_account(self.session, self.user, data)
            except Problem as problem:
                savepoint.rollback()
                row.applied, row.notes = "skipped", [*row.notes, f"account not created: {problem.detail}"]
                self.changes["skipped"] += 1
                return
            savepoint.commit()
            account_id = account.id
            row.applied = "created"
            self.changes["accounts_created"] += 1
        else:
            row.applied = "existing"
            self.changes["accounts_existing"] += 1
        if outlet_created:
            self.changes["private_outlets_created"] += 1
        row.account_id = account_id
        self._external_id(row, account_id)

    def _target(self, row: CustomerImportRow) -> tuple[int, bool] | None:
        decision = row.resolution or ("outlet" if row.outcome == "matched" else row.outcome)
        if decision == "skip":
            row.applied = "skipped"
            return None
        if decision == "ambiguous":
            return None  # waits for a person
        if decision == "outlet" and row.outlet_id is not None:
            visible = self.session.execute(
                select(Outlet.id).where(Outlet.id == row.outlet_id, outlet_visibility(self.user.org_id))
            ).scalar_one_or_none()
            if visible is not None:
                return visible, False
            row.notes = [*row.notes, f"outlet {row.outlet_id} no longer exists"]
        return self._new_outlet(row)

    def _new_outlet(self, row: CustomerImportRow) -> tuple[int, bool] | None:
        values = dict(row.values)
        position = values.get("geocoded") if values.get("lat") is None else values
        missing = [
            label
            for label, ok in (
                ("a name", values.get("name")),
                ("a country", values.get("country")),
                ("a position (coordinates, or a known postcode or town)", position),
            )
            if not ok
        ]
        if missing:
            row.applied = "skipped"
            row.notes = [*row.notes, "no outlet created: the row lacks " + ", ".join(missing)]
            self.changes["skipped"] += 1
            return None
        place = place_of_values({**values, "lat": position["lat"], "lon": position["lon"]})  # type: ignore[index]
        # Two rows of the same file (or an earlier apply) may describe one new store.
        for _, candidate in self.matcher.index.near(place.lat, place.lon, 300):  # type: ignore[arg-type]
            if candidate.id in self.created and _same(place, candidate):
                return candidate.id, False
        require(self.user, "outlets.create_private")
        outlet = new_outlet(
            self.session,
            {
                **values,
                "name": values["name"],
                "format": values.get("format") or "supermarket",
                "lat": position["lat"],  # type: ignore[index]
                "lon": position["lon"],  # type: ignore[index]
            },
            org_id=self.user.org_id,
            source=f"org:{self.user.org_id}",
            status="unverified",
        )
        if not values.get("format"):
            row.notes = [*row.notes, "format unknown: created as supermarket"]
        created = Place(**{**place.__dict__, "id": outlet.id, "org_id": self.user.org_id, "_keys": {}})
        self.matcher.index.add(created)
        self.created.add(outlet.id)
        row.outlet_id = outlet.id
        return outlet.id, True

    def _external_id(self, row: CustomerImportRow, account_id: int) -> None:
        external = row.values.get("external_id")
        if not external:
            return
        existing = self.session.execute(
            select(AccountExternalId).where(
                AccountExternalId.org_id == self.user.org_id, AccountExternalId.external_id == external
            )
        ).scalar_one_or_none()
        if existing is None:
            self.session.add(AccountExternalId(org_id=self.user.org_id, external_id=external, account_id=account_id))
            self.session.flush()
        elif existing.account_id != account_id:
            row.notes = [*row.notes, f"customer id {external} already belongs to account {existing.account_id}"]


def _same(a: Place, b: Place) -> bool:
    from server.quality.matching import score

    return score(a, b).value >= MATCH


def resolve_row(
    session: Session, user: User, record: CustomerImport, row: CustomerImportRow, data: dict[str, Any]
) -> CustomerImportRow:
    """A person's decision for an ambiguous (or any not yet applied) row: an outlet, new, or skip.
    When the import was applied already, the row is applied at once."""
    require(user, "accounts.write")
    if row.applied in ("created", "existing"):
        raise Problem("conflict", f"Row {row.row_number} was applied already (account {row.account_id}).")
    if "outlet_id" in data:
        outlet = session.execute(
            select(Outlet.id).where(Outlet.id == data["outlet_id"], outlet_visibility(user.org_id))
        ).scalar_one_or_none()
        if outlet is None:
            raise field_error("outlet_id", f"there is no outlet {data['outlet_id']}", "body")
        row.resolution, row.outlet_id, row.method = "outlet", outlet, "chosen"
    else:
        row.resolution = data["decision"]
        if row.resolution == "new":
            row.outlet_id = None
    row.applied = None
    if record.status == "applied":
        applier = _Applier(session, user)
        applier.apply(row)
        record.summary = {
            **record.summary,
            **_counts(
                session.execute(select(CustomerImportRow).where(CustomerImportRow.import_id == record.id))
                .scalars()
                .all()
            ),
        }
    session.flush()
    return row
