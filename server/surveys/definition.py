"""Form definitions: the JSON Schema, the checks it cannot express, YAML files with line numbers,
and the ready-made forms in ``surveys/forms/``.

A definition is plain JSON (what the API takes and stores in each form version)::

    {"key": "store_check", "title": {"en": …, "de": …, "fr": …},
     "sections": [{"key": …, "title": …, "questions": [{"key": …, "type": …, "label": …}, …]}],
     "computed": [{"key": "share_of_shelf", "expression": "…"}],
     "checks": [{"assert": "…", "message": …, "field": "…"}]}

:func:`validate` returns every problem, each with its path (``sections[0].questions[2].type``);
:func:`load_yaml` adds the line of the YAML file to each.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.config import REPO_ROOT
from server.surveys import expr

SURVEYS_DIR = REPO_ROOT / "surveys"
SCHEMA_PATH = SURVEYS_DIR / "schema" / "form.schema.json"
FORMS_DIR = SURVEYS_DIR / "forms"
LANGUAGES = ("en", "de", "fr")

NUMBER_TYPES = frozenset({"integer", "decimal", "price"})
CHOICE_TYPES = frozenset({"single", "multiple"})
#: Properties allowed per question type, beyond key, type, label, hint, required, relevant, constraint.
TYPE_PROPERTIES: dict[str, frozenset[str]] = {
    "integer": frozenset({"min", "max"}),
    "decimal": frozenset({"min", "max", "decimals"}),
    "price": frozenset({"min", "max", "currency", "decimals"}),
    "boolean": frozenset(),
    "single": frozenset({"choices"}),
    "multiple": frozenset({"choices", "min_selected", "max_selected"}),
    "text": frozenset({"min_length", "max_length", "pattern", "multiline"}),
    "date": frozenset(),
    "photo": frozenset({"max_photos"}),
    "barcode": frozenset({"gtin", "pattern"}),
    "product_grid": frozenset({"product_list", "columns"}),
}
COMMON_PROPERTIES = frozenset(
    {"key", "type", "label", "hint", "required", "relevant", "constraint", "constraint_message"}
)
#: Product attributes a grid row offers to expressions as ``${row._own}`` etc.
ROW_ATTRIBUTES = frozenset({"_own", "_brand", "_category", "_reference", "_gtin", "_name", "product_id"})
RESERVED_KEYS = frozenset({"row"})


@dataclass(frozen=True)
class Issue:
    """One problem of a definition: where (path, and line in a file) and what."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path or '(form)'}: {self.message}"


class DefinitionError(ValueError):
    """A definition with problems; ``issues`` lists them all."""

    def __init__(self, issues: list[Issue], source: str | None = None) -> None:
        self.issues = issues
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "; ".join(str(i) for i in issues[:10]))


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def path_text(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- validation ---------------------------------------------------------------------------------


def _schema_issues(doc: Any) -> list[Issue]:
    from jsonschema.exceptions import best_match

    issues = []
    for error in sorted(_validator().iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        chosen = error
        if error.validator in ("oneOf", "anyOf") and error.context:
            # The branch of the instance's own type says what is wrong, not "is not of type".
            candidates = [e for e in error.context if e.validator != "type"] or list(error.context)
            chosen = best_match(candidates) or error
        parts = list(chosen.absolute_path)
        message = chosen.message
        if chosen.validator == "additionalProperties" and isinstance(chosen.instance, dict):
            allowed = set(chosen.schema.get("properties", {}))
            for extra in [k for k in chosen.instance if k not in allowed]:
                issues.append(Issue(path_text([*parts, extra]), f"unknown property '{extra}'"))
            continue
        if chosen.validator == "required":
            missing = message.split("'")[1] if "'" in message else message
            parts.append(missing)
            message = "is missing"
        elif chosen.validator == "pattern" and parts and parts[-1] == "key":
            message = f"{chosen.instance!r} is not a key: use lower-case letters, digits and _, starting with a letter"
        elif chosen.validator == "enum":
            message = f"{chosen.instance!r} is not one of: {', '.join(map(str, chosen.validator_value))}"
        issues.append(Issue(path_text(parts), message))
    return issues


def iter_questions(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, question) of every question, in form order."""
    for s, section in enumerate(definition.get("sections") or []):
        for q, question in enumerate(section.get("questions") or []):
            yield f"sections[{s}].questions[{q}]", question


def validate(definition: Any) -> list[Issue]:
    """Every problem of a definition: the JSON Schema's first, then the semantic checks (unique
    keys, properties that fit the type, expressions that parse and refer to what exists)."""
    issues = _schema_issues(definition)
    if issues:
        return issues
    return _semantic_issues(definition)


def _semantic_issues(definition: dict[str, Any]) -> list[Issue]:
    issues: list[Issue] = []
    add = lambda path, message: issues.append(Issue(path, message))  # noqa: E731
    questions: dict[str, dict[str, Any]] = {}
    sections: set[str] = set()
    earlier: set[str] = set()  # question keys defined so far, in form order

    def check_expr(path: str, text: str, allowed: set[str], *, this: bool, row: set[str] | None) -> None:
        try:
            parsed = expr.parse(text)
        except expr.ExprError as exc:
            add(path, f"expression {text!r}: {exc}")
            return
        for ref in sorted(parsed.references()):
            if ref == (".",):
                if not this:
                    add(path, "'.' (this answer) is only allowed in constraints")
            elif len(ref) == 2:
                if ref[0] != "row" or row is None:
                    add(path, f"${{{'.'.join(ref)}}}: only ${{row.column}} inside a product grid's columns has a dot")
                elif ref[1] not in row and ref[1] not in ROW_ATTRIBUTES:
                    known = ", ".join(sorted(row | ROW_ATTRIBUTES))
                    add(path, f"${{row.{ref[1]}}}: the grid has no column '{ref[1]}' (known: {known})")
            elif ref[0] not in allowed:
                name = ref[0]
                if name in all_questions or name in computed_keys:
                    add(path, f"${{{name}}} comes later in the form; refer only to earlier answers here")
                else:
                    add(path, f"${{{name}}} is not a question or computed value of this form")
        for node_text in _regex_literals(parsed):
            try:
                expr.translate_regex(node_text)
            except expr.ExprError as exc:
                add(path, str(exc))

    computed_keys = [c.get("key") for c in definition.get("computed") or []]
    all_questions = {q["key"] for _, q in iter_questions(definition)}
    for s, section in enumerate(definition["sections"]):
        spath = f"sections[{s}]"
        if section["key"] in sections:
            add(f"{spath}.key", f"section '{section['key']}' appears twice")
        sections.add(section["key"])
        if "relevant" in section:
            check_expr(f"{spath}.relevant", section["relevant"], set(earlier), this=False, row=None)
        for q, question in enumerate(section["questions"]):
            qpath = f"{spath}.questions[{q}]"
            key = question["key"]
            if key in questions:
                add(f"{qpath}.key", f"question '{key}' appears twice (keys are unique in the whole form)")
            if key in RESERVED_KEYS:
                add(f"{qpath}.key", f"'{key}' is reserved")
            _check_properties(qpath, question, add)
            for rule in ("relevant", "required"):
                if isinstance(question.get(rule), str):
                    check_expr(f"{qpath}.{rule}", question[rule], set(earlier), this=False, row=None)
            if "constraint" in question:
                check_expr(f"{qpath}.constraint", question["constraint"], earlier | {key}, this=True, row=None)
            if question["type"] == "product_grid":
                columns: set[str] = set()
                for c, column in enumerate(question["columns"]):
                    cpath = f"{qpath}.columns[{c}]"
                    if column["key"] in columns:
                        add(f"{cpath}.key", f"column '{column['key']}' appears twice")
                    if column["key"] in ROW_ATTRIBUTES or column["key"] in RESERVED_KEYS:
                        add(f"{cpath}.key", f"'{column['key']}' is reserved")
                    _check_properties(cpath, column, add)
                    for rule in ("relevant", "required"):
                        if isinstance(column.get(rule), str):
                            check_expr(f"{cpath}.{rule}", column[rule], set(earlier), this=False, row=set(columns))
                    columns.add(column["key"])
                    if "constraint" in column:
                        check_expr(f"{cpath}.constraint", column["constraint"], set(earlier), this=True, row=columns)
            questions[key] = question
            earlier.add(key)
    seen_computed: set[str] = set()
    for c, item in enumerate(definition.get("computed") or []):
        cpath = f"computed[{c}]"
        if item["key"] in questions or item["key"] in seen_computed:
            add(f"{cpath}.key", f"'{item['key']}' is already a question or computed value")
        if item["key"] in RESERVED_KEYS:
            add(f"{cpath}.key", f"'{item['key']}' is reserved")
        check_expr(f"{cpath}.expression", item["expression"], set(questions) | seen_computed, this=False, row=None)
        seen_computed.add(item["key"])
    for c, check in enumerate(definition.get("checks") or []):
        cpath = f"checks[{c}]"
        check_expr(f"{cpath}.assert", check["assert"], set(questions) | seen_computed, this=False, row=None)
        if check["field"] not in questions:
            add(f"{cpath}.field", f"'{check['field']}' is not a question of this form")
    return issues


def _regex_literals(parsed: expr.Expr) -> list[str]:
    """Literal patterns of regex() calls, checked when the form is saved rather than when answered."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node, tuple) or not node:
            return
        if node[0] == "call":
            args = node[2]
            if node[1] == "regex" and len(args) == 2 and args[1][0] == "lit" and isinstance(args[1][1], str):
                found.append(args[1][1])
            for arg in args:
                walk(arg)
        else:
            for child in node[1:]:
                walk(child)

    walk(parsed.tree)
    return found


def _check_properties(path: str, question: dict[str, Any], add: Any) -> None:
    kind = question["type"]
    allowed = COMMON_PROPERTIES | TYPE_PROPERTIES[kind]
    for prop in question:
        if prop not in allowed:
            owners = sorted(t for t, props in TYPE_PROPERTIES.items() if prop in props)
            add(f"{path}.{prop}", f"'{prop}' is not for {kind} questions (only {', '.join(owners)})")
    if "min" in question and "max" in question and question["min"] > question["max"]:
        add(f"{path}.min", f"min {question['min']} is greater than max {question['max']}")
    if kind == "integer":
        for bound in ("min", "max"):
            if bound in question and not float(question[bound]).is_integer():
                add(f"{path}.{bound}", "must be a whole number for an integer question")
    if question.get("min_length", 0) > question.get("max_length", 10**9):
        add(f"{path}.min_length", "is greater than max_length")
    if question.get("min_selected", 0) > question.get("max_selected", 10**9):
        add(f"{path}.min_selected", "is greater than max_selected")
    if "pattern" in question:
        try:
            expr.translate_regex(question["pattern"])
        except expr.ExprError as exc:
            add(f"{path}.pattern", exc.message)
    values: set[str] = set()
    for i, choice in enumerate(question.get("choices") or []):
        if choice["value"] in values:
            add(f"{path}.choices[{i}].value", f"choice '{choice['value']}' appears twice")
        values.add(choice["value"])


def check(definition: Any, source: str | None = None) -> dict[str, Any]:
    """The definition when valid. :raise DefinitionError: listing every issue."""
    issues = validate(definition)
    if issues:
        raise DefinitionError(issues, source)
    return definition


# --- YAML files, with line numbers ----------------------------------------------------------------


def load_yaml(text: str, source: str = "<form>") -> dict[str, Any]:
    """A definition from YAML text, validated; every issue names its line.

    :raise DefinitionError: for a YAML syntax error, a duplicate key or any validation issue.
    """
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError([Issue("", f"YAML syntax: {problem}", line)], source) from None
    duplicates = _duplicate_keys(root)
    if duplicates:
        raise DefinitionError(duplicates, source)
    issues = validate(data)
    if issues:
        raise DefinitionError([Issue(i.path, i.message, _line_of(root, i.path)) for i in issues], source)
    return data


def _duplicate_keys(node: Any, path: str = "") -> list[Issue]:
    import yaml

    issues: list[Issue] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            sub = f"{path}.{key}" if path else key
            if key in seen:
                issues.append(
                    Issue(sub, f"'{key}' is given twice (first on line {seen[key]})", key_node.start_mark.line + 1)
                )
            seen[key] = key_node.start_mark.line + 1
            issues.extend(_duplicate_keys(value_node, sub))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            issues.extend(_duplicate_keys(item, f"{path}[{index}]"))
    return issues


def _split_path(path: str) -> list[str | int]:
    import re

    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return parts


def _line_of(root: Any, path: str) -> int | None:
    """The line (1-based) of the node at ``path``, or of the nearest existing parent."""
    import yaml

    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in _split_path(path):
        if isinstance(part, int) and isinstance(node, yaml.SequenceNode) and part < len(node.value):
            node = node.value[part]
        elif isinstance(part, str) and isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                return line
            key_node, node = match
            line = key_node.start_mark.line + 1
            continue
        else:
            return line
        line = node.start_mark.line + 1
    return line


@functools.lru_cache(maxsize=1)
def templates() -> dict[str, dict[str, Any]]:
    """The ready-made forms of ``surveys/forms/*.yaml`` by key. :raise DefinitionError: if one is wrong."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(FORMS_DIR.glob("*.yaml")):
        definition = load_yaml(path.read_text(encoding="utf-8"), str(path.relative_to(REPO_ROOT)))
        if definition["key"] in found:
            raise DefinitionError([Issue("key", f"key '{definition['key']}' is used by two files")], str(path))
        found[definition["key"]] = definition
    return found


def template_path(key: str) -> Path:
    return FORMS_DIR / f"{key}.yaml"


# --- reading definitions ----------------------------------------------------------------------


def localise(text: Any, locale: str | None = None) -> str | None:
    """One language of a text: the locale's, else English, else the first given."""
    if text is None or isinstance(text, str):
        return text
    for lang in (locale, "en", *LANGUAGES):
        if lang and text.get(lang):
            return text[lang]
    return next(iter(text.values()), None)


def product_lists_of(definition: dict[str, Any]) -> set[str]:
    return {q["product_list"] for _, q in iter_questions(definition) if q["type"] == "product_grid"}
