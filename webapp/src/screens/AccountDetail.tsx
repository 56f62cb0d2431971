// One account: its outlet, class, visit frequency and due date, status, rep, tags, custom
// fields, notes and contacts (tap to call or write). Reps and managers add and edit
// contacts; managers and admins edit the account itself.
import { useEffect, useRef, useState } from "preact/hooks";
import { getAccount, listCustomFields } from "../api/accounts";
import { isAbort } from "../api/client";
import type { AccountDetail as Detail, Contact, CustomField, Me } from "../api/types";
import { AccountStatusBadge, ClassBadge, DueBadge, dueText, rememberAccount } from "../components/AccountBits";
import { AccountEditForm } from "../components/AccountEditForm";
import { ContactForm, languageName } from "../components/ContactForm";
import { Icon } from "../components/Icon";
import { ErrorMessage, formatLabel } from "../components/OutletList";
import { refreshStore } from "../connectivity";
import { formatAddress, formatDate, formatDay, formatDistance, formatNumber, visitDue } from "../format";
import { distanceMetres, geoStore } from "../geo";
import { useI18n, type I18n } from "../i18n";
import { back, paths } from "../router";
import { can } from "../session";
import { useStore } from "../store";

function customValue(field: CustomField | undefined, value: unknown, i18n: I18n): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? i18n.t("account.yes") : i18n.t("account.no");
  if (field?.type === "number" && typeof value === "number") return formatNumber(value, i18n.locale);
  if (field?.type === "date" && typeof value === "string") return formatDate(value, i18n.locale);
  return String(value);
}

/** The organization's custom field definitions (labels, types), once per account page. */
function useCustomFields(): Map<string, CustomField> {
  const [fields, setFields] = useState<Map<string, CustomField>>(new Map());
  useEffect(() => {
    const controller = new AbortController();
    listCustomFields(controller.signal).then(
      ({ data }) => setFields(new Map(data.items.map((f) => [f.key, f]))),
      () => {
        /* keys are shown instead of labels */
      },
    );
    return () => controller.abort();
  }, []);
  return fields;
}

function ContactItem(props: { contact: Contact; canEdit: boolean; onEdit(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const c = props.contact;
  if (c.erased) {
    return (
      <li class="contact contact-erased">
        <p class="muted">{t("contacts.erased")}</p>
      </li>
    );
  }
  const name = c.name ?? "";
  return (
    <li class="contact" data-contact-id={c.id}>
      <div class="contact-head">
        <div class="contact-who">
          <p class="contact-name">{name}</p>
          {c.role && <p class="contact-role">{c.role}</p>}
        </div>
        {props.canEdit && (
          <button
            type="button" class="icon-button" aria-label={t("contacts.editLabel", { name })}
            title={t("contacts.editLabel", { name })} onClick={props.onEdit}
          >
            <Icon name="edit" />
          </button>
        )}
      </div>
      {(c.phone || c.email) && (
        <ul class="contact-links">
          {c.phone && (
            <li>
              <a class="contact-link contact-phone" href={`tel:${c.phone}`} aria-label={t("contacts.call", { name, phone: c.phone })}>
                <Icon name="phone" size={20} /> <span>{c.phone}</span>
              </a>
            </li>
          )}
          {c.email && (
            <li>
              <a class="contact-link contact-email" href={`mailto:${c.email}`} aria-label={t("contacts.mail", { name, email: c.email })}>
                <Icon name="mail" size={20} /> <span>{c.email}</span>
              </a>
            </li>
          )}
        </ul>
      )}
      <p class="contact-meta">
        {c.preferred_language && <span>{languageName(c.preferred_language, i18n)} · </span>}
        <span class={c.consent ? "consent-yes" : "consent-no"}>{c.consent ? t("contacts.consent") : t("contacts.noConsent")}</span>
      </p>
    </li>
  );
}

export function AccountDetail({ id, me }: { id: number; me: Me }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const origin = useStore(geoStore).origin;
  const refreshed = useStore(refreshStore);
  const fields = useCustomFields();
  const [state, setState] = useState<{ account: Detail | null; error: unknown }>({ account: null, error: null });
  const [attempt, setAttempt] = useState(0);
  const [editing, setEditing] = useState(false);
  /** A contact id being edited, "new" for the add form, or null. */
  const [contactForm, setContactForm] = useState<number | "new" | null>(null);
  /** The last change saved, said where it happened (announced to screen readers). */
  const [notice, setNotice] = useState<{ where: "account" | "contacts"; text: string } | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, error: null }));
    getAccount(id, controller.signal).then(
      ({ data }) => {
        setState({ account: data, error: null });
        rememberAccount(data);
      },
      (error) => {
        if (!isAbort(error)) setState((s) => ({ account: s.account, error }));
      },
    );
    return () => controller.abort();
  }, [id, attempt, refreshed]);

  /** Fetch the account again (after a conflict, or to refresh the saved copy after a change). */
  const reload = async (): Promise<Detail | null> => {
    try {
      const { data } = await getAccount(id);
      setState({ account: data, error: null });
      rememberAccount(data);
      return data;
    } catch (error) {
      if (!isAbort(error)) setState((s) => ({ ...s, error }));
      return null;
    }
  };

  const account = state.account;
  const canEditAccount = can(me, "accounts.write");
  const canEditContacts = can(me, "contacts.write");
  const announce = (where: "account" | "contacts", text: string) => setNotice({ where, text });

  const contactSaved = (contact: Contact, created: boolean) => {
    setState((s) => {
      if (!s.account) return s;
      const contacts = created
        ? [...s.account.contacts, contact]
        : s.account.contacts.map((c) => (c.id === contact.id ? contact : c));
      return { ...s, account: { ...s.account, contacts } };
    });
    setContactForm(null);
    announce("contacts", created ? t("contacts.added") : t("contacts.updated"));
    requestAnimationFrame(() => addButton.current?.focus({ preventScroll: true }));
    void reload(); // also refreshes the copy saved for offline use
  };

  const due = account ? visitDue(account) : null;
  const distance =
    account && origin && account.outlet.lat !== null && account.outlet.lon !== null
      ? distanceMetres(origin, { lat: account.outlet.lat, lon: account.outlet.lon })
      : null;
  const customEntries = account ? Object.entries(account.custom ?? {}) : [];

  return (
    <>
      <header class="screen-header">
        <button type="button" class="icon-button back-button" onClick={() => back(paths.accounts)} aria-label={t("detail.back")}>
          <Icon name="back" />
        </button>
        <h1 class="screen-title" tabIndex={-1}>{account?.outlet.name ?? t("account.title")}</h1>
      </header>
      <div class="screen-body detail account-detail">
        {!account && !state.error && (
          <p class="loading" role="status">
            <span class="spinner" aria-hidden="true" /> {t("app.loading")}
          </p>
        )}
        {state.error != null && <ErrorMessage error={state.error} onRetry={() => setAttempt((n) => n + 1)} />}
        {account && (
          <>
            <div class="account-summary">
              <ClassBadge value={account.account_class} large />
              <div class="account-summary-badges">
                <AccountStatusBadge status={account.status} />
                <DueBadge account={account} />
              </div>
            </div>

            <a class="outlet-block" href={paths.outlet(account.outlet.id)}>
              <span class="outlet-block-text">
                <span class="outlet-meta">{formatLabel(account.outlet, i18n)}</span>
                <span class="outlet-address">{formatAddress(account.outlet)}</span>
                <span class="outlet-block-link">{t("account.outletPage")}</span>
              </span>
              <Icon name="chevron" />
            </a>

            <p class="notice" role="status">
              {notice?.where === "account" && <span class="message message-success">{notice.text}</span>}
            </p>
            {editing ? (
              <AccountEditForm
                account={account}
                onCancel={() => setEditing(false)}
                onReload={reload}
                onSaved={(saved) => {
                  setState({ account: saved, error: null });
                  rememberAccount(saved);
                  setEditing(false);
                  announce("account", t("account.saved"));
                  void reload();
                }}
              />
            ) : (
              <>
                <dl class="facts account-facts">
                  <div>
                    <dt>{t("account.class")}</dt>
                    <dd class="fact-class">{account.account_class ?? t("account.noClass")}</dd>
                  </div>
                  <div>
                    <dt>{t("account.status")}</dt>
                    <dd class="fact-status">{t(`accountStatus.${account.status}`)}</dd>
                  </div>
                  <div>
                    <dt>{t("account.frequency")}</dt>
                    <dd class="fact-frequency">
                      {account.visit_every_weeks ? i18n.plural("account.freq", account.visit_every_weeks) : t("account.noFrequency")}
                    </dd>
                  </div>
                  <div>
                    <dt>{t("account.rep")}</dt>
                    <dd>{account.assigned_rep_name ?? t("account.unassigned")}</dd>
                  </div>
                  <div>
                    <dt>{t("account.lastVisit")}</dt>
                    <dd>{account.last_visit_at ? formatDay(account.last_visit_at, locale) : t("account.never")}</dd>
                  </div>
                  <div>
                    <dt>{t("account.nextDue")}</dt>
                    <dd>
                      {account.visit_due_at ? formatDay(account.visit_due_at, locale) : due ? dueText(due, i18n) : "—"}
                    </dd>
                  </div>
                  {account.distributor && (
                    <div>
                      <dt>{t("account.distributor")}</dt>
                      <dd>{account.distributor}</dd>
                    </div>
                  )}
                  {distance !== null && (
                    <div>
                      <dt>{t("account.distance")}</dt>
                      <dd>{formatDistance(distance, locale)}</dd>
                    </div>
                  )}
                  {account.tags.length > 0 && (
                    <div class="fact-wide">
                      <dt>{t("account.tags")}</dt>
                      <dd>
                        <ul class="tags">
                          {account.tags.map((tag) => <li key={tag} class="tag">{tag}</li>)}
                        </ul>
                      </dd>
                    </div>
                  )}
                  <div class="fact-wide">
                    <dt>{t("account.notes")}</dt>
                    <dd class={account.notes ? "notes" : "notes muted"}>{account.notes || t("account.noNotes")}</dd>
                  </div>
                </dl>
                {canEditAccount && (
                  <button type="button" class="button button-secondary full-width" onClick={() => { setNotice(null); setEditing(true); }}>
                    <Icon name="edit" size={20} /> {t("account.edit")}
                  </button>
                )}
              </>
            )}

            {customEntries.length > 0 && (
              <section class="section" aria-labelledby="custom-title">
                <h2 id="custom-title" class="section-title">{t("account.custom")}</h2>
                <dl class="facts">
                  {customEntries.map(([key, value]) => (
                    <div key={key}>
                      <dt>{fields.get(key)?.label ?? key}</dt>
                      <dd>{customValue(fields.get(key), value, i18n)}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            )}

            <section class="section" aria-labelledby="contacts-title">
              <h2 id="contacts-title" class="section-title">
                {t("contacts.title")} <span class="count">({account.contacts.length})</span>
              </h2>
              {account.contacts.length === 0 && contactForm !== "new" && <p class="message">{t("contacts.none")}</p>}
              {account.contacts.length > 0 && (
                <ul class="contacts">
                  {account.contacts.map((contact) =>
                    contactForm === contact.id ? (
                      <li key={contact.id} class="contact contact-editing">
                        <ContactForm
                          accountId={account.id} contact={contact} onSaved={contactSaved}
                          onCancel={() => setContactForm(null)}
                        />
                      </li>
                    ) : (
                      <ContactItem
                        key={contact.id} contact={contact} canEdit={canEditContacts && contactForm === null}
                        onEdit={() => { setNotice(null); setContactForm(contact.id); }}
                      />
                    ),
                  )}
                </ul>
              )}
              <p class="notice" role="status">
                {notice?.where === "contacts" && <span class="message message-success">{notice.text}</span>}
              </p>
              {contactForm === "new" ? (
                <ContactForm accountId={account.id} onSaved={contactSaved} onCancel={() => setContactForm(null)} />
              ) : (
                canEditContacts && contactForm === null && (
                  <button
                    ref={addButton} type="button" class="button button-secondary full-width"
                    onClick={() => { setNotice(null); setContactForm("new"); }}
                  >
                    <Icon name="plus" size={20} /> {t("contacts.add")}
                  </button>
                )
              )}
            </section>
          </>
        )}
      </div>
    </>
  );
}
