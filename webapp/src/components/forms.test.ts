import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../api/client";
import { makeI18n } from "../i18n";
import { fieldMessage, writeFailure } from "./ContactForm";

const problem = (errors: { field: string; message: string }[]) =>
  new ApiError(422, { status: 422, detail: errors.map((e) => `${e.field}: ${e.message}`).join("; "), errors });

describe("write failures", () => {
  const en = makeI18n("en", "en");
  const de = makeI18n("de", "de");

  it("puts each server message at its field, and the rest in one line", () => {
    const error = problem([
      { field: "phone", message: "'12345' is not a valid phone number for its country" },
      { field: "consent_note", message: "Longer than maximum length 300." },
    ]);
    const failure = writeFailure(error, ["name", "phone"] as const, en);
    expect(failure.fields).toEqual({ phone: "'12345' is not a valid phone number for its country" });
    expect(failure.general).toBe("consent_note: Longer than maximum length 300.");
    expect(writeFailure(problem([{ field: "email", message: "Not a valid email address." }]), ["email"] as const, en).general)
      .toBe("Check the marked fields.");
  });

  it("says the usual contact messages in the user's language", () => {
    expect(fieldMessage("phone", "'12' is not a valid phone number for its country", de)).toContain("keine gültige Telefonnummer");
    expect(fieldMessage("email", "Not a valid email address.", de)).toBe("Das ist keine gültige E-Mail-Adresse.");
    expect(fieldMessage("name", "Shorter than minimum length 1.", de)).toBe("Shorter than minimum length 1.");
    expect(fieldMessage("phone", "'12' is not a valid phone number for its country", en)).toContain("'12'");
  });

  it("says offline when there was no answer, and the server's detail otherwise", () => {
    expect(writeFailure(new NetworkError(), ["name"] as const, en)).toEqual({ fields: {}, general: en.t("account.offlineWrite") });
    const forbidden = new ApiError(403, { status: 403, detail: "A hq may not contacts: write." });
    expect(writeFailure(forbidden, ["name"] as const, en).general).toBe("A hq may not contacts: write.");
  });
});
