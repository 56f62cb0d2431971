// The forms of a visit's outlet: from the pulled forms' targeting (offline), or, for an account
// the phone has not pulled, from GET /forms/applicable when online (kept for this session).
import { useEffect, useState } from "preact/hooks";
import { apiGet } from "../api/client";
import type { ListProduct, Localised } from "../api/types";
import type { FormDefinition } from "../survey/rules";
import { useStore } from "../store";
import { fieldStore } from "./index";
import { applicableForms, type ApplicableForm } from "./targeting";

interface ApplicableAnswer {
  items: {
    form_id: number; key: string; title: Localised; mandatory: boolean; form_version_id: number; version: number;
    definition: FormDefinition;
  }[];
  product_lists: Record<string, ListProduct[]>;
}

export interface VisitForms {
  items: ApplicableForm[];
  lists: Readonly<Record<string, readonly ListProduct[]>>;
  /** local: from the pulled forms; server: fetched; none: not known on this phone. */
  source: "local" | "server" | "none";
  loading: boolean;
}

const fetched = new Map<number, { items: ApplicableForm[]; lists: Record<string, ListProduct[]> }>();

export function useVisitForms(accountId: number | null): VisitForms {
  const view = useStore(fieldStore);
  const account = accountId !== null ? view.accounts.get(accountId) : undefined;
  const [, setTick] = useState(0);
  const [loading, setLoading] = useState(false);
  const local = !!account && view.forms.length > 0;

  useEffect(() => {
    if (local || accountId === null || fetched.has(accountId) || !view.ready) return;
    const controller = new AbortController();
    setLoading(true);
    apiGet<ApplicableAnswer>("/forms/applicable", { account_id: accountId }, { signal: controller.signal }).then(
      ({ data }) => {
        fetched.set(accountId, {
          items: data.items.map((item) => ({
            form: {
              id: item.form_id, key: item.key, title: item.title, active: true, targeting: null,
              current_version: { id: item.form_version_id, version: item.version }, definition: item.definition,
            },
            definition: item.definition,
            versionId: item.form_version_id,
            mandatory: item.mandatory,
          })),
          lists: data.product_lists,
        });
        setLoading(false);
        setTick((n) => n + 1);
      },
      () => setLoading(false),
    );
    return () => controller.abort();
  }, [local, accountId, view.ready]);

  if (local && account) return { items: applicableForms(view.forms, account), lists: view.lists, source: "local", loading: false };
  const remote = accountId !== null ? fetched.get(accountId) : undefined;
  if (remote) return { items: remote.items, lists: remote.lists, source: "server", loading: false };
  return { items: [], lists: {}, source: "none", loading };
}
