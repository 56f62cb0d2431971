// Accounts: a rep's own accounts ("My accounts"); a manager's team (and the unassigned
// pool) and HQ's or an admin's whole organization, narrowed with the rep filter. Class
// chips, an overdue toggle, text and a sort; pages load as the list scrolls.
import { useEffect, useMemo, useState } from "preact/hooks";
import { listReps, newer, type AccountQuery } from "../api/accounts";
import { isAbort } from "../api/client";
import { ACCOUNT_CLASSES, type Account, type AccountClass, type AccountSort, type Me, type User } from "../api/types";
import { accountUpdatesStore, AccountStatusBadge, ClassBadge, DueBadge } from "../components/AccountBits";
import { SettingsButton } from "../components/Chrome";
import { SearchField } from "../components/Filters";
import { ErrorMessage, Sentinel } from "../components/OutletList";
import { formatAddress, formatDistance } from "../format";
import { distanceMetres, geoStore, locate, type Origin } from "../geo";
import { useDebounced, usePagedAccounts, type PagedAccounts } from "../hooks";
import { useI18n } from "../i18n";
import { paths } from "../router";
import { useStore } from "../store";

const SORTS: readonly AccountSort[] = ["due", "distance", "name", "class"];

function distanceOf(account: Account, origin: Origin | null): number | null {
  if (account.distance_m !== undefined) return account.distance_m;
  if (!origin || account.outlet.lat === null || account.outlet.lon === null) return null;
  return distanceMetres(origin, { lat: account.outlet.lat, lon: account.outlet.lon });
}

export function AccountItem({ account, origin, showRep }: { account: Account; origin: Origin | null; showRep: boolean }) {
  const i18n = useI18n();
  const distance = distanceOf(account, origin);
  return (
    <li class="account-item">
      <a href={paths.account(account.id)} class="account-link" data-account-id={account.id}>
        <ClassBadge value={account.account_class} />
        <span class="account-main">
          <span class="account-top">
            <span class="account-name">{account.outlet.name}</span>
            <span class="account-distance">{distance !== null && formatDistance(distance, i18n.locale)}</span>
          </span>
          <span class="account-address">{formatAddress(account.outlet)}</span>
          <span class="account-badges">
            <AccountStatusBadge status={account.status} />
            <DueBadge account={account} />
          </span>
          {showRep && (
            <span class="account-rep">{account.assigned_rep_name ?? i18n.t("accounts.unassigned")}</span>
          )}
        </span>
      </a>
    </li>
  );
}

function AccountList(props: {
  result: PagedAccounts;
  origin: Origin | null;
  showRep: boolean;
  empty: string;
  sort: AccountSort;
  onSort(sort: AccountSort): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { result, origin } = props;
  const updates = useStore(accountUpdatesStore);
  const items = result.items.map((a) => newer(a, updates.get(a.id)));
  return (
    <div class="account-results" aria-busy={result.loading}>
      <div class="list-head">
        <p class="result-count" aria-live="polite">
          {result.total !== null && i18n.plural("accounts.count", result.total)}
        </p>
        <div class="sort-field">
          <label for="accounts-sort" class="sort-label">{t("accounts.sort")}</label>
          <select
            id="accounts-sort" class="select select-compact" value={props.sort}
            onChange={(e) => props.onSort((e.currentTarget as HTMLSelectElement).value as AccountSort)}
          >
            {SORTS.map((sort) => (
              <option key={sort} value={sort} disabled={sort === "distance" && !origin}>
                {sort === "distance" && !origin ? t("accounts.sort.distanceOff") : t(`accounts.sort.${sort}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {items.length > 0 && (
        <ul class="account-list">
          {items.map((account) => (
            <AccountItem key={account.id} account={account} origin={origin} showRep={props.showRep} />
          ))}
        </ul>
      )}
      {!result.loading && !result.error && result.total === 0 && <p class="message">{props.empty}</p>}
      {result.error != null && <ErrorMessage error={result.error} onRetry={result.retry} />}
      {result.loading && (
        <p class="loading" role="status">
          <span class="spinner" aria-hidden="true" /> {t("app.loading")}
        </p>
      )}
      {result.hasMore && !result.loading && !result.error && (
        <>
          <Sentinel onVisible={result.loadMore} />
          <button type="button" class="button button-secondary load-more" onClick={result.loadMore}>
            {t("list.loadMore")}
          </button>
        </>
      )}
      {!result.hasMore && !result.loading && items.length > 0 && <p class="list-end">{t("list.end")}</p>}
    </div>
  );
}

/** The reps a manager (their team) or HQ/admin (everyone) can filter by. */
function useReps(me: Me): User[] {
  const [reps, setReps] = useState<User[]>([]);
  const role = me.user.role;
  useEffect(() => {
    if (role === "rep") return;
    const controller = new AbortController();
    listReps(role === "manager" ? me.user.id : null, controller.signal).then(
      ({ data }) => setReps([...data.items].sort((a, b) => a.name.localeCompare(b.name))),
      (error) => {
        if (!isAbort(error)) setReps([]); // the filter still offers team / all and unassigned
      },
    );
    return () => controller.abort();
  }, [role, me.user.id]);
  return reps;
}

export function Accounts({ me }: { me: Me }) {
  const i18n = useI18n();
  const { t } = i18n;
  const isRep = me.user.role === "rep";
  const origin = useStore(geoStore).origin;
  const reps = useReps(me);
  const [rep, setRep] = useState(isRep ? "me" : "");
  const [classes, setClasses] = useState<AccountClass[]>([]);
  const [overdue, setOverdue] = useState(false);
  const [text, setText] = useState("");
  const [sort, setSort] = useState<AccountSort>("due");
  const q = useDebounced(text.trim(), 300);

  useEffect(() => {
    if (geoStore.get().status === "idle") locate();
  }, []);

  const effectiveSort: AccountSort = sort === "distance" && !origin ? "due" : sort;
  const near = effectiveSort === "distance" && origin ? { lat: origin.lat, lon: origin.lon } : null;
  const query = useMemo<AccountQuery>(
    () => ({ rep: rep || null, classes, overdue, q, near, sort: effectiveSort }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [rep, classes, overdue, q, near?.lat, near?.lon, effectiveSort],
  );
  const result = usePagedAccounts(query);
  const filtered = classes.length > 0 || overdue || !!q || (!isRep && rep !== "");

  const toggleClass = (value: AccountClass) =>
    setClasses(classes.includes(value) ? classes.filter((c) => c !== value) : [...classes, value]);

  return (
    <>
      <header class="screen-header">
        <h1 class="screen-title" tabIndex={-1}>{isRep ? t("accounts.titleMine") : t("accounts.title")}</h1>
        <SettingsButton />
      </header>
      <div class="screen-body">
        <div class="filters">
          {!isRep && (
            <div class="field field-inline">
              <label for="accounts-rep" class="field-label">{t("accounts.rep")}</label>
              <select
                id="accounts-rep" class="select" value={rep}
                onChange={(e) => setRep((e.currentTarget as HTMLSelectElement).value)}
              >
                <option value="">{me.user.role === "manager" ? t("accounts.team") : t("accounts.allReps")}</option>
                <option value="none">{t("accounts.unassigned")}</option>
                {reps.map((r) => (
                  <option key={r.id} value={String(r.id)}>{r.name}</option>
                ))}
              </select>
            </div>
          )}
          <SearchField
            id="accounts-filter" label={t("filter.text")} placeholder={t("filter.textPlaceholder")}
            value={text} onInput={setText} hideLabel
          />
          <div class="chips" role="group" aria-label={t("accounts.classes")}>
            {ACCOUNT_CLASSES.map((value) => (
              <button
                key={value} type="button" class="chip chip-class" aria-pressed={classes.includes(value)}
                aria-label={t("accounts.classLabel", { class: value })} onClick={() => toggleClass(value)}
              >
                {value}
              </button>
            ))}
            <button type="button" class="chip" aria-pressed={overdue} onClick={() => setOverdue(!overdue)}>
              {t("accounts.overdue")}
            </button>
          </div>
        </div>
        <AccountList
          result={result} origin={origin} showRep={!isRep} sort={effectiveSort} onSort={setSort}
          empty={filtered || !isRep ? t("accounts.empty") : t("accounts.emptyMine")}
        />
      </div>
    </>
  );
}
