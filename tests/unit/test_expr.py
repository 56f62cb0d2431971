"""The expression language in Python, on the vectors shared with the TypeScript evaluator."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from server.surveys import expr
from server.surveys.expr import Dec, ExprError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
DOC = json.loads((FIXTURES / "expr_vectors.json").read_text(encoding="utf-8"))
VECTORS = DOC["vectors"]


def canonical(value: Any) -> Any:
    """Exact, comparable form: numbers as decimal text, containers recursively."""
    if isinstance(value, Dec):
        return ("number", str(value))
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    return value


def context_of(vector: dict[str, Any]) -> dict[str, Any]:
    ctx = vector.get("context", {})
    return DOC["contexts"][ctx] if isinstance(ctx, str) else ctx


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{i}:{v['expr'][:40]}" for i, v in enumerate(VECTORS)])
def test_vector(vector: dict[str, Any]) -> None:
    """Each shared vector gives its expected value, or fails with its error kind."""
    context = expr.from_json(context_of(vector))
    if "error" in vector:
        with pytest.raises(ExprError) as raised:
            expr.evaluate(vector["expr"], context)
        assert raised.value.kind == vector["error"], str(raised.value)
    else:
        result = expr.evaluate(vector["expr"], context)
        assert canonical(result) == canonical(expr.from_json(vector["expected"]))


def test_the_function_table_is_the_shared_one() -> None:
    """Python knows exactly the functions (and arities) the vectors document."""
    assert {k: [lo, hi] for k, (lo, hi) in expr.FUNCTIONS.items()} == DOC["functions"]
    used = {name for name in expr.FUNCTIONS if any(f"{name}(" in v["expr"] for v in VECTORS)}
    assert used == set(expr.FUNCTIONS), "every function has vectors"


def test_vector_numbers_survive_any_json_reader() -> None:
    """Numbers in the vectors have at most 15 significant digits (exact as IEEE doubles)."""

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return
        if isinstance(value, int | float):
            dec = Dec.parse(repr(value))
            assert dec is not None and len(str(abs(dec.coef)).rstrip("0") or "0") <= 15, value
            assert abs(value) < 2**53
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(DOC)


def test_json_numbers_read_as_their_shortest_decimal() -> None:
    """A float answer is the decimal it prints as (0.1 is 0.1, not 0.1000000000000000055…)."""
    assert str(expr.from_json(0.1)) == "0.1"
    assert str(expr.from_json(1e-7)) == "0.0000001"
    assert str(expr.from_json(1.5e20)) == "150000000000000000000"
    assert expr.to_json(expr.evaluate("1 / 4", {})) == 0.25
    assert expr.to_json(expr.evaluate("10 / 5", {})) == 2 and isinstance(expr.to_json(expr.evaluate("10 / 5", {})), int)
    with pytest.raises(ExprError):
        expr.from_json(float("nan"))


def test_errors_say_where() -> None:
    """Syntax errors carry the position and a sentence a form author understands."""
    with pytest.raises(ExprError) as raised:
        expr.parse("${a} + foo")
    assert raised.value.position == 7 and "write ${foo}" in str(raised.value)
    with pytest.raises(ExprError, match="takes 3 arguments, not 2"):
        expr.parse("if(true, 1)")
    with pytest.raises(ExprError, match="repeated group"):
        expr.translate_regex("(a+)+")


def test_references_are_listed() -> None:
    """Static checks (forms) learn which answers an expression reads."""
    parsed = expr.parse("sum(column(${shelf}, 'facings', 'own')) > ${min} and ${row.present} and . > 0")
    assert parsed.references() == {("shelf",), ("min",), ("row", "present"), (".",)}


def test_regexes_are_the_same_for_both_engines() -> None:
    """The canonical form uses only constructs Python's re and JavaScript's RegExp (u) read alike."""
    assert expr.translate_regex(r"^\d{5}$") == "[0-9]{5}"
    assert expr.translate_regex(r"[\w.-]+@[\w-]+\.[a-z]{2,}") == r"[A-Za-z0-9_\.\-]+@[A-Za-z0-9_\-]+\.[a-z]{2,}"
    assert expr.translate_regex("a.b") == "a[^\\n]b"


def test_typescript_evaluator_agrees_on_the_vectors() -> None:
    """Runs the Vitest suite of webapp/src/expr, which evaluates the same vectors file in TypeScript."""
    from tests.conftest import require

    npx = shutil.which("npx")
    require(npx is not None and (WEBAPP / "node_modules" / "vitest").is_dir(), "node and webapp/node_modules")
    result = subprocess.run(
        [npx or "npx", "vitest", "run", "src/expr"], cwd=WEBAPP, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
