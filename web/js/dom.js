// The only way this client puts text and elements on the page: nodes built with
// createElement/textContent, never innerHTML, so user data is always shown as text.

const BOOL_PROPS = new Set(['checked', 'disabled', 'hidden', 'selected', 'required', 'multiple',
  'readOnly', 'open', 'draggable', 'autofocus']);
const VALUE_PROPS = new Set(['value', 'type', 'name', 'id', 'htmlFor', 'min', 'max', 'step',
  'placeholder', 'autocomplete', 'tabIndex', 'rows', 'maxLength', 'minLength', 'pattern',
  'title', 'href', 'src', 'alt', 'lang', 'scope', 'colSpan', 'spellcheck', 'inputMode']);

/** h('button', {class: 'x', onclick: fn, 'aria-label': '...'}, 'tekst', child, [more])
 *  Strings and numbers become text nodes; null, undefined and false are skipped. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

export function setProps(el, props) {
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (BOOL_PROPS.has(k)) el[k] = !!v;
    else if (VALUE_PROPS.has(k)) el[k] = v;
    else if (k === 'style') throw new Error('inline styles are blocked by the CSP: use a class');
    else if (v === false) continue;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false || c === true) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function text(s) {
  return document.createTextNode(s === null || s === undefined ? '' : String(s));
}

let idCounter = 0;
export function uid(prefix = 'kt') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Renders chat text: @mentions of known names become <mark>, everything else text. */
export function mentionText(str, names, mineName) {
  const frag = document.createDocumentFragment();
  const sorted = [...names].filter(Boolean).sort((a, b) => b.length - a.length);
  let i = 0;
  let plainStart = 0;
  const lower = str.toLowerCase();
  while (i < str.length) {
    const at = str.indexOf('@', i);
    if (at < 0) break;
    let hit = null;
    for (const n of sorted) {
      if (lower.startsWith(n.toLowerCase(), at + 1)) {
        const next = str.charAt(at + 1 + n.length);
        if (!/[\p{L}\p{N}]/u.test(next)) { hit = n; break; }
      }
    }
    if (!hit) { i = at + 1; continue; }
    if (at > plainStart) frag.appendChild(text(str.slice(plainStart, at)));
    const mine = mineName && hit.toLowerCase() === mineName.toLowerCase();
    frag.appendChild(h('mark', { class: mine ? 'mention mention-me' : 'mention' },
      str.slice(at, at + 1 + hit.length)));
    i = plainStart = at + 1 + hit.length;
  }
  if (plainStart < str.length) frag.appendChild(text(str.slice(plainStart)));
  return frag;
}
