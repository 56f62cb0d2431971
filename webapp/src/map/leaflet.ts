// Leaflet, loaded only by the screens that show a map (it is a separate chunk), with
// Rayon's base map: configurable tiles, and a plain background that still shows the points
// when tiles cannot load (offline, blocked).
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { config } from "../config";

export { L };

export interface BaseMapOptions {
  center: [number, number];
  zoom: number;
  interactive?: boolean;
  /** Called (once) when a tile fails to load. */
  onTilesFailed?: () => void;
}

export function createBaseMap(element: HTMLElement, options: BaseMapOptions): L.Map {
  const interactive = options.interactive ?? true;
  const map = L.map(element, {
    center: options.center,
    zoom: options.zoom,
    zoomControl: false,
    attributionControl: true,
    minZoom: 3,
    maxZoom: Math.max(18, config.tileMaxZoom),
    ...(interactive
      ? {}
      : { dragging: false, touchZoom: false, scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false }),
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  if (interactive) L.control.zoom({ position: "topright" }).addTo(map);
  if (config.tileUrl) {
    const tiles = L.tileLayer(config.tileUrl, {
      maxZoom: config.tileMaxZoom,
      attribution: config.tileAttribution,
    });
    let failed = false;
    tiles.on("tileerror", () => {
      if (failed) return;
      failed = true;
      options.onTilesFailed?.();
    });
    tiles.addTo(map);
  } else {
    options.onTilesFailed?.();
  }
  return map;
}

/** A round pin for one outlet: a 44 px touch target around a visible dot. */
export function outletIcon(format: string, selected = false): L.DivIcon {
  return L.divIcon({
    className: `outlet-pin format-${format}${selected ? " is-selected" : ""}`,
    html: '<span class="outlet-pin-dot"></span>',
    iconSize: [44, 44],
    iconAnchor: [22, 22],
  });
}

/** A bubble with a count; bigger for bigger counts. */
export function clusterIcon(label: string, count: number): L.DivIcon {
  const size = Math.round(44 + Math.min(20, 4 * Math.log10(Math.max(1, count))));
  const element = document.createElement("span");
  element.className = "cluster-count";
  element.textContent = label;
  return L.divIcon({
    className: "cluster-bubble",
    html: element,
    iconSize: [size, size],
    iconAnchor: [size / 2, size / 2],
  });
}

/** Give a marker's element an accessible name (Leaflet makes it a focusable button). */
export function labelMarker(marker: L.Marker, label: string): void {
  const element = marker.getElement();
  if (element) {
    element.setAttribute("aria-label", label);
    element.setAttribute("role", "button");
  }
}
