"""An organization's product catalog: its own SKUs and the competitors' it tracks, and product lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import utcnow
from server.db import db


class Product(db.Model):
    """One product (SKU), identified in the organization by its GTIN."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("org_id", "gtin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    #: Digits only, check digit verified; GTIN-12/14 with leading zeros are kept as their GTIN-13.
    gtin: Mapped[str] = mapped_column(String(14))
    brand: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(40))
    #: True: the organization's own product; False: a competitor's.
    own: Mapped[bool] = mapped_column(Boolean, default=True)
    #: In minor units (cents) of ``currency``; exact.
    list_price_minor: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ProductList(db.Model):
    """A named list of products (``core_range``, ``summer_promo``); product grids of forms use them."""

    __tablename__ = "product_lists"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    items: Mapped[list[ProductListItem]] = relationship(
        back_populates="product_list", order_by="ProductListItem.position", cascade="all, delete-orphan"
    )


class ProductListItem(db.Model):
    __tablename__ = "product_list_items"
    __table_args__ = (UniqueConstraint("list_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("product_lists.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The reference competitor product(s) of the list: price indexes compare against them.
    reference: Mapped[bool] = mapped_column(Boolean, default=False)

    product_list: Mapped[ProductList] = relationship(back_populates="items")
    product: Mapped[Product] = relationship(lazy="joined")
