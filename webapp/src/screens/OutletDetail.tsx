// One outlet: facts, a small map, the week's opening hours, and ways to call or get there.
import type * as Leaflet from "leaflet";
import { useEffect, useRef, useState } from "preact/hooks";
import { isAbort } from "../api/client";
import { getOutlet } from "../api/outlets";
import type { OutletDetail as Detail, WeeklyHours } from "../api/types";
import { Icon } from "../components/Icon";
import { ErrorMessage, StatusBadge } from "../components/OutletList";
import { formatAddress, formatArea, formatDate, formatDistance, formatHoursRange, weekdayNames } from "../format";
import { refreshStore } from "../connectivity";
import { directionsHref } from "../directions";
import { distanceMetres, geoStore } from "../geo";
import { DAY_CODES, localTime, timeZoneOf } from "../hours";
import { useI18n, type MessageKey } from "../i18n";
import { back, paths } from "../router";
import { useStore } from "../store";
import { can, sessionStore } from "../session";
import { CorrectionPanel } from "../quality/CorrectionPanel";

function MiniMap({ outlet }: { outlet: Detail }) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let map: Leaflet.Map | null = null;
    let cancelled = false;
    import("../map/leaflet").then((leaflet) => {
      if (cancelled || !element.current) return;
      map = leaflet.createBaseMap(element.current, { center: [outlet.lat, outlet.lon], zoom: 16, interactive: false });
      leaflet.L.marker([outlet.lat, outlet.lon], {
        icon: leaflet.outletIcon(outlet.format, true), interactive: false, keyboard: false,
      }).addTo(map);
    }, () => {
      /* offline before the map code was saved: no map */
    });
    return () => {
      cancelled = true;
      map?.remove();
    };
  }, [outlet.id, outlet.lat, outlet.lon, outlet.format]);
  return <div ref={element} class="mini-map" role="figure" aria-label={t("detail.mapLabel", { name: outlet.name })} />;
}

function HoursTable({ weekly, country }: { weekly: WeeklyHours; country: string }) {
  const { t, locale } = useI18n();
  const names = weekdayNames(locale);
  const today = localTime(new Date(), timeZoneOf(country)).weekday;
  return (
    <table class="hours">
      <caption class="visually-hidden">{t("detail.hours")}</caption>
      <thead class="visually-hidden">
        <tr>
          <th scope="col">{t("detail.day")}</th>
          <th scope="col">{t("detail.time")}</th>
        </tr>
      </thead>
      <tbody>
        {DAY_CODES.map((code, i) => {
          const windows = weekly[code] ?? [];
          const isToday = i === today;
          return (
            <tr key={code} class={isToday ? "is-today" : undefined} aria-current={isToday ? "date" : undefined}>
              <th scope="row">
                {names[i]}
                {isToday && <span class="today-label"> · {t("detail.today")}</span>}
              </th>
              <td>
                {windows.length === 0
                  ? t("detail.dayClosed")
                  : windows.map(([from, to], k) => (
                      <span key={k} class="hours-window">{formatHoursRange(from, to, locale)}</span>
                    ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function websiteHref(website: string): string | null {
  const href = /^https?:\/\//i.test(website) ? website : `https://${website}`;
  try {
    const url = new URL(href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

export function OutletDetail({ id }: { id: number }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const origin = useStore(geoStore).origin;
  const [state, setState] = useState<{ id: number; outlet: Detail | null; error: unknown }>({ id, outlet: null, error: null });
  const [attempt, setAttempt] = useState(0);
  const refreshed = useStore(refreshStore);
  const session = useStore(sessionStore);
  const mayPropose = session.status === "signedIn" && can(session.me, "corrections.propose");

  useEffect(() => {
    const controller = new AbortController();
    setState((s) => (s.id === id && s.outlet ? { ...s, error: null } : { id, outlet: null, error: null }));
    getOutlet(id, controller.signal).then(
      ({ data }) => setState({ id, outlet: data, error: null }),
      (error) => {
        if (!isAbort(error)) setState({ id, outlet: null, error });
      },
    );
    return () => controller.abort();
  }, [id, attempt, refreshed]);

  const outlet = state.id === id ? state.outlet : null;
  const error = state.id === id ? state.error : null;
  const website = outlet?.website ? websiteHref(outlet.website) : null;
  const sourceKey = outlet?.source ? (`source.${outlet.source}` as MessageKey) : null;
  const sourceLabel = sourceKey && i18n.has(sourceKey) ? t(sourceKey) : outlet?.source;

  return (
    <>
      <header class="screen-header">
        <button type="button" class="icon-button back-button" onClick={() => back(paths.nearby)} aria-label={t("detail.back")}>
          <Icon name="back" />
        </button>
        <h1 class="screen-title" tabIndex={-1}>{outlet?.name ?? t("detail.title")}</h1>
      </header>
      <div class="screen-body detail">
        {!outlet && !error && (
          <p class="loading" role="status">
            <span class="spinner" aria-hidden="true" /> {t("app.loading")}
          </p>
        )}
        {error != null && <ErrorMessage error={error} onRetry={() => setAttempt((n) => n + 1)} />}
        {outlet && (
          <>
            <p class="outlet-badges">
              <StatusBadge outlet={outlet} open={outlet.open_now} />
              {outlet.status === "unverified" && <span class="badge badge-muted">{t("status.unverified")}</span>}
            </p>
            <dl class="facts">
              {outlet.banner && (
                <div><dt>{t("detail.banner")}</dt><dd>{outlet.banner}</dd></div>
              )}
              {outlet.group && outlet.group !== outlet.banner && (
                <div><dt>{t("detail.group")}</dt><dd>{outlet.group}</dd></div>
              )}
              <div><dt>{t("detail.format")}</dt><dd>{t(`format.${outlet.format}` as MessageKey)}</dd></div>
              {outlet.sales_area_m2 != null && (
                <div><dt>{t("detail.salesArea")}</dt><dd>{formatArea(outlet.sales_area_m2, locale)}</dd></div>
              )}
              <div class="fact-wide"><dt>{t("detail.address")}</dt><dd>{formatAddress(outlet)}</dd></div>
              {outlet.phone && (
                <div class="fact-wide"><dt>{t("detail.phone")}</dt><dd>{outlet.phone}</dd></div>
              )}
              {origin && (
                <div><dt>{t("detail.distance")}</dt><dd>{formatDistance(distanceMetres(origin, outlet), locale)}</dd></div>
              )}
            </dl>

            <div class="actions">
              <a class="button button-primary" href={directionsHref(outlet.lat, outlet.lon, outlet.name)} target="_blank" rel="noopener noreferrer">
                <Icon name="directions" size={20} /> {t("detail.directions")}
              </a>
              {outlet.phone && (
                <a
                  class="button button-secondary" href={`tel:${outlet.phone.replace(/[^\d+]/g, "")}`}
                  aria-label={t("detail.call", { phone: outlet.phone })}
                >
                  <Icon name="phone" size={20} /> {t("detail.callShort")}
                </a>
              )}
            </div>
            <ul class="link-list">
              <li>
                <a
                  href={`https://www.openstreetmap.org/?mlat=${outlet.lat}&mlon=${outlet.lon}#map=18/${outlet.lat}/${outlet.lon}`}
                  target="_blank" rel="noopener noreferrer"
                >
                  <Icon name="map" size={20} /> <span>{t("detail.openStreetMap")}</span>
                </a>
              </li>
              {website && (
                <li>
                  <a href={website} target="_blank" rel="noopener noreferrer">
                    <Icon name="globe" size={20} /> <span>{t("detail.website")}</span>
                    <span class="link-hint">{new URL(website).hostname.replace(/^www\./, "")}</span>
                  </a>
                </li>
              )}
            </ul>

            <MiniMap outlet={outlet} />

            <section class="section" aria-labelledby="hours-title">
              <h2 id="hours-title" class="section-title">{t("detail.hours")}</h2>
              {outlet.opening_hours_weekly ? (
                <HoursTable weekly={outlet.opening_hours_weekly} country={outlet.country} />
              ) : (
                <p class="message">{t("detail.hoursUnknown")}</p>
              )}
            </section>

            {mayPropose && <CorrectionPanel outlet={outlet} />}

            <p class="provenance">
              {t("detail.source")}: {sourceLabel ?? "—"} · {t("detail.lastVerified")}:{" "}
              {outlet.last_verified_at ? formatDate(outlet.last_verified_at, locale) : t("detail.neverVerified")}
            </p>
          </>
        )}
      </div>
    </>
  );
}
