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

/** Shows a message; kind: info | ok | error. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const t = h('div', { class: `toast toast-${kind}` }, message);
  box.appendChild(t);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => t.remove(), kind === 'error' ? 9000 : 4500);
}

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
