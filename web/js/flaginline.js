// Signaleringen where the chair is working: on a meeting page, meetings that clash with it (at the
// top) and, on each agenda item, items that another body seems to treat too. Only for the body's
// chairs and secretaries (the server sends flags to nobody else); kept live from flag.raised and
// flag.updated, and resolved in place (afgestemd, bewust dubbel, heropenen).
import { h } from './dom.js';
import { fmtDate, fmtTime } from './format.js';
import { badge, button, contactLinks } from './ui.js';
import { resolveDialog, STATE, strength } from './flags.js';

/** The flags of one body, from a flag.list snapshot on; apply() takes the body's events. */
export class FlagSet {
  constructor(store, body) {
    this.store = store;
    this.body = body;
    this.flags = new Map();
    this.seq = Infinity; // until loaded: take no event
  }

  /** Loads the snapshot; a refusal (no longer chair or secretary) leaves the set empty. */
  async load() {
    try {
      const r = await this.store.listAll('flag.list', 'flags', { body: this.body });
      this.flags = new Map(r.flags.map((f) => [f.id, f]));
      this.seq = r.seq;
    } catch (e) {
      if (e.code !== 'forbidden' && e.code !== 'not_member') throw e;
      this.seq = Infinity;
    }
    return this;
  }

  /** Applies a pushed event; returns the flag when it changed one, else null. */
  apply(f) {
    if (f.body !== this.body || f.seq <= this.seq) return null;
    if (f.event !== 'flag.raised' && f.event !== 'flag.updated') return null;
    const flag = f.data?.flag;
    if (!flag) return null;
    this.flags.set(flag.id, flag);
    return flag;
  }

  /** A flag as flag.resolve answered it (the event with the same content follows). */
  put(flag) {
    if (flag) this.flags.set(flag.id, flag);
  }

  /** Open ones first, then by strength (the strongest signal on top), then the most recently
   *  changed. */
  live() {
    return [...this.flags.values()].filter((f) => f.state !== 'vervallen')
      .sort((a, b) => (a.state === 'open' ? 0 : 1) - (b.state === 'open' ? 0 : 1)
        || b.score - a.score || String(b.updated_at).localeCompare(String(a.updated_at)) || b.id - a.id);
  }

  /** Duplicates about one agenda item. */
  forItem(item) {
    return this.live().filter((f) => f.kind === 'duplicate' && f.here.item === item);
  }

  /** What belongs at the top of a meeting: its clashes with other meetings. */
  forMeeting(meeting) {
    return this.live().filter((f) => f.kind === 'conflict' && f.here.meeting === meeting);
  }
}

function when(s) {
  if (!s.start) return 'te agenderen (nog geen vergadering)';
  return `${fmtDate(s.start)}, ${fmtTime(s.start)}${s.end ? `–${fmtTime(s.end)}` : ''}${s.projected ? ' (verwacht volgens de frequentie)' : ''}`;
}

function contacts(s) {
  if (!s.contacts?.length) return 'de voorzitter of secretaris';
  return contactLinks(s.contacts);
}

function leadName(f) {
  return f.lead_body === f.here.body ? f.here.body_name : f.other.body_name;
}

function headline(f) {
  const o = f.other;
  if (f.kind === 'duplicate') {
    return o.hidden
      ? ['Mogelijk hetzelfde onderwerp als bij ', h('strong', null, o.body_name), ': een vertrouwelijk agendapunt — neem contact op met ', contacts(o), '.']
      : ['Mogelijk hetzelfde onderwerp als bij ', h('strong', null, o.body_name), ': “', o.title, '”'];
  }
  const e = f.evidence || {};
  return e.overlap === false
    ? ['Te weinig reistijd tussen deze vergadering en ', h('strong', null, o.body_name)]
    : ['Deze vergadering valt tegelijk met ', h('strong', null, o.body_name)];
}

function details(f) {
  const o = f.other;
  const e = f.evidence || {};
  const parts = [];
  parts.push(h('span', null, f.kind === 'duplicate' ? 'Daar: ' : 'Die vergadering: ', when(o)));
  const grade = strength(f);
  if (grade) parts.push(h('span', { class: 'flag-strength' }, grade));
  if (f.kind === 'duplicate' && (e.subject || e.shared)) parts.push(h('span', null, 'Beide over: ', e.subject || e.shared));
  if (f.kind === 'conflict') {
    if (e.from && e.until && e.overlap !== false) parts.push(h('span', null, `Overlap ${fmtTime(e.from)}–${fmtTime(e.until)}`));
    if (e.persons?.length) parts.push(h('span', null, 'Nodig bij beide: ', e.persons.map((p) => p.name || `persoon ${p.id}`).join(', ')));
    if (e.orgs?.length) parts.push(h('span', null, 'Eén persoon voor beide namens: ', e.orgs.map((x) => x.name || `organisatie ${x.id}`).join('; ')));
    if (e.location) parts.push(h('span', null, `Zelfde zaal: ${e.location}`));
    if (e.overlap === false && e.travel_buffer_min) parts.push(h('span', null, `Minder dan ${e.travel_buffer_min} minuten ertussen`));
  }
  if (!(f.kind === 'duplicate' && o.hidden) && o.contacts?.length) parts.push(h('span', null, 'Contact: ', contacts(o)));
  return h('p', { class: 'flag-line-meta small' }, parts.map((p, i) => [i ? h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · ') : null, p]));
}

/**
 * One flag as a compact row with its state and the buttons to resolve or reopen it.
 * onResolved(flag) gets the server's answer. The buttons carry data-focuskey so a re-render
 * keeps focus where it was.
 */
export function flagRow(store, f, onResolved) {
  const open = f.state === 'open';
  const act = (state) => async () => {
    const flag = await resolveDialog(store, f, state);
    if (flag) onResolved(flag);
  };
  const other = f.other.body_name;
  const buttons = open
    ? [button('Afgestemd…', act('afgestemd'), { class: 'btn btn-small', 'aria-label': `Afgestemd… met ${other}`, dataset: { focuskey: `flag-${f.id}-a` } }),
      button('Bewust dubbel…', act('bewust_dubbel'), { class: 'btn btn-small', 'aria-label': `Bewust dubbel… met ${other}`, dataset: { focuskey: `flag-${f.id}-b` } }),
      f.kind === 'duplicate' ? button('Geen overlap…', act('geen_overlap'), { class: 'btn btn-small', 'aria-label': `Geen overlap… met ${other}`, dataset: { focuskey: `flag-${f.id}-g` } }) : null]
    : [button('Heropenen', act('open'), { class: 'btn btn-small', 'aria-label': `Heropenen: signalering met ${other}`, dataset: { focuskey: `flag-${f.id}-o` } })];
  return h('li', { class: ['flag-line', `state-${f.state}`], dataset: { flag: f.id } },
    h('span', { class: 'flag-line-icon', 'aria-hidden': 'true' }, '!'),
    h('div', { class: 'flag-line-body' },
      h('p', { class: 'flag-line-head' },
        badge(open ? 'Signalering' : STATE[f.state] || f.state, open ? 'warn' : 'done'), ' ', headline(f)),
      details(f),
      !open && f.lead_body ? h('p', { class: 'small' }, `Leidend: ${leadName(f)}`) : null,
      f.note ? h('p', { class: 'small flag-note' }, `Afspraak: ${f.note}`) : null,
      h('div', { class: 'row-actions' }, buttons)));
}

const SHOWN = 2;

/** The flags of one agenda item, or null: the two strongest (open ones first), the rest behind one
 *  line ("nog 3 mogelijke overlappen"), so that an item with many does not push the agenda out of
 *  sight. more: whether
 *  the rest is shown; onMore() toggles it (the caller keeps that over re-renders). */
export function itemFlags(store, list, onResolved, { more = false, onMore = null } = {}) {
  if (!list.length) return null;
  const rest = list.length - SHOWN;
  const shown = rest > 0 && !more ? list.slice(0, SHOWN) : list;
  return h('div', { class: 'flag-box' },
    h('ul', { class: 'flag-lines', 'aria-label': 'Signaleringen bij dit punt' }, shown.map((f) => flagRow(store, f, onResolved))),
    rest > 0 && onMore ? h('button', { type: 'button', class: 'linkish', 'aria-expanded': String(more), onclick: onMore,
      dataset: { focuskey: `flags-more-${list[0].here.item}` } },
    more ? 'Minder tonen' : `Nog ${rest} ${rest === 1 ? 'mogelijke overlap' : 'mogelijke overlappen'}`) : null);
}

/** A short sentence for screen readers when a flag arrives or changes. */
export function flagNews(f) {
  const o = f.other.body_name;
  if (f.state === 'open') {
    return f.kind === 'duplicate'
      ? `Nieuwe signalering bij “${f.here.title || 'een agendapunt'}”: mogelijk hetzelfde onderwerp als bij ${o}.`
      : `Nieuwe signalering: deze vergadering valt samen met een vergadering van ${o}.`;
  }
  return `Signalering met ${o}: ${(STATE[f.state] || f.state).toLowerCase()}.`;
}
