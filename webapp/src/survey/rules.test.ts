// The form renderer's rules: relevance, required, constraints, computed values and checks, on
// parts of the ready-made forms (surveys/forms/*.yaml), with the server's semantics.
import { describe, expect, it } from "vitest";
import type { ListProduct } from "../api/types";
import { checkDigit, normaliseGtin } from "./gtin";
import { cellKey, checkValue, evaluateForm, parseNumberText, serverErrorKey, type FormDefinition } from "./rules";

const product = (id: number, own: boolean, reference = false): ListProduct => ({
  product_id: id, gtin: `400000000000${id}`, brand: own ? "Brisa" : "Fizzo", name: `P${id}`, category: "water",
  size: "0.5 l", own, reference,
});

const LISTS = { store_check: [product(1, true), product(2, true), product(3, false, true), product(4, false)] };

const STORE_CHECK: FormDefinition = {
  key: "store_check",
  title: { en: "Store check" },
  sections: [
    {
      key: "shelf_section",
      title: "Shelf",
      questions: [
        {
          key: "shelf", type: "product_grid", product_list: "store_check", required: true, label: "Shelf",
          columns: [
            { key: "present", type: "boolean", required: true, label: "On the shelf" },
            { key: "facings", type: "integer", min: 0, max: 200, required: "${row.present}", relevant: "${row.present}", label: "Facings" },
            { key: "shelf_price", type: "price", currency: "EUR", min: 0, max: 500, relevant: "${row.present}", label: "Price" },
            { key: "promo", type: "boolean", relevant: "${row.present}", label: "Promo" },
            {
              key: "out_of_stock", type: "boolean", label: "OOS",
              relevant: "${row._own} and ${row.present} = false", required: "${row._own} and ${row.present} = false",
            },
          ],
        },
      ],
    },
    {
      key: "promotions",
      title: "Promotions",
      questions: [
        { key: "promo_running", type: "boolean", required: true, label: "Promo running?" },
        {
          key: "promo_type", type: "single", required: true, relevant: "${promo_running}", label: "Kind",
          choices: [{ value: "price_cut", label: "Price cut" }, { value: "other", label: "Other" }],
        },
        { key: "promo_price", type: "price", min: 0, max: 500, required: true, relevant: "selected(${promo_type}, 'price_cut')", label: "Price" },
        {
          key: "pos_present", type: "multiple", required: true, label: "POS",
          choices: [{ value: "poster", label: "Poster" }, { value: "wobbler", label: "Wobbler" }, { value: "none", label: "None" }],
          constraint: "not (selected(., 'none') and count_selected(.) > 1)",
          constraint_message: { en: "'None' cannot be combined with other material.", de: "„Keines“ kann nicht kombiniert werden." },
        },
        { key: "comment", type: "text", max_length: 10, label: "Comment" },
      ],
    },
  ],
  computed: [
    { key: "own_facings", expression: "sum(column(${shelf}, 'facings', 'own'))" },
    { key: "total_facings", expression: "sum(column(${shelf}, 'facings'))" },
    { key: "share_of_shelf", unit: "%", expression: "round(${own_facings} / ${total_facings} * 100, 1)" },
    { key: "price_index", expression: "round(avg(column(${shelf}, 'shelf_price', 'own')) / avg(column(${shelf}, 'shelf_price', 'reference')) * 100, 1)" },
  ],
  checks: [
    {
      field: "promo_running",
      assert: "${promo_running} != true or count(column(${shelf}, 'promo', 'own')) > 0",
      message: { en: "A promotion is running, so mark the promoted products in the shelf grid." },
    },
  ],
};

const filledShelf = {
  "1": { present: true, facings: "4", shelf_price: "0,69", promo: true },
  "2": { present: false, out_of_stock: true },
  "3": { present: true, facings: "12", shelf_price: "0.65" },
};

describe("form rules", () => {
  it("shows a question only when its relevance is true, and drops the hidden answer", () => {
    const values = { promo_running: false, promo_type: "price_cut", promo_price: "1.99" };
    let result = evaluateForm(STORE_CHECK, values, LISTS);
    expect(result.shown.promo_type).toBe(false);
    expect(result.shown.promo_price).toBe(false);
    expect(result.answers).not.toHaveProperty("promo_type");
    expect(result.answers).not.toHaveProperty("promo_price");

    result = evaluateForm(STORE_CHECK, { ...values, promo_running: true }, LISTS);
    expect(result.shown.promo_type).toBe(true);
    expect(result.shown.promo_price).toBe(true);
    expect(result.answers).toMatchObject({ promo_running: true, promo_type: "price_cut", promo_price: 1.99 });
  });

  it("requires answers, also by expression inside a grid row, and sends only answered rows", () => {
    const result = evaluateForm(STORE_CHECK, { shelf: { "1": { present: true }, "4": {} } }, LISTS);
    expect(result.errors[cellKey("shelf", 1, "facings")]).toEqual({ code: "required" });
    expect(result.cells.shelf["1"].facings).toEqual({ shown: true, required: true });
    expect(result.cells.shelf["2"].facings).toEqual({ shown: false, required: false }); // not answered yet
    expect(result.cells.shelf["2"].out_of_stock.shown).toBe(false);
    expect(result.errors.promo_running).toEqual({ code: "required" });
    expect(result.errors.pos_present).toEqual({ code: "required" });
    expect(result.rowOrder.shelf).toEqual([1]); // product 4 has no answer: no row
  });

  it("computes share of shelf and price index with exact decimals", () => {
    const result = evaluateForm(STORE_CHECK, { shelf: filledShelf, promo_running: false, pos_present: ["poster"] }, LISTS);
    expect(result.errors).toEqual({});
    expect(result.computed).toEqual({ own_facings: 4, total_facings: 16, share_of_shelf: 25, price_index: 106.2 });
    expect(result.answers.shelf).toEqual([
      { product_id: 1, present: true, facings: 4, shelf_price: 0.69, promo: true },
      { product_id: 2, present: false, out_of_stock: true },
      { product_id: 3, present: true, facings: 12, shelf_price: 0.65 },
    ]);
    const noFacings = evaluateForm(STORE_CHECK, { shelf: { "2": { present: false, out_of_stock: false } } }, LISTS);
    expect(noFacings.computed.share_of_shelf).toBeNull(); // 0 / 0: null, as on the server
  });

  it("checks a constraint with the form's message in the user's language", () => {
    const result = evaluateForm(STORE_CHECK, { pos_present: ["poster", "none"] }, LISTS);
    expect(result.errors.pos_present).toMatchObject({ code: "constraint", text: { de: "„Keines“ kann nicht kombiniert werden." } });
    expect(result.answers).not.toHaveProperty("pos_present");
  });

  it("runs the form's checks, but not over answers that already have errors", () => {
    const shelf = { "1": { present: true, facings: "4" } };
    const result = evaluateForm(STORE_CHECK, { shelf, promo_running: true, promo_type: "other", pos_present: ["none"] }, LISTS);
    expect(result.errors.promo_running).toMatchObject({ code: "check" });
    const broken = evaluateForm(STORE_CHECK, { shelf: { "1": { present: true, facings: "x" } }, promo_running: true }, LISTS);
    expect(broken.errors[cellKey("shelf", 1, "facings")]).toEqual({ code: "whole" });
    expect(broken.errors.promo_running).toBeUndefined();
  });

  it("reads numbers as typed and checks their bounds", () => {
    expect(parseNumberText("12,5")).toBe(12.5);
    expect(parseNumberText(" 1 234,5 ")).toBe(1234.5);
    expect(parseNumberText("1.2.3")).toBeNull();
    expect(checkValue({ key: "p", type: "price", label: "" }, "1,999")).toEqual({ issue: { code: "decimals", params: { count: 2 } } });
    expect(checkValue({ key: "p", type: "price", label: "" }, "-1")).toEqual({ issue: { code: "min", params: { min: "0" } } });
    expect(checkValue({ key: "i", type: "integer", max: 200, label: "" }, "201")).toEqual({ issue: { code: "max", params: { max: "200" } } });
    expect(checkValue({ key: "i", type: "integer", label: "" }, "2.5")).toEqual({ issue: { code: "whole" } });
    expect(checkValue({ key: "d", type: "decimal", decimals: 1, label: "" }, "0.1")).toEqual({ value: 0.1 });
    expect(checkValue({ key: "t", type: "text", max_length: 3, label: "" }, "abcd")).toEqual({ issue: { code: "maxLength", params: { count: 3 } } });
    expect(checkValue({ key: "t", type: "text", label: "" }, "   ")).toBeNull();
    expect(checkValue({ key: "d", type: "date", label: "" }, "2026-02-30")).toEqual({ issue: { code: "dateInvalid" } });
    expect(checkValue({ key: "m", type: "multiple", label: "", choices: [{ value: "a", label: "" }, { value: "b", label: "" }] }, ["b", "a"]))
      .toEqual({ value: ["a", "b"] });
  });

  it("validates GTIN check digits as the server does", () => {
    const demo = "426059900001" + checkDigit("426059900001");
    expect(normaliseGtin(demo)).toEqual({ ok: true, gtin: demo });
    expect(normaliseGtin("4006381333931")).toEqual({ ok: true, gtin: "4006381333931" });
    expect(normaliseGtin("4006381333932")).toEqual({ ok: false, code: "gtinCheck", params: { digit: 1 } });
    expect(normaliseGtin("036000291452")).toEqual({ ok: true, gtin: "0036000291452" });
    expect(normaliseGtin("40063813")).toMatchObject({ ok: false, code: "gtinCheck" });
    expect(normaliseGtin("12345")).toEqual({ ok: false, code: "gtinLength", params: { count: 5 } });
    expect(normaliseGtin("40a")).toMatchObject({ ok: false, code: "gtinDigits" });
    expect(checkValue({ key: "b", type: "barcode", label: "" }, "4006-3813-33931")).toEqual({ value: "4006381333931" });
  });

  it("shows a photo question when a product is missing (the availability check)", () => {
    const form: FormDefinition = {
      key: "availability_check", title: "Availability",
      sections: [{
        key: "s", title: "S", questions: [
          {
            key: "availability", type: "product_grid", product_list: "core", required: true, label: "On the shelf?",
            columns: [
              { key: "available", type: "boolean", required: true, label: "Available" },
              { key: "reason", type: "single", required: true, relevant: "${row.available} = false", label: "Why", choices: [{ value: "not_listed", label: "" }] },
            ],
          },
          { key: "shelf_photo", type: "photo", max_photos: 1, relevant: "count(column(${availability}, 'available')) < rows(${availability})", label: "Photo" },
        ],
      }],
      computed: [{ key: "availability_rate", expression: "round(count(column(${availability}, 'available')) / rows(${availability}) * 100, 1)" }],
    };
    const lists = { core: [product(1, true), product(2, true), product(3, true)] };
    const all = evaluateForm(form, { availability: { "1": { available: true }, "2": { available: true } } }, lists);
    expect(all.shown.shelf_photo).toBe(false);
    expect(all.computed.availability_rate).toBe(100);
    const photo = "5d2c7f0e-1111-4a4a-9b9b-123456789abc";
    // While a row has an error the grid counts as unanswered (as on the server): no photo question yet.
    const unexplained = evaluateForm(form, { availability: { "1": { available: true }, "2": { available: false } }, shelf_photo: [photo] }, lists);
    expect(unexplained.errors).toEqual({ [cellKey("availability", 2, "reason")]: { code: "required" } });
    expect(unexplained.shown.shelf_photo).toBe(false);
    const gap = evaluateForm(
      form, { availability: { "1": { available: true }, "2": { available: false, reason: "not_listed" } }, shelf_photo: [photo] }, lists,
    );
    expect(gap.shown.shelf_photo).toBe(true);
    expect(gap.errors).toEqual({});
    expect(gap.answers.shelf_photo).toEqual([photo]);
    expect(gap.computed.availability_rate).toBe(50);
  });

  it("counts a rule that cannot be evaluated as null, with a warning", () => {
    const form: FormDefinition = {
      key: "f", title: "F",
      sections: [{ key: "s", title: "S", questions: [
        { key: "a", type: "text", label: "A" },
        { key: "b", type: "integer", label: "B", relevant: "${a} + 1 > 2" },
      ] }],
    };
    const result = evaluateForm(form, { a: "x", b: "3" }, {});
    expect(result.shown.b).toBe(false);
    expect(result.answers).toEqual({ a: "x" });
    expect(result.warnings[0]).toMatch(/type error/);
  });

  it("places the server's error paths at the question or the grid cell", () => {
    const order = { shelf: [1, 3] };
    expect(serverErrorKey("answers.promo_price", order)).toBe("promo_price");
    expect(serverErrorKey("answers.shelf[1].facings", order)).toBe(cellKey("shelf", 3, "facings"));
    expect(serverErrorKey("answers.shelf[0]", order)).toBe(cellKey("shelf", 1));
    expect(serverErrorKey("answers.shelf[9].facings", order)).toBe("shelf");
    expect(serverErrorKey("completed_at", order)).toBeNull();
  });
});
