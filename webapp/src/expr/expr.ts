/**
 * Rayon expressions: the one small language of form rules (relevance, constraints, computed
 * values), as the server evaluates them in Python (server/surveys/expr.py). Both are tested on the
 * shared vectors in tests/fixtures/expr_vectors.json; the definition is surveys/EXPRESSIONS.md.
 *
 * Parsed by a recursive-descent parser, never eval'ed. Numbers are exact decimals (BigInt
 * coefficient and scale): + - * exact, / and avg() rounded to 12 decimal places (half away from
 * zero), division by zero gives null. Null is "unanswered".
 *
 * Standalone: no imports, so the web app can use it offline.
 */

export const MAX_LENGTH = 2000;
export const MAX_DEPTH = 64;
export const DIV_SCALE = 12;
export const MAX_ROUND_DIGITS = 12;
export const REGEX_MAX_PATTERN = 200;
export const REGEX_MAX_SUBJECT = 1000;
export const REGEX_MAX_UNBOUNDED = 3;

/** Function name -> [fewest, most] arguments; null: any number. */
export const FUNCTIONS: Record<string, [number, number | null]> = {
  if: [3, 3],
  coalesce: [1, null],
  answered: [1, 1],
  selected: [2, 2],
  count_selected: [1, 1],
  count: [1, null],
  sum: [1, null],
  min: [1, null],
  max: [1, null],
  avg: [1, null],
  column: [2, 3],
  rows: [1, 2],
  round: [1, 2],
  abs: [1, 1],
  regex: [2, 2],
  length: [1, 1],
  concat: [1, null],
  contains: [2, 2],
  number: [1, 1],
  string: [1, 1],
};
const KEYWORDS = new Set(["and", "or", "not", "div", "mod", "true", "false", "null"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type ErrorKind = "syntax" | "type" | "value";

export class ExprError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly detail: string,
    readonly position: number | null = null,
  ) {
    super(position === null ? detail : `${detail} (at character ${position + 1})`);
    this.name = "ExprError";
  }
}

// --- exact decimals ---------------------------------------------------------------------------

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** n / d rounded to an integer, halves away from zero (d != 0). */
function divHalfAway(n: bigint, d: bigint): bigint {
  const negative = n < 0n !== d < 0n;
  const an = abs(n);
  const ad = abs(d);
  let q = an / ad;
  const r = an - q * ad;
  if (2n * r >= ad) q += 1n;
  return negative ? -q : q;
}

/** An exact decimal coef * 10^-scale, always normalised (no trailing zeros in coef). */
export class Dec {
  private constructor(
    readonly coef: bigint,
    readonly scale: number,
  ) {}

  static make(coef: bigint, scale: number): Dec {
    while (scale > 0 && coef % 10n === 0n) {
      coef /= 10n;
      scale -= 1;
    }
    if (coef === 0n) scale = 0;
    return new Dec(coef, scale);
  }

  /** A decimal from "-12.50", "1e-7", "1.5e+20"; null when it is not a number. */
  static parse(text: string): Dec | null {
    const m = /^([+-]?)([0-9]+)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
    if (!m) return null;
    const frac = m[3] ?? "";
    const exp = m[4] ? parseInt(m[4], 10) : 0;
    let coef = BigInt(m[2] + frac);
    let scale = frac.length - exp;
    if (scale < 0) {
      coef *= pow10(-scale);
      scale = 0;
    }
    return Dec.make(m[1] === "-" ? -coef : coef, scale);
  }

  static fromNumber(value: number): Dec {
    if (!Number.isFinite(value)) throw new ExprError("value", "numbers must be finite");
    return Dec.parse(String(value))!;
  }

  toString(): string {
    let digits = abs(this.coef).toString();
    if (this.scale) {
      digits = digits.padStart(this.scale + 1, "0");
      digits = digits.slice(0, -this.scale) + "." + digits.slice(-this.scale);
    }
    return (this.coef < 0n ? "-" : "") + digits;
  }

  private aligned(other: Dec): [bigint, bigint, number] {
    const scale = Math.max(this.scale, other.scale);
    return [this.coef * pow10(scale - this.scale), other.coef * pow10(scale - other.scale), scale];
  }

  add(other: Dec): Dec {
    const [a, b, scale] = this.aligned(other);
    return Dec.make(a + b, scale);
  }

  sub(other: Dec): Dec {
    const [a, b, scale] = this.aligned(other);
    return Dec.make(a - b, scale);
  }

  mul(other: Dec): Dec {
    return Dec.make(this.coef * other.coef, this.scale + other.scale);
  }

  div(other: Dec): Dec | null {
    if (other.coef === 0n) return null;
    const n = this.coef * pow10(other.scale + DIV_SCALE);
    const d = other.coef * pow10(this.scale);
    return Dec.make(divHalfAway(n, d), DIV_SCALE);
  }

  /** Remainder of truncated division: the sign of the dividend. */
  mod(other: Dec): Dec | null {
    const [a, b, scale] = this.aligned(other);
    if (b === 0n) return null;
    return Dec.make(a % b, scale); // BigInt % truncates, as the Python side does by hand
  }

  neg(): Dec {
    return new Dec(-this.coef, this.scale);
  }

  cmp(other: Dec): number {
    const [a, b] = this.aligned(other);
    return a > b ? 1 : a < b ? -1 : 0;
  }

  round(digits: number): Dec {
    if (this.scale <= digits) return this;
    return Dec.make(divHalfAway(this.coef, pow10(this.scale - digits)), digits);
  }

  isInteger(): boolean {
    return this.scale === 0;
  }

  toJSON(): number {
    return Number(this.toString());
  }
}

const ZERO = Dec.make(0n, 0);
const ONE = Dec.make(1n, 0);
const int = (n: number): Dec => Dec.make(BigInt(n), 0);

/** A value inside the evaluator. Rows are product-grid rows. */
export type Value = null | boolean | string | Dec | Value[] | Row;
export interface Row {
  [column: string]: Value;
}
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON value as an expression value: numbers become Dec, containers recursively. */
export function fromJson(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Dec.fromNumber(value);
  if (value instanceof Dec) return value;
  if (Array.isArray(value)) return value.map(fromJson);
  if (typeof value === "object") {
    const out: Row = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = fromJson(v);
    return out;
  }
  throw new ExprError("type", `cannot use a ${typeof value} in an expression`);
}

/** An expression value as JSON: decimals become numbers. */
export function toJson(value: Value): Json {
  if (value instanceof Dec) return value.toJSON();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return value;
}

export function typeName(value: Value): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return "boolean";
  if (value instanceof Dec) return "number";
  if (typeof value === "string") return "text";
  if (Array.isArray(value)) return "list";
  return "row";
}

const isRow = (value: Value): value is Row =>
  value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Dec);

// --- the parser -------------------------------------------------------------------------------

interface Token {
  kind: "num" | "str" | "ref" | "name" | "op" | "end";
  text: string;
  pos: number;
}

const TOKEN =
  /([ \t\n\r]+)|([0-9]+(?:\.[0-9]+)?)|('(?:[^']|'')*'|"(?:[^"]|"")*")|(\$\{[^}]*\})|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|!=|==|[-+*/=<>(),.])/y;
const KINDS = [null, null, "num", "str", "ref", "name", "op"] as const;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) {
      const char = String.fromCodePoint(text.codePointAt(pos)!);
      if (char === "'" || char === '"') throw new ExprError("syntax", "text is not closed: a quote is missing", pos);
      if (text.startsWith("${", pos)) throw new ExprError("syntax", "reference is not closed: '}' is missing", pos);
      throw new ExprError("syntax", `unexpected character ${pyRepr(char)}`, pos);
    }
    const group = m.findIndex((g, i) => i > 0 && g !== undefined);
    const kind = KINDS[group];
    if (kind !== null) tokens.push({ kind, text: m[0], pos });
    pos += m[0].length;
  }
  tokens.push({ kind: "end", text: "", pos: text.length });
  return tokens;
}

/** Python's repr() of a one-character string, so both sides word errors alike. */
function pyRepr(s: string): string {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export type Node =
  | { t: "lit"; v: Value }
  | { t: "ref"; names: string[] }
  | { t: "this" }
  | { t: "arith"; op: string; l: Node; r: Node }
  | { t: "neg"; e: Node }
  | { t: "cmp"; op: string; l: Node; r: Node }
  | { t: "not"; e: Node }
  | { t: "and"; l: Node; r: Node }
  | { t: "or"; l: Node; r: Node }
  | { t: "call"; name: string; args: Node[] };

const CMP_OPS = new Set(["=", "==", "!=", "<", "<=", ">", ">="]);

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private depth = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  private get tok(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private at(kind: Token["kind"], text?: string): boolean {
    const tok = this.tok;
    return tok.kind === kind && (text === undefined || tok.text === text);
  }

  private describe(tok: Token): string {
    return tok.kind === "end" ? "the end" : `'${tok.text}'`;
  }

  private expectOp(text: string): void {
    if (!this.at("op", text)) {
      throw new ExprError("syntax", `expected '${text}' but found ${this.describe(this.tok)}`, this.tok.pos);
    }
    this.next();
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) {
      throw new ExprError("syntax", `expression is nested more than ${MAX_DEPTH} levels deep`, this.tok.pos);
    }
  }

  parse(): Node {
    const node = this.or();
    if (!this.at("end")) throw new ExprError("syntax", `unexpected ${this.describe(this.tok)}`, this.tok.pos);
    return node;
  }

  private or(): Node {
    let node = this.and();
    while (this.at("name", "or")) {
      this.next();
      node = { t: "or", l: node, r: this.and() };
    }
    return node;
  }

  private and(): Node {
    let node = this.not();
    while (this.at("name", "and")) {
      this.next();
      node = { t: "and", l: node, r: this.not() };
    }
    return node;
  }

  private not(): Node {
    if (this.at("name", "not")) {
      this.next();
      this.enter();
      const node: Node = { t: "not", e: this.not() };
      this.depth -= 1;
      return node;
    }
    return this.cmp();
  }

  private cmp(): Node {
    let node = this.add();
    if (this.tok.kind === "op" && CMP_OPS.has(this.tok.text)) {
      const op = this.next().text;
      node = { t: "cmp", op: op === "==" ? "=" : op, l: node, r: this.add() };
      if (this.tok.kind === "op" && CMP_OPS.has(this.tok.text)) {
        throw new ExprError("syntax", "comparisons cannot be chained; join them with 'and'", this.tok.pos);
      }
    }
    return node;
  }

  private add(): Node {
    let node = this.mul();
    while (this.tok.kind === "op" && (this.tok.text === "+" || this.tok.text === "-")) {
      const op = this.next().text;
      node = { t: "arith", op, l: node, r: this.mul() };
    }
    return node;
  }

  private mul(): Node {
    let node = this.unary();
    while (
      (this.tok.kind === "op" && (this.tok.text === "*" || this.tok.text === "/")) ||
      (this.tok.kind === "name" && (this.tok.text === "div" || this.tok.text === "mod"))
    ) {
      const op = this.next().text;
      node = { t: "arith", op: op === "div" ? "/" : op, l: node, r: this.unary() };
    }
    return node;
  }

  private unary(): Node {
    if (this.at("op", "-")) {
      this.next();
      this.enter();
      const node: Node = { t: "neg", e: this.unary() };
      this.depth -= 1;
      return node;
    }
    return this.primary();
  }

  private primary(): Node {
    const tok = this.tok;
    if (tok.kind === "num") {
      this.next();
      return { t: "lit", v: Dec.parse(tok.text)! };
    }
    if (tok.kind === "str") {
      this.next();
      const quote = tok.text[0];
      return { t: "lit", v: tok.text.slice(1, -1).split(quote + quote).join(quote) };
    }
    if (tok.kind === "ref") {
      this.next();
      const inner = tok.text.slice(2, -1).replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
      const parts = inner.split(".");
      if (!inner || parts.length > 2 || !parts.every((p) => NAME.test(p))) {
        throw new ExprError("syntax", `'${tok.text}' is not a reference: write \${name} or \${row.column}`, tok.pos);
      }
      return { t: "ref", names: parts };
    }
    if (tok.kind === "op" && tok.text === ".") {
      this.next();
      return { t: "this" };
    }
    if (tok.kind === "op" && tok.text === "(") {
      this.next();
      this.enter();
      const node = this.or();
      this.depth -= 1;
      this.expectOp(")");
      return node;
    }
    if (tok.kind === "name") {
      if (tok.text === "true" || tok.text === "false") {
        this.next();
        return { t: "lit", v: tok.text === "true" };
      }
      if (tok.text === "null") {
        this.next();
        return { t: "lit", v: null };
      }
      if (KEYWORDS.has(tok.text)) throw new ExprError("syntax", `'${tok.text}' needs a value before it`, tok.pos);
      this.next();
      if (!this.at("op", "(")) {
        throw new ExprError("syntax", `unknown name '${tok.text}': write \${${tok.text}} to use an answer`, tok.pos);
      }
      if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, tok.text)) {
        throw new ExprError("syntax", `unknown function '${tok.text}'`, tok.pos);
      }
      this.next();
      this.enter();
      const args: Node[] = [];
      if (!this.at("op", ")")) {
        args.push(this.or());
        while (this.at("op", ",")) {
          this.next();
          args.push(this.or());
        }
      }
      this.expectOp(")");
      this.depth -= 1;
      const [low, high] = FUNCTIONS[tok.text];
      if (args.length < low || (high !== null && args.length > high)) {
        const wanted = low === high ? String(low) : high === null ? `at least ${low}` : `${low} to ${high}`;
        const plural = wanted !== "1" ? "s" : "";
        throw new ExprError("syntax", `${tok.text}() takes ${wanted} argument${plural}, not ${args.length}`, tok.pos);
      }
      return { t: "call", name: tok.text, args };
    }
    if (tok.kind === "end") throw new ExprError("syntax", "the expression ends too early", tok.pos);
    throw new ExprError("syntax", `unexpected '${tok.text}'`, tok.pos);
  }
}

/** A parsed expression. */
export interface Expr {
  text: string;
  tree: Node;
}

const cache = new Map<string, Expr>();

/** Parse an expression. Throws ExprError "syntax", with the position. */
export function parse(text: string): Expr {
  if (typeof text !== "string") throw new ExprError("syntax", "an expression must be text");
  const cached = cache.get(text);
  if (cached) return cached;
  // Length in code points, as Python counts it.
  if (Array.from(text).length > MAX_LENGTH) {
    throw new ExprError("syntax", `expression is longer than ${MAX_LENGTH} characters`);
  }
  if (!/[^ \t\n\r]/.test(text)) throw new ExprError("syntax", "the expression is empty");
  const expr = { text, tree: new Parser(text).parse() };
  if (cache.size > 4096) cache.clear();
  cache.set(text, expr);
  return expr;
}

/** Every ${...} in the expression, as name paths; ["."] for ".". */
export function references(expr: Expr): string[][] {
  const found: string[][] = [];
  const walk = (node: Node): void => {
    switch (node.t) {
      case "ref":
        found.push(node.names);
        break;
      case "this":
        found.push(["."]);
        break;
      case "arith":
      case "cmp":
      case "and":
      case "or":
        walk(node.l);
        walk(node.r);
        break;
      case "neg":
      case "not":
        walk(node.e);
        break;
      case "call":
        node.args.forEach(walk);
        break;
      default:
        break;
    }
  };
  walk(expr.tree);
  return found;
}

// --- evaluation -------------------------------------------------------------------------------

/** Answers by name; "row" holds the current grid row, "." the value being checked. */
export type Context = Record<string, Value>;

/** The value of an expression over a context (values already converted with fromJson). */
export function evaluate(expr: Expr | string, context: Context): Value {
  const parsed = typeof expr === "string" ? parse(expr) : expr;
  return evalNode(parsed.tree, context);
}

/** evaluate() from and to plain JSON values. */
export function evaluateJson(text: string, context: Record<string, unknown>): Json {
  return toJson(evaluate(text, fromJson(context) as Context));
}

function get(ctx: Context, name: string): Value {
  return Object.prototype.hasOwnProperty.call(ctx, name) ? (ctx[name] ?? null) : null;
}

function evalNode(node: Node, ctx: Context): Value {
  switch (node.t) {
    case "lit":
      return node.v;
    case "ref": {
      const value = get(ctx, node.names[0]);
      if (node.names.length === 1) return value;
      if (value === null) return null;
      if (!isRow(value)) {
        throw new ExprError("type", `\${${node.names.join(".")}}: ${node.names[0]} is a ${typeName(value)}, not a row`);
      }
      return get(value, node.names[1]);
    }
    case "this":
      return get(ctx, ".");
    case "arith":
      return arith(node.op, evalNode(node.l, ctx), evalNode(node.r, ctx));
    case "neg": {
      const value = evalNode(node.e, ctx);
      if (value === null) return null;
      if (!(value instanceof Dec)) throw new ExprError("type", `cannot negate a ${typeName(value)}`);
      return value.neg();
    }
    case "cmp":
      return compare(node.op, evalNode(node.l, ctx), evalNode(node.r, ctx));
    case "not": {
      const value = logical(evalNode(node.e, ctx), "not");
      return value === null ? null : !value;
    }
    case "and": {
      const left = logical(evalNode(node.l, ctx), "and");
      if (left === false) return false;
      const right = logical(evalNode(node.r, ctx), "and");
      if (right === false) return false;
      return left === null || right === null ? null : true;
    }
    case "or": {
      const left = logical(evalNode(node.l, ctx), "or");
      if (left === true) return true;
      const right = logical(evalNode(node.r, ctx), "or");
      if (right === true) return true;
      return left === null || right === null ? null : false;
    }
    case "call":
      return call(node.name, node.args, ctx);
  }
}

function logical(value: Value, op: string): boolean | null {
  if (value === null || typeof value === "boolean") return value;
  throw new ExprError("type", `'${op}' needs true, false or null, not a ${typeName(value)}`);
}

function arith(op: string, a: Value, b: Value): Value {
  for (const value of [a, b]) {
    if (value !== null && !(value instanceof Dec)) {
      throw new ExprError("type", `'${op}' needs numbers, not a ${typeName(value)}`);
    }
  }
  if (a === null || b === null) return null;
  const x = a as Dec;
  const y = b as Dec;
  switch (op) {
    case "+":
      return x.add(y);
    case "-":
      return x.sub(y);
    case "*":
      return x.mul(y);
    case "/":
      return x.div(y);
    default:
      return x.mod(y);
  }
}

/** Compare two texts by code point, as Python does (not by UTF-16 unit). */
function codePointCmp(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

function compare(op: string, a: Value, b: Value): boolean | null {
  if (op === "=" || op === "!=") {
    let same: boolean;
    if (a === null || b === null) {
      same = a === null && b === null;
    } else {
      const ta = typeName(a);
      const tb = typeName(b);
      if (ta !== tb || ta === "list" || ta === "row") {
        throw new ExprError("type", `cannot compare a ${ta} with a ${tb} using '${op}'`);
      }
      same = a instanceof Dec ? a.cmp(b as Dec) === 0 : a === b;
    }
    return op === "=" ? same : !same;
  }
  for (const value of [a, b]) {
    if (value !== null && !(value instanceof Dec) && typeof value !== "string") {
      throw new ExprError("type", `'${op}' needs two numbers or two texts, not a ${typeName(value)}`);
    }
  }
  if (a === null || b === null) return null;
  if (typeName(a) !== typeName(b)) {
    throw new ExprError("type", `cannot compare a ${typeName(a)} with a ${typeName(b)} using '${op}'`);
  }
  const c = a instanceof Dec ? a.cmp(b as Dec) : codePointCmp(a as string, b as string);
  switch (op) {
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    default:
      return c >= 0;
  }
}

function flatten(values: Value[]): Value[] {
  const out: Value[] = [];
  for (const value of values) {
    if (Array.isArray(value)) out.push(...value);
    else out.push(value);
  }
  return out;
}

function numbers(name: string, values: Value[]): Dec[] {
  const out: Dec[] = [];
  for (const value of flatten(values)) {
    if (value === null) continue;
    if (!(value instanceof Dec)) throw new ExprError("type", `${name}() needs numbers, not a ${typeName(value)}`);
    out.push(value);
  }
  return out;
}

function text(name: string, value: Value): string {
  if (typeof value !== "string") throw new ExprError("type", `${name}() needs text, not a ${typeName(value)}`);
  return value;
}

function rowFilter(name: string, value: Value | undefined): (row: Row) => boolean {
  if (value === null || value === undefined) return () => true;
  const t = text(name, value);
  if (t === "all") return () => true;
  if (t === "own") return (row) => get(row, "_own") === true;
  if (t === "competitor") return (row) => get(row, "_own") === false;
  if (t === "reference") return (row) => get(row, "_reference") === true;
  for (const attr of ["brand", "category"]) {
    if (t.startsWith(attr + "=")) {
      const wanted = t.slice(attr.length + 1);
      return (row) => get(row, "_" + attr) === wanted;
    }
  }
  throw new ExprError(
    "value",
    `${name}(): '${t}' is not a row filter (all, own, competitor, reference, brand=…, category=…)`,
  );
}

function rowsOf(name: string, grid: Value): Row[] {
  if (grid === null) return [];
  if (!Array.isArray(grid) || !grid.every(isRow)) {
    throw new ExprError("type", `${name}() needs a product grid, not a ${typeName(grid)}`);
  }
  return grid as Row[];
}

function toText(value: Value): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Dec) return value.toString();
  return value as string;
}

function sumOf(values: Dec[]): Dec {
  let total = ZERO;
  for (const v of values) total = total.add(v);
  return total;
}

function call(name: string, args: Node[], ctx: Context): Value {
  // Lazy functions first.
  if (name === "if") {
    const cond = evalNode(args[0], ctx);
    if (cond !== null && typeof cond !== "boolean") {
      throw new ExprError("type", `if() needs a condition that is true, false or null, not a ${typeName(cond)}`);
    }
    return evalNode(cond === true ? args[1] : args[2], ctx);
  }
  if (name === "coalesce") {
    for (const arg of args) {
      const value = evalNode(arg, ctx);
      if (value !== null) return value;
    }
    return null;
  }
  const values = args.map((arg) => evalNode(arg, ctx));
  switch (name) {
    case "answered": {
      const v = values[0];
      return !(v === null || v === "" || (Array.isArray(v) && v.length === 0));
    }
    case "selected": {
      const [answer, choice] = values;
      const c = text("selected", choice);
      if (answer === null) return false;
      if (typeof answer === "string") return answer === c;
      if (Array.isArray(answer)) return answer.includes(c);
      throw new ExprError("type", `selected() needs a choice answer, not a ${typeName(answer)}`);
    }
    case "count_selected": {
      const answer = values[0];
      if (answer === null) return ZERO;
      if (typeof answer === "string") return ONE;
      if (Array.isArray(answer)) return int(answer.length);
      throw new ExprError("type", `count_selected() needs a choice answer, not a ${typeName(answer)}`);
    }
    case "count":
      return int(flatten(values).filter((v) => v !== null && v !== false).length);
    case "sum":
      return sumOf(numbers(name, values));
    case "min":
    case "max": {
      const nums = numbers(name, values);
      if (!nums.length) return null;
      let best = nums[0];
      for (const n of nums.slice(1)) {
        const c = n.cmp(best);
        if ((name === "min" && c < 0) || (name === "max" && c > 0)) best = n;
      }
      return best;
    }
    case "avg": {
      const nums = numbers(name, values);
      if (!nums.length) return null;
      return sumOf(nums).div(int(nums.length));
    }
    case "column": {
      const rows = rowsOf(name, values[0]);
      const col = text(name, values[1]);
      const keep = rowFilter(name, values[2]);
      return rows.filter(keep).map((row) => get(row, col));
    }
    case "rows": {
      const rows = rowsOf(name, values[0]);
      const keep = rowFilter(name, values[1]);
      return int(rows.filter(keep).length);
    }
    case "round": {
      const number = values[0];
      const digits = values.length > 1 ? values[1] : ZERO;
      if (
        !(digits instanceof Dec) ||
        !digits.isInteger() ||
        digits.coef < 0n ||
        digits.coef > BigInt(MAX_ROUND_DIGITS)
      ) {
        throw new ExprError("value", `round(): the digits must be a whole number from 0 to ${MAX_ROUND_DIGITS}`);
      }
      if (number === null) return null;
      if (!(number instanceof Dec)) throw new ExprError("type", `round() needs a number, not a ${typeName(number)}`);
      return number.round(Number(digits.coef));
    }
    case "abs": {
      const number = values[0];
      if (number === null) return null;
      if (!(number instanceof Dec)) throw new ExprError("type", `abs() needs a number, not a ${typeName(number)}`);
      return number.coef < 0n ? number.neg() : number;
    }
    case "regex": {
      const [subject, pattern] = values;
      const compiled = compileRegex(text("regex", pattern));
      if (subject === null) return null;
      const s = text("regex", subject);
      if (Array.from(s).length > REGEX_MAX_SUBJECT) {
        throw new ExprError("value", `regex(): the text is longer than ${REGEX_MAX_SUBJECT} characters`);
      }
      return compiled.test(s);
    }
    case "length":
      if (values[0] === null) return null;
      return int(Array.from(text("length", values[0])).length);
    case "concat": {
      let out = "";
      for (const value of values) {
        if (value === null) continue;
        if (Array.isArray(value) || isRow(value)) throw new ExprError("type", `concat() cannot join a ${typeName(value)}`);
        out += toText(value);
      }
      return out;
    }
    case "contains": {
      const [haystack, needle] = values;
      const n = text("contains", needle);
      if (haystack === null) return null;
      return text("contains", haystack).includes(n);
    }
    case "number": {
      const value = values[0];
      if (value === null || value instanceof Dec) return value;
      const t = text("number", value).replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
      return /^-?[0-9]+(\.[0-9]+)?$/.test(t) ? Dec.parse(t) : null;
    }
    case "string": {
      const value = values[0];
      if (value === null) return null;
      if (Array.isArray(value) || isRow(value)) throw new ExprError("type", `string() cannot convert a ${typeName(value)}`);
      return toText(value);
    }
  }
  throw new Error(`unreachable: ${name}`);
}

// --- the safe regular-expression subset ---------------------------------------------------------

const CLASS_ESCAPES: Record<string, string> = { d: "0-9", w: "A-Za-z0-9_", s: " \\t\\n\\r\\f\\v" };
const ESCAPES: Record<string, string> = {
  d: "[0-9]",
  D: "[^0-9]",
  w: "[A-Za-z0-9_]",
  W: "[^A-Za-z0-9_]",
  s: "[ \\t\\n\\r\\f\\v]",
  S: "[^ \\t\\n\\r\\f\\v]",
  t: "\\t",
  n: "\\n",
  r: "\\r",
};
const SYNTAX = new Set("^$\\.*+?()[]{}|/");

function literal(char: string, inClass: boolean): string {
  if (SYNTAX.has(char) || (inClass && char === "-")) return "\\" + char;
  if (char === "\n") return "\\n";
  if (char === "\t") return "\\t";
  if (char === "\r") return "\\r";
  return char;
}

/**
 * Check a pattern against the safe subset and return its canonical form (see the Python
 * translate_regex for the rules). Works on code points, as Python does.
 */
export function translateRegex(pattern: string): string {
  const all = Array.from(pattern);
  if (all.length > REGEX_MAX_PATTERN) {
    throw new ExprError("value", `regular expression is longer than ${REGEX_MAX_PATTERN} characters`);
  }
  let src = all;
  if (src[0] === "^") src = src.slice(1);
  const joined = src.join("");
  if (joined.endsWith("$") && !joined.endsWith("\\$")) src = src.slice(0, -1);
  let pos = 0;
  let unbounded = 0;
  const fail = (message: string) => new ExprError("value", `regular expression ${pyRepr(pattern)}: ${message}`);
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

  const alternation = (depth: number): [string, boolean] => {
    const parts = [sequence(depth)];
    let risky = parts[0][1];
    while (pos < src.length && src[pos] === "|") {
      pos += 1;
      parts.push(sequence(depth));
      risky = true;
    }
    return [parts.map((p) => p[0]).join("|"), risky];
  };

  const sequence = (depth: number): [string, boolean] => {
    let out = "";
    let risky = false;
    while (pos < src.length && src[pos] !== "|" && src[pos] !== ")") {
      const [t, innerRisky, isGroup] = atom(depth);
      const [quant, fixed, isUnbounded] = quantifier();
      if (quant) {
        if (isGroup && innerRisky) throw fail("a repeated group may not contain repetitions or alternatives");
        if (isUnbounded) {
          unbounded += 1;
          if (unbounded > REGEX_MAX_UNBOUNDED) {
            throw fail(`at most ${REGEX_MAX_UNBOUNDED} unbounded repetitions (*, +, {n,})`);
          }
        }
        if (!fixed) risky = true;
      }
      risky = risky || innerRisky;
      out += t + quant;
    }
    return [out, risky];
  };

  const quantifier = (): [string, boolean, boolean] => {
    if (pos >= src.length) return ["", true, false];
    const char = src[pos];
    if (char === "*" || char === "+" || char === "?") {
      pos += 1;
      if (pos < src.length && (src[pos] === "?" || src[pos] === "+")) {
        throw fail("lazy or possessive repetition is not supported");
      }
      return [char, false, char !== "?"];
    }
    if (char === "{") {
      const m = /^\{([0-9]{1,3})(,([0-9]{1,3})?)?\}/.exec(src.slice(pos).join(""));
      if (!m) throw fail("'{' must start a repetition such as {3} or {2,5} (write \\{ for the character)");
      const low = parseInt(m[1], 10);
      const high = m[2] && m[3] === undefined ? null : parseInt(m[3] ?? m[1], 10);
      if (high !== null && high < low) throw fail(`repetition ${m[0]} has its bounds the wrong way round`);
      pos += m[0].length;
      if (pos < src.length && (src[pos] === "?" || src[pos] === "+")) {
        throw fail("lazy or possessive repetition is not supported");
      }
      const isFixed = high === low && !m[2];
      const t = isFixed ? `{${low}}` : `{${low},${high === null ? "" : high}}`;
      return [t, isFixed, high === null];
    }
    return ["", true, false];
  };

  const atom = (depth: number): [string, boolean, boolean] => {
    const char = src[pos];
    if (char === "(") {
      if (depth >= 10) throw fail("groups are nested too deeply");
      pos += 1;
      if (src[pos] === "?" && src[pos + 1] === ":") pos += 2;
      else if (src[pos] === "?") throw fail("lookarounds and named groups are not supported");
      const [t, risky] = alternation(depth + 1);
      if (pos >= src.length || src[pos] !== ")") throw fail("a group is not closed: ')' is missing");
      pos += 1;
      return [`(?:${t})`, risky, true];
    }
    if (char === "[") return [charClass(), false, false];
    if (char === "\\") return [escape(), false, false];
    if (char === ".") {
      pos += 1;
      return ["[^\\n]", false, false];
    }
    if (char === "*" || char === "+" || char === "?" || char === "{") throw fail(`'${char}' has nothing to repeat`);
    if (char === "^" || char === "$") throw fail(`'${char}' is only allowed at the very start (^) or end ($)`);
    if (char === "]" || char === "}") {
      pos += 1;
      return ["\\" + char, false, false];
    }
    pos += 1;
    return [literal(char, false), false, false];
  };

  const escape = (): string => {
    if (pos + 1 >= src.length) throw fail("a backslash ends the pattern");
    const char = src[pos + 1];
    pos += 2;
    if (Object.prototype.hasOwnProperty.call(ESCAPES, char)) return ESCAPES[char];
    if (SYNTAX.has(char) || char === "-") return literal(char, false);
    if (isDigit(char)) throw fail("backreferences are not supported");
    throw fail(`unknown escape \\${char}`);
  };

  const charClass = (): string => {
    pos += 1;
    let out = "[";
    if (src[pos] === "^") {
      out += "^";
      pos += 1;
    }
    let items = 0;
    for (;;) {
      if (pos >= src.length) throw fail("a character class is not closed: ']' is missing");
      const char = src[pos];
      if (char === "]" && items) {
        pos += 1;
        return out + "]";
      }
      if (char === "[") throw fail("'[' inside a character class must be escaped");
      let low: string;
      if (char === "\\") {
        if (pos + 1 >= src.length) throw fail("a backslash ends the pattern");
        const esc = src[pos + 1];
        pos += 2;
        if (Object.prototype.hasOwnProperty.call(CLASS_ESCAPES, esc)) {
          out += CLASS_ESCAPES[esc];
          items += 1;
          continue;
        }
        if (esc === "t" || esc === "n" || esc === "r") low = esc === "t" ? "\t" : esc === "n" ? "\n" : "\r";
        else if (SYNTAX.has(esc) || esc === "-") low = esc;
        else throw fail(`\\${esc} is not allowed inside a character class`);
      } else {
        low = char;
        pos += 1;
      }
      if (pos + 1 < src.length && src[pos] === "-" && src[pos + 1] !== "]") {
        let high = src[pos + 1];
        if (high === "\\") {
          const after = src[pos + 2];
          if (after === undefined || !(SYNTAX.has(after) || after === "-")) throw fail("a range must end in a plain character");
          high = after;
          pos += 3;
        } else {
          pos += 2;
        }
        if (high.codePointAt(0)! < low.codePointAt(0)!) throw fail(`range ${low}-${high} is the wrong way round`);
        out += literal(low, true) + "-" + literal(high, true);
      } else {
        out += literal(low, true);
      }
      items += 1;
    }
  };

  const [t] = alternation(0);
  if (pos < src.length) throw fail("')' without a matching '('");
  return t;
}

const regexCache = new Map<string, RegExp>();

/** The whole-text matcher of a pattern in the safe subset. Throws ExprError "value". */
export function compileRegex(pattern: string): RegExp {
  let compiled = regexCache.get(pattern);
  if (!compiled) {
    compiled = new RegExp(`^(?:${translateRegex(pattern)})$`, "u");
    if (regexCache.size > 512) regexCache.clear();
    regexCache.set(pattern, compiled);
  }
  return compiled;
}
