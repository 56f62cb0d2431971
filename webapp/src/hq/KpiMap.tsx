// A KPI on the map: one marker per region (at the centre of its outlets) or per outlet,
// coloured from worse (red) to better (green) within what is shown, with the value written
// on region markers. The list under the map gives the same figures, best first.
import type * as Leaflet from "leaflet";
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorMessage } from "../components/OutletList";
import { useI18n } from "../i18n";
import { getMapLayer, type KpiDefinition, type MapFeature, type MapLevel } from "./api";
import { dimName, kpiName, useLoad } from "./bits";
import { KpiSelect } from "./Explorer";
import { changeTone, colourDomain, formatCount, formatValue, valueColour } from "./model";
import type { HqState } from "./state";

type MapModule = typeof import("../map/leaflet");

const LEVELS: readonly MapLevel[] = ["region", "territory", "outlet"];

export function KpiMap(props: { state: HqState; kpi: KpiDefinition; definitions: readonly KpiDefinition[]; onChange(state: HqState): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { state, kpi } = props;
  const levels = LEVELS.filter((l) => kpi.dimensions.includes(l));
  const byOutlet = levels.includes("outlet");
  const level: MapLevel = levels.includes(state.level) ? state.level : "region";
  const layer = useLoad(JSON.stringify([kpi.key, level, state.query]), (signal) => getMapLayer(state.query, kpi, level, signal));
  const element = useRef<HTMLDivElement>(null);
  const mapRef = useRef<Leaflet.Map | null>(null);
  const markers = useRef<Leaflet.LayerGroup | null>(null);
  const [leaflet, setLeaflet] = useState<MapModule | null>(null);
  const [tilesFailed, setTilesFailed] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const name = kpiName(kpi, i18n);

  useEffect(() => {
    import("../map/leaflet").then(setLeaflet, setLoadError);
  }, []);

  useEffect(() => {
    if (!leaflet || !element.current) return;
    const map = leaflet.createBaseMap(element.current, { center: [48.9, 6.5], zoom: 5, onTilesFailed: () => setTilesFailed(true) });
    mapRef.current = map;
    markers.current = leaflet.L.layerGroup().addTo(map);
    return () => {
      map.remove();
      mapRef.current = null;
    };
  }, [leaflet]);

  const features = layer.data?.features ?? [];
  const values = features.map((f) => f.properties.value).filter((v): v is number => v !== null);
  const unit = layer.data?.properties.unit ?? kpi.unit;
  const [lo, hi] = colourDomain(values, unit);
  const label = (f: MapFeature) =>
    f.properties.label ?? String(f.properties.region ?? f.properties.territory ?? f.properties.outlet);

  useEffect(() => {
    const map = mapRef.current;
    const group = markers.current;
    if (!leaflet || !map || !group || !layer.data) return;
    const { L } = leaflet;
    group.clearLayers();
    const maxN = Math.max(1, ...features.map((f) => f.properties.n));
    const points: [number, number][] = [];
    for (const feature of features) {
      const { value, n } = feature.properties;
      const colour = valueColour(value, lo, hi, kpi.key);
      const text = formatValue(value, unit, i18n.locale, true);
      const region = level !== "outlet";
      if (feature.geometry.type !== "Point") {
        // A territory: its area filled with the value's colour, outlined in the territory's own.
        const area = L.geoJSON(feature as GeoJSON.Feature, {
          style: { color: feature.properties.color ?? "#ffffff", weight: 3, fillColor: colour, fillOpacity: 0.45 },
          interactive: false,
        });
        area.addTo(group);
        const bounds = area.getBounds();
        if (bounds.isValid()) points.push([bounds.getSouth(), bounds.getWest()], [bounds.getNorth(), bounds.getEast()]);
      }
      const [lon, lat] = feature.geometry.type === "Point" ? feature.geometry.coordinates : feature.properties.centre ?? [0, 0];
      const size = level === "region" ? Math.round(56 + 28 * Math.sqrt(n / maxN)) : level === "territory" ? 48 : 44;
      const html = document.createElement("span");
      html.className = region ? "hq-bubble" : "hq-dot-pin";
      html.style.setProperty("--hq-colour", colour);
      if (region) html.textContent = text;
      const marker = L.marker([lat, lon], {
        icon: L.divIcon({ className: "hq-marker", html, iconSize: [size, size], iconAnchor: [size / 2, size / 2] }),
        keyboard: true,
        title: `${label(feature)}: ${formatValue(value, unit, i18n.locale)}`,
      });
      marker.bindPopup(
        `<strong></strong><br><span></span>`,
        { closeButton: true },
      );
      marker.on("popupopen", (event) => {
        const content = (event as Leaflet.PopupEvent).popup.getElement();
        const strong = content?.querySelector("strong");
        const span = content?.querySelector(".leaflet-popup-content span");
        if (strong) strong.textContent = label(feature);
        if (span) span.textContent = `${formatValue(value, unit, i18n.locale)} · ${t("hq.n", { count: formatCount(n, i18n.locale) })}`;
      });
      if (level === "region") marker.bindTooltip(label(feature), { permanent: true, direction: "bottom", offset: [0, size / 2], className: "hq-map-label" });
      marker.addTo(group);
      leaflet.labelMarker(marker, `${label(feature)}: ${formatValue(value, unit, i18n.locale)}`);
      points.push([lat, lon]);
    }
    if (points.length) map.fitBounds(points, { padding: [64, 64], maxZoom: level === "outlet" ? 12 : 8 });
  }, [leaflet, layer.data, i18n.locale]);

  const sorted = [...features].sort((a, b) => (b.properties.value ?? -Infinity) - (a.properties.value ?? -Infinity));
  const lowerBetter = changeTone(kpi.key, 1, kpi.better) === "bad";
  const neutral = changeTone(kpi.key, 1, kpi.better) === "neutral";

  return (
    <section class="hq-map-view" aria-labelledby="hq-map-title">
      <h2 id="hq-map-title" class="visually-hidden">{t("hq.view.map")}</h2>
      <div class="hq-controls">
        <KpiSelect id="hq-map-kpi" definitions={props.definitions.filter((d) => d.dimensions.includes("region"))} value={kpi.key} onChange={(key) => props.onChange({ ...state, kpi: key })} />
        <fieldset class="hq-segmented">
          <legend class="field-label">{t("hq.by")}</legend>
          {LEVELS.map((value) => (
            <label key={value} class="hq-segment">
              <input
                type="radio" name="hq-level" value={value} checked={level === value} disabled={!levels.includes(value)}
                onChange={() => props.onChange({ ...state, level: value })}
              />
              <span>{dimName(value, i18n)}</span>
            </label>
          ))}
        </fieldset>
      </div>
      {!byOutlet && state.level === "outlet" && <p class="message">{t("hq.map.notByOutlet", { kpi: name })}</p>}
      {(layer.error != null || loadError != null) && <ErrorMessage error={layer.error ?? loadError} onRetry={layer.retry} />}
      <div class={`hq-map-wrap${layer.loading ? " hq-stale" : ""}`}>
        <div ref={element} class={`hq-map${tilesFailed ? " tiles-failed" : ""}`} role="region" aria-label={t("hq.map.label", { kpi: name })} />
        {tilesFailed && <p class="map-notice small">{t("map.tilesUnavailable")}</p>}
      </div>
      {!neutral && values.length > 1 && (
        <p class="hq-scale small" aria-hidden="true">
          <span>{formatValue(lowerBetter ? hi : lo, unit, i18n.locale)} · {t("hq.map.worse")}</span>
          <span class="hq-scale-bar" />
          <span>{t("hq.map.better")} · {formatValue(lowerBetter ? lo : hi, unit, i18n.locale)}</span>
        </p>
      )}
      {layer.data && (
        <div class="hq-table-wrap" tabIndex={0} role="region" aria-label={t("hq.map.list")}>
          <table class="hq-table">
            <caption class="hq-caption">{i18n.plural("hq.map.shown", features.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{dimName(level, i18n)}</th>
                <th scope="col" class="num">{t("hq.table.value")}</th>
                <th scope="col" class="num">{t("hq.table.n")}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.slice(0, 200).map((f) => (
                <tr key={String(f.properties.region ?? f.properties.territory ?? f.properties.outlet)}>
                  <th scope="row">
                    <span class="hq-swatch" style={{ background: valueColour(f.properties.value, lo, hi, kpi.key) }} aria-hidden="true" />
                    {label(f)}
                  </th>
                  <td class="num">{formatValue(f.properties.value, unit, i18n.locale)}</td>
                  <td class="num">{formatCount(f.properties.n, i18n.locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
