// Nearby: outlets nearest first from the phone's position (or a chosen city / map centre).
import { useEffect, useState } from "preact/hooks";
import type { OutletFormat } from "../api/types";
import { FormatChips, SearchField } from "../components/Filters";
import { SettingsButton } from "../components/Chrome";
import { Icon } from "../components/Icon";
import { OutletList } from "../components/OutletList";
import { formatDistance } from "../format";
import { CITIES, chooseOrigin, geoStore, locate, type GeoState } from "../geo";
import { useDebounced, usePagedOutlets } from "../hooks";
import { useI18n, type I18n } from "../i18n";
import { navigate, paths } from "../router";
import { useStore } from "../store";
import { mapHintStore } from "./mapState";

/** How far the nearby list reaches. */
export const NEARBY_RADIUS_M = 50_000;

function originText(geo: GeoState, i18n: I18n): string {
  const origin = geo.origin;
  if (!origin) return "";
  if (origin.source === "city") return i18n.t("nearby.from.city", { city: origin.label ?? "" });
  if (origin.source === "map") return i18n.t("nearby.from.map");
  if (origin.accuracy && origin.accuracy > 100) {
    return i18n.t("nearby.from.gpsAccuracy", { accuracy: formatDistance(origin.accuracy, i18n.locale) });
  }
  return i18n.t("nearby.from.gps");
}

function PlacePicker({ onDone, onCancel }: { onDone(): void; onCancel?: () => void }) {
  const { t } = useI18n();
  return (
    <section class="panel" aria-labelledby="place-picker-title">
      <div class="panel-head">
        <h2 id="place-picker-title" class="panel-title">{t("nearby.chooseCity")}</h2>
        {onCancel && (
          <button type="button" class="button button-text" onClick={onCancel}>
            {t("nearby.cancel")}
          </button>
        )}
      </div>
      <button
        type="button" class="button button-secondary full-width"
        onClick={() => {
          mapHintStore.set(true);
          navigate(paths.map);
        }}
      >
        <Icon name="map" size={20} /> {t("nearby.useMapCentre")}
      </button>
      <ul class="city-grid">
        {CITIES.map((city) => (
          <li key={city.name}>
            <button
              type="button" class="button button-secondary city-button"
              onClick={() => {
                chooseOrigin({ lat: city.lat, lon: city.lon, source: "city", label: city.name });
                onDone();
              }}
            >
              {city.name}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Nearby() {
  const i18n = useI18n();
  const { t } = i18n;
  const geo = useStore(geoStore);
  const [text, setText] = useState("");
  const [format, setFormat] = useState<OutletFormat | null>(null);
  const [picking, setPicking] = useState(false);
  const q = useDebounced(text.trim(), 300);

  useEffect(() => {
    if (geoStore.get().status === "idle") locate();
  }, []);

  const origin = geo.origin;
  const result = usePagedOutlets(
    origin ? { near: { lat: origin.lat, lon: origin.lon }, radius: NEARBY_RADIUS_M, q, format } : null,
    origin?.at, // a new fix at the same place still fetches the list again
  );
  const failure =
    geo.status === "denied" ? t("nearby.denied")
    : geo.status === "unavailable" ? t("nearby.unavailable")
    : geo.status === "unsupported" ? t("nearby.unsupported")
    : null;

  return (
    <>
      <header class="screen-header">
        <h1 class="screen-title" tabIndex={-1}>{t("nearby.title")}</h1>
        <button
          type="button" class="icon-button" onClick={locate} disabled={geo.status === "locating"}
          aria-label={geo.origin?.source === "gps" ? t("nearby.relocate") : t("nearby.locate")}
          title={geo.origin?.source === "gps" ? t("nearby.relocate") : t("nearby.locate")}
        >
          <Icon name="locate" />
        </button>
        <SettingsButton />
      </header>

      <div class="screen-body">
        {geo.status === "locating" && !origin && (
          <p class="loading" role="status">
            <span class="spinner" aria-hidden="true" /> {t("nearby.locating")}
          </p>
        )}
        {failure && !origin && <p class="message message-warning" role="alert">{failure}</p>}

        {origin && !picking && (
          <div class="origin-line">
            <Icon name="nearby" size={20} />
            <span class="origin-text">{originText(geo, i18n)}</span>
            <button type="button" class="button button-text" onClick={() => setPicking(true)}>
              {t("nearby.change")}
            </button>
          </div>
        )}
        {failure && origin && !picking && origin.source !== "gps" && (
          <p class="message message-warning small">{failure}</p>
        )}

        {(picking || (!origin && geo.status !== "locating" && geo.status !== "idle")) && (
          <PlacePicker onDone={() => setPicking(false)} onCancel={origin ? () => setPicking(false) : undefined} />
        )}
        {geo.status === "locating" && !origin && !picking && (
          <div class="panel-actions">
            <button type="button" class="button button-secondary" onClick={() => setPicking(true)}>
              {t("nearby.chooseCity")}
            </button>
          </div>
        )}

        {origin && (
          <>
            <div class="filters">
              <SearchField
                id="nearby-filter" label={t("filter.text")} placeholder={t("filter.textPlaceholder")}
                value={text} onInput={setText} hideLabel
              />
              <FormatChips value={format} onChange={setFormat} />
            </div>
            <OutletList
              result={result}
              empty={t("nearby.empty", { distance: formatDistance(NEARBY_RADIUS_M, i18n.locale) })}
            />
          </>
        )}
      </div>
    </>
  );
}
