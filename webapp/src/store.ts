// A minimal observable value, and a Preact hook to re-render when it changes. Enough for
// the app's few shared states (language, position, route, connectivity) without a library.
import { useEffect, useReducer } from "preact/hooks";

export interface Store<T> {
  get(): T;
  set(next: T | ((previous: T) => T)): void;
  subscribe(listener: (value: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<(value: T) => void>();
  return {
    get: () => value,
    set(next) {
      const updated = typeof next === "function" ? (next as (previous: T) => T)(value) : next;
      if (Object.is(updated, value)) return;
      value = updated;
      for (const listener of [...listeners]) listener(value);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The store's current value; the component re-renders when it changes. */
export function useStore<T>(store: Store<T>): T {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const value = store.get();
  useEffect(() => {
    const unsubscribe = store.subscribe(() => rerender(undefined));
    if (!Object.is(store.get(), value)) rerender(undefined); // changed before we subscribed
    return unsubscribe;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);
  return value;
}
