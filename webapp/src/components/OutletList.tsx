import { useEffect, useRef } from "preact/hooks";
import type { Outlet } from "../api/types";
import { formatAddress, formatDistance, formatNumber } from "../format";
import type { PagedOutlets } from "../hooks";
import { errorText } from "../hooks";
import { openNow } from "../hours";
import { useI18n, type I18n } from "../i18n";
import { paths } from "../router";

export function StatusBadge({ outlet, open }: { outlet: Pick<Outlet, "status">; open: boolean | null }) {
  const { t } = useI18n();
  if (outlet.status === "closed") return <span class="badge badge-closed">{t("status.permanentlyClosed")}</span>;
  if (open === true) return <span class="badge badge-open">{t("status.open")}</span>;
  if (open === false) return <span class="badge badge-muted">{t("status.closed")}</span>;
  return null;
}

export function formatLabel(outlet: Pick<Outlet, "banner" | "format">, i18n: I18n): string {
  const format = i18n.t(`format.${outlet.format}` as Parameters<I18n["t"]>[0]);
  return outlet.banner ? `${outlet.banner} · ${format}` : format;
}

export function OutletItem({ outlet }: { outlet: Outlet }) {
  const i18n = useI18n();
  const open = openNow(outlet);
  return (
    <li class="outlet-item">
      <a href={paths.outlet(outlet.id)} class="outlet-link" data-outlet-id={outlet.id}>
        <span class="outlet-name">{outlet.name}</span>
        <span class="outlet-distance">
          {outlet.distance_m !== undefined && formatDistance(outlet.distance_m, i18n.locale)}
        </span>
        <span class="outlet-line">
          <span class="outlet-meta">
            {formatLabel(outlet, i18n)}
            {outlet.status === "unverified" && <> <span class="badge badge-muted">{i18n.t("status.unverified")}</span></>}
          </span>
          <StatusBadge outlet={outlet} open={open} />
        </span>
        <span class="outlet-address">{formatAddress(outlet)}</span>
      </a>
    </li>
  );
}

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const i18n = useI18n();
  return (
    <div class="message message-error" role="alert">
      <p>{errorText(error, i18n)}</p>
      {onRetry && (
        <button type="button" class="button button-secondary" onClick={onRetry}>
          {i18n.t("error.retry")}
        </button>
      )}
    </div>
  );
}

/** Calls `onVisible` when it scrolls into view (within 600 px) inside its scrolling screen. */
export function Sentinel({ onVisible }: { onVisible: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const callback = useRef(onVisible);
  callback.current = onVisible;
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((e) => e.isIntersecting) && callback.current(),
      { root: element.closest(".screen"), rootMargin: "0px 0px 600px 0px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return <div ref={ref} class="sentinel" aria-hidden="true" />;
}

/** A list of outlets with its count, infinite scroll (and a "Load more" button for keyboards). */
export function OutletList({ result, empty }: { result: PagedOutlets; empty?: string }) {
  const i18n = useI18n();
  const { items, total, loading, error, hasMore } = result;
  return (
    <div class="outlet-results" aria-busy={loading}>
      {total !== null && items.length > 0 && (
        <p class="result-count" aria-live="polite">
          {result.totalAtLeast ? i18n.t("list.countAtLeast", { count: formatNumber(total, i18n.locale) }) : i18n.plural("list.count", total)}
        </p>
      )}
      {items.length > 0 && (
        <ul class="outlet-list">
          {items.map((outlet) => (
            <OutletItem key={outlet.id} outlet={outlet} />
          ))}
        </ul>
      )}
      {!loading && !error && total === 0 && empty && <p class="message">{empty}</p>}
      {error != null && <ErrorMessage error={error} onRetry={result.retry} />}
      {loading && (
        <p class="loading" role="status">
          <span class="spinner" aria-hidden="true" /> {i18n.t("app.loading")}
        </p>
      )}
      {hasMore && !loading && !error && (
        <>
          <Sentinel onVisible={result.loadMore} />
          <button type="button" class="button button-secondary load-more" onClick={result.loadMore}>
            {i18n.t("list.loadMore")}
          </button>
        </>
      )}
      {!hasMore && !loading && items.length > 0 && <p class="list-end">{i18n.t("list.end")}</p>}
    </div>
  );
}
