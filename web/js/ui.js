// Shared pieces of the interface: form fields with labels and errors, dialogs, toasts, badges.
import { h, replace, uid } from './dom.js';

/** A labelled form field. input: an element; returns the wrapper. */
export function field(labelText, input, { hint, required, wide } = {}) {
  if (!input.id) input.id = uid('f');
  const parts = [];
  const lbl = h('label', { htmlFor: input.id }, labelText, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  parts.push(lbl);
  if (hint) {
    const hid = uid('hint');
    parts.push(h('p', { class: 'hint', id: hid }, hint));
    input.setAttribute('aria-describedby', hid);
  }
  if (required) input.required = true;
  parts.push(input);
  return h('div', { class: ['field', wide ? 'field-wide' : ''] }, parts);
}

export function input(props = {}) {
  return h('input', { type: 'text', ...props });
}

export function textarea(props = {}) {
  return h('textarea', { rows: 3, ...props });
}

/** options: [[value, label], ...] or a {value: label} map. */
export function select(options, value, props = {}) {
  const entries = Array.isArray(options) ? options : Object.entries(options);
  const el = h('select', props);
  for (const [v, l] of entries) {
    el.appendChild(h('option', { value: String(v), selected: String(v) === String(value ?? '') }, l));
  }
  return el;
}

export function checkbox(labelText, checked, props = {}) {
  const box = h('input', { type: 'checkbox', checked, ...props });
  if (!box.id) box.id = uid('c');
  return { box, el: h('div', { class: 'check' }, box, h('label', { htmlFor: box.id }, labelText)) };
}

export function button(labelText, onclick, props = {}) {
  return h('button', { type: 'button', class: 'btn', onclick, ...props }, labelText);
}

export function errorBox() {
  return h('div', { class: 'form-error', role: 'alert', hidden: true });
}

export function showError(box, err) {
  if (!err) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.hidden = false;
  replace(box, err.message || String(err));
}

export function badge(text, kind = '') {
  return h('span', { class: ['badge', kind ? `badge-${kind}` : ''] }, text);
}

export function confidentialMark() {
  return h('span', { class: 'badge badge-conf', title: 'Vertrouwelijk: alleen zichtbaar voor de genoemde organisaties en personen' },
    h('span', { class: 'lock', 'aria-hidden': 'true' }), 'Vertrouwelijk');
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

export function loading(text = 'Laden…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

// Toasts come in bursts: one action of the user, or one change of someone else, can bring a
// confirmation, a melding and a live message within milliseconds. Everything that arrives within
// BURST_MS of the burst's last toast joins it, and the burst shows one toast: the most specific
// message (an error, then a live message that says who did what, then a melding; the later one
// of equal rank). The user's own confirmations ('ok') have a place of their own, outside the
// bursts: what others do never replaces "Het bericht is bewerkt." (the next confirmation does),
// and the oldest of the others' toasts goes first when more than three are on screen.
const BURST_MS = 1000;
const BURST_MAX_MS = 4000;   // a steady stream of events does not keep one toast forever
const MAX_TOASTS = 3;
export const TOAST_RANK = { ok: 1, melding: 2, live: 3, error: 4 };
let burst = null;
let own = null;  // { el, timer }: the user's own latest confirmation

function addToast(box, el) {
  box.appendChild(el);
  while (box.children.length > MAX_TOASTS) {
    const others = [...box.children].filter((c) => c !== own?.el);
    (others[0] || box.firstElementChild).remove();
  }
}

/**
 * Shows a message; kind: info | ok | error. opts.rank (TOAST_RANK) says how specific it is
 * (default by kind); opts.group and opts.many(n, message) count messages of one sort that meet
 * in a burst ("3 nieuwe meldingen, waaronder …"). Rank ok (the user's own confirmation) shows
 * in its own toast, never merged into a burst of others' events.
 */
export function toast(message, kind = 'info', { rank, group = null, many = null } = {}) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const now = Date.now();
  const r = rank ?? (kind === 'error' ? TOAST_RANK.error : kind === 'ok' ? TOAST_RANK.ok : TOAST_RANK.melding);
  if (r === TOAST_RANK.ok) {
    if (!own || !own.el.isConnected) {
      own = { el: h('div', { class: 'toast toast-own' }), timer: null };
      addToast(box, own.el);
    }
    own.el.className = `toast toast-${kind} toast-own`;
    own.el.textContent = message;
    clearTimeout(own.timer);
    const mine = own;
    own.timer = setTimeout(() => mine.el.remove(), 4500);
    return;
  }
  if (!burst || !burst.el.isConnected || now - burst.last > BURST_MS || now - burst.start > BURST_MAX_MS) {
    const el = h('div', { class: 'toast' });
    addToast(box, el);
    burst = { el, start: now, last: now, best: null, seen: [], timer: null };
  }
  const b = burst;
  b.last = now;
  const entry = { message, kind, rank: r, group, many };
  b.seen.push(entry);
  if (!b.best || r >= b.best.rank) b.best = entry;
  const best = b.best;
  const n = best.group ? b.seen.filter((e) => e.group === best.group).length : 1;
  b.el.className = `toast toast-${best.kind}`;
  b.el.textContent = n > 1 && best.many ? best.many(n, best.message) : best.message;
  clearTimeout(b.timer);
  b.timer = setTimeout(() => b.el.remove(), best.kind === 'error' ? 9000 : 4500);
}

/** Whom to ask: "Naam (voorzitter) of Naam (secretaris)", each a mailto: link. The chair comes
 *  first. subject: an optional subject line for the e-mail. */
export function contactLinks(contacts, { subject = null } = {}) {
  const order = { voorzitter: 0, secretaris: 1 };
  const list = (contacts || []).slice().sort((a, b) => (order[a.role] ?? 2) - (order[b.role] ?? 2));
  const q = subject ? `?subject=${encodeURIComponent(subject)}` : '';
  return list.map((c, i) => [i ? (i === list.length - 1 ? ' of ' : ', ') : '',
    h('a', { href: `mailto:${encodeURIComponent(c.email).replace(/%40/g, '@')}${q}` }, c.name),
    ` (${ROLE_WORD[c.role] || c.role})`]);
}
const ROLE_WORD = {
  voorzitter: 'voorzitter', secretaris: 'secretaris', lid: 'lid', vaste_vervanger: 'vaste vervanger',
  gast: 'gast', waarnemer: 'waarnemer',
};

/**
 * A modal form dialog. build(form) adds fields; submit(form) returns a promise; on success the
 * dialog closes, on failure the server's (Dutch) message shows in the dialog.
 */
export function formDialog({ title, build, submit, submitLabel = 'Opslaan', danger = false, wide = false }) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const err = errorBox();
    const form = h('form', { class: 'dialog-form', novalidate: true });
    const body = h('div', { class: 'dialog-body' });
    form.append(body);
    build(body, form);
    const submitBtn = h('button', { type: 'submit', class: ['btn', danger ? 'btn-danger' : 'btn-primary'] }, submitLabel);
    const cancel = h('button', { type: 'button', class: 'btn', onclick: () => close(null) }, 'Annuleren');
    form.append(err, h('div', { class: 'dialog-actions' }, submitBtn, cancel));
    const dlg = h('dialog', { class: ['dialog', wide ? 'dialog-wide' : ''], 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title), form);
    let done = false;
    const opener = document.activeElement;
    function close(result) {
      if (done) return;
      done = true;
      dlg.close();
      dlg.remove();
      // Back to where the user was (the button that opened the dialog), if it is still there.
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(result);
    }
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); close(null); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      showError(err, null);
      if (!form.checkValidity()) {
        const bad = form.querySelector(':invalid');
        showError(err, new Error(validationMessage(bad)));
        bad?.focus();
        return;
      }
      submitBtn.disabled = true;
      try {
        const result = await submit(form);
        close(result === undefined ? true : result);
      } catch (ex) {
        showError(err, ex);
        err.focus?.();
      } finally {
        submitBtn.disabled = false;
      }
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = body.querySelector('input, select, textarea, button');
    first?.focus();
  });
}

/** A Dutch message for the first invalid control (browser messages follow the browser's language). */
export function validationMessage(el) {
  if (!el) return 'Controleer de invoer.';
  const name = el.labels?.[0]?.textContent.replace(/\s*\*$/, '').trim() || el.name || 'Dit veld';
  const v = el.validity;
  if (v.valueMissing) return `${name}: vul dit veld in.`;
  if (v.typeMismatch && el.type === 'email') return `${name}: geef een geldig e-mailadres.`;
  if (v.tooShort) return `${name}: minstens ${el.minLength} tekens.`;
  if (v.tooLong) return `${name}: hoogstens ${el.maxLength} tekens.`;
  if (v.rangeUnderflow) return `${name}: minstens ${el.min}.`;
  if (v.rangeOverflow) return `${name}: hoogstens ${el.max}.`;
  if (v.badInput || v.patternMismatch || v.typeMismatch) return `${name}: ongeldige waarde.`;
  if (v.customError) return el.validationMessage;
  return `${name}: controleer de invoer.`;
}

export function confirmDialog(title, message, { confirmLabel = 'Bevestigen', danger = true } = {}) {
  return formDialog({
    title,
    submitLabel: confirmLabel,
    danger,
    build: (body) => body.append(h('p', null, message)),
    submit: async () => true,
  });
}

/** A page heading block with optional breadcrumb and actions. */
export function pageHead(title, { crumbs = [], actions = [], sub = null } = {}) {
  return h('div', { class: 'page-head' },
    crumbs.length ? h('nav', { class: 'crumbs', 'aria-label': 'Kruimelpad' },
      h('ol', null, crumbs.map(([label, href]) => h('li', null, href ? h('a', { href }, label) : label)))) : null,
    h('div', { class: 'page-head-row' },
      h('h1', { tabIndex: -1, class: 'page-title' }, title),
      actions.length ? h('div', { class: 'page-actions' }, actions) : null),
    sub ? h('p', { class: 'page-sub' }, sub) : null);
}

/** Tabs as a list of links (each its own route), so they work with back/forward and keyboard. */
export function tabs(items, current, label) {
  const ul = h('ul', null, items.map(([key, text, href]) => h('li', null,
    h('a', { href, class: key === current ? 'active' : '', 'aria-current': key === current ? 'page' : false }, text))));
  // On a narrow screen the row scrolls sideways: bring the current tab into view.
  requestAnimationFrame(() => {
    const a = ul.querySelector('a.active');
    if (a && ul.scrollWidth > ul.clientWidth) ul.scrollLeft = a.parentElement.offsetLeft - (ul.clientWidth - a.offsetWidth) / 2;
  });
  return h('nav', { class: 'tabs', 'aria-label': label }, ul);
}
