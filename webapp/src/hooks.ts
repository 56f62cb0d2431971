import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, isAbort, NetworkError } from "./api/client";
import { searchOutlets, type OutletQuery } from "./api/outlets";
import type { Outlet } from "./api/types";
import { refreshStore } from "./connectivity";
import type { I18n } from "./i18n";
import { useStore } from "./store";

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The sentence to show for a failed request: the API's own `detail` when it sent one. */
export function errorText(error: unknown, i18n: I18n): string {
  if (error instanceof ApiError) return error.detail || i18n.t("error.status", { status: error.status });
  if (error instanceof NetworkError) {
    return typeof navigator !== "undefined" && !navigator.onLine ? i18n.t("offline.nothingSaved") : i18n.t("error.network");
  }
  return String((error as Error)?.message ?? error);
}

export interface PagedOutlets {
  items: Outlet[];
  total: number | null;
  totalAtLeast: boolean;
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore(): void;
  retry(): void;
}

/**
 * Outlets for `query` (null: none yet), page by page through next_cursor. They are fetched
 * again, without clearing the list, when `refresh` changes or the app asks for a refresh.
 */
export function usePagedOutlets(query: OutletQuery | null, refresh: unknown = null, pageSize = 30): PagedOutlets {
  const key = query ? JSON.stringify(query) : "";
  const refreshed = useStore(refreshStore);
  const [state, setState] = useState({
    key: "", items: [] as Outlet[], total: null as number | null, totalAtLeast: false,
    cursor: null as string | null, loading: false, error: null as unknown,
  });
  const controller = useRef<AbortController | null>(null);
  const [attempt, setAttempt] = useState(0);

  const fetchPage = useCallback(
    (cursor: string | null) => {
      if (!query) return;
      controller.current?.abort();
      const abort = (controller.current = new AbortController());
      // A new query starts from an empty list; the same one fetched again keeps it meanwhile.
      setState((s) => ({ ...s, key, loading: true, error: null, ...(cursor || s.key === key ? {} : { items: [], total: null, cursor: null }) }));
      searchOutlets({ ...query, limit: pageSize, cursor }, abort.signal).then(
        ({ data }) => {
          if (abort.signal.aborted) return;
          setState((s) => ({
            key, items: cursor ? [...s.items, ...data.items] : data.items, total: data.total,
            totalAtLeast: data.total_relation === "gte", cursor: data.next_cursor, loading: false, error: null,
          }));
        },
        (error) => {
          if (isAbort(error) || abort.signal.aborted) return;
          setState((s) => ({ ...s, loading: false, error }));
        },
      );
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key, pageSize],
  );

  useEffect(() => {
    if (!query) {
      controller.current?.abort();
      setState({ key: "", items: [], total: null, totalAtLeast: false, cursor: null, loading: false, error: null });
      return;
    }
    fetchPage(null);
    return () => controller.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt, refresh, refreshed]);

  const current = state.key === key;
  return {
    items: current ? state.items : [],
    total: current ? state.total : null,
    totalAtLeast: state.totalAtLeast,
    loading: state.loading || (!!query && !current),
    error: current ? state.error : null,
    hasMore: current && !!state.cursor,
    loadMore: () => {
      if (!state.loading && state.cursor && !state.error) fetchPage(state.cursor);
    },
    retry: () => (state.cursor && state.items.length ? fetchPage(state.cursor) : setAttempt((n) => n + 1)),
  };
}
