// Map: cluster bubbles (counts per map cell from /outlets/clusters) when zoomed out,
// single outlets (from /outlets?bbox=) when zoomed in; tapping one opens a card.
import type * as Leaflet from "leaflet";
import { useEffect, useRef, useState } from "preact/hooks";
import { isAbort } from "../api/client";
import { getClusters, getOutlet, searchOutlets, type Bounds } from "../api/outlets";
import type { Cluster, Outlet } from "../api/types";
import { SettingsButton } from "../components/Chrome";
import { Icon } from "../components/Icon";
import { ErrorMessage, formatLabel, StatusBadge } from "../components/OutletList";
import { formatAddress, formatDistance, formatNumber } from "../format";
import { refreshStore } from "../connectivity";
import { chooseOrigin, distanceMetres, geoStore, locate } from "../geo";
import { openNow } from "../hours";
import { i18nStore, useI18n } from "../i18n";
import { navigate, paths } from "../router";
import { useStore } from "../store";
import { mapHintStore, mapViewStore } from "./mapState";

/** From this zoom on, single outlets are shown (when there are not too many in view). */
export const MARKER_ZOOM = 14;
const MAX_MARKERS = 300;
const MOVE_DEBOUNCE_MS = 300;
/** Germany and France, when there is no position yet. */
const OVERVIEW = { lat: 48.9, lon: 6.5, zoom: 5 };

type MapModule = typeof import("../map/leaflet");

function OutletCard({ outlet, onClose }: { outlet: Outlet; onClose(): void }) {
  const i18n = useI18n();
  const origin = useStore(geoStore).origin;
  return (
    <section class="map-card" aria-labelledby="map-card-title" aria-live="polite">
      <div class="map-card-head">
        <h2 id="map-card-title" class="map-card-title">{outlet.name}</h2>
        <button type="button" class="icon-button" aria-label={i18n.t("map.closeCard")} onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <p class="outlet-meta">{formatLabel(outlet, i18n)}</p>
      <p class="outlet-address">
        {formatAddress(outlet)}
        {origin && <> · {formatDistance(distanceMetres(origin, outlet), i18n.locale)}</>}
      </p>
      <p class="outlet-badges">
        <StatusBadge outlet={outlet} open={openNow(outlet)} />
      </p>
      <a class="button button-primary" href={paths.outlet(outlet.id)}>
        {i18n.t("map.details")}
      </a>
    </section>
  );
}

export function MapScreen({ active }: { active: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  const element = useRef<HTMLDivElement>(null);
  const mapRef = useRef<Leaflet.Map | null>(null);
  const positionLayer = useRef<Leaflet.LayerGroup | null>(null);
  /** Centre the map on the next position fix (a map opened before the position was known). */
  const follow = useRef(!mapViewStore.get() && !geoStore.get().origin);
  const [leaflet, setLeaflet] = useState<MapModule | null>(null);
  const [tilesFailed, setTilesFailed] = useState(false);
  const [mode, setMode] = useState<"clusters" | "markers" | null>(null);
  const [shownZoom, setShownZoom] = useState<number | null>(null);
  const [selected, setSelected] = useState<Outlet | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [reload, setReload] = useState(0);
  const hint = useStore(mapHintStore);
  const geo = useStore(geoStore);

  useEffect(() => {
    if (active && !leaflet) import("../map/leaflet").then(setLeaflet, setError);
  }, [active, leaflet, reload]);

  // Create the map once Leaflet is there, and keep its layers in step with the view.
  useEffect(() => {
    if (!leaflet || !element.current) return;
    const { L } = leaflet;
    const origin = geoStore.get().origin;
    const start = mapViewStore.get() ?? (origin ? { lat: origin.lat, lon: origin.lon, zoom: 15 } : OVERVIEW);
    if (mapViewStore.get() || origin) follow.current = false;
    const map = leaflet.createBaseMap(element.current, {
      center: [start.lat, start.lon], zoom: start.zoom, onTilesFailed: () => setTilesFailed(true),
    });
    mapRef.current = map;
    const outlets = L.layerGroup().addTo(map);
    positionLayer.current = L.layerGroup().addTo(map);
    let controller: AbortController | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const drawMarkers = (items: Outlet[]) => {
      outlets.clearLayers();
      for (const outlet of items) {
        const marker = L.marker([outlet.lat, outlet.lon], {
          icon: leaflet.outletIcon(outlet.format), title: outlet.name, keyboard: true,
        });
        marker.on("click", () => setSelected(outlet));
        marker.addTo(outlets);
        leaflet.labelMarker(marker, outlet.name);
      }
    };
    const openCluster = async (cluster: Cluster) => {
      if (cluster.outlet_id !== null) {
        try {
          setSelected((await getOutlet(cluster.outlet_id)).data);
        } catch (e) {
          setError(e);
        }
        return;
      }
      const [minLon, minLat, maxLon, maxLat] = cluster.bbox;
      const zoom = map.getZoom();
      if (maxLon - minLon < 1e-6 && maxLat - minLat < 1e-6) map.setView([cluster.lat, cluster.lon], zoom + 2);
      else map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [48, 48], maxZoom: zoom + 4 });
    };
    const drawClusters = (clusters: Cluster[]) => {
      outlets.clearLayers();
      const i18n = i18nStore.get();
      for (const cluster of clusters) {
        const single = cluster.count === 1 && cluster.outlet_id !== null;
        const label = single ? i18n.t("map.single") : i18n.plural("map.cluster", cluster.count);
        const marker = L.marker([cluster.lat, cluster.lon], {
          icon: single
            ? leaflet.outletIcon("unknown")
            : leaflet.clusterIcon(formatNumber(cluster.count, i18n.locale), cluster.count),
          keyboard: true,
          title: label,
        });
        marker.on("click", () => void openCluster(cluster));
        marker.addTo(outlets);
        leaflet.labelMarker(marker, label);
      }
    };
    const load = async () => {
      controller?.abort();
      const abort = (controller = new AbortController());
      const b = map.getBounds();
      const bbox: Bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
      const zoom = Math.round(map.getZoom());
      const centre = map.getCenter();
      mapViewStore.set({ lat: centre.lat, lon: centre.lng, zoom });
      setLoading(true);
      try {
        if (zoom >= MARKER_ZOOM) {
          const { data } = await searchOutlets({ bbox, limit: MAX_MARKERS }, abort.signal);
          if (data.total_relation === "eq" && data.total <= data.items.length) {
            drawMarkers(data.items);
            setMode("markers");
            setShownZoom(zoom);
            setError(null);
            return;
          }
        }
        const { data } = await getClusters(bbox, zoom, abort.signal);
        drawClusters(data.clusters);
        setMode("clusters");
        setShownZoom(zoom);
        setError(null);
      } catch (e) {
        if (!isAbort(e) && !abort.signal.aborted) setError(e);
      } finally {
        if (controller === abort) setLoading(false);
      }
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), MOVE_DEBOUNCE_MS);
    };
    map.on("moveend", schedule);
    map.on("click", () => setSelected(null));
    void load();
    return () => {
      clearTimeout(timer);
      controller?.abort();
      map.remove();
      mapRef.current = null;
    };
  }, [leaflet]);

  // Back online: fetch the view again.
  const refreshed = useStore(refreshStore);
  const firstRefresh = useRef(refreshed);
  useEffect(() => {
    if (refreshed !== firstRefresh.current) mapRef.current?.fire("moveend");
  }, [refreshed]);

  // The page was hidden while the map was created or the window changed size.
  useEffect(() => {
    if (active) mapRef.current?.invalidateSize();
  }, [active]);

  // The user's position as a dot.
  useEffect(() => {
    const layer = positionLayer.current;
    if (!leaflet || !layer) return;
    layer.clearLayers();
    const origin = geo.origin;
    if (origin?.source === "gps") {
      leaflet.L.circleMarker([origin.lat, origin.lon], {
        radius: 9, color: "#ffffff", weight: 3, fillColor: "#1a56db", fillOpacity: 1, interactive: false,
      }).addTo(layer);
    }
  }, [leaflet, geo.origin]);

  const retry = () => {
    setError(null);
    if (mapRef.current) mapRef.current.fire("moveend");
    else setReload((n) => n + 1); // the map code itself did not load
  };

  const listHere = () => {
    const map = mapRef.current;
    if (!map) return;
    const c = map.getCenter();
    chooseOrigin({ lat: c.lat, lon: c.lng, source: "map" });
    mapHintStore.set(false);
    navigate(paths.nearby);
  };
  // "Show my position": go there now if known, and again when the new fix arrives.
  useEffect(() => {
    if (geoStore.get().status === "idle") locate();
  }, []);
  const showMe = () => {
    const origin = geoStore.get().origin;
    const map = mapRef.current;
    if (map && origin?.source === "gps") map.setView([origin.lat, origin.lon], Math.max(15, map.getZoom()));
    follow.current = true;
    locate();
  };
  useEffect(() => {
    const origin = geo.origin;
    const map = mapRef.current;
    if (follow.current && map && origin?.source === "gps" && geo.status === "ok") {
      follow.current = false;
      map.setView([origin.lat, origin.lon], Math.max(15, map.getZoom()));
    }
  }, [geo]);

  return (
    <>
      <header class="screen-header">
        <h1 class="screen-title" tabIndex={-1}>{t("map.title")}</h1>
        {loading && <span class="spinner" role="status" aria-label={t("app.loading")} />}
        <SettingsButton />
      </header>
      <div class="map-area">
        {/* data-*: what is drawn, for tests and debugging. */}
        <div
          ref={element} class="map" role="region" aria-label={t("map.label")}
          data-mode={mode ?? undefined} data-zoom={shownZoom ?? undefined} data-loading={loading ? "true" : "false"}
        />
        <div class="map-overlay-top">
          {hint && <p class="map-chip map-chip-hint">{t("nearby.mapHint")}</p>}
          {mode === "clusters" && <p class="map-chip">{t("map.zoomIn")}</p>}
          {tilesFailed && <p class="map-chip map-chip-muted">{t("map.tilesUnavailable")}</p>}
          {error != null && <ErrorMessage error={error} onRetry={retry} />}
        </div>
        <button type="button" class="map-fab" aria-label={t("map.myPosition")} title={t("map.myPosition")} onClick={showMe}>
          <Icon name="locate" />
        </button>
        {selected ? (
          <OutletCard outlet={selected} onClose={() => setSelected(null)} />
        ) : (
          <button type="button" class="button button-primary map-list-here" onClick={listHere}>
            <Icon name="list" size={20} /> {t("map.listHere")}
          </button>
        )}
      </div>
    </>
  );
}
