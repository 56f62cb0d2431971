// The app's frame: offline banner, bottom navigation, settings sheet.
import { useEffect, useRef, useState } from "preact/hooks";
import { connectivityStore } from "../connectivity";
import { formatDate, formatTime } from "../format";
import { LANGUAGES, setLanguage, useI18n } from "../i18n";
import { paths, type TabName } from "../router";
import { clearSavedData, updateReadyStore } from "../serviceWorker";
import { useStore } from "../store";
import { Icon } from "./Icon";

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

const TABS: ReadonlyArray<{ name: TabName; href: string; icon: "nearby" | "map" | "search" }> = [
  { name: "nearby", href: paths.nearby, icon: "nearby" },
  { name: "map", href: paths.map, icon: "map" },
  { name: "search", href: paths.search(), icon: "search" },
];

export function BottomNav({ current, onSettings }: { current: TabName | null; onSettings(): void }) {
  const { t } = useI18n();
  return (
    <nav class="bottom-nav" aria-label={t("nav.label")}>
      {TABS.map((tab) => (
        <a key={tab.name} href={tab.href} class="nav-item" aria-current={current === tab.name ? "page" : undefined}>
          <Icon name={tab.icon} />
          <span class="nav-label">{t(`nav.${tab.name}`)}</span>
        </a>
      ))}
      <button type="button" class="nav-item" aria-haspopup="dialog" onClick={onSettings}>
        <Icon name="settings" />
        <span class="nav-label">{t("nav.settings")}</span>
      </button>
    </nav>
  );
}

export function SettingsSheet({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t, lang } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [cleared, setCleared] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      setCleared(false);
      element.showModal();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);

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
