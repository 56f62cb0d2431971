// The app's frame: offline banner, bottom navigation, settings button and sheet.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Me } from "../api/types";
import { connectivityStore } from "../connectivity";
import { formatDate, formatTime } from "../format";
import { LANGUAGES, setLanguage, useI18n, type MessageKey } from "../i18n";
import { paths, type TabName } from "../router";
import { clearSavedData, updateReadyStore } from "../serviceWorker";
import { logOut } from "../session";
import { createStore, useStore } from "../store";
import { fieldStore, syncStatusStore } from "../field";
import { Icon } from "./Icon";
import { momentText, pendingCount } from "./SyncBits";

/** Whether the settings sheet is open (its button sits in each tab's header). */
export const settingsOpenStore = createStore(false);

function savedAtText(savedAt: Date, locale: string): string {
  const today = new Date().toDateString() === savedAt.toDateString();
  const time = formatTime(savedAt, locale);
  const pad = (n: number) => String(n).padStart(2, "0");
  const day = `${savedAt.getFullYear()}-${pad(savedAt.getMonth() + 1)}-${pad(savedAt.getDate())}`; // local date
  return today ? time : `${formatDate(day, locale)} ${time}`;
}

export function OfflineBanner() {
  const { t, locale } = useI18n();
  const { online, fromCache, savedAt } = useStore(connectivityStore);
  let text: string | null = null;
  if (fromCache) {
    if (online) text = t("offline.unreachable");
    else text = savedAt ? t("offline.savedAt", { time: savedAtText(savedAt, locale) }) : t("offline.saved");
  } else if (!online) {
    text = t("offline.plain");
  }
  return (
    <div class="offline-banner" role="status" hidden={!text}>
      {text && (
        <>
          <Icon name="offline" size={18} /> <span>{text}</span>
        </>
      )}
    </div>
  );
}

export function UpdateBanner() {
  const { t } = useI18n();
  const ready = useStore(updateReadyStore);
  if (!ready) return null;
  return (
    <div class="update-banner" role="status">
      <span>{t("app.updateReady")}</span>
      <button type="button" class="button button-text" onClick={() => location.reload()}>
        {t("app.reload")}
      </button>
    </div>
  );
}

const TABS: ReadonlyArray<{ name: TabName; href: string; icon: "today" | "nearby" | "accounts" | "map" | "search" | "chart" | "route" | "flag" }> = [
  { name: "today", href: paths.today, icon: "today" },
  { name: "plan", href: paths.plan, icon: "route" },
  { name: "insights", href: paths.insights, icon: "chart" },
  { name: "nearby", href: paths.nearby, icon: "nearby" },
  { name: "accounts", href: paths.accounts, icon: "accounts" },
  { name: "map", href: paths.map, icon: "map" },
  { name: "search", href: paths.search(), icon: "search" },
  { name: "review", href: paths.review, icon: "flag" },
];

/** The bottom bar: at most five entries (the role's most used tabs, then "More"). */
export function BottomNav({ current, tabs, more = [] }: { current: TabName | null; tabs: readonly TabName[]; more?: readonly TabName[] }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const inMore = current !== null && more.includes(current);
  return (
    <nav class="bottom-nav" aria-label={t("nav.label")}>
      {tabs.map((name) => TABS.find((tab) => tab.name === name)).map((tab) => tab && (
        <a key={tab.name} href={tab.href} class="nav-item" aria-current={current === tab.name ? "page" : undefined}>
          <Icon name={tab.icon} />
          <span class="nav-label">{t(`nav.${tab.name}`)}</span>
        </a>
      ))}
      {more.length > 0 && (
        <button
          type="button" class={`nav-item nav-more${inMore ? " nav-item-active" : ""}`} aria-haspopup="dialog"
          aria-expanded={open} onClick={() => setOpen(true)}
        >
          <Icon name="more" />
          <span class="nav-label">{t("nav.more")}</span>
        </button>
      )}
      {more.length > 0 && <MoreSheet open={open} onClose={() => setOpen(false)} tabs={more} current={current} />}
    </nav>
  );
}

/** "More": the tabs that do not fit in the bar, the sync page and the settings, as large rows. */
function MoreSheet({ open, onClose, tabs, current }: { open: boolean; onClose: () => void; tabs: readonly TabName[]; current: TabName | null }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const field = useStore(fieldStore);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    else if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog
      ref={dialog} class="sheet more-sheet" aria-labelledby="more-title" onClose={onClose}
      onClick={(e) => e.target === dialog.current && onClose()} // a tap on the backdrop
    >
      <div class="sheet-inner">
        <div class="sheet-head">
          <h2 id="more-title" class="sheet-title">{t("nav.more")}</h2>
          <button type="button" class="icon-button" aria-label={t("settings.close")} onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
        <ul class="more-list">
          {tabs.map((name) => TABS.find((tab) => tab.name === name)).map((tab) => tab && (
            <li key={tab.name}>
              <a class="more-item" href={tab.href} aria-current={current === tab.name ? "page" : undefined} onClick={onClose}>
                <Icon name={tab.icon} /> <span>{t(`nav.${tab.name}`)}</span>
              </a>
            </li>
          ))}
          {field.ready && (
            <li>
              <a class="more-item" href={paths.sync} onClick={onClose}>
                <Icon name="sync" /> <span>{t("sync.title")}</span>
              </a>
            </li>
          )}
          <li>
            <button type="button" class="more-item" onClick={() => { onClose(); settingsOpenStore.set(true); }}>
              <Icon name="settings" /> <span>{t("settings.title")}</span>
            </button>
          </li>
        </ul>
      </div>
    </dialog>
  );
}

/** The settings (and account) button at the right of a tab's header. */
export function SettingsButton() {
  const { t } = useI18n();
  return (
    <button
      type="button" class="icon-button settings-button" aria-haspopup="dialog" aria-label={t("settings.open")}
      title={t("settings.open")} onClick={() => settingsOpenStore.set(true)}
    >
      <Icon name="settings" />
    </button>
  );
}

export function SettingsSheet({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const open = useStore(settingsOpenStore);
  const onClose = () => settingsOpenStore.set(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const [cleared, setCleared] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [warned, setWarned] = useState(false);
  const i18n = useI18n();
  const field = useStore(fieldStore);
  const sync = useStore(syncStatusStore);
  const unsent = pendingCount(field) + field.problems.length;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      setCleared(false);
      setWarned(false);
      element.showModal();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);
  // Closed when the sheet goes away (logout, another user).
  useEffect(() => () => settingsOpenStore.set(false), []);

  const leave = async () => {
    // Changes not sent yet would be deleted with the phone's data: say so first.
    if (unsent > 0 && !warned) {
      setWarned(true);
      return;
    }
    setLeaving(true);
    await logOut();
  };

  return (
    <dialog
      ref={dialog} class="sheet" aria-labelledby="settings-title" onClose={onClose}
      onClick={(e) => e.target === dialog.current && onClose()} // a tap on the backdrop
    >
      <div class="sheet-inner">
        <div class="sheet-head">
          <h2 id="settings-title" class="sheet-title">{t("settings.title")}</h2>
          <button type="button" class="icon-button" aria-label={t("settings.close")} onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
        <section class="sheet-user" aria-labelledby="user-title">
          <p class="small muted">{t("settings.signedInAs")}</p>
          <h3 id="user-title" class="user-name">{me.user.name}</h3>
          <p class="user-line">{t(`role.${me.user.role}` as MessageKey)} · {me.organization.name}</p>
          <p class="user-line small muted">{me.user.email}</p>
          {warned && <p class="message message-warning" role="alert">{i18n.plural("settings.unsent", unsent)}</p>}
          <button type="button" class="button button-secondary logout-button" onClick={() => void leave()} disabled={leaving}>
            <Icon name="logout" size={20} /> {leaving ? t("settings.loggingOut") : warned ? t("settings.logoutAnyway") : t("settings.logout")}
          </button>
          <p class="small muted">{t("settings.logoutHint")}</p>
        </section>
        <fieldset class="choices">
          <legend class="field-label">{t("settings.language")}</legend>
          {LANGUAGES.map((language) => (
            <label key={language.code} class="choice" lang={language.code}>
              <input
                type="radio" name="language" value={language.code} checked={lang === language.code}
                onChange={() => setLanguage(language.code)}
              />
              <span>{language.name}</span>
            </label>
          ))}
        </fieldset>
        {field.ready && (
          <section class="sheet-section sheet-sync" aria-labelledby="sync-title">
            <h3 id="sync-title" class="field-label">{t("sync.title")}</h3>
            <p class="small">
              {t("sync.lastSync")}: {sync.lastSyncAt ? momentText(sync.lastSyncAt, i18n) : t("sync.never")}
              {" · "}{i18n.plural("sync.settingsSummary", pendingCount(field))}
            </p>
            <a class="button button-secondary" href={paths.sync} onClick={onClose}>{t("sync.open")}</a>
          </section>
        )}
        <section class="sheet-section" aria-labelledby="saved-data-title">
          <h3 id="saved-data-title" class="field-label">{t("settings.savedData")}</h3>
          <p class="small">{t("settings.savedDataHint")}</p>
          <button
            type="button" class="button button-secondary"
            onClick={() => void clearSavedData().then(() => setCleared(true))}
          >
            {t("settings.clear")}
          </button>
          {cleared && <p class="small" role="status">{t("settings.cleared")}</p>}
        </section>
        <p class="small version">{t("settings.version", { version: __APP_VERSION__ })}</p>
      </div>
    </dialog>
  );
}
