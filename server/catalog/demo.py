"""The demo brand's catalog, product lists and forms: Brisa Drinks' beverages and the competitors
its reps check on the shelf. Called by :func:`server.demo.seed_demo`.

The GTINs are made up (fixed company prefixes, valid check digits); the brands other than Brisa
are fictional too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from server.catalog.gtin import with_check_digit
from server.catalog.models import Product, ProductList, ProductListItem
from server.surveys import definition as defs
from server.surveys.models import Form, FormVersion

# (GTIN without its check digit, brand, name, category, size, own, list price in cents)
PRODUCTS: list[tuple[str, str, str, str, str, bool, int]] = [
    ("426059900001", "Brisa", "Brisa Sparkling Water", "water", "0.5 l", True, 69),
    ("426059900002", "Brisa", "Brisa Sparkling Water", "water", "1.0 l", True, 99),
    ("426059900003", "Brisa", "Brisa Still Water", "water", "0.5 l", True, 69),
    ("426059900004", "Brisa", "Brisa Still Water", "water", "1.5 l", True, 89),
    ("426059900005", "Brisa", "Brisa Lemon Spritz", "soft_drinks", "0.33 l can", True, 119),
    ("426059900006", "Brisa", "Brisa Orange Fizz", "soft_drinks", "0.33 l can", True, 119),
    ("426059900007", "Brisa", "Brisa Cola Zero", "soft_drinks", "0.5 l", True, 129),
    ("426059900008", "Brisa", "Brisa Iced Tea Peach", "iced_tea", "0.5 l", True, 139),
    ("426059900009", "Brisa", "Brisa Iced Tea Lemon", "iced_tea", "0.5 l", True, 139),
    ("426059900010", "Brisa", "Brisa Ginger Ale", "soft_drinks", "0.33 l", True, 149),
    ("426059900011", "Brisa", "Brisa Energy", "energy", "0.25 l can", True, 159),
    ("426059900012", "Brisa", "Brisa Summer Melon", "soft_drinks", "0.5 l", True, 129),
    ("409912300001", "Alpenquell", "Alpenquell Sprudel", "water", "0.5 l", False, 65),
    ("409912300002", "Alpenquell", "Alpenquell Naturell", "water", "1.5 l", False, 85),
    ("409912300003", "Fizzo", "Fizzo Cola", "soft_drinks", "0.5 l", False, 139),
    ("409912300004", "Fizzo", "Fizzo Cola Zero", "soft_drinks", "0.5 l", False, 139),
    ("409912300005", "Limonaia", "Limonaia Zitrone", "soft_drinks", "0.33 l", False, 109),
    ("409912300006", "VoltUp", "VoltUp Energy", "energy", "0.25 l can", False, 149),
    ("376012300001", "Source Claire", "Source Claire eau minérale", "water", "1.5 l", False, 79),
    ("376012300002", "Pétillante", "Pétillante citron", "soft_drinks", "0.33 l", False, 115),
]

# key, name, products (GTIN bodies without check digit), reference GTIN bodies
LISTS: list[tuple[str, str, list[str], set[str]]] = [
    ("core_range", "Core range", [f"4260599{n:05d}" for n in range(1, 10)], set()),
    (
        "store_check",
        "Store check: our range and the competition",
        [
            "426059900001",
            "426059900003",
            "426059900005",
            "426059900007",
            "426059900008",
            "409912300001",
            "409912300002",
            "409912300003",
            "409912300004",
            "409912300005",
            "376012300001",
        ],
        {"409912300001", "409912300002"},
    ),
    (
        "new_listing",
        "New listings",
        ["426059900010", "426059900011", "426059900012", "426059900005", "426059900008"],
        set(),
    ),
    ("summer_promo", "Summer promotion", ["426059900005", "426059900006", "426059900012"], set()),
]


def gtin(body: str) -> str:
    return with_check_digit(body)


def seed_catalog_and_forms(session: Session, org_id: int) -> dict[str, int]:
    """The demo catalog, its product lists and the four ready-made forms with their targeting."""
    products: dict[str, Product] = {}
    for number, brand, name, category, size, own, price in PRODUCTS:
        product = Product(
            org_id=org_id,
            gtin=gtin(number),
            brand=brand,
            name=name,
            category=category,
            size=size,
            own=own,
            list_price_minor=price,
            currency="EUR",
            active=True,
        )
        session.add(product)
        products[number] = product
    session.flush()
    for key, name, members, references in LISTS:
        product_list = ProductList(org_id=org_id, key=key, name=name)
        session.add(product_list)
        session.flush()
        for position, body in enumerate(members):
            session.add(
                ProductListItem(
                    org_id=org_id,
                    list_id=product_list.id,
                    product_id=products[body].id,
                    position=position,
                    reference=body in references,
                )
            )
    forms = 0
    for key, template in defs.templates().items():
        definition: dict[str, Any] = dict(template)
        targeting = definition.pop("targeting", None) or {}
        form = Form(
            org_id=org_id,
            key=key,
            title=defs.localise(definition["title"], "en") or key,
            active=True,
            targeting=targeting,
            source="template",
            template_key=key,
        )
        session.add(form)
        session.flush()
        from server.surveys.service import canonical_json, sha256

        version = FormVersion(
            org_id=org_id,
            form_id=form.id,
            version=1,
            definition=definition,
            checksum=sha256(canonical_json(definition)),
            note="ready-made form",
        )
        session.add(version)
        session.flush()
        form.current_version_id = version.id
        forms += 1
    session.flush()
    return {"products": len(PRODUCTS), "product_lists": len(LISTS), "forms": forms}
