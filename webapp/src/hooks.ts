import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, isAbort, NetworkError } from "./api/client";
import { listAccounts, type AccountQuery } from "./api/accounts";
import { searchOutlets, type OutletQuery } from "./api/outlets";
import type { Account, Outlet } from "./api/types";
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

export interface PagedAccounts {
  items: Account[];
  total: number | null;
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  fromCache: boolean;
  loadMore(): void;
  retry(): void;
}

/**
 * Accounts for `query` (null: none yet), page by page through offset. Fetched again,
 * keeping the list meanwhile, when the app asks for a refresh (back online).
 */
export function usePagedAccounts(query: AccountQuery | null, pageSize = 30): PagedAccounts {
  const key = query ? JSON.stringify(query) : "";
  const refreshed = useStore(refreshStore);
  const [state, setState] = useState({
    key: "", items: [] as Account[], total: null as number | null, loading: false, error: null as unknown, fromCache: false,
  });
  const controller = useRef<AbortController | null>(null);
  const [attempt, setAttempt] = useState(0);

  const fetchPage = useCallback(
    (offset: number) => {
      if (!query) return;
      controller.current?.abort();
      const abort = (controller.current = new AbortController());
      setState((s) => ({ ...s, key, loading: true, error: null, ...(offset || s.key === key ? {} : { items: [], total: null }) }));
      listAccounts({ ...query, limit: pageSize, offset }, abort.signal).then(
        ({ data, fromCache }) => {
          if (abort.signal.aborted) return;
          setState((s) => {
            const before = offset ? s.items : [];
            const seen = new Set(before.map((a) => a.id));
            return {
              key, items: [...before, ...data.items.filter((a) => !seen.has(a.id))], total: data.total,
              loading: false, error: null, fromCache,
            };
          });
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
      setState({ key: "", items: [], total: null, loading: false, error: null, fromCache: false });
      return;
    }
    fetchPage(0);
    return () => controller.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt, refreshed]);

  const current = state.key === key;
  const hasMore = current && state.total !== null && state.items.length < state.total;
  return {
    items: current ? state.items : [],
    total: current ? state.total : null,
    loading: state.loading || (!!query && !current),
    error: current ? state.error : null,
    hasMore,
    fromCache: current && state.fromCache,
    loadMore: () => {
      if (!state.loading && hasMore && !state.error) fetchPage(state.items.length);
    },
    retry: () => (state.items.length && hasMore ? fetchPage(state.items.length) : setAttempt((n) => n + 1)),
  };
}
