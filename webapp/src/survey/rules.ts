// A form's rules on the phone: which sections and questions show (relevance), which are required,
// the answers' checks (type, bounds, constraints), computed values and the form's checks, with
// the shared expression evaluator (../expr/expr.ts). The walk is the server's
// (server/surveys/answers.py, Checker) step by step, so that what the phone accepts the server
// accepts, and a rule that fails to evaluate counts as null on both sides:
//
// 1. a section or question whose `relevant` is not true is skipped and its answer dropped;
// 2. the answer must have the question's type;
// 3. `required` (true, or an expression that is true) needs an answer;
// 4. bounds and then `constraint` (with `.` the answer) must hold;
// 5. after all questions, the computed values in order, then the form's checks.
//
// The form's own values (what the rep typed) are kept as entered ("12,5" for a number); this
// module turns them into the JSON answers the server takes. Pure: unit-tested in rules.test.ts.
import type { ListProduct, Localised } from "../api/types";
import { compileRegex, Dec, evaluate, ExprError, fromJson, parse, references, REGEX_MAX_SUBJECT, toJson, typeName, type Context, type Json, type Row, type Value } from "../expr/expr";
import { normaliseGtin } from "./gtin";

export const MAX_NUMBER = 1e12;
export const DEFAULT_TEXT_LENGTH = 2000;
export const MAX_GRID_ROWS = 500;

export type QuestionType =
  | "integer" | "decimal" | "price" | "boolean" | "single" | "multiple" | "text" | "date" | "photo" | "barcode"
  | "product_grid";

export interface Choice {
  value: string;
  label: Localised;
}

export interface QuestionDef {
  key: string;
  type: QuestionType;
  label: Localised;
  hint?: Localised;
  required?: boolean | string;
  relevant?: string;
  constraint?: string;
  constraint_message?: Localised;
  min?: number;
  max?: number;
  decimals?: number;
  currency?: string;
  choices?: Choice[];
  min_selected?: number;
  max_selected?: number;
  min_length?: number;
  max_length?: number;
  pattern?: string;
  multiline?: boolean;
  max_photos?: number;
  gtin?: boolean;
  product_list?: string;
  columns?: QuestionDef[];
}

export interface SectionDef {
  key: string;
  title: Localised;
  relevant?: string;
  questions: QuestionDef[];
}

export interface ComputedDef {
  key: string;
  label?: Localised;
  unit?: Localised;
  expression: string;
}

export interface CheckDef {
  field: string;
  assert: string;
  message: Localised;
}

export interface FormDefinition {
  key: string;
  title: Localised;
  description?: Localised;
  sections: SectionDef[];
  computed?: ComputedDef[];
  checks?: CheckDef[];
}

export type IssueCode =
  | "required" | "number" | "whole" | "min" | "max" | "decimals" | "choice" | "minSelected" | "maxSelected"
  | "minLength" | "maxLength" | "pattern" | "date" | "dateInvalid" | "gtinDigits" | "gtinLength" | "gtinCheck"
  | "maxPhotos" | "photo" | "constraint" | "check" | "tooManyRows" | "server";

/** A problem with an answer: a message key and its values, or the form's own text (constraints, checks). */
export interface Issue {
  code: IssueCode;
  params?: Record<string, string | number>;
  text?: Localised | null;
}

/** The form's values as typed: numbers as text, grids as {product id: {column: value}}. */
export type DraftValues = Record<string, unknown>;
export type GridValues = Record<string, Record<string, unknown>>;

export interface CellState {
  shown: boolean;
  required: boolean;
}

export interface Evaluation {
  sections: Record<string, boolean>;
  /** Questions on show (relevant, in a section on show). */
  shown: Record<string, boolean>;
  /** Questions that need an answer now. */
  required: Record<string, boolean>;
  /** Grid key -> product id -> column -> state. */
  cells: Record<string, Record<string, Record<string, CellState>>>;
  /** By question key, or `grid#productId.column` for a cell, `grid#productId` for a row. */
  errors: Record<string, Issue>;
  computed: Record<string, Json>;
  /** The answers to submit (relevant, answered, normalised). */
  answers: Record<string, Json>;
  /** Grid key -> the product ids of the submitted rows, in order (to place the server's errors). */
  rowOrder: Record<string, number[]>;
  /** Rules of the form that could not be evaluated (the form's mistake, not the answer's). */
  warnings: string[];
}

export function cellKey(grid: string, productId: number | string, column?: string): string {
  return column === undefined ? `${grid}#${productId}` : `${grid}#${productId}.${column}`;
}

const isEmpty = (raw: unknown): boolean =>
  raw === null || raw === undefined || raw === "" || (Array.isArray(raw) && raw.length === 0);

/** A number as typed: "12", "-3.5", "12,5", "1 234,5" (spaces and a decimal comma allowed); null when it is not one. */
export function parseNumberText(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== "string") return null;
  const text = raw.trim().replace(/[\s\u00a0\u202f']/g, "");
  if (!/^[-+]?[0-9]+([.,][0-9]+)?$/.test(text)) return null;
  const value = Number(text.replace(",", "."));
  return Number.isFinite(value) ? value : null;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function isDate(text: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function show(n: number): string {
  return Dec.fromNumber(n).toString();
}

type Checked = { value: Json } | { issue: Issue } | null;

/** One answer checked and normalised (not grids): null when unanswered. */
export function checkValue(q: QuestionDef, raw: unknown): Checked {
  if (isEmpty(raw)) return null;
  switch (q.type) {
    case "integer":
    case "decimal":
    case "price": {
      const whole = q.type === "integer";
      const value = parseNumberText(raw);
      if (value === null) return { issue: { code: whole ? "whole" : "number" } };
      if (Math.abs(value) > MAX_NUMBER) return { issue: { code: "max", params: { max: show(MAX_NUMBER) } } };
      const number = Dec.fromNumber(value);
      const decimals = q.type === "decimal" ? q.decimals : q.type === "price" ? (q.decimals ?? 2) : undefined;
      if (whole && !number.isInteger()) return { issue: { code: "whole" } };
      if (decimals !== undefined && number.scale > decimals) return { issue: { code: "decimals", params: { count: decimals } } };
      const min = q.type === "price" ? (q.min ?? 0) : q.min;
      if (min !== undefined && number.cmp(Dec.fromNumber(min)) < 0) return { issue: { code: "min", params: { min: show(min) } } };
      if (q.max !== undefined && number.cmp(Dec.fromNumber(q.max)) > 0) return { issue: { code: "max", params: { max: show(q.max) } } };
      return { value: number.toJSON() };
    }
    case "boolean":
      return typeof raw === "boolean" ? { value: raw } : { issue: { code: "choice" } };
    case "single": {
      const values = (q.choices ?? []).map((c) => c.value);
      return typeof raw === "string" && values.includes(raw) ? { value: raw } : { issue: { code: "choice" } };
    }
    case "multiple": {
      const values = (q.choices ?? []).map((c) => c.value);
      if (!Array.isArray(raw) || raw.some((v) => typeof v !== "string" || !values.includes(v))) return { issue: { code: "choice" } };
      const chosen = values.filter((v) => raw.includes(v));
      if (chosen.length < (q.min_selected ?? 0)) return { issue: { code: "minSelected", params: { count: q.min_selected ?? 0 } } };
      if (chosen.length > (q.max_selected ?? values.length)) return { issue: { code: "maxSelected", params: { count: q.max_selected ?? 0 } } };
      return { value: chosen };
    }
    case "text": {
      if (typeof raw !== "string") return { issue: { code: "choice" } };
      if (!raw.trim()) return null;
      const length = Array.from(raw).length;
      const max = q.max_length ?? DEFAULT_TEXT_LENGTH;
      if (length > max) return { issue: { code: "maxLength", params: { count: max } } };
      if (length < (q.min_length ?? 0)) return { issue: { code: "minLength", params: { count: q.min_length ?? 0 } } };
      if (q.pattern !== undefined && !matches(q.pattern, raw)) return { issue: { code: "pattern", params: { pattern: q.pattern } } };
      return { value: raw };
    }
    case "date":
      if (typeof raw !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(raw)) return { issue: { code: "date" } };
      return isDate(raw) ? { value: raw } : { issue: { code: "dateInvalid" } };
    case "photo": {
      const items = typeof raw === "string" ? [raw] : raw;
      if (!Array.isArray(items)) return { issue: { code: "photo" } };
      const out: string[] = [];
      for (const item of items) {
        if (typeof item !== "string" || !UUID.test(item)) return { issue: { code: "photo" } };
        const canonical = item.toLowerCase();
        if (out.includes(canonical)) return { issue: { code: "photo" } };
        out.push(canonical);
      }
      const limit = q.max_photos ?? 1;
      if (out.length > limit) return { issue: { code: "maxPhotos", params: { count: limit } } };
      return { value: out };
    }
    case "barcode": {
      if (typeof raw !== "string") return { issue: { code: "gtinDigits" } };
      if (q.gtin ?? true) {
        const result = normaliseGtin(raw);
        return result.ok ? { value: result.gtin } : { issue: { code: result.code, params: result.params } };
      }
      if (raw.length > 100) return { issue: { code: "maxLength", params: { count: 100 } } };
      if (q.pattern !== undefined && !matches(q.pattern, raw)) return { issue: { code: "pattern", params: { pattern: q.pattern } } };
      return { value: raw };
    }
    default:
      return null;
  }
}

function matches(pattern: string, text: string): boolean {
  if (text.length > REGEX_MAX_SUBJECT) return false;
  try {
    return compileRegex(pattern).test(text);
  } catch {
    return true; // a pattern outside the subset is the form's mistake (the server refuses such forms)
  }
}

class Walker {
  ctx: Context = {};
  readonly result: Evaluation = {
    sections: {}, shown: {}, required: {}, cells: {}, errors: {}, computed: {}, answers: {}, rowOrder: {}, warnings: [],
  };
  readonly failed = new Set<string>();

  constructor(
    readonly definition: FormDefinition,
    readonly lists: Readonly<Record<string, readonly ListProduct[]>>,
  ) {}

  rule(text: string, ctx: Context, where: string): Value {
    try {
      return evaluate(text, ctx);
    } catch (error) {
      const message = error instanceof ExprError ? `${error.kind} error: ${error.message}` : String(error);
      this.result.warnings.push(`${where}: ${message}`);
      return null;
    }
  }

  isTrue(text: boolean | string | undefined, ctx: Context, where: string, fallback: boolean): boolean {
    if (text === undefined || text === null) return fallback;
    if (typeof text === "boolean") return text;
    const value = this.rule(text, ctx, where);
    if (value !== null && typeof value !== "boolean") {
      this.result.warnings.push(`${where}: gave a ${typeName(value)}, not true or false`);
      return false;
    }
    return value === true;
  }

  run(values: DraftValues): Evaluation {
    this.definition.sections.forEach((section, s) => {
      const shown = this.isTrue(section.relevant, this.ctx, `sections[${s}].relevant`, true);
      this.result.sections[section.key] = shown;
      section.questions.forEach((question, q) => {
        const where = `sections[${s}].questions[${q}]`;
        const relevant = shown && this.isTrue(question.relevant, this.ctx, `${where}.relevant`, true);
        this.ctx[question.key] = null;
        this.result.shown[question.key] = relevant;
        if (!relevant) return;
        this.question(question, values[question.key], where);
      });
    });
    (this.definition.computed ?? []).forEach((item, c) => {
      const value = this.rule(item.expression, this.ctx, `computed[${c}]`);
      this.ctx[item.key] = value;
      this.result.computed[item.key] = toJson(value);
    });
    (this.definition.checks ?? []).forEach((check, c) => {
      let refs: string[][] = [];
      try {
        refs = references(parse(check.assert));
      } catch {
        /* reported by rule() below */
      }
      if (refs.some((ref) => this.failed.has(ref[0]))) return;
      if (this.rule(check.assert, this.ctx, `checks[${c}]`) === false && !this.result.errors[check.field]) {
        this.result.errors[check.field] = { code: "check", text: check.message };
      }
    });
    return this.result;
  }

  question(q: QuestionDef, raw: unknown, where: string): void {
    const key = q.key;
    let value: Json | null = null;
    let ctxValue: Value = null;
    if (q.type === "product_grid") {
      const before = Object.keys(this.result.errors).length;
      [value, ctxValue] = this.grid(q, raw, where);
      if (Object.keys(this.result.errors).length > before) {
        this.failed.add(key);
        this.result.required[key] = this.isTrue(q.required, this.ctx, `${where}.required`, false);
        return;
      }
    } else {
      const checked = checkValue(q, raw);
      if (checked && "issue" in checked) {
        this.result.errors[key] = checked.issue;
        this.failed.add(key);
        this.result.required[key] = this.isTrue(q.required, this.ctx, `${where}.required`, false);
        return;
      }
      value = checked ? checked.value : null;
      ctxValue = value === null ? null : fromJson(value);
    }
    const required = this.isTrue(q.required, this.ctx, `${where}.required`, false);
    this.result.required[key] = required;
    if (value === null) {
      if (required) this.result.errors[key] = { code: "required" };
      return;
    }
    if (q.constraint !== undefined) {
      if (this.rule(q.constraint, { ...this.ctx, ".": ctxValue }, `${where}.constraint`) === false) {
        this.result.errors[key] = { code: "constraint", text: q.constraint_message ?? null, params: { rule: q.constraint } };
        this.failed.add(key);
        return;
      }
    }
    this.result.answers[key] = value;
    this.ctx[key] = ctxValue;
  }

  /** A grid: one row per product of its list that has any answer, in the list's order. */
  grid(q: QuestionDef, raw: unknown, where: string): [Json | null, Value] {
    const products = this.lists[q.product_list ?? ""] ?? [];
    const values = (raw && typeof raw === "object" && !Array.isArray(raw) ? raw : {}) as GridValues;
    const columns = q.columns ?? [];
    const cells: Record<string, Record<string, CellState>> = {};
    this.result.cells[q.key] = cells;
    const rows: Record<string, Json>[] = [];
    const ctxRows: Row[] = [];
    const order: number[] = [];
    for (const product of products) {
      const entered = values[String(product.product_id)] ?? {};
      const answered = columns.some((c) => !isEmpty(entered[c.key]));
      const rowCells: Record<string, CellState> = {};
      cells[String(product.product_id)] = rowCells;
      const ctxRow: Row = {
        product_id: Dec.make(BigInt(product.product_id), 0),
        _gtin: product.gtin,
        _name: product.name,
        _brand: product.brand,
        _category: product.category,
        _own: product.own,
        _reference: product.reference,
      };
      const row: Record<string, Json> = { product_id: product.product_id };
      columns.forEach((column, c) => {
        const cwhere = `${where}.columns[${c}]`;
        const ctx = { ...this.ctx, row: ctxRow };
        ctxRow[column.key] = null;
        const shown = this.isTrue(column.relevant, ctx, `${cwhere}.relevant`, true);
        const required = shown && this.isTrue(column.required, ctx, `${cwhere}.required`, false);
        rowCells[column.key] = { shown, required };
        if (!shown || !answered) return;
        const checked = checkValue(column, entered[column.key]);
        const path = cellKey(q.key, product.product_id, column.key);
        if (checked && "issue" in checked) {
          this.result.errors[path] = checked.issue;
          return;
        }
        if (!checked) {
          if (required) this.result.errors[path] = { code: "required" };
          return;
        }
        const cell = fromJson(checked.value);
        if (column.constraint !== undefined) {
          if (this.rule(column.constraint, { ...ctx, ".": cell }, `${cwhere}.constraint`) === false) {
            this.result.errors[path] = { code: "constraint", text: column.constraint_message ?? null, params: { rule: column.constraint } };
            return;
          }
        }
        row[column.key] = checked.value;
        ctxRow[column.key] = cell;
      });
      if (!answered) continue;
      rows.push(row);
      ctxRows.push(ctxRow);
      order.push(product.product_id);
    }
    this.result.rowOrder[q.key] = order;
    if (rows.length > MAX_GRID_ROWS) {
      this.result.errors[q.key] = { code: "tooManyRows", params: { count: MAX_GRID_ROWS } };
      return [null, null];
    }
    return rows.length ? [rows, ctxRows] : [null, null];
  }
}

/** Everything the form shows and checks for these values. */
export function evaluateForm(
  definition: FormDefinition, values: DraftValues, lists: Readonly<Record<string, readonly ListProduct[]>>,
): Evaluation {
  return new Walker(definition, lists).run(values);
}

/** Every question of the form, in order. */
export function questionsOf(definition: FormDefinition): QuestionDef[] {
  return definition.sections.flatMap((s) => s.questions);
}

/** The product lists a form's grids need. */
export function productListsOf(definition: FormDefinition): string[] {
  return [...new Set(questionsOf(definition).filter((q) => q.type === "product_grid").map((q) => q.product_list ?? ""))];
}

/**
 * The server's error paths (`answers.shelf[3].facings`, `answers.promo_price`) as the form's
 * error keys, using the rows in the order they were sent.
 */
export function serverErrorKey(field: string, rowOrder: Readonly<Record<string, number[]>>): string | null {
  const m = /^answers\.([a-z][a-z0-9_]*)(?:\[(\d+)\](?:\.([a-z_][a-z0-9_]*))?)?/.exec(field);
  if (!m) return null;
  const [, key, index, column] = m;
  if (index === undefined) return key;
  const productId = rowOrder[key]?.[Number(index)];
  if (productId === undefined) return key;
  return column && column !== "product_id" && column !== "gtin" ? cellKey(key, productId, column) : cellKey(key, productId);
}
