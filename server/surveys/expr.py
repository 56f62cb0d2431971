"""Rayon expressions: the one small language of form rules (relevance, constraints, computed values).

The same language is implemented in TypeScript in ``webapp/src/expr/expr.ts``; both
implementations are tested against the shared vectors in ``tests/fixtures/expr_vectors.json``.
Expressions are parsed (never ``eval``-ed) by a recursive-descent parser into a small tree and
evaluated over a context of answers. The full definition is in ``surveys/EXPRESSIONS.md``;
in short:

* literals: ``12``, ``12.5`` (exact decimals), ``'text'`` or ``"text"`` (a quote inside is
  doubled: ``'it''s'``; backslashes are literal), ``true``, ``false``, ``null``;
* references: ``${name}`` (an answer or a computed value), ``${row.col}`` (a column of the current
  product-grid row, and the product's ``_own``, ``_brand``, ``_category``, ``_reference``,
  ``_gtin``), ``.`` (the value being checked by a constraint);
* operators, loosest first: ``or``; ``and``; ``not``; ``= == != < <= > >=`` (not chainable);
  ``+ -``; ``* / div mod``; unary ``-``;
* functions: see :data:`FUNCTIONS` (arity) and :func:`_call`.

Numbers are exact decimals on both sides (Python ints, JavaScript BigInts): ``+ - *`` are exact,
``/`` and ``avg`` round to 12 decimal places, half away from zero; division by zero gives null.
Null means "unanswered": arithmetic and ordering with null give null, ``=`` treats null as a
value, ``and``/``or``/``not`` follow three-valued (Kleene) logic.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 64
DIV_SCALE = 12
MAX_ROUND_DIGITS = 12
REGEX_MAX_PATTERN = 200
REGEX_MAX_SUBJECT = 1000
REGEX_MAX_UNBOUNDED = 3

#: Function name -> (fewest, most) arguments; ``None``: any number.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "if": (3, 3),
    "coalesce": (1, None),
    "answered": (1, 1),
    "selected": (2, 2),
    "count_selected": (1, 1),
    "count": (1, None),
    "sum": (1, None),
    "min": (1, None),
    "max": (1, None),
    "avg": (1, None),
    "column": (2, 3),
    "rows": (1, 2),
    "round": (1, 2),
    "abs": (1, 1),
    "regex": (2, 2),
    "length": (1, 1),
    "concat": (1, None),
    "contains": (2, 2),
    "number": (1, 1),
    "string": (1, 1),
}
KEYWORDS = frozenset({"and", "or", "not", "div", "mod", "true", "false", "null"})
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ExprError(Exception):
    """An expression that cannot be parsed (``kind="syntax"``) or evaluated (``"type"``, ``"value"``)."""

    def __init__(self, kind: str, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message if self.position is None else f"{self.message} (at character {self.position + 1})"


# --- exact decimals ------------------------------------------------------------------------------


def _div_half_away(n: int, d: int) -> int:
    """n / d rounded to an integer, halves away from zero (d != 0)."""
    sign = -1 if (n < 0) != (d < 0) else 1
    n, d = abs(n), abs(d)
    q, r = divmod(n, d)
    if 2 * r >= d:
        q += 1
    return sign * q


@dataclass(frozen=True)
class Dec:
    """An exact decimal ``coef * 10**-scale``, always normalised (no trailing zeros in ``coef``)."""

    coef: int
    scale: int

    @staticmethod
    def make(coef: int, scale: int) -> Dec:
        while scale > 0 and coef % 10 == 0:
            coef //= 10
            scale -= 1
        if coef == 0:
            scale = 0
        return Dec(coef, scale)

    @staticmethod
    def parse(text: str) -> Dec | None:
        """A decimal from ``-12.50``, ``1e-7``, ``1.5E+20``; None when it is not a number."""
        m = re.fullmatch(r"([+-]?)([0-9]+)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?", text)
        if not m:
            return None
        sign, whole, frac, exp = m.group(1), m.group(2), m.group(3) or "", int(m.group(4) or 0)
        coef = int(whole + frac)
        scale = len(frac) - exp
        if scale < 0:
            coef *= 10**-scale
            scale = 0
        return Dec.make(-coef if sign == "-" else coef, scale)

    def __str__(self) -> str:
        digits = str(abs(self.coef))
        if self.scale:
            digits = digits.rjust(self.scale + 1, "0")
            digits = digits[: -self.scale] + "." + digits[-self.scale :]
        return ("-" if self.coef < 0 else "") + digits

    def _aligned(self, other: Dec) -> tuple[int, int, int]:
        scale = max(self.scale, other.scale)
        return self.coef * 10 ** (scale - self.scale), other.coef * 10 ** (scale - other.scale), scale

    def add(self, other: Dec) -> Dec:
        a, b, scale = self._aligned(other)
        return Dec.make(a + b, scale)

    def sub(self, other: Dec) -> Dec:
        a, b, scale = self._aligned(other)
        return Dec.make(a - b, scale)

    def mul(self, other: Dec) -> Dec:
        return Dec.make(self.coef * other.coef, self.scale + other.scale)

    def div(self, other: Dec) -> Dec | None:
        if other.coef == 0:
            return None
        n = self.coef * 10 ** (other.scale + DIV_SCALE)
        d = other.coef * 10**self.scale
        return Dec.make(_div_half_away(n, d), DIV_SCALE)

    def mod(self, other: Dec) -> Dec | None:
        """Remainder of truncated division: the sign of the dividend (as JavaScript's ``%``)."""
        a, b, scale = self._aligned(other)
        if b == 0:
            return None
        q = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            q = -q
        return Dec.make(a - b * q, scale)

    def neg(self) -> Dec:
        return Dec(-self.coef, self.scale)

    def cmp(self, other: Dec) -> int:
        a, b, _ = self._aligned(other)
        return (a > b) - (a < b)

    def round(self, digits: int) -> Dec:
        if self.scale <= digits:
            return self
        return Dec.make(_div_half_away(self.coef, 10 ** (self.scale - digits)), digits)

    def is_integer(self) -> bool:
        return self.scale == 0

    def to_json(self) -> int | float:
        return self.coef if self.scale == 0 else float(str(self))


ZERO = Dec(0, 0)


def from_json(value: Any) -> Any:
    """A JSON value as an expression value: numbers become :class:`Dec`, containers recursively."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return Dec.make(value, 0)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ExprError("value", "numbers must be finite")
        return Dec.parse(repr(value))
    if isinstance(value, Dec):
        return value
    if isinstance(value, list | tuple):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): from_json(v) for k, v in value.items()}
    raise ExprError("type", f"cannot use a {type(value).__name__} in an expression")


def to_json(value: Any) -> Any:
    """An expression value as JSON: decimals become int (when whole) or float."""
    if isinstance(value, Dec):
        return value.to_json()
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Dec):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    return "row"


# --- the parser ----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>[ \t\n\r]+)
      | (?P<num>[0-9]+(?:\.[0-9]+)?)
      | (?P<str>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<ref>\$\{[^}]*\})
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op><=|>=|!=|==|[-+*/=<>(),.])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # num str ref name op end
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            char = text[pos]
            if char in "'\"":
                raise ExprError("syntax", "text is not closed: a quote is missing", pos)
            if text.startswith("${", pos):
                raise ExprError("syntax", "reference is not closed: '}' is missing", pos)
            raise ExprError("syntax", f"unexpected character {char!r}", pos)
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (text is None or tok.text == text)

    def expect_op(self, text: str) -> None:
        if not self.at("op", text):
            raise ExprError("syntax", f"expected '{text}' but found {self._describe(self.tok)}", self.tok.pos)
        self.next()

    @staticmethod
    def _describe(tok: Token) -> str:
        return "the end" if tok.kind == "end" else f"'{tok.text}'"

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("syntax", f"expression is nested more than {MAX_DEPTH} levels deep", self.tok.pos)

    def parse(self) -> tuple[Any, ...]:
        node = self.or_()
        if not self.at("end"):
            raise ExprError("syntax", f"unexpected {self._describe(self.tok)}", self.tok.pos)
        return node

    def or_(self) -> tuple[Any, ...]:
        node = self.and_()
        while self.at("name", "or"):
            self.next()
            node = ("or", node, self.and_())
        return node

    def and_(self) -> tuple[Any, ...]:
        node = self.not_()
        while self.at("name", "and"):
            self.next()
            node = ("and", node, self.not_())
        return node

    def not_(self) -> tuple[Any, ...]:
        if self.at("name", "not"):
            self.next()
            self.enter()
            node = ("not", self.not_())
            self.depth -= 1
            return node
        return self.cmp()

    def cmp(self) -> tuple[Any, ...]:
        node = self.add()
        if self.tok.kind == "op" and self.tok.text in ("=", "==", "!=", "<", "<=", ">", ">="):
            op = self.next().text
            node = ("cmp", "=" if op == "==" else op, node, self.add())
            if self.tok.kind == "op" and self.tok.text in ("=", "==", "!=", "<", "<=", ">", ">="):
                raise ExprError("syntax", "comparisons cannot be chained; join them with 'and'", self.tok.pos)
        return node

    def add(self) -> tuple[Any, ...]:
        node = self.mul()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.next().text
            node = ("arith", op, node, self.mul())
        return node

    def mul(self) -> tuple[Any, ...]:
        node = self.unary()
        while (self.tok.kind == "op" and self.tok.text in ("*", "/")) or (
            self.tok.kind == "name" and self.tok.text in ("div", "mod")
        ):
            op = self.next().text
            node = ("arith", "/" if op == "div" else op, node, self.unary())
        return node

    def unary(self) -> tuple[Any, ...]:
        if self.at("op", "-"):
            self.next()
            self.enter()
            node = ("neg", self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> tuple[Any, ...]:
        tok = self.tok
        if tok.kind == "num":
            self.next()
            return ("lit", Dec.parse(tok.text))
        if tok.kind == "str":
            self.next()
            quote = tok.text[0]
            return ("lit", tok.text[1:-1].replace(quote * 2, quote))
        if tok.kind == "ref":
            self.next()
            inner = tok.text[2:-1].strip(" \t\n\r")
            parts = inner.split(".")
            if not inner or len(parts) > 2 or not all(NAME.fullmatch(p) for p in parts):
                raise ExprError(
                    "syntax", f"'{tok.text}' is not a reference: write ${{name}} or ${{row.column}}", tok.pos
                )
            return ("ref", tuple(parts))
        if tok.kind == "op" and tok.text == ".":
            self.next()
            return ("this",)
        if tok.kind == "op" and tok.text == "(":
            self.next()
            self.enter()
            node = self.or_()
            self.depth -= 1
            self.expect_op(")")
            return node
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                self.next()
                return ("lit", tok.text == "true")
            if tok.text == "null":
                self.next()
                return ("lit", None)
            if tok.text in KEYWORDS:
                raise ExprError("syntax", f"'{tok.text}' needs a value before it", tok.pos)
            self.next()
            if not self.at("op", "("):
                raise ExprError("syntax", f"unknown name '{tok.text}': write ${{{tok.text}}} to use an answer", tok.pos)
            if tok.text not in FUNCTIONS:
                raise ExprError("syntax", f"unknown function '{tok.text}'", tok.pos)
            self.next()
            self.enter()
            args: list[tuple[Any, ...]] = []
            if not self.at("op", ")"):
                args.append(self.or_())
                while self.at("op", ","):
                    self.next()
                    args.append(self.or_())
            self.expect_op(")")
            self.depth -= 1
            low, high = FUNCTIONS[tok.text]
            if len(args) < low or (high is not None and len(args) > high):
                wanted = str(low) if low == high else f"at least {low}" if high is None else f"{low} to {high}"
                plural = "s" if wanted != "1" else ""
                raise ExprError("syntax", f"{tok.text}() takes {wanted} argument{plural}, not {len(args)}", tok.pos)
            return ("call", tok.text, tuple(args))
        if tok.kind == "end":
            raise ExprError("syntax", "the expression ends too early", tok.pos)
        raise ExprError("syntax", f"unexpected '{tok.text}'", tok.pos)


@dataclass(frozen=True)
class Expr:
    """A parsed expression."""

    text: str
    tree: tuple[Any, ...]

    def references(self) -> set[tuple[str, ...]]:
        """Every ``${...}`` in the expression, as tuples of names; ``('.',)`` for ``.``."""
        found: set[tuple[str, ...]] = set()

        def walk(node: Any) -> None:
            if not isinstance(node, tuple) or not node:
                return
            if node[0] == "ref":
                found.add(node[1])
            elif node[0] == "this":
                found.add((".",))
            else:
                for child in node[1:]:
                    if isinstance(child, tuple):
                        if child and isinstance(child[0], tuple):
                            for c in child:
                                walk(c)
                        else:
                            walk(child)

        walk(self.tree)
        return found


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Expr:
    """Parse an expression. :raise ExprError: ``syntax``, with the position."""
    if not isinstance(text, str):
        raise ExprError("syntax", "an expression must be text")
    if len(text) > MAX_LENGTH:
        raise ExprError("syntax", f"expression is longer than {MAX_LENGTH} characters")
    if not text.strip(" \t\n\r"):
        raise ExprError("syntax", "the expression is empty")
    return Expr(text, _Parser(text).parse())


# --- evaluation ------------------------------------------------------------------------------------


def evaluate(expr: Expr | str, context: dict[str, Any]) -> Any:
    """The value of ``expr`` over ``context`` (already converted with :func:`from_json`).

    ``context`` maps answer names to values; ``"row"`` holds the current grid row and ``"."``
    the value being checked. :raise ExprError: ``syntax``, ``type`` or ``value``.
    """
    parsed = parse(expr) if isinstance(expr, str) else expr
    return _eval(parsed.tree, context)


def evaluate_json(text: str, context: dict[str, Any]) -> Any:
    """:func:`evaluate` from and to plain JSON values."""
    return to_json(evaluate(text, from_json(context)))


def _eval(node: tuple[Any, ...], ctx: dict[str, Any]) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "ref":
        names = node[1]
        value = ctx.get(names[0])
        if len(names) == 1:
            return value
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ExprError("type", f"${{{'.'.join(names)}}}: {names[0]} is a {type_name(value)}, not a row")
        return value.get(names[1])
    if kind == "this":
        return ctx.get(".")
    if kind == "arith":
        return _arith(node[1], _eval(node[2], ctx), _eval(node[3], ctx))
    if kind == "neg":
        value = _eval(node[1], ctx)
        if value is None:
            return None
        if not isinstance(value, Dec):
            raise ExprError("type", f"cannot negate a {type_name(value)}")
        return value.neg()
    if kind == "cmp":
        return _compare(node[1], _eval(node[2], ctx), _eval(node[3], ctx))
    if kind == "not":
        value = _logical(_eval(node[1], ctx), "not")
        return None if value is None else not value
    if kind == "and":
        left = _logical(_eval(node[1], ctx), "and")
        if left is False:
            return False
        right = _logical(_eval(node[2], ctx), "and")
        if right is False:
            return False
        return None if left is None or right is None else True
    if kind == "or":
        left = _logical(_eval(node[1], ctx), "or")
        if left is True:
            return True
        right = _logical(_eval(node[2], ctx), "or")
        if right is True:
            return True
        return None if left is None or right is None else False
    if kind == "call":
        return _call(node[1], node[2], ctx)
    raise AssertionError(kind)  # pragma: no cover


def _logical(value: Any, op: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ExprError("type", f"'{op}' needs true, false or null, not a {type_name(value)}")


def _arith(op: str, a: Any, b: Any) -> Any:
    for value in (a, b):
        if value is not None and not isinstance(value, Dec):
            raise ExprError("type", f"'{op}' needs numbers, not a {type_name(value)}")
    if a is None or b is None:
        return None
    if op == "+":
        return a.add(b)
    if op == "-":
        return a.sub(b)
    if op == "*":
        return a.mul(b)
    if op == "/":
        return a.div(b)
    return a.mod(b)


def _code_points_cmp(a: str, b: str) -> int:
    return (a > b) - (a < b)  # Python compares str by code point


def _compare(op: str, a: Any, b: Any) -> bool | None:
    if op in ("=", "!="):
        if a is None or b is None:
            same = a is None and b is None
        else:
            ta, tb = type_name(a), type_name(b)
            if ta != tb or ta in ("list", "row"):
                raise ExprError("type", f"cannot compare a {ta} with a {tb} using '{op}'")
            same = a.cmp(b) == 0 if isinstance(a, Dec) else a == b
        return same if op == "=" else not same
    for value in (a, b):
        if value is not None and not isinstance(value, Dec | str):
            raise ExprError("type", f"'{op}' needs two numbers or two texts, not a {type_name(value)}")
    if a is None or b is None:
        return None
    if type_name(a) != type_name(b):
        raise ExprError("type", f"cannot compare a {type_name(a)} with a {type_name(b)} using '{op}'")
    c = a.cmp(b) if isinstance(a, Dec) else _code_points_cmp(a, b)
    return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)
    return out


def _numbers(name: str, values: list[Any]) -> list[Dec]:
    out = []
    for value in _flatten(values):
        if value is None:
            continue
        if not isinstance(value, Dec):
            raise ExprError("type", f"{name}() needs numbers, not a {type_name(value)}")
        out.append(value)
    return out


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ExprError("type", f"{name}() needs text, not a {type_name(value)}")
    return value


def _row_filter(name: str, value: Any) -> Any:
    if value is None:
        return lambda row: True
    text = _text(name, value)
    if text == "all":
        return lambda row: True
    if text == "own":
        return lambda row: row.get("_own") is True
    if text == "competitor":
        return lambda row: row.get("_own") is False
    if text == "reference":
        return lambda row: row.get("_reference") is True
    for attr in ("brand", "category"):
        if text.startswith(attr + "="):
            wanted = text[len(attr) + 1 :]
            return lambda row, a=attr, w=wanted: row.get("_" + a) == w
    raise ExprError(
        "value", f"{name}(): '{text}' is not a row filter (all, own, competitor, reference, brand=…, category=…)"
    )


def _rows(name: str, grid: Any) -> list[dict[str, Any]]:
    if grid is None:
        return []
    if not isinstance(grid, list) or not all(isinstance(r, dict) for r in grid):
        raise ExprError("type", f"{name}() needs a product grid, not a {type_name(grid)}")
    return grid


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Dec):
        return str(value)
    return value


def _call(name: str, args: tuple[tuple[Any, ...], ...], ctx: dict[str, Any]) -> Any:
    # Lazy functions first.
    if name == "if":
        cond = _eval(args[0], ctx)
        if cond is not None and not isinstance(cond, bool):
            raise ExprError("type", f"if() needs a condition that is true, false or null, not a {type_name(cond)}")
        return _eval(args[1] if cond is True else args[2], ctx)
    if name == "coalesce":
        for arg in args:
            value = _eval(arg, ctx)
            if value is not None:
                return value
        return None
    values = [_eval(arg, ctx) for arg in args]
    if name == "answered":
        value = values[0]
        return not (value is None or value == "" or value == [])
    if name == "selected":
        answer, choice = values
        choice = _text("selected", choice)
        if answer is None:
            return False
        if isinstance(answer, str):
            return answer == choice
        if isinstance(answer, list):
            return choice in answer
        raise ExprError("type", f"selected() needs a choice answer, not a {type_name(answer)}")
    if name == "count_selected":
        answer = values[0]
        if answer is None:
            return ZERO
        if isinstance(answer, str):
            return Dec(1, 0)
        if isinstance(answer, list):
            return Dec.make(len(answer), 0)
        raise ExprError("type", f"count_selected() needs a choice answer, not a {type_name(answer)}")
    if name == "count":
        return Dec.make(sum(1 for v in _flatten(values) if v is not None and v is not False), 0)
    if name == "sum":
        total = ZERO
        for number in _numbers(name, values):
            total = total.add(number)
        return total
    if name in ("min", "max"):
        numbers = _numbers(name, values)
        if not numbers:
            return None
        best = numbers[0]
        for number in numbers[1:]:
            c = number.cmp(best)
            if (name == "min" and c < 0) or (name == "max" and c > 0):
                best = number
        return best
    if name == "avg":
        numbers = _numbers(name, values)
        if not numbers:
            return None
        total = ZERO
        for number in numbers:
            total = total.add(number)
        return total.div(Dec.make(len(numbers), 0))
    if name == "column":
        rows = _rows(name, values[0])
        col = _text(name, values[1])
        keep = _row_filter(name, values[2] if len(values) > 2 else None)
        return [row.get(col) for row in rows if keep(row)]
    if name == "rows":
        rows = _rows(name, values[0])
        keep = _row_filter(name, values[1] if len(values) > 1 else None)
        return Dec.make(sum(1 for row in rows if keep(row)), 0)
    if name == "round":
        number = values[0]
        digits: Any = values[1] if len(values) > 1 else ZERO
        if not isinstance(digits, Dec) or not digits.is_integer() or not 0 <= digits.coef <= MAX_ROUND_DIGITS:
            raise ExprError("value", f"round(): the digits must be a whole number from 0 to {MAX_ROUND_DIGITS}")
        if number is None:
            return None
        if not isinstance(number, Dec):
            raise ExprError("type", f"round() needs a number, not a {type_name(number)}")
        return number.round(digits.coef)
    if name == "abs":
        number = values[0]
        if number is None:
            return None
        if not isinstance(number, Dec):
            raise ExprError("type", f"abs() needs a number, not a {type_name(number)}")
        return Dec(abs(number.coef), number.scale)
    if name == "regex":
        subject, pattern = values
        compiled = compile_regex(_text("regex", pattern))
        if subject is None:
            return None
        subject = _text("regex", subject)
        if len(subject) > REGEX_MAX_SUBJECT:
            raise ExprError("value", f"regex(): the text is longer than {REGEX_MAX_SUBJECT} characters")
        return compiled.fullmatch(subject) is not None
    if name == "length":
        if values[0] is None:
            return None
        return Dec.make(len(_text("length", values[0])), 0)
    if name == "concat":
        parts = []
        for value in values:
            if value is None:
                continue
            if isinstance(value, list | dict):
                raise ExprError("type", f"concat() cannot join a {type_name(value)}")
            parts.append(_to_text(value))
        return "".join(parts)
    if name == "contains":
        haystack, needle = values
        needle = _text("contains", needle)
        if haystack is None:
            return None
        return needle in _text("contains", haystack)
    if name == "number":
        value = values[0]
        if value is None or isinstance(value, Dec):
            return value
        text = _text("number", value).strip(" \t\n\r")
        return Dec.parse(text) if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text) else None
    if name == "string":
        value = values[0]
        if value is None:
            return None
        if isinstance(value, list | dict):
            raise ExprError("type", f"string() cannot convert a {type_name(value)}")
        return _to_text(value)
    raise AssertionError(name)  # pragma: no cover


# --- the safe regular-expression subset ------------------------------------------------------------

_CLASS_ESCAPES = {"d": "0-9", "w": "A-Za-z0-9_", "s": " \\t\\n\\r\\f\\v"}
_ESCAPES = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[A-Za-z0-9_]",
    "W": "[^A-Za-z0-9_]",
    "s": "[ \\t\\n\\r\\f\\v]",
    "S": "[^ \\t\\n\\r\\f\\v]",
    "t": "\\t",
    "n": "\\n",
    "r": "\\r",
}
_SYNTAX = set("^$\\.*+?()[]{}|/")


def _literal(char: str, in_class: bool) -> str:
    if char in _SYNTAX or (in_class and char == "-"):
        return "\\" + char
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    return char


def translate_regex(pattern: str) -> str:
    """Check ``pattern`` against the safe subset and return its canonical form, which Python's
    ``re`` (ASCII) and JavaScript's ``RegExp`` (``u``) read the same way, for a whole-text match.

    The subset: literals, ``.``, classes ``[a-z0-9_]`` / ``[^…]``, ``\\d \\w \\s \\D \\W \\S``, escaped
    punctuation, groups ``( )`` / ``(?: )``, ``|``, quantifiers ``* + ? {n} {n,} {n,m}``; ``^`` and
    ``$`` only at the very start and end (the whole text is matched anyway). Refused: backreferences,
    lookarounds, lazy quantifiers, a repeated group that contains a repetition or alternatives
    (exponential backtracking), more than three unbounded repetitions.

    :raise ExprError: ``value``, saying what is wrong.
    """
    if len(pattern) > REGEX_MAX_PATTERN:
        raise ExprError("value", f"regular expression is longer than {REGEX_MAX_PATTERN} characters")
    src = pattern
    if src.startswith("^"):
        src = src[1:]
    if src.endswith("$") and not src.endswith("\\$"):
        src = src[:-1]
    pos = 0
    unbounded = 0

    def fail(message: str) -> ExprError:
        return ExprError("value", f"regular expression {pattern!r}: {message}")

    # Each parse function returns (canonical text, contains_quantifier_or_alternation).
    def alternation(depth: int) -> tuple[str, bool]:
        nonlocal pos
        parts = [sequence(depth)]
        risky = parts[0][1]
        while pos < len(src) and src[pos] == "|":
            pos += 1
            parts.append(sequence(depth))
            risky = True
        return "|".join(p[0] for p in parts), risky

    def sequence(depth: int) -> tuple[str, bool]:
        nonlocal pos, unbounded
        out = []
        risky = False
        while pos < len(src) and src[pos] not in "|)":
            text, inner_risky, is_group = atom(depth)
            quant, fixed, is_unbounded = quantifier()
            if quant:
                if is_group and inner_risky:
                    raise fail("a repeated group may not contain repetitions or alternatives")
                if is_unbounded:
                    unbounded += 1
                    if unbounded > REGEX_MAX_UNBOUNDED:
                        raise fail(f"at most {REGEX_MAX_UNBOUNDED} unbounded repetitions (*, +, {{n,}})")
                if not fixed:
                    risky = True
            risky = risky or inner_risky
            out.append(text + quant)
        return "".join(out), risky

    def quantifier() -> tuple[str, bool, bool]:
        nonlocal pos
        if pos >= len(src):
            return "", True, False
        char = src[pos]
        if char in "*+?":
            pos += 1
            if pos < len(src) and src[pos] in "?+":
                raise fail("lazy or possessive repetition is not supported")
            return char, False, char != "?"
        if char == "{":
            m = re.match(r"\{([0-9]{1,3})(,([0-9]{1,3})?)?\}", src[pos:])
            if not m:
                raise fail("'{' must start a repetition such as {3} or {2,5} (write \\{ for the character)")
            low = int(m.group(1))
            high = None if m.group(2) and m.group(3) is None else int(m.group(3) or m.group(1))
            if high is not None and high < low:
                raise fail(f"repetition {m.group()} has its bounds the wrong way round")
            pos += m.end()
            if pos < len(src) and src[pos] in "?+":
                raise fail("lazy or possessive repetition is not supported")
            text = f"{{{low}}}" if high == low and not m.group(2) else f"{{{low},{'' if high is None else high}}}"
            return text, high == low and not m.group(2), high is None
        return "", True, False

    def atom(depth: int) -> tuple[str, bool, bool]:
        nonlocal pos
        char = src[pos]
        if char == "(":
            if depth >= 10:
                raise fail("groups are nested too deeply")
            pos += 1
            if src.startswith("?:", pos):
                pos += 2
            elif pos < len(src) and src[pos] == "?":
                raise fail("lookarounds and named groups are not supported")
            text, risky = alternation(depth + 1)
            if pos >= len(src) or src[pos] != ")":
                raise fail("a group is not closed: ')' is missing")
            pos += 1
            return f"(?:{text})", risky, True
        if char == "[":
            return char_class(), False, False
        if char == "\\":
            return escape(), False, False
        if char == ".":
            pos += 1
            return "[^\\n]", False, False
        if char in "*+?{":
            raise fail(f"'{char}' has nothing to repeat")
        if char in "^$":
            raise fail(f"'{char}' is only allowed at the very start (^) or end ($)")
        if char in "]}":
            pos += 1
            return "\\" + char, False, False
        pos += 1
        return _literal(char, False), False, False

    def escape() -> str:
        nonlocal pos
        if pos + 1 >= len(src):
            raise fail("a backslash ends the pattern")
        char = src[pos + 1]
        pos += 2
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char in _SYNTAX or char == "-":
            return _literal(char, False)
        if "0" <= char <= "9":
            raise fail("backreferences are not supported")
        raise fail(f"unknown escape \\{char}")

    def char_class() -> str:
        nonlocal pos
        pos += 1
        out = "["
        if pos < len(src) and src[pos] == "^":
            out += "^"
            pos += 1
        items = 0
        while True:
            if pos >= len(src):
                raise fail("a character class is not closed: ']' is missing")
            char = src[pos]
            if char == "]" and items:
                pos += 1
                return out + "]"
            if char == "[":
                raise fail("'[' inside a character class must be escaped")
            if char == "\\":
                if pos + 1 >= len(src):
                    raise fail("a backslash ends the pattern")
                esc = src[pos + 1]
                pos += 2
                if esc in _CLASS_ESCAPES:
                    out += _CLASS_ESCAPES[esc]
                    items += 1
                    continue
                if esc in "tnr":
                    low = {"t": "\t", "n": "\n", "r": "\r"}[esc]
                elif esc in _SYNTAX or esc == "-":
                    low = esc
                else:
                    raise fail(f"\\{esc} is not allowed inside a character class")
            else:
                low = char
                pos += 1
            if pos + 1 < len(src) and src[pos] == "-" and src[pos + 1] != "]":
                high = src[pos + 1]
                if high == "\\":
                    if pos + 2 >= len(src) or not (src[pos + 2] in _SYNTAX or src[pos + 2] == "-"):
                        raise fail("a range must end in a plain character")
                    high = src[pos + 2]
                    pos += 3
                else:
                    pos += 2
                if ord(high) < ord(low):
                    raise fail(f"range {low}-{high} is the wrong way round")
                out += _literal(low, True) + "-" + _literal(high, True)
            else:
                out += _literal(low, True)
            items += 1

    text, _ = alternation(0)
    if pos < len(src):
        raise fail("')' without a matching '('")
    return text


@functools.lru_cache(maxsize=512)
def compile_regex(pattern: str) -> re.Pattern[str]:
    """The compiled whole-text matcher of a pattern in the safe subset. :raise ExprError: ``value``."""
    return re.compile(translate_regex(pattern), re.ASCII)
