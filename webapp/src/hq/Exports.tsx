// Exports: the raw data behind the figures as CSV or XLSX files, for the range and filters
// chosen above (each file takes the filters that fit it). Plain download links: the browser
// fetches them with the session cookie and saves them; the server streams them.
import { useI18n, type MessageKey } from "../i18n";
import { exportUrl, type ExportKind } from "./api";
import { daysBetween, formatRange, rangeOf, rangeStart, type HqQuery } from "./model";

const FILES: ReadonlyArray<{ kind: ExportKind; layout?: "products" | "answers"; title: MessageKey; hint: MessageKey }> = [
  { kind: "responses", layout: "products", title: "hq.exports.products", hint: "hq.exports.productsHint" },
  { kind: "responses", layout: "answers", title: "hq.exports.answers", hint: "hq.exports.answersHint" },
  { kind: "visits", title: "hq.exports.visits", hint: "hq.exports.visitsHint" },
  { kind: "accounts", title: "hq.exports.accounts", hint: "hq.exports.accountsHint" },
];

export function Exports({ query }: { query: HqQuery }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { from, to } = rangeOf(query);
  const end = to ?? rangeStart("day", 1, new Date());
  const tooLong = daysBetween(from, end) > 400;
  return (
    <section class="hq-exports" aria-labelledby="hq-exports-title">
      <h2 id="hq-exports-title" class="visually-hidden">{t("hq.view.exports")}</h2>
      <p class="small">{t("hq.exports.intro")}</p>
      <p class="small"><strong>{t("hq.exports.range", { range: formatRange(from, end, i18n.locale) })}</strong></p>
      {tooLong && <p class="message message-warning">{t("hq.exports.limit")}</p>}
      <ul class="hq-export-list">
        {FILES.map((file) => {
          const what = t(file.title);
          return (
            <li key={`${file.kind}-${file.layout ?? ""}`} class="hq-export">
              <h3 class="hq-export-title">{what}</h3>
              <p class="small muted">{t(file.hint)}</p>
              <div class="hq-export-actions">
                {(["csv", "xlsx"] as const).map((output) => (
                  <a
                    key={output} class={`button ${output === "csv" ? "button-secondary" : "button-secondary"}`}
                    href={exportUrl(file.kind, output, query, file.layout)} download
                    aria-label={t("hq.exports.download", { what, format: output.toUpperCase() })}
                    aria-disabled={tooLong ? "true" : undefined} onClick={(e) => tooLong && e.preventDefault()}
                  >
                    {output.toUpperCase()}
                  </a>
                ))}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
