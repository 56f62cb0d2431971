// Languages, the current locale and message lookup. The language is, first found: the one
// chosen in the settings (saved on the phone, per user once logged in), the logged-in
// user's `locale` from the server, the browser's languages; numbers, dates and
// distances use the browser's regional variant when it is of the same language
// (de-AT, fr-BE...), else the language itself.
import { createStore, useStore } from "../store";
import de from "./de";
import en, { type MessageKey, type Messages } from "./en";
import fr from "./fr";

export type Lang = "en" | "de" | "fr";
export type { MessageKey, Messages };

export const LANGUAGES: ReadonlyArray<{ code: Lang; name: string }> = [
  { code: "en", name: "English" },
  { code: "de", name: "Deutsch" },
  { code: "fr", name: "Français" },
];
export const CATALOGUES: Record<Lang, Messages> = { en, de, fr };
const STORAGE_KEY = "rayon.lang";

export type Params = Record<string, string | number>;

/** The message with {name} placeholders filled in; unknown placeholders are left as they are. */
export function formatMessage(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** First of the browser's languages that we speak, else English. */
export function detectLanguage(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "en" || base === "de" || base === "fr") return base;
  }
  return "en";
}

/** The Intl locale for `lang`: the browser's own variant of that language when it has one. */
export function localeFor(lang: Lang, preferred: readonly string[]): string {
  const variant = preferred.find((tag) => tag.toLowerCase().split("-")[0] === lang);
  if (variant) {
    try {
      return Intl.getCanonicalLocales(variant)[0];
    } catch {
      /* not a valid tag: use the language alone */
    }
  }
  return lang;
}

export interface I18n {
  lang: Lang;
  locale: string;
  t(key: MessageKey, params?: Params): string;
  /** Whether the catalogue has `key` (for keys made from data, such as "source." + a source). */
  has(key: string): boolean;
  /** A plural message: `base` + "." + the CLDR category of `count` ("list.count" -> "list.count.one"). */
  plural(base: string, count: number, params?: Params): string;
}

export function makeI18n(lang: Lang, locale: string): I18n {
  const messages = CATALOGUES[lang];
  const rules = new Intl.PluralRules(locale);
  const number = new Intl.NumberFormat(locale);
  const lookup = (key: string): string =>
    (messages as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
  return {
    lang,
    locale,
    t: (key, params) => formatMessage(lookup(key), params),
    has: (key) => key in messages,
    plural(base, count, params) {
      const category = rules.select(count);
      const key = `${base}.${category}` in messages ? `${base}.${category}` : `${base}.other`;
      return formatMessage(lookup(key), { count: number.format(count), ...params });
    },
  };
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language].filter(Boolean);
}

const isLang = (value: unknown): value is Lang => value === "en" || value === "de" || value === "fr";

function savedLanguage(userId: number | null = null): Lang | null {
  try {
    const value = localStorage.getItem(userId === null ? STORAGE_KEY : `${STORAGE_KEY}.u${userId}`);
    return isLang(value) ? value : null;
  } catch {
    return null;
  }
}

/** The logged-in user, whose own choice of language is remembered apart from the phone's. */
let currentUser: number | null = null;

/**
 * The language for a user: their choice on this phone, else their `locale` on the server,
 * else the phone's choice or its browser languages.
 */
export function languageFor(
  user: { id: number; locale: string | null } | null,
  saved: (userId: number | null) => Lang | null,
  preferred: readonly string[],
): Lang {
  const fromUser = user ? saved(user.id) ?? (isLang(user.locale) ? user.locale : null) : null;
  return fromUser ?? saved(null) ?? detectLanguage(preferred);
}

function initial(): I18n {
  const preferred = browserLanguages();
  const lang = languageFor(null, savedLanguage, preferred);
  return makeI18n(lang, localeFor(lang, preferred));
}

export const i18nStore = createStore<I18n>(typeof window === "undefined" ? makeI18n("en", "en") : initial());

function use(lang: Lang): void {
  if (i18nStore.get().lang !== lang) i18nStore.set(makeI18n(lang, localeFor(lang, browserLanguages())));
}

/** The language chosen in the settings: remembered for the logged-in user and for the phone. */
export function setLanguage(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
    if (currentUser !== null) localStorage.setItem(`${STORAGE_KEY}.u${currentUser}`, lang);
  } catch {
    /* private mode: the choice lasts for this visit */
  }
  use(lang);
}

/** Nobody is logged in any more: a language chosen now is the phone's, the screen keeps its language. */
export function forgetUserLanguage(): void {
  currentUser = null;
}

/** A user logged in (or null: nobody): switch to their language. */
export function applyUserLanguage(user: { id: number; locale: string | null } | null): void {
  currentUser = user?.id ?? null;
  if (user) use(languageFor(user, savedLanguage, browserLanguages()));
}

export function useI18n(): I18n {
  return useStore(i18nStore);
}
