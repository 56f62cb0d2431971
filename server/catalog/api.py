"""The catalog: products (own and competitors') and product lists.

GET    /api/v1/products                      list: q, own, brand, category, active, gtin; paging
POST   /api/v1/products                      create (GTIN check digit verified; 409 if the GTIN exists)
POST   /api/v1/products/import               CSV or XLSX: dry run (default) or apply; idempotent by GTIN
GET    /api/v1/products/{id}                 one
PATCH  /api/v1/products/{id}                 change (active=false retires it)
GET    /api/v1/product-lists                 the lists (without their products)
POST   /api/v1/product-lists                 create, with its products in order
GET    /api/v1/product-lists/{id}            one, with its products
PATCH  /api/v1/product-lists/{id}            change name/key, or replace its products
DELETE /api/v1/product-lists/{id}            remove (the products stay)
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import RAISE

from server.api import Blueprint
from server.auth.permissions import require
from server.catalog import service
from server.catalog.models import Product, ProductList
from server.catalog.schemas import ImportQuerySchema, ProductListWriteSchema, ProductQuerySchema, ProductWriteSchema
from server.db import db
from server.http import body_doc, created, load_body
from server.surveys.uploads import MULTIPART, XLSX, read_upload
from server.tenancy import current_user, delete_scoped, get_scoped, scoped

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="Products and product lists (private)")

IMPORT_MAX_BYTES = 10_000_000
IMPORT_TYPES = ("text/csv", "text/plain", XLSX, "application/octet-stream")


@blp.route("/products")
class Products(MethodView):
    @blp.arguments(ProductQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """List products (own first, then by brand and name)"""
        return jsonify(service.list_products(db.session, current_user(), args))

    @blp.doc(requestBody=body_doc(ProductWriteSchema))
    def post(self) -> Any:
        """Create a product"""
        user = current_user()
        require(user, "catalog.write")
        product = service.create_product(db.session, user, load_body(ProductWriteSchema))
        return created(service.product_json(product))


@blp.route("/products/import")
class ProductImport(MethodView):
    @blp.arguments(ImportQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(
        requestBody={
            "required": True,
            "description": "A CSV (comma or semicolon, UTF-8) or XLSX file with a header row: gtin, brand, "
            "name (required), category, size, own (yes/no or own/competitor), list_price, currency, active. "
            "As the raw body or in the multipart field `file`.",
            "content": {MULTIPART: {"schema": {"type": "object"}}, "text/csv": {}, XLSX: {}},
        }
    )
    def post(self, dry_run: bool) -> Any:
        """Import products from CSV or XLSX

        Rows are matched by GTIN: new GTINs are created, known ones updated, identical ones left
        alone (a re-import changes nothing). Each rejected row is reported with its row number,
        column and reason, and skipped. `dry_run=true` (the default) only reports.
        """
        user = current_user()
        require(user, "catalog.write")
        data, _ = read_upload(IMPORT_TYPES, IMPORT_MAX_BYTES)
        return jsonify(service.import_products(db.session, user, data, dry_run=dry_run))


@blp.route("/products/<int:product_id>")
class ProductDetail(MethodView):
    def get(self, product_id: int) -> Any:
        """One product"""
        product = get_scoped(Product, product_id, what="product")
        require(current_user(), "catalog.read")
        return jsonify(service.product_json(product))

    @blp.doc(requestBody=body_doc(ProductWriteSchema, "Any subset of the fields"))
    def patch(self, product_id: int) -> Any:
        """Change a product"""
        user = current_user()
        product = get_scoped(Product, product_id, what="product")
        require(user, "catalog.write")
        service.update_product(db.session, user, product, load_body(ProductWriteSchema, partial=True))
        return jsonify(service.product_json(product))


@blp.route("/product-lists")
class ProductLists(MethodView):
    def get(self) -> Any:
        """Product lists of the organization"""
        require(current_user(), "catalog.read")
        lists = db.session.execute(scoped(ProductList).order_by(ProductList.key)).scalars()
        return jsonify({"items": [service.product_list_json(pl, products=False) for pl in lists]})

    @blp.doc(requestBody=body_doc(ProductListWriteSchema))
    def post(self) -> Any:
        """Create a product list"""
        user = current_user()
        require(user, "catalog.write")
        data = load_body(ProductListWriteSchema)
        product_list = ProductList(org_id=user.org_id)
        service.save_product_list(db.session, user, product_list, data)
        return created(service.product_list_json(product_list))


@blp.route("/product-lists/<int:list_id>")
class ProductListDetail(MethodView):
    def get(self, list_id: int) -> Any:
        """One product list with its products in order"""
        product_list = get_scoped(ProductList, list_id, what="product list")
        require(current_user(), "catalog.read")
        return jsonify(service.product_list_json(product_list))

    @blp.doc(requestBody=body_doc(ProductListWriteSchema, "Any subset; `products` replaces the whole list"))
    def patch(self, list_id: int) -> Any:
        """Change a product list"""
        user = current_user()
        product_list = get_scoped(ProductList, list_id, what="product list")
        require(user, "catalog.write")
        service.save_product_list(db.session, user, product_list, load_body(ProductListWriteSchema, partial=True))
        return jsonify(service.product_list_json(product_list))

    @blp.response(204)
    def delete(self, list_id: int) -> Any:
        """Delete a product list (its products stay in the catalog)"""
        delete_scoped(ProductList, list_id, what="product list", permission="catalog.write")
        return Response(status=204)
