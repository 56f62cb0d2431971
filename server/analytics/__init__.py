"""Analytics: KPIs of what happens in stores and in the field, dashboards and raw data exports.

models.py    the fact tables, rollups, segments, list history, settings
facts.py     responses into facts (on write and in bulk) and the rollups kept from them
measures.py  the summable measures, as SQL over the facts (one definition for rollups and facts)
kpis.py      the KPI definitions and the query engine (cuts, periods, previous range, visibility)
exports.py   streamed CSV/XLSX exports of responses, visits and accounts
config.py    the organization's KPI configuration
api.py       the HTTP API;  cli.py  ``rayon analytics export|rebuild``;  demo.py  demo history
The formulas are documented in docs/kpis.md.
"""
