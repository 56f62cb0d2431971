"""XLSForm (ODK, KoboToolbox) import, and export of Rayon forms to XLSForm.

Import reads the workbook with pyxform (which also validates it as an XLSForm), then maps what
Rayon supports onto a form definition and lists everything else (row, what, why) instead of
guessing: geopoints, audio, repeats that are not Rayon product grids, notes, functions the
expression language lacks (``today()``, ``pulldata()`` …), choice filters, defaults…

Export writes ``survey``, ``choices`` and ``settings`` sheets that pyxform accepts; what XLSForm
cannot say (price currency, bounds, product grids, checks) rides along in an extra ``rayon``
column (JSON) and a ``rayon_checks`` sheet, so that export then import gives the same definition.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from server.surveys import definition as defs
from server.surveys import expr

LANGUAGE_COLUMNS = {"en": "English (en)", "de": "Deutsch (de)", "fr": "Français (fr)"}
LANGUAGE_NAMES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
}
BOOLEAN_LIST = "rayon_boolean"
BOOLEAN_LABELS = {
    "true": {"en": "Yes", "de": "Ja", "fr": "Oui"},
    "false": {"en": "No", "de": "Nein", "fr": "Non"},
}
#: Rayon properties that XLSForm has no column for, carried in the ``rayon`` column.
EXTRA_PROPERTIES = (
    "min",
    "max",
    "decimals",
    "currency",
    "min_length",
    "max_length",
    "pattern",
    "multiline",
    "min_selected",
    "max_selected",
    "max_photos",
    "gtin",
    "product_list",
)
TYPE_TO_XLSFORM = {
    "integer": "integer",
    "decimal": "decimal",
    "price": "decimal",
    "text": "text",
    "date": "date",
    "photo": "image",
    "barcode": "barcode",
}
XLSFORM_TO_TYPE = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
    "image": "photo",
    "photo": "photo",
    "barcode": "barcode",
    "acknowledge": "boolean",
    "trigger": "boolean",
}
UNSUPPORTED_TYPES = {
    "geopoint": "locations are recorded by the visit, not by a question",
    "geotrace": "lines on a map are not supported",
    "geoshape": "shapes on a map are not supported",
    "audio": "audio recordings are not supported",
    "background-audio": "audio recordings are not supported",
    "video": "videos are not supported",
    "file": "file attachments are not supported",
    "note": "display-only notes are not supported (put the text in a hint)",
    "time": "times of day are not supported (use text or date)",
    "datetime": "date-times are not supported (use date)",
    "range": "range sliders are not supported (use integer or decimal with min/max)",
    "rank": "ranking questions are not supported",
    "hidden": "hidden fields are not supported",
    "select_one_from_file": "choices from an external file are not supported",
    "select_multiple_from_file": "choices from an external file are not supported",
    "select_one_external": "external choices are not supported",
    "xml-external": "external data is not supported",
    "csv-external": "external data is not supported",
    "audit": "audit logs are recorded by Rayon itself",
}
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "email",
    "phonenumber",
    "simserial",
    "subscriberid",
    "start-geopoint",
}
#: Columns Rayon reads; any other column with a value is reported as ignored.
KNOWN_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "jr:constraintmsg",
    "calculation",
    "appearance",
    "rayon",
}


class XLSFormError(ValueError):
    """The workbook is not an XLSForm Rayon can read (pyxform's message, or ours)."""


@dataclass
class ImportResult:
    definition: dict[str, Any]
    unsupported: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- export -----------------------------------------------------------------------------------


def _texts(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value}
    return dict(value)


def _grid_expression(text: str, columns: set[str], attributes: set[str]) -> str:
    """``${row.x}`` as XLSForm writes it inside a repeat: ``${x}``."""

    def replace(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if inner.startswith("row."):
            name = inner[4:]
            if name not in columns:
                attributes.add(name)
            return "${" + name + "}"
        return m.group(0)

    return re.sub(r"\$\{([^}]*)\}", replace, text)


def export(definition: dict[str, Any], version: int | None = None) -> bytes:
    """The definition as an XLSForm workbook (xlsx bytes)."""
    from openpyxl import Workbook

    survey: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []
    lists: set[str] = set()

    def add_choices(list_name: str, items: list[dict[str, Any]]) -> None:
        if list_name in lists:
            return
        lists.add(list_name)
        for item in items:
            choices.append({"list_name": list_name, "name": item["value"], "label": _texts(item["label"])})

    def question_row(q: dict[str, Any], list_prefix: str, grid: tuple[set[str], set[str]] | None) -> dict[str, Any]:
        row: dict[str, Any] = {"name": q["key"], "label": _texts(q["label"]), "hint": _texts(q.get("hint"))}
        kind = q["type"]
        if kind == "boolean":
            row["type"] = f"select_one {BOOLEAN_LIST}"
            add_choices(BOOLEAN_LIST, [{"value": v, "label": label} for v, label in BOOLEAN_LABELS.items()])
        elif kind in defs.CHOICE_TYPES:
            list_name = f"{list_prefix}{q['key']}"
            row["type"] = f"{'select_one' if kind == 'single' else 'select_multiple'} {list_name}"
            add_choices(list_name, q["choices"])
        else:
            row["type"] = TYPE_TO_XLSFORM[kind]
        extra = {k: q[k] for k in EXTRA_PROPERTIES if k in q and k != "multiline"}
        if kind == "price":
            extra["type"] = "price"
        if q.get("multiline"):
            row["appearance"] = "multiline"
        required = q.get("required")
        for rule in ("relevant", "constraint"):
            if rule in q:
                row[rule] = _grid_expression(q[rule], *grid) if grid else q[rule]
        if required is True:
            row["required"] = "yes"
        elif isinstance(required, str):
            row["required"] = _grid_expression(required, *grid) if grid else required
        elif required is False:
            extra["required"] = False
        if "constraint_message" in q:
            row["constraint_message"] = _texts(q["constraint_message"])
        if extra:
            row["rayon"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        return row

    for section in definition["sections"]:
        group: dict[str, Any] = {"type": "begin_group", "name": section["key"], "label": _texts(section["title"])}
        if "relevant" in section:
            group["relevant"] = section["relevant"]
        survey.append(group)
        for q in section["questions"]:
            if q["type"] != "product_grid":
                survey.append(question_row(q, "", None))
                continue
            extra = {"type": "product_grid", "product_list": q["product_list"]}
            for key in ("required", "constraint", "constraint_message"):
                if key in q:
                    extra[key] = q[key]
            repeat: dict[str, Any] = {
                "type": "begin_repeat",
                "name": q["key"],
                "label": _texts(q["label"]),
                "hint": _texts(q.get("hint")),
                "rayon": json.dumps(extra, ensure_ascii=False, sort_keys=True),
            }
            if "relevant" in q:
                repeat["relevant"] = q["relevant"]
            survey.append(repeat)
            columns = {c["key"] for c in q["columns"]}
            attributes: set[str] = set()
            for column in q["columns"]:
                survey.append(question_row(column, f"{q['key']}__", (columns, attributes)))
            for name in sorted(attributes):
                survey.append(
                    {"type": "calculate", "name": name, "calculation": "''", "rayon": '{"row_attribute": true}'}
                )
            survey.append({"type": "end_repeat", "name": q["key"]})
        survey.append({"type": "end_group", "name": section["key"]})
    for item in definition.get("computed") or []:
        row = {
            "type": "calculate",
            "name": item["key"],
            "calculation": item["expression"],
            "label": _texts(item.get("label")),
        }
        if "unit" in item:
            row["rayon"] = json.dumps({"unit": item["unit"]}, ensure_ascii=False)
        survey.append(row)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    languages = [c for c in LANGUAGE_COLUMNS]
    header = ["type", "name"]
    header += [f"label::{LANGUAGE_COLUMNS[lang]}" for lang in languages]
    header += [f"hint::{LANGUAGE_COLUMNS[lang]}" for lang in languages]
    header += ["required", "relevant", "constraint"]
    header += [f"constraint_message::{LANGUAGE_COLUMNS[lang]}" for lang in languages]
    header += ["calculation", "appearance", "rayon"]
    sheet.append(header)
    for row in survey:
        cells = []
        for column in header:
            base, _, language = column.partition("::")
            if language:
                code = next(c for c, name in LANGUAGE_COLUMNS.items() if name == language)
                cells.append((row.get(base) or {}).get(code))
            else:
                cells.append(row.get(column))
        sheet.append(cells)
    choice_sheet = workbook.create_sheet("choices")
    choice_header = ["list_name", "name", *[f"label::{LANGUAGE_COLUMNS[lang]}" for lang in languages]]
    choice_sheet.append(choice_header)
    for choice in choices:
        choice_sheet.append([choice["list_name"], choice["name"], *[choice["label"].get(lang) for lang in languages]])
    settings = workbook.create_sheet("settings")
    meta = {"title": definition["title"]}
    if "description" in definition:
        meta["description"] = definition["description"]
    settings.append(["form_title", "form_id", "version", "default_language", "rayon"])
    settings.append(
        [
            defs.localise(definition["title"], "en"),
            definition["key"],
            str(version or 1),
            LANGUAGE_COLUMNS["en"],
            json.dumps(meta, ensure_ascii=False, sort_keys=True),
        ]
    )
    if definition.get("checks"):
        checks = workbook.create_sheet("rayon_checks")
        checks.append(["field", "assert", *[f"message::{LANGUAGE_COLUMNS[lang]}" for lang in languages]])
        for check in definition["checks"]:
            message = _texts(check["message"])
            checks.append([check["field"], check["assert"], *[message.get(lang) for lang in languages]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import ------------------------------------------------------------------------------------


def _language(suffix: str, default: str) -> str | None:
    if not suffix:
        return default
    m = re.search(r"\(([A-Za-z]{2})\)\s*$", suffix)
    if m:
        code = m.group(1).lower()
        return code if code in LANGUAGE_COLUMNS else None
    lowered = suffix.strip().lower()
    if lowered in LANGUAGE_COLUMNS:
        return lowered
    return LANGUAGE_NAMES.get(lowered)


def _cell(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


class _Importer:
    def __init__(self, workbook: Any) -> None:
        self.wb = workbook
        self.result = ImportResult(definition={})
        settings = (workbook.settings or [{}])[0]
        self.settings = {str(k).lower(): v for k, v in settings.items()}
        self.default_language = _language(str(self.settings.get("default_language") or ""), "en") or "en"
        self.renames: dict[str, str] = {}
        self.unknown_languages: set[str] = set()

    def unsupported(self, row: int | None, what: str, reason: str, sheet: str = "survey") -> None:
        self.result.unsupported.append({"sheet": sheet, "row": row, "what": what, "reason": reason})

    def texts(self, row: dict[str, Any], base: str, rownum: int | None, sheet: str = "survey") -> dict[str, str] | None:
        out: dict[str, str] = {}
        for column, value in row.items():
            name, _, suffix = str(column).partition("::")
            if name.lower() != base or value in (None, ""):
                continue
            lang = _language(suffix, self.default_language)
            if lang is None:
                if suffix not in self.unknown_languages:
                    self.unknown_languages.add(suffix)
                    self.unsupported(rownum, f"language '{suffix}'", "only English, German and French are kept", sheet)
                continue
            out[lang] = str(value).strip()[:500]
        return out or None

    def key(self, name: str, rownum: int | None) -> str:
        if name in self.renames:
            return self.renames[name]
        key = re.sub(r"[^a-z0-9_]", "_", name.lower())
        if not key or not key[0].isalpha():
            key = "q_" + key
        key = key[:50]
        base, n = key, 2
        while key in self.renames.values() or key in defs.RESERVED_KEYS:
            key = f"{base[:46]}_{n}"
            n += 1
        if key != name:
            self.result.notes.append(f"row {rownum}: '{name}' is called '{key}' in Rayon")
        self.renames[name] = key
        return key

    def expression(self, text: str, rownum: int | None, what: str, grid_columns: set[str] | None = None) -> str | None:
        """An XLSForm expression in Rayon's language, or None (reported) when it cannot be."""
        out = re.sub(r"\btrue\(\s*\)", "true", text)
        out = re.sub(r"\bfalse\(\s*\)", "false", out)
        out = out.replace("count-selected(", "count_selected(").replace("string-length(", "length(")

        def ref(m: re.Match[str]) -> str:
            name = m.group(1).strip()
            if grid_columns is not None and name in defs.ROW_ATTRIBUTES:
                return "${row." + name + "}"
            if grid_columns is not None and name in grid_columns:
                return "${row." + self.renames.get(name, name) + "}"
            return "${" + self.renames.get(name, name) + "}"

        out = re.sub(r"\$\{([^}]*)\}", ref, out)
        try:
            expr.parse(out)
        except expr.ExprError as exc:
            self.unsupported(rownum, f"{what} {text!r}", f"not in Rayon's expression language ({exc}); dropped")
            return None
        return out

    def extra(self, row: dict[str, Any], rownum: int) -> dict[str, Any]:
        raw = _cell(row, "rayon")
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            self.unsupported(rownum, "rayon column", "is not JSON; ignored")
            return {}
        return value if isinstance(value, dict) else {}

    def run(self) -> ImportResult:
        rows = list(self.wb.survey or [])
        # First pass: every name, so that expressions may refer to later questions' new names.
        for i, row in enumerate(rows):
            if _cell(row, "name") and not self.extra(row, i + 2).get("row_attribute"):
                self.key(_cell(row, "name"), i + 2)
        self.result.notes.clear()
        for i, row in enumerate(rows):
            name = _cell(row, "name")
            if name and name in self.renames and self.renames[name] != name:
                self.result.notes.append(f"row {i + 2}: '{name}' is called '{self.renames[name]}' in Rayon")
        choices = self.read_choices()
        sections: list[dict[str, Any]] = []
        computed: list[dict[str, Any]] = []
        section: dict[str, Any] | None = None
        group_relevance: list[str | None] = []  # open groups inside the current section
        grid: dict[str, Any] | None = None
        skip_depth = 0  # inside an unsupported repeat
        implicit = 0

        def current_section(rownum: int) -> dict[str, Any]:
            nonlocal section, implicit
            if section is None:
                implicit += 1
                key = "main" if implicit == 1 else f"part_{implicit}"
                section = {"key": key, "title": self.form_title(), "questions": []}
                sections.append(section)
            return section

        for i, row in enumerate(rows):
            rownum = i + 2
            kind_raw = re.sub(r"\s+", " ", _cell(row, "type").lower())
            if not kind_raw:
                continue
            kind_raw = (
                kind_raw.replace("begin group", "begin_group")
                .replace("end group", "end_group")
                .replace("begin repeat", "begin_repeat")
                .replace("end repeat", "end_repeat")
                .replace("select one ", "select_one ")
                .replace("select all that apply ", "select_multiple ")
                .replace("select multiple ", "select_multiple ")
            )
            kind, _, list_name = kind_raw.partition(" ")
            name = _cell(row, "name")
            if skip_depth:
                if kind == "begin_repeat":
                    skip_depth += 1
                elif kind == "end_repeat":
                    skip_depth -= 1
                continue
            if kind == "begin_group":
                relevant = (
                    self.expression(_cell(row, "relevant"), rownum, "relevant") if _cell(row, "relevant") else None
                )
                if grid is not None:
                    self.unsupported(rownum, f"group '{name}'", "groups inside a product grid are not supported")
                    group_relevance.append(None)
                elif section is None or not section.get("_from_group"):
                    section = {
                        "key": self.key(name, rownum) if name else f"section_{len(sections) + 1}",
                        "title": self.texts(row, "label", rownum) or {"en": name or "Section"},
                        "questions": [],
                        "_from_group": True,
                        "_depth": len(group_relevance),
                    }
                    if relevant:
                        section["relevant"] = relevant
                    sections.append(section)
                    group_relevance.append(None)
                else:
                    self.result.notes.append(f"row {rownum}: nested group '{name}' is flattened into its section")
                    group_relevance.append(relevant)
                self.check_columns(row, rownum, {"type", "name", "label", "relevant", "appearance"})
                continue
            if kind == "end_group":
                if group_relevance:
                    group_relevance.pop()
                if section is not None and section.get("_from_group") and len(group_relevance) == section["_depth"]:
                    section = None
                continue
            if kind == "begin_repeat":
                extra = self.extra(row, rownum)
                if extra.get("type") == "product_grid" and grid is None:
                    grid = {
                        "key": self.key(name, rownum),
                        "type": "product_grid",
                        "label": self.texts(row, "label", rownum) or {"en": name},
                        "product_list": extra.get("product_list"),
                        "columns": [],
                        "_columns": set(),
                    }
                    if self.texts(row, "hint", rownum):
                        grid["hint"] = self.texts(row, "hint", rownum)
                    for key in ("required", "constraint", "constraint_message"):
                        if key in extra:
                            grid[key] = extra[key]
                    if _cell(row, "relevant"):
                        relevant = self.expression(_cell(row, "relevant"), rownum, "relevant")
                        if relevant:
                            grid["relevant"] = relevant
                else:
                    self.unsupported(
                        rownum,
                        f"repeat '{name}'",
                        "repeat groups are not supported (only Rayon product grids); its questions are skipped",
                    )
                    skip_depth = 1
                continue
            if kind == "end_repeat":
                if grid is not None:
                    grid.pop("_columns")
                    self.add_question(current_section(rownum), grid, group_relevance)
                    grid = None
                continue
            if kind == "calculate":
                extra = self.extra(row, rownum)
                if extra.get("row_attribute"):
                    continue
                if grid is not None:
                    self.unsupported(
                        rownum, f"calculate '{name}'", "calculations inside a product grid are not supported"
                    )
                    continue
                calculation = self.expression(_cell(row, "calculation"), rownum, "calculation")
                if calculation:
                    item: dict[str, Any] = {"key": self.key(name, rownum), "expression": calculation}
                    label = self.texts(row, "label", rownum)
                    if label:
                        item["label"] = label
                    if "unit" in extra:
                        item["unit"] = extra["unit"]
                    computed.append(item)
                continue
            if kind in METADATA_TYPES:
                self.unsupported(rownum, f"{kind} '{name}'", "metadata: Rayon records who, when and where itself")
                continue
            if kind in UNSUPPORTED_TYPES:
                self.unsupported(rownum, f"{kind} '{name}'", UNSUPPORTED_TYPES[kind])
                continue
            question = self.question(row, rownum, kind, list_name, choices, grid)
            if question is None:
                continue
            if grid is not None:
                if question["type"] not in ("boolean", "integer", "decimal", "price", "single", "text"):
                    self.unsupported(
                        rownum, f"{question['type']} '{name}'", "this type cannot be a product grid column"
                    )
                    continue
                grid["columns"].append(question)
                grid["_columns"].add(name)
            else:
                self.add_question(current_section(rownum), question, group_relevance)
        for s in sections:
            s.pop("_from_group", None)
            s.pop("_depth", None)
        definition: dict[str, Any] = {
            "key": self.key(str(self.settings.get("form_id") or "imported_form"), None),
            "title": self.form_title(),
            "sections": [s for s in sections if s["questions"]],
        }
        meta = self.settings_extra()
        if "description" in meta:
            definition["description"] = meta["description"]
        if computed:
            definition["computed"] = computed
        self.result.definition = definition
        return self.result

    def form_title(self) -> Any:
        meta = self.settings_extra()
        if "title" in meta:
            return meta["title"]
        return {"en": str(self.settings.get("form_title") or self.settings.get("form_id") or "Imported form")[:500]}

    def settings_extra(self) -> dict[str, Any]:
        raw = self.settings.get("rayon")
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def add_question(self, section: dict[str, Any], question: dict[str, Any], groups: list[str | None]) -> None:
        inherited = [r for r in groups if r]
        if inherited:
            own = question.get("relevant")
            parts = [*inherited, *([own] if own else [])]
            question["relevant"] = " and ".join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]
        section["questions"].append(question)

    def check_columns(self, row: dict[str, Any], rownum: int, allowed: set[str]) -> None:
        for column, value in row.items():
            base = str(column).partition("::")[0].lower()
            if value in (None, "") or base in allowed:
                continue
            if base in KNOWN_COLUMNS:
                self.unsupported(rownum, f"column '{column}'", "not used on this kind of row; ignored")
            else:
                self.unsupported(rownum, f"column '{column}'", "not supported; ignored")

    def question(
        self,
        row: dict[str, Any],
        rownum: int,
        kind: str,
        list_name: str,
        choices: dict[str, list[dict[str, Any]]],
        grid: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        name = _cell(row, "name")
        extra = self.extra(row, rownum)
        if kind in ("select_one", "select_multiple"):
            if list_name == BOOLEAN_LIST and kind == "select_one":
                qtype = "boolean"
            else:
                qtype = "single" if kind == "select_one" else "multiple"
        elif kind in XLSFORM_TO_TYPE:
            qtype = XLSFORM_TO_TYPE[kind]
            if kind in ("acknowledge", "trigger"):
                self.result.notes.append(f"row {rownum}: {kind} '{name}' becomes a yes/no question")
        else:
            self.unsupported(rownum, f"type '{kind}' ('{name}')", "not a question type Rayon knows")
            return None
        if extra.get("type") == "price" and qtype == "decimal":
            qtype = "price"
        question: dict[str, Any] = {
            "key": self.key(name, rownum),
            "type": qtype,
            "label": self.texts(row, "label", rownum) or {"en": name},
        }
        hint = self.texts(row, "hint", rownum)
        if hint:
            question["hint"] = hint
        if qtype in defs.CHOICE_TYPES:
            items = choices.get(list_name)
            if not items:
                self.unsupported(rownum, f"choice list '{list_name}'", "has no choices")
                return None
            question["choices"] = items
        columns = grid["_columns"] if grid is not None else None
        required = _cell(row, "required")
        if required.lower() in ("yes", "true", "true()", "1"):
            question["required"] = True
        elif required and required.lower() not in ("no", "false", "false()", "0"):
            translated = self.expression(required, rownum, "required", columns)
            if translated:
                question["required"] = translated
        if extra.get("required") is False:
            question["required"] = False
        for rule in ("relevant", "constraint"):
            if _cell(row, rule):
                translated = self.expression(_cell(row, rule), rownum, rule, columns)
                if translated:
                    question[rule] = translated
        if "constraint" in question:
            message = self.texts(row, "constraint_message", rownum) or self.texts(row, "jr:constraintmsg", rownum)
            if message:
                question["constraint_message"] = message
        appearance = _cell(row, "appearance")
        if appearance:
            if appearance == "multiline" and qtype == "text":
                question["multiline"] = True
            else:
                self.unsupported(rownum, f"appearance '{appearance}'", "display hints are not used; ignored")
        allowed = defs.TYPE_PROPERTIES[qtype]
        for key in EXTRA_PROPERTIES:
            if key in extra and key in allowed:
                question[key] = extra[key]
        self.check_columns(
            row,
            rownum,
            {
                "type",
                "name",
                "label",
                "hint",
                "required",
                "relevant",
                "constraint",
                "constraint_message",
                "jr:constraintmsg",
                "appearance",
                "rayon",
            },
        )
        return question

    def read_choices(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for i, row in enumerate(self.wb.choices or []):
            rownum = i + 2
            list_name = _cell(row, "list_name") or _cell(row, "list name")
            value = _cell(row, "name")
            if not list_name or not value:
                continue
            clean = re.sub(r"[^A-Za-z0-9_.-]", "_", value)[:60]
            if clean != value:
                self.result.notes.append(f"choices row {rownum}: choice '{value}' is called '{clean}' in Rayon")
            label = self.texts(row, "label", rownum, "choices") or {"en": value}
            out.setdefault(list_name, []).append({"value": clean, "label": label})
            for column in row:
                base = str(column).partition("::")[0].lower()
                if row[column] not in (None, "") and base not in ("list_name", "list name", "name", "label"):
                    self.unsupported(
                        rownum, f"column '{column}'", "choice filters and media are not supported", "choices"
                    )
        return out


def _extra_sheet(data: bytes, name: str) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if name not in workbook.sheetnames:
            return []
        rows = list(workbook[name].iter_rows(values_only=True))
    finally:
        workbook.close()
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    return [{h: v for h, v in zip(header, r, strict=False) if h} for r in rows[1:] if any(v is not None for v in r)]


def import_xlsform(data: bytes) -> ImportResult:
    """A form definition from an XLSForm workbook, with what could not be imported.

    :raise XLSFormError: when pyxform cannot read it as an XLSForm, or nothing is left.
    """
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    if not data.startswith(b"PK\x03\x04"):
        raise XLSFormError("send an XLSForm as an .xlsx workbook")
    try:
        workbook = get_xlsform(data, file_type=".xlsx")
        workbook_to_json(workbook, form_name="data", warnings=[])
    except PyXFormError as exc:
        raise XLSFormError(f"not a valid XLSForm: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - damaged workbooks raise anything
        raise XLSFormError(f"the workbook cannot be read ({exc.__class__.__name__})") from None
    importer = _Importer(workbook)
    result = importer.run()
    checks = []
    for i, row in enumerate(_extra_sheet(data, "rayon_checks")):
        field_name = importer.renames.get(str(row.get("field") or ""), str(row.get("field") or ""))
        assertion = importer.expression(str(row.get("assert") or ""), i + 2, "check")
        message = importer.texts(row, "message", i + 2, "rayon_checks")
        if field_name and assertion and message:
            checks.append({"field": field_name, "assert": assertion, "message": message})
    if checks:
        result.definition["checks"] = checks
    _drop_invalid_rules(result)
    if not result.definition["sections"]:
        raise XLSFormError("no question of the workbook can be imported")
    return result


def _drop_invalid_rules(result: ImportResult) -> None:
    """Rules that parse but break Rayon's checks (a later answer, an unknown name) are dropped and
    reported; anything else wrong is an error."""
    definition = result.definition
    for _ in range(50):
        issues = defs.validate(definition)
        if not issues:
            return
        fixed = False
        for issue in issues:
            parts = defs._split_path(issue.path)
            if not parts or parts[-1] not in ("relevant", "required", "constraint", "expression", "assert"):
                continue
            parent: Any = definition
            for part in parts[:-1]:
                parent = parent[part]
            if parts[-1] in ("expression", "assert"):
                container: Any = definition
                for part in parts[:-2]:
                    container = container[part]
                dropped = container.pop(parts[-2])
                what = dropped.get("key") or dropped.get("field")
                result.unsupported.append(
                    {
                        "sheet": "survey",
                        "row": None,
                        "what": f"{parts[0]} '{what}'",
                        "reason": f"{issue.message}; dropped",
                    }
                )
                if not container:
                    definition.pop(parts[0], None)
            else:
                value = parent.pop(parts[-1], None)
                result.unsupported.append(
                    {
                        "sheet": "survey",
                        "row": None,
                        "what": f"{parts[-1]} of '{parent.get('key')}': {value!r}",
                        "reason": f"{issue.message}; dropped",
                    }
                )
            fixed = True
            break
        if not fixed:
            raise XLSFormError("; ".join(str(i) for i in issues[:5]))
    raise XLSFormError("too many rules could not be imported")
