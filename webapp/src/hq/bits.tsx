// Small pieces shared by the HQ screens: loading data, KPI and value names, the change badge.
import { useEffect, useRef, useState } from "preact/hooks";
import { isAbort, type ApiResponse } from "../api/client";
import { refreshStore } from "../connectivity";
import type { I18n, MessageKey } from "../i18n";
import { useStore } from "../store";
import { changeTone, formatChange, formatValue } from "./model";
import { valueLabelsStore } from "./state";

export interface Loaded<T> {
  data: T | null;
  loading: boolean;
  error: unknown;
  retry(): void;
}

/**
 * The answer of `load` for `key` (null: nothing to load). A new key aborts the request
 * under way; the previous answer stays on show (dimmed by the caller) until the new one is there.
 */
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<ApiResponse<T>>): Loaded<T> {
  const refreshed = useStore(refreshStore);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{ key: string | null; data: T | null; loading: boolean; error: unknown }>({
    key: null, data: null, loading: key !== null, error: null,
  });
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    if (key === null) {
      setState({ key, data: null, loading: false, error: null });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    loader.current(controller.signal).then(
      ({ data }) => !controller.signal.aborted && setState({ key, data, loading: false, error: null }),
      (error) => {
        if (isAbort(error) || controller.signal.aborted) return;
        setState((s) => ({ ...s, key, loading: false, error }));
      },
    );
    return () => controller.abort();
  }, [key, attempt, refreshed]);
  return { data: state.data, loading: state.loading, error: state.error, retry: () => setAttempt((n) => n + 1) };
}

/** A KPI's name in the user's language (the server's English label for a KPI the app does not know yet). */
export function kpiName(kpi: { key?: string; kpi?: string; label: string }, i18n: I18n): string {
  const key = `hq.kpi.${kpi.key ?? kpi.kpi}`;
  return i18n.has(key) ? i18n.t(key as MessageKey) : kpi.label;
}

export function dimName(dim: string, i18n: I18n): string {
  const key = `hq.dim.${dim}`;
  return i18n.has(key) ? i18n.t(key as MessageKey) : dim;
}

/** How a value of a dimension reads: store formats and own/competitor translated, else the API's label, else the value. */
export function valueName(
  dim: string, value: unknown, label: string | null | undefined, i18n: I18n, labels?: ReadonlyMap<string, string>,
): string {
  if (value === null || value === undefined || value === "") return i18n.t("hq.none");
  if (dim === "format" && i18n.has(`format.${value}`)) return i18n.t(`format.${value}` as MessageKey);
  if (dim === "own") return i18n.t(String(value) === "true" ? "hq.own.true" : "hq.own.false");
  return label || labels?.get(`${dim}:${value}`) || String(value);
}

export function useValueLabels(): ReadonlyMap<string, string> {
  return useStore(valueLabelsStore);
}

/** "+7.5 pp", coloured by whether it is good news, with the words for screen readers. */
export function Change(props: {
  kpi: string; unit: string; change: number | null | undefined; i18n: I18n; better?: "higher" | "lower" | null;
}) {
  const { kpi, unit, change, i18n } = props;
  if (change === null || change === undefined) return <span class="hq-change hq-change-none">–</span>;
  const tone = changeTone(kpi, change, props.better);
  const arrow = change > 0 ? "▲" : change < 0 ? "▼" : "";
  return (
    <span class={`hq-change hq-change-${tone}`}>
      {arrow && <span aria-hidden="true">{arrow} </span>}
      {formatChange(change, unit, i18n.locale, i18n.t("hq.pp"))}
      <span class="visually-hidden"> ({i18n.t(`hq.change.${tone}`)})</span>
    </span>
  );
}

export function Value({ value, unit, i18n }: { value: number | null | undefined; unit: string; i18n: I18n }) {
  return <>{formatValue(value, unit, i18n.locale)}</>;
}
