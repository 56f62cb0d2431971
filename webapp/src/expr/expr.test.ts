// The TypeScript evaluator on the vectors shared with the Python one (tests/fixtures/expr_vectors.json).
import { describe, expect, it } from "vitest";
import doc from "../../../tests/fixtures/expr_vectors.json";
import { Dec, ExprError, FUNCTIONS, evaluate, fromJson, parse, references, translateRegex, type Context, type Value } from "./expr";

interface Vector {
  expr: string;
  context?: string | Record<string, unknown>;
  expected?: unknown;
  error?: string;
}

const contexts = doc.contexts as Record<string, Record<string, unknown>>;
const vectors = doc.vectors as Vector[];

/** Exact, comparable form: numbers as decimal text, containers recursively. */
function canonical(value: Value): unknown {
  if (value instanceof Dec) return ["number", value.toString()];
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

function contextOf(vector: Vector): Context {
  const ctx = vector.context ?? {};
  return fromJson(typeof ctx === "string" ? contexts[ctx] : ctx) as Context;
}

describe("shared vectors", () => {
  vectors.forEach((vector, i) => {
    it(`${i}: ${vector.expr.slice(0, 60)}`, () => {
      const context = contextOf(vector);
      if (vector.error !== undefined) {
        let caught: unknown = null;
        try {
          evaluate(vector.expr, context);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(ExprError);
        expect([(caught as ExprError).kind, (caught as ExprError).message]).toEqual([vector.error, expect.anything()]);
      } else {
        const result = evaluate(vector.expr, context);
        expect(canonical(result)).toEqual(canonical(fromJson(vector.expected)));
      }
    });
  });
});

describe("the language", () => {
  it("knows exactly the shared function table", () => {
    expect(FUNCTIONS).toEqual(doc.functions);
  });
  it("reads JSON numbers as their shortest decimal", () => {
    expect(Dec.fromNumber(0.1).toString()).toBe("0.1");
    expect(Dec.fromNumber(1e-7).toString()).toBe("0.0000001");
    expect(Dec.fromNumber(1.5e20).toString()).toBe("150000000000000000000");
  });
  it("lists references and says where syntax errors are", () => {
    expect(references(parse("${a} + ${row.b} * .")).map((r) => r.join("."))).toEqual(["a", "row.b", "."]);
    expect(() => parse("${a} + foo")).toThrow(/write \$\{foo\}/);
  });
  it("translates regexes to the same canonical form as Python", () => {
    expect(translateRegex("^\\d{5}$")).toBe("[0-9]{5}");
    expect(translateRegex("[\\w.-]+@[\\w-]+\\.[a-z]{2,}")).toBe("[A-Za-z0-9_\\.\\-]+@[A-Za-z0-9_\\-]+\\.[a-z]{2,}");
  });
});
