// Today's route on a small map: the day's stops numbered in order, joined by a line, and where
// the rep is now. Leaflet loads with the map (it is precached, so it also works offline); without
// tiles the stops show on a plain background.
import type * as Leaflet from "leaflet";
import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../i18n";

export interface RouteStop {
  lat: number;
  lon: number;
  label: string;
  done: boolean;
  next: boolean;
}

/** A numbered stop; its look comes from classes (a strict CSP forbids inline style attributes). */
function stopElement(order: number, stop: RouteStop): HTMLElement {
  const dot = document.createElement("span");
  dot.className = `route-stop-dot${stop.done ? " is-done" : ""}${stop.next ? " is-next" : ""}`;
  dot.textContent = String(order);
  return dot;
}

export function TodayMap({ stops, origin }: { stops: RouteStop[]; origin: { lat: number; lon: number } | null }) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const key = JSON.stringify([stops, origin]);
  useEffect(() => {
    let map: Leaflet.Map | null = null;
    let cancelled = false;
    import("../map/leaflet").then((leaflet) => {
      if (cancelled || !element.current || !stops.length) return;
      const { L } = leaflet;
      map = leaflet.createBaseMap(element.current, { center: [stops[0].lat, stops[0].lon], zoom: 12, interactive: false });
      const points = stops.map((s) => [s.lat, s.lon] as [number, number]);
      if (points.length > 1) L.polyline(points, { color: "#0d5e50", weight: 3, opacity: 0.7, interactive: false }).addTo(map);
      stops.forEach((stop, i) => {
        L.marker([stop.lat, stop.lon], {
          interactive: false, keyboard: false, title: stop.label,
          icon: L.divIcon({ className: "route-stop", html: stopElement(i + 1, stop), iconSize: [48, 48], iconAnchor: [24, 24] }),
        }).addTo(map as Leaflet.Map);
      });
      const all = origin ? [...points, [origin.lat, origin.lon] as [number, number]] : points;
      if (origin) {
        L.circleMarker([origin.lat, origin.lon], { radius: 7, color: "#fff", weight: 2, fillColor: "#1a56db", fillOpacity: 1, interactive: false })
          .addTo(map);
      }
      map.fitBounds(L.latLngBounds(all), { padding: [24, 24], maxZoom: 15 });
    }, () => {
      /* offline before the map code was saved: the list alone */
    });
    return () => {
      cancelled = true;
      map?.remove();
    };
  }, [key]);
  if (!stops.length) return null;
  return <div ref={element} class="mini-map today-map" role="figure" aria-label={t("today.mapLabel", { count: stops.length })} />;
}
