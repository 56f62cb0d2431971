"""Form definitions: the ready-made forms, the schema's errors with line numbers, the answer
checker, and XLSForm round trips. No database."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest

from server.catalog.gtin import GtinError, normalise_gtin, with_check_digit
from server.surveys import definition as defs
from server.surveys import xlsform
from server.surveys.answers import Catalog, GridProduct, check_answers

# --- the ready-made forms --------------------------------------------------------------------


def test_ready_made_forms_validate_against_the_schema() -> None:
    """Every surveys/forms/*.yaml passes the JSON Schema and the semantic checks."""
    from jsonschema import Draft202012Validator

    templates = defs.templates()
    assert {"store_check", "availability_check", "new_listing", "digital_presence"} <= set(templates)
    validator = Draft202012Validator(defs.schema())
    for key, definition in templates.items():
        assert list(validator.iter_errors(definition)) == [], key
        assert defs.validate(definition) == [], key
        assert defs.template_path(key).is_file()


def test_ready_made_forms_speak_english_german_and_french() -> None:
    """Every title, label, hint, choice and message has en, de and fr."""

    def texts(node: Any, path: str = "") -> list[tuple[str, Any]]:
        found = []
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "label", "hint", "description", "constraint_message", "message"):
                    found.append((f"{path}.{key}", value))
                found.extend(texts(value, f"{path}.{key}"))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                found.extend(texts(value, f"{path}[{i}]"))
        return found

    for key, definition in defs.templates().items():
        for path, value in texts(definition):
            assert isinstance(value, dict) and set(value) == {"en", "de", "fr"}, (key, path, value)


def test_the_store_check_covers_the_usual_visit() -> None:
    """Distribution, facings, share of shelf, out-of-stock, prices and index, promotions,
    animations, POS material and shelf photos."""
    store = defs.templates()["store_check"]
    questions = {q["key"]: q for _, q in defs.iter_questions(store)}
    grid = questions["shelf"]
    assert grid["type"] == "product_grid"
    assert {c["key"] for c in grid["columns"]} == {"present", "facings", "shelf_price", "promo", "out_of_stock"}
    assert {"promo_running", "animation_sold", "pos_present", "pos_placement", "shelf_photos"} <= set(questions)
    assert questions["shelf_photos"]["type"] == "photo" and questions["shelf_photos"]["required"] is True
    computed = {c["key"] for c in store["computed"]}
    assert {"share_of_shelf", "distribution", "out_of_stock_count", "price_index"} <= computed
    assert defs.product_lists_of(store) == {"store_check"}


# --- schema errors name the line -------------------------------------------------------------

GOOD = """\
key: tiny
title: {en: Tiny}
sections:
  - key: main
    title: {en: Main}
    questions:
      - key: count
        type: integer
        label: {en: How many}
"""


def issues_of(text: str) -> list[defs.Issue]:
    with pytest.raises(defs.DefinitionError) as raised:
        defs.load_yaml(text, "tiny.yaml")
    return raised.value.issues


def test_a_good_small_form_loads() -> None:
    assert defs.load_yaml(GOOD)["sections"][0]["questions"][0]["key"] == "count"


@pytest.mark.parametrize(
    ("change", "line", "path", "words"),
    [
        (("type: integer", "type: integr"), 8, "sections[0].questions[0].type", "'integr' is not one of"),
        (("        label: {en: How many}", "        lable: {en: How many}"), 9, "lable", "unknown property"),
        (("  - key: main", "  - key: Main"), 4, "sections[0].key", "not a key"),
        (
            ("        type: integer\n", "        type: integer\n        choices: []\n"),
            9,
            "choices",
            "should be non-empty",
        ),
        (
            ("        type: integer\n", "        type: integer\n        relevant: '${nope} > 1'\n"),
            9,
            "relevant",
            "${nope}",
        ),
        (
            ("        type: integer\n", "        type: integer\n        constraint: '. >'\n"),
            9,
            "constraint",
            "ends too early",
        ),
        (
            ("        type: integer\n", "        type: integer\n        pattern: '(a+)+'\n"),
            9,
            "pattern",
            "repeated group",
        ),
        (
            ("        type: integer\n", "        type: integer\n        min: 5\n        max: 1\n"),
            9,
            "min",
            "greater than max",
        ),
        (("title: {en: Tiny}\n", "title: {en: Tiny}\ntitle: {de: Winzig}\n"), 3, "title", "given twice"),
        (("title: {en: Tiny}", "title: {en: Tiny"), 3, "", "YAML syntax"),
    ],
)
def test_a_wrong_form_file_is_explained_with_its_line(
    change: tuple[str, str], line: int, path: str, words: str
) -> None:
    """Each mistake is reported with the line of the YAML file, the path and the reason."""
    issues = issues_of(GOOD.replace(*change))
    assert any(i.line == line and path in i.path and words in i.message for i in issues), [str(i) for i in issues]


def test_forward_references_and_misplaced_rows_are_refused() -> None:
    """Relevance reads earlier answers only; ${row.x} only inside grid columns; '.' only in constraints."""
    definition = defs.load_yaml(GOOD)
    bad = copy.deepcopy(definition)
    bad["sections"][0]["questions"][0]["relevant"] = "${later} > 1 and ${row.x} and . > 1"
    bad["sections"][0]["questions"].append({"key": "later", "type": "integer", "label": "Later"})
    messages = " | ".join(str(i) for i in defs.validate(bad))
    assert "comes later" in messages and "row.column" in messages and "only allowed in constraints" in messages


# --- the answer checker ----------------------------------------------------------------------


def product(i: int, own: bool, brand: str = "Brisa") -> GridProduct:
    return GridProduct(i, with_check_digit(f"4260599{i:05d}"), f"P{i}", brand, "water", own)


CATALOG = Catalog(
    by_id={
        p.id: p
        for p in (product(1, True), product(2, True), product(3, False, "Alpenquell"), product(4, False, "Fizzo"))
    },
    by_gtin={},
    references={"store_check": {3}},
)
CATALOG.by_gtin = {p.gtin: p for p in CATALOG.by_id.values()}
PHOTO = "0b8e5f4e-3c1a-4c55-9a59-2f0c8a3b5d11"


def store_answers(**changes: Any) -> dict[str, Any]:
    answers = {
        "shelf": [
            {"product_id": 1, "present": True, "facings": 6, "shelf_price": 0.89, "promo": True},
            {"product_id": 2, "present": False, "out_of_stock": True},
            {"gtin": CATALOG.by_id[3].gtin, "present": True, "facings": 10, "shelf_price": 0.99, "promo": False},
            {"product_id": 4, "present": True, "facings": 4, "shelf_price": 1.39},
        ],
        "promo_running": True,
        "promo_type": "price_cut",
        "promo_price": 0.79,
        "animation_sold": False,
        "pos_present": ["shelf_strip", "poster"],
        "pos_placement": "yes",
        "shelf_photos": [PHOTO],
    }
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def test_a_complete_store_check_computes_its_figures() -> None:
    """Share of shelf, distribution, out-of-stocks and price index come out of the grid."""
    result = check_answers(defs.templates()["store_check"], store_answers(), CATALOG, "en")
    assert result.errors == [] and result.warnings == []
    assert result.computed == {
        "own_facings": 6,
        "total_facings": 20,
        "share_of_shelf": 30,
        "distribution": 50,
        "out_of_stock_count": 1,
        "price_index": 89.9,
    }
    assert result.answers["pos_present"] == ["poster", "shelf_strip"]  # the form's order
    assert result.answers["shelf"][2] == {
        "product_id": 3,
        "gtin": CATALOG.by_id[3].gtin,
        "present": True,
        "facings": 10,
        "shelf_price": 0.99,
        "promo": False,
    }
    assert result.photos == [("shelf_photos", 0, PHOTO)]
    assert result.products["3"]["brand"] == "Alpenquell"


def test_every_problem_is_reported_with_its_path() -> None:
    """A bad store check lists each error with its question's path; nothing is accepted."""
    answers = store_answers(
        shelf=[
            {"product_id": 1, "present": True, "facings": -1},
            {"product_id": 1, "present": True, "facings": 2},
            {"product_id": 99, "present": True},
            {"product_id": 2, "present": "yes", "colour": "red"},
            {"product_id": 3, "present": True, "facings": 2.5, "shelf_price": 1.999},
        ],
        promo_type="discount",
        pos_present=["none", "poster"],
        shelf_photos=["not-a-uuid"],
        animation_sold=True,
        unknown_question=1,
    )
    result = check_answers(defs.templates()["store_check"], answers, CATALOG, "de")
    fields = {e["field"]: e["message"] for e in result.errors}
    assert fields["answers.shelf[0].facings"] == "must be at least 0"
    assert "already in row 0" in fields["answers.shelf[1]"]
    assert fields["answers.shelf[2].product_id"] == "there is no product 99"
    assert fields["answers.shelf[3].present"] == "must be true or false"
    assert "is not a column" in fields["answers.shelf[3].colour"]
    assert fields["answers.shelf[4].facings"] == "must be a whole number"
    assert fields["answers.shelf[4].shelf_price"] == "must have at most 2 decimals"
    assert "must be one of" in fields["answers.promo_type"]
    assert fields["answers.pos_present"].startswith("„Keines“")  # the form's message, in German
    assert fields["answers.shelf_photos[0]"] == "must be a photo UUID"
    assert fields["answers.animation_date"] == "is required"
    assert fields["answers.unknown_question"] == "is not a question of this form version"


def test_relevance_drops_answers_and_required_follows_it() -> None:
    """An answer to a question that is not shown is dropped; a required one that is shown is needed."""
    answers = store_answers(promo_running=False, promo_type="price_cut", promo_price=0.5)
    result = check_answers(defs.templates()["store_check"], answers, CATALOG, None)
    assert result.errors == []
    assert "promo_type" not in result.answers and "promo_price" not in result.answers
    result = check_answers(
        defs.templates()["store_check"], store_answers(promo_type=None, promo_price=None), CATALOG, None
    )
    assert [e["field"] for e in result.errors] == ["answers.promo_type"]


def test_the_forms_checks_look_across_answers() -> None:
    """A running promotion needs promoted products in the grid (a check of the form)."""
    shelf = [{"product_id": 1, "present": True, "facings": 3, "promo": False}]
    result = check_answers(defs.templates()["store_check"], store_answers(shelf=shelf), CATALOG, "fr")
    assert result.errors == [
        {
            "field": "answers.promo_running",
            "in": "body",
            "message": "Une promotion est en cours : cochez les produits en promotion dans la grille.",
        }
    ]


def test_a_broken_rule_counts_as_null_and_is_reported() -> None:
    """A rule that fails (the form's mistake, not the answer's) does not block; it is a warning."""
    definition = defs.load_yaml(GOOD)
    definition["sections"][0]["questions"][0]["constraint"] = ". + 'x' > 1"
    definition["computed"] = [{"key": "twice", "expression": "${count} * 'x'"}]
    result = check_answers(definition, {"count": 3}, CATALOG, None)
    assert result.errors == [] and result.computed == {"twice": None}
    assert [w["rule"] for w in result.warnings] == ["sections[0].questions[0].constraint", "computed[0]"]


def test_value_types_are_checked() -> None:
    definition = defs.templates()["availability_check"]
    result = check_answers(
        definition,
        {"availability": [{"product_id": 1, "available": False}], "found_barcode": "4006381333932"},
        CATALOG,
        None,
    )
    fields = {e["field"]: e["message"] for e in result.errors}
    assert fields == {
        "answers.availability[0].reason": "is required",
        "answers.found_barcode": "'4006381333932' is not a valid GTIN: the check digit should be 1",
    }


def test_gtins() -> None:
    assert normalise_gtin("4006381333931") == "4006381333931"
    assert normalise_gtin("036000291452") == "0036000291452"  # UPC-A as its GTIN-13
    assert normalise_gtin("96385074") == "96385074"
    with pytest.raises(GtinError, match="check digit should be 1"):
        normalise_gtin("4006381333932")
    with pytest.raises(GtinError, match="11 digits"):
        normalise_gtin("40063813339")
    with pytest.raises(GtinError, match="only digits"):
        normalise_gtin("40063813339a1")


# --- XLSForm ---------------------------------------------------------------------------------


def normalised(definition: dict[str, Any]) -> dict[str, Any]:
    """Texts as translation objects, no targeting: what an XLSForm can carry."""

    def walk(node: Any, key: str | None = None) -> Any:
        if key in ("title", "label", "hint", "description", "constraint_message", "message") and isinstance(node, str):
            return {"en": node}
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = walk(copy.deepcopy(definition))
    out.pop("targeting", None)
    return out


@pytest.mark.parametrize("key", sorted(defs.templates()))
def test_xlsform_round_trip_of_the_ready_made_forms(key: str) -> None:
    """Each ready-made form, exported to XLSForm and imported back, is the same definition."""
    definition = defs.templates()[key]
    data = xlsform.export(definition, 3)
    result = xlsform.import_xlsform(data)
    assert result.unsupported == []
    assert normalised(result.definition) == normalised(definition)


def xlsform_of(survey: list[list[Any]], choices: list[list[Any]], settings: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        sheet = workbook.active if title == "survey" else workbook.create_sheet(title)
        sheet.title = title
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ODK_SURVEY = [
    [
        "type",
        "name",
        "label::English (en)",
        "label::Français (fr)",
        "hint::English (en)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::English (en)",
        "calculation",
        "appearance",
        "choice_filter",
    ],
    ["start", "start", None, None, None, None, None, None, None, None, None, None],
    ["text", "Store-Name", "Store name", "Nom du magasin", "As on the sign", "yes", None, None, None, None, None, None],
    ["select_one yes_no", "listed", "Listed?", "Référencé ?", None, "true()", None, None, None, None, "minimal", None],
    ["begin_group", "stock", "Stock", "Stock", None, None, "${listed} = 'yes'", None, None, None, None, None],
    ["integer", "facings", "Facings", "Facings", None, None, None, ". >= 0 and . < 100", "0 to 99", None, None, None],
    ["begin_group", "inner", "Inner", "Intérieur", None, None, "${facings} > 0", None, None, None, None, None],
    ["decimal", "price", "Price", "Prix", None, None, None, None, None, None, None, None],
    ["end_group", None, None, None, None, None, None, None, None, None, None, None],
    ["end_group", None, None, None, None, None, None, None, None, None, None, None],
    [
        "select_multiple pos",
        "pos",
        "POS",
        "PLV",
        None,
        None,
        None,
        "count-selected(.) <= 2",
        None,
        None,
        None,
        "filter=1",
    ],
    ["geopoint", "where", "Where", "Où", None, None, None, None, None, None, None, None],
    ["note", "thanks", "Thanks", "Merci", None, None, None, None, None, None, None, None],
    ["date", "seen", "Seen on", "Vu le", None, None, None, ". <= today()", None, None, None, None],
    ["image", "shelf", "Shelf photo", "Photo", None, None, None, None, None, None, None, None],
    ["begin_repeat", "visits", "Visits", "Visites", None, None, None, None, None, None, None, None],
    ["text", "who", "Who", "Qui", None, None, None, None, None, None, None, None],
    ["end_repeat", None, None, None, None, None, None, None, None, None, None, None],
    ["calculate", "double", None, None, None, None, None, None, None, "${facings} * 2", None, None],
    ["barcode", "code", "Code", "Code", None, None, None, None, None, None, None, None],
]
ODK_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Français (fr)"],
    ["yes_no", "yes", "Yes", "Oui"],
    ["yes_no", "no", "No", "Non"],
    ["pos", "poster", "Poster", "Affiche"],
    ["pos", "shelf+strip", "Shelf strip", "Stop-rayon"],
]
ODK_SETTINGS = [["form_title", "form_id", "version"], ["Kobo store visit", "kobo_store_visit", "2024011501"]]


def test_an_odk_xlsform_is_imported_with_its_unsupported_parts_listed() -> None:
    """Types, translations, groups, rules and calculations come over; the rest is listed by row."""
    result = xlsform.import_xlsform(xlsform_of(ODK_SURVEY, ODK_CHOICES, ODK_SETTINGS))
    definition = result.definition
    assert defs.validate(definition) == []
    assert definition["key"] == "kobo_store_visit" and definition["title"] == {"en": "Kobo store visit"}
    assert [s["key"] for s in definition["sections"]] == ["main", "stock", "part_2"]
    questions = {q["key"]: q for _, q in defs.iter_questions(definition)}
    assert questions["store_name"]["label"] == {"en": "Store name", "fr": "Nom du magasin"}
    assert questions["store_name"]["required"] is True and questions["store_name"]["hint"] == {"en": "As on the sign"}
    assert questions["listed"]["type"] == "single" and questions["listed"]["required"] is True
    assert definition["sections"][1]["relevant"] == "${listed} = 'yes'"
    assert questions["facings"]["constraint"] == ". >= 0 and . < 100"
    assert questions["price"]["relevant"] == "${facings} > 0"  # the nested group, flattened
    assert questions["pos"]["constraint"] == "count_selected(.) <= 2"
    assert [c["value"] for c in questions["pos"]["choices"]] == ["poster", "shelf_strip"]
    assert questions["shelf"]["type"] == "photo" and questions["code"]["type"] == "barcode"
    assert "constraint" not in questions["seen"]
    assert definition["computed"] == [{"key": "double", "expression": "${facings} * 2"}]
    unsupported = {(u["row"], u["what"].split(" ")[0]) for u in result.unsupported}
    assert {
        (2, "start"),
        (12, "geopoint"),
        (13, "note"),
        (14, "constraint"),
        (16, "repeat"),
        (4, "appearance"),
        (11, "column"),
    } <= unsupported, result.unsupported
    reasons = json.dumps(result.unsupported)
    assert "today" in reasons and "repeat groups are not supported" in reasons
    assert any("'Store-Name' is called 'store_name'" in n for n in result.notes)


def test_a_broken_workbook_is_refused_with_pyxforms_reason() -> None:
    bad = xlsform_of(
        [["type", "name", "label"], ["select_one missing", "q", "Q"]],
        [["list_name", "name", "label"], ["other", "a", "A"]],
        ODK_SETTINGS,
    )
    with pytest.raises(xlsform.XLSFormError, match="missing"):
        xlsform.import_xlsform(bad)
    with pytest.raises(xlsform.XLSFormError, match="xlsx"):
        xlsform.import_xlsform(b"type,name\ninteger,a\n")
