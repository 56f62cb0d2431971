// The planner's map: the team's accounts as dots coloured by rep (a tap selects one), or the
// plan's days as coloured routes with numbered stops. Points are drawn on a canvas, so a
// team's thousands of accounts stay fast; without tiles they show on a plain background.
import { useEffect, useRef, useState } from "preact/hooks";
import { createBaseMap, L } from "../map/leaflet";
import { usePlannerText } from "./messages";

export interface MapPoint {
  id: number;
  lat: number;
  lon: number;
  colour: string;
  selected: boolean;
  label: string;
}

export interface MapRoute {
  key: string;
  colour: string;
  /** Where the rep's day starts and ends. */
  home: { lat: number; lon: number } | null;
  stops: { lat: number; lon: number; order: number; label: string }[];
}

/** A numbered dot; its colour is set through the CSSOM (a strict CSP forbids inline style attributes). */
function stopDot(colour: string, order: number): HTMLElement {
  const dot = document.createElement("span");
  dot.className = "plan-stop-dot";
  dot.style.background = colour;
  dot.textContent = String(order);
  return dot;
}

const DEFAULT_CENTRE: [number, number] = [48.14, 11.58];

export function PlannerMap(props: { points?: MapPoint[]; routes?: MapRoute[]; onToggle?: (id: number) => void }) {
  const { t } = usePlannerText();
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);
  const renderer = useRef<L.Canvas | null>(null);
  const fitted = useRef<string>("");
  const [tilesFailed, setTilesFailed] = useState(false);
  const toggle = useRef(props.onToggle);
  toggle.current = props.onToggle;
  const mode = props.routes ? "routes" : "points";

  useEffect(() => {
    if (!element.current) return;
    const created = createBaseMap(element.current, { center: DEFAULT_CENTRE, zoom: 9, onTilesFailed: () => setTilesFailed(true) });
    renderer.current = L.canvas({ padding: 0.3 });
    layer.current = L.layerGroup().addTo(created);
    map.current = created;
    const resize = new ResizeObserver(() => created.invalidateSize());
    resize.observe(element.current);
    return () => {
      resize.disconnect();
      created.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const m = map.current;
    const group = layer.current;
    if (!m || !group) return;
    group.clearLayers();
    const bounds: [number, number][] = [];
    if (props.routes) {
      for (const route of props.routes) {
        const visits = route.stops.map((s) => [s.lat, s.lon] as [number, number]);
        const home = route.home ? ([route.home.lat, route.home.lon] as [number, number]) : null;
        const line = home && visits.length ? [home, ...visits, home] : visits;
        bounds.push(...line);
        if (home) {
          L.circleMarker(home, {
            renderer: renderer.current ?? undefined, radius: 6, color: route.colour, weight: 3, fillColor: "#ffffff", fillOpacity: 1,
            interactive: false,
          }).addTo(group);
        }
        if (line.length > 1) L.polyline(line, { color: route.colour, weight: 4, opacity: 0.85, renderer: renderer.current ?? undefined }).addTo(group);
        for (const stop of route.stops) {
          L.marker([stop.lat, stop.lon], {
            interactive: false,
            keyboard: false,
            icon: L.divIcon({
              className: "plan-stop",
              html: stopDot(route.colour, stop.order),
              iconSize: [48, 48],
              iconAnchor: [24, 24],
            }),
            title: stop.label,
          }).addTo(group);
        }
      }
    } else {
      for (const point of props.points ?? []) {
        bounds.push([point.lat, point.lon]);
        const dot = L.circleMarker([point.lat, point.lon], {
          renderer: renderer.current ?? undefined,
          radius: point.selected ? 8 : 6,
          color: point.selected ? "#111827" : "#ffffff",
          weight: point.selected ? 3 : 1,
          fillColor: point.colour,
          fillOpacity: 0.9,
        });
        dot.bindTooltip(point.label);
        dot.on("click", () => toggle.current?.(point.id));
        dot.addTo(group);
      }
    }
    // Fit the view when the set of things shown changes (not when a selection changes).
    const signature = `${mode}:${bounds.length}:${bounds[0]?.join(",") ?? ""}`;
    if (bounds.length && signature !== fitted.current) {
      fitted.current = signature;
      m.fitBounds(L.latLngBounds(bounds), { padding: [24, 24], maxZoom: 14 });
    }
  }, [props.points, props.routes]);

  return (
    <div class="planner-map-area">
      <div ref={element} class="map planner-map" role="region" aria-label={mode === "routes" ? t("map.routes") : t("map.accounts")} />
      {tilesFailed && <p class="map-chip map-chip-muted planner-map-chip">{t("map.tiles")}</p>}
    </div>
  );
}
