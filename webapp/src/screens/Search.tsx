// Search: type-ahead text search over all outlets.
import { useEffect, useState } from "preact/hooks";
import { SettingsButton } from "../components/Chrome";
import { SearchField } from "../components/Filters";
import { OutletList } from "../components/OutletList";
import { distanceMetres, geoStore } from "../geo";
import { useDebounced, usePagedOutlets } from "../hooks";
import { useI18n } from "../i18n";
import { paths, replaceUrl } from "../router";
import { useStore } from "../store";

export const MIN_QUERY_LENGTH = 2;

export function Search({ active, initialQuery }: { active: boolean; initialQuery: string }) {
  const { t } = useI18n();
  const [text, setText] = useState(initialQuery);
  const q = useDebounced(text.trim(), 250);
  const origin = useStore(geoStore).origin;
  const result = usePagedOutlets(q.length >= MIN_QUERY_LENGTH ? { q, sort: "name" } : null);

  // Keep the search in the address bar (back button, reload, sharing).
  useEffect(() => {
    if (active) replaceUrl(paths.search(q));
  }, [q, active]);

  const items = origin
    ? result.items.map((o) => ({ ...o, distance_m: distanceMetres(origin, o) }))
    : result.items;

  return (
    <>
      <header class="screen-header">
        <h1 class="screen-title" tabIndex={-1}>{t("search.title")}</h1>
        <SettingsButton />
      </header>
      <div class="screen-body">
        <div class="filters">
          <SearchField
            id="search-q" label={t("search.label")} placeholder={t("search.placeholder")}
            value={text} onInput={setText} autoFocus={active && !initialQuery}
          />
        </div>
        {q.length < MIN_QUERY_LENGTH ? (
          <p class="message hint">{t("search.hint")}</p>
        ) : (
          <OutletList result={{ ...result, items }} empty={t("search.none", { q })} />
        )}
      </div>
    </>
  );
}
