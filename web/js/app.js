// Start-up, hash routing, the top bar (menu, user, connection indicator) and the session.
import { h, replace } from './dom.js';
import { store } from './store.js';
import { toast, TOAST_RANK } from './ui.js';
import { fmtTime } from './format.js';
import * as login from './login.js';
import * as password from './password.js';
import * as home from './home.js';
import * as body from './body.js';
import * as meeting from './meeting.js';
import * as actions from './actions.js';
import * as admin from './admin.js';
import * as notifications from './notifications.js';
import * as overlap from './overlap.js';
import * as suggest from './suggest.js';
import * as search from './search.js';
import * as importer from './import.js';
import { minutesView, decisionsView } from './export.js';

const routes = [
  [/^#?\/?$/, home, () => ({})],
  [/^#\/overleg\/(\d+)\/importeren$/, importer, (m) => ({ id: +m[1] })],
  [/^#\/overleg\/(\d+)\/besluitenlijst(?:\?(.*))?$/, decisionsView, (m) => ({ id: +m[1], query: new URLSearchParams(m[2] || '') })],
  [/^#\/vergadering\/(\d+)\/verslag$/, minutesView, (m) => ({ id: +m[1] })],
  [/^#\/overleg\/(\d+)(?:\/(\w+))?$/, body, (m) => ({ id: +m[1], tab: m[2] || 'overzicht' })],
  [/^#\/vergadering\/(\d+)(?:\/punt\/(\d+))?$/, meeting, (m) => ({ id: +m[1], item: m[2] ? +m[2] : null })],
  [/^#\/acties$/, actions, () => ({})],
  [/^#\/beheer(?:\/(\w+))?$/, admin, (m) => ({ tab: m[1] || 'organisaties' })],
  [/^#\/meldingen$/, notifications, () => ({})],
  [/^#\/overlegkaart(?:\?(.*))?$/, overlap, (m) => ({ query: new URLSearchParams(m[1] || '') })],
  [/^#\/waar-hoort-dit-thuis$/, suggest, () => ({})],
  [/^#\/zoeken(?:\?(.*))?$/, search, (m) => ({ query: new URLSearchParams(m[1] || '') })],
];

const main = document.getElementById('main');
let cleanups = [];
let loggedIn = false;
let pendingHash = null;

function unmount() {
  // A dialog belongs to the page it was opened on: leaving the page cancels it.
  for (const d of document.querySelectorAll('dialog.dialog')) d.dispatchEvent(new Event('cancel'));
  for (const fn of cleanups.splice(0)) {
    try { fn(); } catch (e) { console.error(e); }
  }
}

// Each page renders into a container of its own. A view whose data arrives after the reader
// has moved on (back, a link, a resync) then fills a container that is no longer in the page,
// instead of drawing over the page that replaced it.
function ctxFor(params) {
  const root = h('div', { class: 'view' });
  replace(main, root);
  return {
    root,
    params,
    store,
    conn: store.conn,
    onCleanup: (fn) => cleanups.push(fn),
    setTitle: (t) => { document.title = t ? `${t} – Ketentafel` : 'Ketentafel'; },
  };
}

function route() {
  const hash = location.hash || '#/';
  const pw = /^#\/wachtwoord\/([A-Za-z0-9_-]+)$/.exec(hash);
  unmount();
  if (pw) {
    password.render(ctxFor({ token: pw[1] }));
    return;
  }
  if (!loggedIn) {
    if (hash !== '#/login' && hash !== '#/') pendingHash = hash;
    login.render(ctxFor({ onLogin: afterLogin }));
    return;
  }
  for (const [re, view, params] of routes) {
    const m = re.exec(hash);
    if (m) {
      highlightNav(hash);
      const ctx = ctxFor(params(m));
      Promise.resolve(view.render(ctx)).catch((e) => showFailure(ctx.root, e));
      focusMain();
      return;
    }
  }
  replace(ctxFor({}).root, h('h1', { tabIndex: -1 }, 'Pagina niet gevonden'),
    h('p', null, 'Deze pagina bestaat niet. ', h('a', { href: '#/' }, 'Naar Mijn overleggen')));
}

function showFailure(root, e) {
  console.error(e);
  if (!root.isConnected) return; // the reader has left this page
  const msg = e.code === 'not_member' ? 'U bent geen lid van dit overleg, dus u kunt het niet inzien.'
    : e.code === 'not_found' ? 'Dit bestaat niet (meer), of u mag het niet inzien.' : e.message;
  replace(root, h('h1', { tabIndex: -1 }, 'Dit kan niet worden getoond'),
    h('p', { class: 'form-error' }, msg),
    h('p', null, h('a', { href: '#/' }, 'Terug naar Mijn overleggen')));
}

let lastFocusedHash = null;
function focusMain() {
  // Move focus to the new page's heading once it renders, so screen readers announce it.
  const hash = location.hash;
  if (lastFocusedHash === null) { lastFocusedHash = hash; return; }
  lastFocusedHash = hash;
  requestAnimationFrame(() => setTimeout(() => {
    const h1 = main.querySelector('h1');
    if (h1 && !main.contains(document.activeElement)) h1.focus({ preventScroll: true });
  }, 60));
}

function highlightNav(hash) {
  for (const a of document.querySelectorAll('#nav a')) {
    const key = a.dataset.key;
    const active = (key === 'home' && (hash === '#/' || hash.startsWith('#/overleg/') || hash.startsWith('#/vergadering')))
      || (key !== 'home' && hash.startsWith(a.getAttribute('href')));
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderShell() {
  const nav = document.getElementById('nav');
  const user = document.getElementById('user');
  const links = [['home', '#/', 'Mijn overleggen'], ['acties', '#/acties', 'Mijn acties'],
    ['overlegkaart', '#/overlegkaart', 'Overlegkaart'], ['thuis', '#/waar-hoort-dit-thuis', 'Waar hoort dit thuis?'], ['zoeken', '#/zoeken', 'Zoeken']];
  if (store.me?.admin) links.push(['beheer', '#/beheer', 'Beheer']);
  replace(nav, h('ul', null, links.map(([key, href, label]) => h('li', null, h('a', { href, dataset: { key } }, label)))));
  nav.hidden = false;
  const me = store.me;
  replace(user,
    h('a', { href: '#/meldingen', class: 'bell', id: 'bell' }),
    h('span', { class: 'user-name' }, me.name, h('span', { class: 'user-org' }, me.org_name)),
    h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: logout }, 'Uitloggen'));
  user.hidden = false;
  document.getElementById('conn').hidden = false;
  renderBell();
}

function renderBell() {
  const bell = document.getElementById('bell');
  if (!bell) return;
  const n = store.notes.unread;
  const count = n > 99 ? '99+' : String(n);
  // The name starts with what is visible ("Meldingen 3"), so speech input can use what it sees.
  bell.setAttribute('aria-label', n ? `Meldingen ${count} ongelezen` : 'Meldingen, geen ongelezen');
  replace(bell, h('span', { class: 'bell-icon', 'aria-hidden': 'true' }), h('span', { class: 'bell-text', 'aria-hidden': 'true' }, 'Meldingen'),
    n ? [' ', h('span', { class: 'bell-count', 'aria-hidden': 'true' }, count)] : null);
  if (location.hash === '#/meldingen') bell.setAttribute('aria-current', 'page');
  else bell.removeAttribute('aria-current');
}

function hideShell() {
  document.getElementById('nav').hidden = true;
  document.getElementById('user').hidden = true;
  document.getElementById('conn').hidden = true;
  setBanner(null);
}

// ---- connection indicator ----

const CONN_TEXT = {
  idle: 'Niet verbonden', connecting: 'Verbinden…', online: 'Verbonden',
  reconnecting: 'Opnieuw verbinden…', offline: 'Offline', ended: 'Sessie beëindigd',
};
let retryTick = null;

function renderConn(status) {
  const el = document.getElementById('conn');
  el.dataset.status = status;
  el.querySelector('.conn-text').textContent = CONN_TEXT[status] || status;
  clearInterval(retryTick);
  if (status === 'offline' || status === 'reconnecting') {
    const offlineMsg = () => {
      const left = Math.max(0, Math.ceil(((store.conn.nextRetryAt || 0) - Date.now()) / 1000));
      return h('span', null,
        h('strong', null, 'Geen verbinding met de server. '),
        'Wijzigingen van anderen komen binnen zodra de verbinding terug is',
        left > 0 ? ` (nieuwe poging over ${left} s). ` : '. ',
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => store.conn.kick() }, 'Nu opnieuw verbinden'));
    };
    if (status === 'offline') {
      setBanner(offlineMsg());
      retryTick = setInterval(() => { if (store.conn.status === 'offline') setBanner(offlineMsg()); }, 1000);
    }
  } else {
    setBanner(null);
  }
  document.body.classList.toggle('is-offline', status === 'offline' || status === 'reconnecting');
}

function setBanner(content) {
  const b = document.getElementById('banner');
  if (!content) {
    b.hidden = true;
    b.replaceChildren();
    return;
  }
  replace(b, content);
  b.hidden = false;
}

store.conn.on('status', renderConn);
store.conn.on('resumed', () => toast('De verbinding is hersteld; gemiste wijzigingen zijn bijgewerkt.', 'ok'));
store.conn.on('session-ended', ({ reason }) => {
  const why = /uitgelogd/.test(reason) ? 'U bent elders uitgelogd.'
    : /wachtwoord/.test(reason) ? 'Uw wachtwoord is gewijzigd; log opnieuw in.'
    : /gedeactiveerd/.test(reason) ? 'Uw account is gedeactiveerd. Neem contact op met de beheerder.'
    : 'Uw sessie is verlopen. Log opnieuw in om verder te gaan.';
  endSession(why);
});
store.conn.on('resync', ({ code } = {}) => {
  // resync: the replay would start before our membership; invalid_since: before the oldest
  // change the server keeps, or past its newest (a restored server). A fresh snapshot either way.
  toast(code === 'resync'
    ? 'Wat er gebeurde voordat u lid werd, is niet na te spelen; de pagina toont de actuele stand.'
    : 'Wat er intussen veranderde is niet meer na te spelen; de pagina wordt bijgewerkt.', 'info');
  route();
});
store.on('change', (what) => {
  if (!loggedIn) return;
  if (what === 'me' || (what === 'persons' && store.me)) renderShell();
  if (what === 'notifications') renderBell();
});
// A melding is one toast; several in one burst (one change can bring a few) are counted in it,
// and a page's live message that says who did what wins over them (ui.js). The server tells
// nobody about their own change; the check keeps it so for any melding that names me.
const manyNotes = (n, msg) => `${n} nieuwe meldingen, waaronder: ${msg.replace(/^Nieuwe melding: /, '')}`;
store.on('notification', (n) => {
  if (location.hash === '#/meldingen' || (n.actor && n.actor === store.me?.id)) return;
  toast(`Nieuwe melding: ${n.title}`, 'info', { rank: TOAST_RANK.melding, group: 'melding', many: manyNotes });
});
window.addEventListener('hashchange', () => renderBell());

async function afterLogin() {
  loggedIn = true;
  store.conn.start();
  try {
    await store.loadMe();
  } catch (e) {
    loggedIn = false;
    store.conn.stop();
    throw e;
  }
  renderShell();
  warnBeforeExpiry();
  const target = pendingHash;
  pendingHash = null;
  if (target && target !== location.hash) location.hash = target;
  else route();
}

let expiryTimer = null;
function warnBeforeExpiry() {
  clearTimeout(expiryTimer);
  const at = Date.parse(store.sessionExpires || '');
  if (!at) return;
  const warnIn = at - Date.now() - 5 * 60000;
  if (warnIn < 0 || warnIn > 2 ** 31 - 1) return;
  expiryTimer = setTimeout(() => {
    if (loggedIn) toast(`Uw sessie verloopt om ${fmtTime(store.sessionExpires)}. Daarna logt u opnieuw in; wat u niet opsloeg gaat verloren.`, 'error');
  }, warnIn);
}

function endSession(message) {
  clearTimeout(expiryTimer);
  loggedIn = false;
  store.conn.stop('ended');
  store.reset();
  hideShell();
  unmount();
  if (location.hash !== '#/' && location.hash !== '' && !location.hash.startsWith('#/wachtwoord')) pendingHash = location.hash;
  login.render(ctxFor({ onLogin: afterLogin, message }));
}

async function logout() {
  try {
    await fetch('/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', credentials: 'same-origin' });
  } catch { /* offline: the cookie is dropped server-side when it expires */ }
  loggedIn = false;
  store.conn.stop();
  store.reset();
  hideShell();
  pendingHash = null;
  if (location.hash !== '#/') history.replaceState(null, '', '#/');
  unmount();
  login.render(ctxFor({ onLogin: afterLogin, message: 'U bent uitgelogd.', kind: 'ok' }));
}

async function boot() {
  window.addEventListener('hashchange', route);
  let session = null;
  if (!/^#\/wachtwoord\//.test(location.hash)) {
    try {
      const r = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' });
      if (r.ok) session = await r.json();
    } catch {
      replace(main, h('h1', null, 'Ketentafel'), h('p', { class: 'form-error', role: 'alert' },
        'De server is niet bereikbaar. Controleer uw netwerkverbinding en laad de pagina opnieuw.'));
      return;
    }
  }
  if (session) {
    pendingHash = location.hash && location.hash !== '#/login' ? location.hash : null;
    try {
      await afterLogin();
      return;
    } catch (e) {
      console.error(e);
    }
  }
  route();
}

boot();
