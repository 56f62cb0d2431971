"""Forms, targeting, responses and photos: the rules, callable without HTTP.

Reads go through server.tenancy (the organization); responses and photos are further limited by
role: a rep sees their own, a manager their team's, HQ and admins all of the organization's.
Functions flush; the request boundary commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.accounts.models import Account
from server.auth.models import Role, User, utcnow
from server.auth.permissions import require
from server.catalog.gtin import GtinError, normalise_gtin
from server.catalog.models import Product, ProductList, ProductListItem
from server.errors import Problem, field_error
from server.outlets.models import Outlet
from server.surveys import definition as defs
from server.surveys.answers import Catalog, GridProduct, canonical_uuid, check_answers
from server.surveys.models import Form, FormVersion, Photo, ResponsePhoto, SurveyResponse
from server.tenancy import check_reference, get_scoped, outlet_visibility, scoped, team_ids

API = "/api/v1"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Client times are stored in UTC (SQLite keeps no offset)."""
    return value.astimezone(dt.UTC) if value is not None else None


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite gives naive datetimes back
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


# --- definitions and targeting ----------------------------------------------------------------


def _issues_problem(issues: list[defs.Issue], prefix: str) -> Problem:
    errors = [{"field": f"{prefix}.{i.path}" if i.path else prefix, "in": "body", "message": i.message} for i in issues]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    if len(errors) > 5:
        detail += f" (and {len(errors) - 5} more)"
    return Problem("validation-error", detail, errors=errors)


def checked_definition(definition: Any, prefix: str = "definition") -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A valid definition without its targeting, and the targeting it carried.

    :raise Problem: 422 listing every issue under ``prefix``.
    """
    issues = defs.validate(definition)
    if issues:
        raise _issues_problem(issues, prefix)
    definition = dict(definition)
    targeting = definition.pop("targeting", None)
    return definition, targeting


def checked_targeting(targeting: Any, field_name: str = "targeting") -> dict[str, Any]:
    from jsonschema import Draft202012Validator

    schema = {"$defs": defs.schema()["$defs"], "$ref": "#/$defs/targeting"}
    issues = [
        defs.Issue(defs.path_text(e.absolute_path), e.message)
        for e in Draft202012Validator(schema).iter_errors(targeting)
    ]
    if issues:
        raise _issues_problem(issues, field_name)
    return targeting


def rule_matches(rule: dict[str, Any], outlet: Outlet, account: Account | None) -> bool:
    if rule.get("formats") and outlet.format not in rule["formats"]:
        return False
    if rule.get("banners") and (outlet.banner or "").casefold() not in {b.casefold() for b in rule["banners"]}:
        return False
    if rule.get("countries") and outlet.country not in rule["countries"]:
        return False
    if rule.get("classes") and (account is None or account.account_class not in rule["classes"]):
        return False
    if rule.get("statuses"):
        status = account.status if account is not None else "prospect"  # no account yet: a prospect
        if status not in rule["statuses"]:
            return False
    if rule.get("tags") and (account is None or not set(account.tags or []) & set(rule["tags"])):
        return False
    return True


def applies(targeting: dict[str, Any] | None, outlet: Outlet, account: Account | None) -> tuple[bool, bool]:
    """(applies, mandatory). No rules: every outlet, optional."""
    rules = (targeting or {}).get("rules") or []
    if not rules:
        return True, False
    matching = [r for r in rules if rule_matches(r, outlet, account)]
    return bool(matching), any(r.get("mandatory") for r in matching)


# --- forms ----------------------------------------------------------------------------------------


def form_json(session: Session, form: Form, *, detail: bool = False) -> dict[str, Any]:
    version = session.get(FormVersion, form.current_version_id) if form.current_version_id else None
    body: dict[str, Any] = {
        "id": form.id,
        "key": form.key,
        "title": version.definition["title"] if version else form.title,
        "active": form.active,
        "source": form.source,
        "template_key": form.template_key,
        "targeting": form.targeting or {},
        "current_version": _version_summary(version) if version else None,
        "created_at": _iso(form.created_at),
        "updated_at": _iso(form.updated_at),
    }
    if detail and version is not None:
        body["definition"] = version.definition
        versions = session.execute(
            select(FormVersion).where(FormVersion.form_id == form.id).order_by(FormVersion.version.desc())
        ).scalars()
        body["versions"] = [_version_summary(v) for v in versions]
        wanted = defs.product_lists_of(version.definition)
        existing = (
            set(
                session.execute(
                    select(ProductList.key).where(
                        ProductList.org_id == form.org_id, ProductList.key.in_(sorted(wanted))
                    )
                ).scalars()
            )
            if wanted
            else set()
        )
        body["missing_product_lists"] = sorted(wanted - existing)
    return body


def _version_summary(version: FormVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "version": version.version,
        "checksum": version.checksum,
        "note": version.note,
        "created_by_id": version.created_by_id,
        "created_at": _iso(version.created_at),
    }


def version_json(version: FormVersion) -> dict[str, Any]:
    return {
        **_version_summary(version),
        "form_id": version.form_id,
        "form_key": version.form.key,
        "current": version.form.current_version_id == version.id,
        "definition": version.definition,
    }


def _form_by_key(session: Session, org_id: int, key: str) -> Form | None:
    return session.execute(select(Form).where(Form.org_id == org_id, Form.key == key)).scalar_one_or_none()


def create_form(session: Session, user: User, data: dict[str, Any]) -> Form:
    """A new form from a ready-made one (``template``) or a ``definition``; its version 1."""
    require(user, "forms.write")
    if "template" in data:
        template = defs.templates().get(data["template"])
        if template is None:
            raise field_error(
                "template",
                f"there is no ready-made form '{data['template']}' (known: {', '.join(defs.templates())})",
                "body",
            )
        definition, targeting = checked_definition(template)
        source, template_key = "template", data["template"]
    else:
        definition, targeting = checked_definition(data["definition"])
        source, template_key = data.get("source", "api"), None
    if "targeting" in data:
        targeting = checked_targeting(data["targeting"])
    existing = _form_by_key(session, user.org_id, definition["key"])
    if existing is not None:
        raise Problem(
            "conflict",
            f"The organization already has a form '{definition['key']}' ({existing.id}); add a version to it "
            f"(POST {API}/forms/{existing.id}/versions) or copy it under another key.",
            form_id=existing.id,
        )
    form = Form(
        org_id=user.org_id,
        key=definition["key"],
        title=defs.localise(definition["title"], "en") or definition["key"],
        active=data.get("active", True),
        targeting=targeting or {},
        source=source,
        template_key=template_key,
    )
    session.add(form)
    session.flush()
    _add_version(session, user, form, definition, data.get("note"))
    return form


def _add_version(session: Session, user: User, form: Form, definition: dict[str, Any], note: str | None) -> FormVersion:
    number = (
        session.execute(select(func.max(FormVersion.version)).where(FormVersion.form_id == form.id)).scalar() or 0
    ) + 1
    version = FormVersion(
        org_id=form.org_id,
        form_id=form.id,
        version=number,
        definition=definition,
        checksum=sha256(canonical_json(definition)),
        note=note,
        created_by_id=user.id,
    )
    version.form = form
    session.add(version)
    session.flush()
    form.current_version_id = version.id
    form.title = defs.localise(definition["title"], "en") or form.key
    session.flush()
    return version


def add_version(
    session: Session, user: User, form: Form, definition: Any, note: str | None
) -> tuple[FormVersion, bool]:
    """Edit a form: a new version, unless the definition is the current one (then nothing changes)."""
    require(user, "forms.write")
    definition, _targeting = checked_definition(definition)
    if definition["key"] != form.key:
        raise field_error("definition.key", f"must stay '{form.key}' (copy the form to use another key)", "body")
    current = session.get(FormVersion, form.current_version_id) if form.current_version_id else None
    if current is not None and current.checksum == sha256(canonical_json(definition)):
        return current, False
    return _add_version(session, user, form, definition, note), True


def update_form(session: Session, user: User, form: Form, data: dict[str, Any]) -> Form:
    require(user, "forms.write")
    if "targeting" in data:
        form.targeting = checked_targeting(data["targeting"])
    if "active" in data:
        form.active = data["active"]
    session.flush()
    return form


def copy_form(session: Session, user: User, form: Form, key: str, title: Any | None) -> Form:
    require(user, "forms.write")
    current = session.get(FormVersion, form.current_version_id)
    definition = json.loads(json.dumps(current.definition)) if current else None
    if definition is None:  # pragma: no cover - every form has a version
        raise Problem("conflict", f"Form {form.id} has no version to copy.")
    definition["key"] = key
    if title is not None:
        definition["title"] = title
    return create_form(
        session,
        user,
        {
            "definition": definition,
            "targeting": form.targeting or {},
            "active": form.active,
            "note": f"copy of {form.key} v{current.version}",
            "source": "copy",
        },
    )


def list_forms(session: Session, user: User, args: dict[str, Any]) -> list[dict[str, Any]]:
    require(user, "forms.read")
    query = scoped(Form, user)
    if "active" in args:
        query = query.where(Form.active.is_(args["active"]))
    if args.get("q"):
        like = f"%{args['q'].lower()}%"
        query = query.where(or_(func.lower(Form.title).like(like), func.lower(Form.key).like(like)))
    forms = session.execute(query.order_by(Form.key)).scalars()
    return [form_json(session, f) for f in forms]


def product_lists_json(session: Session, org_id: int, keys: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The products of each list a grid needs, as the web app renders and evaluates them."""
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in sorted(keys)}
    if not keys:
        return out
    rows = session.execute(
        select(ProductList.key, ProductListItem.reference, Product)
        .join(ProductListItem, ProductListItem.list_id == ProductList.id)
        .join(Product, Product.id == ProductListItem.product_id)
        .where(ProductList.org_id == org_id, ProductList.key.in_(sorted(keys)), Product.active.is_(True))
        .order_by(ProductList.key, ProductListItem.position)
    ).all()
    for key, reference, product in rows:
        out[key].append(
            {
                "product_id": product.id,
                "gtin": product.gtin,
                "brand": product.brand,
                "name": product.name,
                "category": product.category,
                "size": product.size,
                "own": product.own,
                "reference": reference,
            }
        )
    return out


def _outlet(session: Session, user: User, outlet_id: int, field_name: str, location: str) -> Outlet:
    outlet = session.execute(
        select(Outlet).where(Outlet.id == outlet_id, outlet_visibility(user.org_id))
    ).scalar_one_or_none()
    if outlet is None:
        raise Problem(
            "not-found" if location == "query" else "validation-error",
            f"{field_name}: there is no outlet {outlet_id}",
            errors=[{"field": field_name, "in": location, "message": f"no outlet {outlet_id}"}],
        )
    return outlet


def _account_of(session: Session, user: User, outlet_id: int) -> Account | None:
    return session.execute(scoped(Account, user).where(Account.outlet_id == outlet_id)).scalar_one_or_none()


def applicable_forms(session: Session, user: User, args: dict[str, Any]) -> dict[str, Any]:
    """The active forms whose targeting matches the outlet (and the organization's account there),
    mandatory first, each with its current definition and the product lists its grids need."""
    require(user, "forms.read")
    if "account_id" in args:
        account = check_reference(Account, args["account_id"], "account_id", user=user)
        assert account is not None
        outlet = account.outlet
    else:
        outlet = _outlet(session, user, args["outlet_id"], "outlet_id", "query")
        account = _account_of(session, user, outlet.id)
    items = []
    lists_needed: set[str] = set()
    forms = session.execute(scoped(Form, user).where(Form.active.is_(True)).order_by(Form.key)).scalars().all()
    for form in forms:
        ok, mandatory = applies(form.targeting, outlet, account)
        if not ok or form.current_version_id is None:
            continue
        version = session.get(FormVersion, form.current_version_id)
        keys = defs.product_lists_of(version.definition)
        lists_needed |= keys
        items.append(
            {
                "form_id": form.id,
                "key": form.key,
                "title": version.definition["title"],
                "mandatory": mandatory,
                "form_version_id": version.id,
                "version": version.version,
                "definition": version.definition,
                "product_lists": sorted(keys),
            }
        )
    items.sort(key=lambda i: (not i["mandatory"], i["key"]))
    return {
        "outlet": {
            "id": outlet.id,
            "name": outlet.name,
            "banner": outlet.banner,
            "format": outlet.format,
            "country": outlet.country,
        },
        "account": (
            {"id": account.id, "class": account.account_class, "status": account.status, "tags": account.tags or []}
            if account is not None
            else None
        ),
        "items": items,
        "product_lists": product_lists_json(session, user.org_id, lists_needed),
    }


# --- responses ------------------------------------------------------------------------------------


def _by_role(user: User, column: Any) -> ColumnElement[bool]:
    role = Role(user.role)
    if role in (Role.HQ, Role.ADMIN):
        return true()
    if role == Role.MANAGER:
        return column.in_(team_ids(user))
    return column == user.id


def responses_query(user: User) -> Select[tuple[SurveyResponse]]:
    """The responses ``user`` may read: the organization's, and a rep's own / a manager's team's."""
    return scoped(SurveyResponse, user).where(_by_role(user, SurveyResponse.rep_id))


def get_response(session: Session, user: User, response_id: int) -> SurveyResponse:
    require(user, "responses.read")
    get_scoped(SurveyResponse, response_id, what="response", user=user)  # the organization first
    response = session.execute(responses_query(user).where(SurveyResponse.id == response_id)).scalar_one_or_none()
    if response is None:
        raise Problem("not-found", f"There is no response {response_id}.")
    return response


def _catalog(session: Session, org_id: int, definition: dict[str, Any], answers: dict[str, Any]) -> Catalog:
    """The products the grid answers name (by id or GTIN), and the reference products of their lists."""
    ids: set[int] = set()
    gtins: set[str] = set()
    grids = [q for _, q in defs.iter_questions(definition) if q["type"] == "product_grid"]
    for q in grids:
        rows = answers.get(q["key"])
        if not isinstance(rows, list):
            continue
        for row in rows:
            if not isinstance(row, dict):
                continue
            if isinstance(row.get("product_id"), int) and not isinstance(row.get("product_id"), bool):
                ids.add(row["product_id"])
            if "gtin" in row:
                try:
                    gtins.add(normalise_gtin(row["gtin"]))
                except GtinError:
                    pass
    catalog = Catalog(by_id={}, by_gtin={})
    if ids or gtins:
        products = session.execute(
            select(Product).where(
                Product.org_id == org_id,
                or_(Product.id.in_(sorted(ids) or [-1]), Product.gtin.in_(sorted(gtins) or [""])),
            )
        ).scalars()
        for p in products:
            item = GridProduct(p.id, p.gtin, p.name, p.brand, p.category, p.own)
            catalog.by_id[p.id] = item
            catalog.by_gtin[p.gtin] = item
    keys = {q["product_list"] for q in grids}
    if keys:
        rows = session.execute(
            select(ProductList.key, ProductListItem.product_id)
            .join(ProductListItem, ProductListItem.list_id == ProductList.id)
            .where(ProductList.org_id == org_id, ProductList.key.in_(sorted(keys)), ProductListItem.reference.is_(True))
        ).all()
        for key, product_id in rows:
            catalog.references.setdefault(key, set()).add(product_id)
    return catalog


def submit_response(
    session: Session, user: User, data: dict[str, Any], raw: dict[str, Any]
) -> tuple[SurveyResponse, bool]:
    """Store a response whole after checking it completely, or return the stored one for a retry.

    :return: (response, created). :raise Problem: 422 listing every problem; 409 when the UUID is
        taken by a different body.
    """
    require(user, "responses.write")
    uuid = str(data["uuid"])
    body_hash = sha256(canonical_json(raw))
    existing = _existing(session, user, uuid, body_hash)
    if existing is not None:
        return existing, False
    version = session.execute(
        scoped(FormVersion, user).where(FormVersion.id == data["form_version_id"])
    ).scalar_one_or_none()
    if version is None:
        raise field_error("form_version_id", f"there is no form version {data['form_version_id']}", "body")
    account: Account | None = None
    if data.get("account_id") is not None:
        account = session.execute(scoped(Account, user).where(Account.id == data["account_id"])).scalar_one_or_none()
        if account is None:
            raise field_error("account_id", f"there is no account {data['account_id']}", "body")
        if data.get("outlet_id") is not None and data["outlet_id"] != account.outlet_id:
            raise field_error("outlet_id", f"is not the outlet of account {account.id} ({account.outlet_id})", "body")
        outlet_id = account.outlet_id
    else:
        outlet_id = _outlet(session, user, data["outlet_id"], "outlet_id", "body").id
        account = _account_of(session, user, outlet_id)
    if data["completed_at"] > utcnow() + dt.timedelta(days=1):
        raise field_error("completed_at", "is more than a day in the future; check the device's clock", "body")
    locale = data.get("locale") or user.locale
    result = check_answers(
        version.definition, data["answers"], _catalog(session, user.org_id, version.definition, data["answers"]), locale
    )
    if result.errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in result.errors[:5])
        if len(result.errors) > 5:
            detail += f" (and {len(result.errors) - 5} more)"
        raise Problem("validation-error", detail, errors=result.errors)
    response = SurveyResponse(
        org_id=user.org_id,
        uuid=uuid,
        form_id=version.form_id,
        form_version_id=version.id,
        outlet_id=outlet_id,
        account_id=account.id if account is not None else None,
        visit_uuid=str(data["visit_uuid"]) if data.get("visit_uuid") else None,
        rep_id=user.id,
        answers=result.answers,
        computed=result.computed,
        products=result.products,
        warnings=result.warnings,
        started_at=_utc(data.get("started_at")),
        completed_at=_utc(data["completed_at"]),
        received_at=utcnow(),
        body_sha256=body_hash,
        locale=locale,
    )
    try:
        # A savepoint: a clash must not undo the caller's other work (a sync batch).
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError:  # the same UUID arrived twice at once
        existing = _existing(session, user, uuid, body_hash)
        if existing is not None:
            return existing, False
        raise
    for question, position, photo_uuid in result.photos:
        session.add(
            ResponsePhoto(
                org_id=user.org_id, response_id=response.id, photo_uuid=photo_uuid, question=question, position=position
            )
        )
    session.flush()
    from server.analytics.facts import record_response  # the analytics facts, once this transaction commits

    record_response(session, response)
    return response, True


def _existing(session: Session, user: User, uuid: str, body_hash: str) -> SurveyResponse | None:
    existing = session.execute(
        select(SurveyResponse).where(SurveyResponse.org_id == user.org_id, SurveyResponse.uuid == uuid)
    ).scalar_one_or_none()
    if existing is None:
        return None
    if existing.body_sha256 == body_hash and existing.rep_id == user.id:
        return existing
    raise Problem(
        "conflict",
        f"A different response with uuid {uuid} is already stored; a retry must send the same body, "
        "a new response needs a new uuid.",
        errors=[{"field": "uuid", "in": "body", "message": "already used by another response"}],
    )


def response_json(session: Session, response: SurveyResponse, *, full: bool = True) -> dict[str, Any]:
    version = session.get(FormVersion, response.form_version_id)
    outlet = session.get(Outlet, response.outlet_id)
    rep = session.get(User, response.rep_id) if response.rep_id else None
    body: dict[str, Any] = {
        "id": response.id,
        "uuid": response.uuid,
        "form": {"id": response.form_id, "key": version.form.key, "title": version.definition["title"]},
        "form_version": {"id": version.id, "version": version.version},
        "outlet": {
            "id": outlet.id,
            "name": outlet.name,
            "banner": outlet.banner,
            "city": outlet.city,
            "country": outlet.country,
        },
        "account_id": response.account_id,
        "visit_uuid": response.visit_uuid,
        "rep": {"id": rep.id, "name": rep.name} if rep else None,
        "started_at": _iso(response.started_at),
        "completed_at": _iso(response.completed_at),
        "received_at": _iso(response.received_at),
        "locale": response.locale,
        "computed": response.computed or {},
    }
    if full:
        body["answers"] = response.answers
        body["products"] = response.products or {}
        body["photos"] = _response_photos(session, response)
        body["warnings"] = response.warnings or []
    return body


def _response_photos(session: Session, response: SurveyResponse) -> list[dict[str, Any]]:
    links = (
        session.execute(
            select(ResponsePhoto).where(ResponsePhoto.response_id == response.id).order_by(ResponsePhoto.id)
        )
        .scalars()
        .all()
    )
    uuids = sorted({link.photo_uuid for link in links})
    photos = {
        p.uuid: p
        for p in session.execute(
            select(Photo).where(Photo.org_id == response.org_id, Photo.uuid.in_(uuids or [""]))
        ).scalars()
    }
    out = []
    for link in links:
        photo = photos.get(link.photo_uuid)
        item: dict[str, Any] = {"uuid": link.photo_uuid, "question": link.question, "position": link.position}
        if photo is None:
            item["status"] = "pending"
        else:
            item.update({"status": "uploaded", **photo_json(photo, links=False)})
        out.append(item)
    return out


def list_responses(session: Session, user: User, args: dict[str, Any]) -> dict[str, Any]:
    require(user, "responses.read")
    query = responses_query(user)
    if "rep" in args:
        rep_id = user.id if args["rep"] == "me" else int(args["rep"])
        check_reference(User, rep_id, "rep", user=user)
        query = query.where(SurveyResponse.rep_id == rep_id)
    if "form_id" in args:
        check_reference(Form, args["form_id"], "form_id", user=user)
        query = query.where(SurveyResponse.form_id == args["form_id"])
    if "account_id" in args:
        check_reference(Account, args["account_id"], "account_id", user=user)
        query = query.where(SurveyResponse.account_id == args["account_id"])
    if "outlet_id" in args:
        query = query.where(SurveyResponse.outlet_id == args["outlet_id"])
    if "visit_uuid" in args:
        query = query.where(SurveyResponse.visit_uuid == str(args["visit_uuid"]))
    if args.get("from_"):
        start = dt.datetime.combine(args["from_"], dt.time.min, tzinfo=dt.UTC)
        query = query.where(SurveyResponse.completed_at >= start)
    if args.get("to"):
        end = dt.datetime.combine(args["to"] + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        query = query.where(SurveyResponse.completed_at < end)
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = session.execute(
        query.order_by(SurveyResponse.completed_at.desc(), SurveyResponse.id.desc())
        .limit(args["limit"])
        .offset(args["offset"])
    ).scalars()
    return {
        "items": [response_json(session, r, full=False) for r in rows],
        "total": total,
        "limit": args["limit"],
        "offset": args["offset"],
    }


# --- photos ---------------------------------------------------------------------------------------


def photos_query(user: User) -> Select[tuple[Photo]]:
    """Photos ``user`` may see: uploaded by someone they see, or part of a response they see."""
    visible_responses = responses_query(user).with_only_columns(SurveyResponse.id)
    linked = select(ResponsePhoto.photo_uuid).where(
        ResponsePhoto.org_id == user.org_id, ResponsePhoto.response_id.in_(visible_responses)
    )
    return scoped(Photo, user).where(or_(_by_role(user, Photo.uploaded_by_id), Photo.uuid.in_(linked)))


def get_photo(session: Session, user: User, photo_id: int) -> Photo:
    require(user, "responses.read")
    get_scoped(Photo, photo_id, what="photo", user=user)
    photo = session.execute(photos_query(user).where(Photo.id == photo_id)).scalar_one_or_none()
    if photo is None:
        raise Problem("not-found", f"There is no photo {photo_id}.")
    return photo


def photo_json(photo: Photo, *, links: bool = True, session: Session | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": photo.id,
        "uuid": photo.uuid,
        "url": f"{API}/photos/{photo.id}/file",
        "thumbnail_url": f"{API}/photos/{photo.id}/thumbnail",
        "width": photo.width,
        "height": photo.height,
        "bytes": photo.stored_bytes,
        "original_format": photo.original_format,
        "taken_at": _iso(photo.taken_at),
        "taken_at_source": photo.taken_at_source,
        "lat": photo.lat,
        "lon": photo.lon,
        "position_source": photo.position_source,
        "uploaded_by_id": photo.uploaded_by_id,
        "created_at": _iso(photo.created_at),
    }
    if links and session is not None:
        rows = session.execute(
            select(ResponsePhoto.response_id, ResponsePhoto.question)
            .where(ResponsePhoto.org_id == photo.org_id, ResponsePhoto.photo_uuid == photo.uuid)
            .order_by(ResponsePhoto.response_id)
        ).all()
        body["response_uuid"] = photo.response_uuid
        body["responses"] = [{"response_id": r, "question": q} for r, q in rows]
    return body


def upload_photo(session: Session, user: User, data: bytes, fields: dict[str, Any], storage: Any) -> tuple[Photo, bool]:
    """Store a photo under its client UUID (a retry with the same bytes returns it).

    :raise Problem: 422 naming ``file`` for what is not an accepted image; 409 for a UUID taken by
        other bytes.
    """
    from marshmallow import ValidationError

    from server.errors import flatten_messages
    from server.surveys.photos import PhotoError, process
    from server.surveys.schemas import PhotoFieldsSchema

    require(user, "photos.write")
    try:
        values = PhotoFieldsSchema().load(fields)
    except ValidationError as exc:
        errors = flatten_messages(exc.messages, "body")
        raise Problem(
            "validation-error", "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]), errors=errors
        ) from None
    uuid = canonical_uuid(str(values["uuid"]))
    digest = sha256(data)
    existing = session.execute(
        select(Photo).where(Photo.org_id == user.org_id, Photo.uuid == uuid)
    ).scalar_one_or_none()
    if existing is not None:
        if existing.sha256 == digest and existing.uploaded_by_id == user.id:
            return existing, False
        raise Problem(
            "conflict",
            f"Another photo with uuid {uuid} is already stored; a new photo needs a new uuid.",
            errors=[{"field": "uuid", "in": "body", "message": "already used by another photo"}],
        )
    try:
        processed = process(data)
    except PhotoError as exc:
        raise field_error("file", str(exc), "body") from None
    base = f"{user.org_id}/{uuid[:2]}/{uuid}"
    photo = Photo(
        org_id=user.org_id,
        uuid=uuid,
        uploaded_by_id=user.id,
        original_format=processed.format,
        original_bytes=len(data),
        sha256=digest,
        width=processed.width,
        height=processed.height,
        stored_bytes=len(processed.jpeg),
        storage_key=f"{base}.jpg",
        thumbnail_key=f"{base}.thumb.jpg",
        response_uuid=str(values["response_uuid"]) if values.get("response_uuid") else None,
    )
    if values.get("taken_at"):
        photo.taken_at, photo.taken_at_source = _utc(values["taken_at"]), "request"
    elif processed.taken_at is not None:
        photo.taken_at = _utc(processed.taken_at)
        photo.taken_at_source = "exif_naive" if processed.taken_at_naive else "exif"
    if "lat" in values:
        photo.lat, photo.lon, photo.position_source = values["lat"], values["lon"], "request"
    elif processed.lat is not None:
        photo.lat, photo.lon, photo.position_source = processed.lat, processed.lon, "exif"
    storage.put(photo.storage_key, processed.jpeg, "image/jpeg")
    storage.put(photo.thumbnail_key, processed.thumbnail, "image/jpeg")
    session.add(photo)
    session.flush()
    return photo, True
