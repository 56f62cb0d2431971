"""Rayon: a mobile-first field-sales CRM for FMCG brands."""

__version__ = "0.1.0"
