// "Mijn overleggen": my bodies with my role in each, and my next meetings across all of them.
import { h, replace } from './dom.js';
import {
  fmtDateLong, fmtTime, dayKey, relativeDay, label, ROLES, MEETING_STATUS, LEVELS, BODY_KINDS,
  cadenceLabel, todayYmd, fmtDay,
} from './format.js';
import { badge, empty, loading, pageHead } from './ui.js';
import { listAllActions } from './actions.js';

const DAYS = 120;

export async function render(ctx) {
  const { store, conn } = ctx;
  ctx.setTitle('Mijn overleggen');
  const meetingsBox = h('div', { class: 'upcoming' }, loading());
  const bodiesBox = h('div', null, loading());
  const actionsBox = h('div', { class: 'summary' });
  replace(ctx.root,
    pageHead('Mijn overleggen', {
      sub: `Welkom, ${store.me.name} (${store.me.org_name}).`,
      actions: [h('a', { href: '#/waar-hoort-dit-thuis', class: 'btn' }, 'Waar hoort dit thuis?')],
    }),
    h('div', { class: 'home-grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'h-next' },
        h('h2', { id: 'h-next' }, 'Mijn volgende vergaderingen'),
        h('p', { class: 'hint' }, `Alle vergaderingen van uw overleggen in de komende ${DAYS} dagen, op volgorde van tijd.`),
        meetingsBox),
      h('div', { class: 'home-side' },
        h('section', { class: 'panel', 'aria-labelledby': 'h-acts' },
          h('h2', { id: 'h-acts' }, 'Mijn acties'), actionsBox),
        h('section', { class: 'panel', 'aria-labelledby': 'h-bodies' },
          h('h2', { id: 'h-bodies' }, 'Overleggen waarin ik zit'), bodiesBox))));

  const meetings = new Map();
  let alive = true;
  ctx.onCleanup(() => { alive = false; });

  function renderMeetings() {
    const now = Date.now();
    const list = [...meetings.values()]
      .filter((m) => Date.parse(m.end) > now && store.bodies.has(m.body))
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id - b.id);
    if (!list.length) {
      replace(meetingsBox, empty('Er staan geen vergaderingen gepland in uw overleggen.'));
      return;
    }
    const active = list.filter((m) => m.status !== 'geannuleerd');
    const overlaps = new Map();
    for (let i = 0; i < active.length; i++) {
      for (let j = i + 1; j < active.length && Date.parse(active[j].start) < Date.parse(active[i].end); j++) {
        (overlaps.get(active[i].id) || overlaps.set(active[i].id, []).get(active[i].id)).push(active[j]);
        (overlaps.get(active[j].id) || overlaps.set(active[j].id, []).get(active[j].id)).push(active[i]);
      }
    }
    const groups = [];
    for (const m of list) {
      const k = dayKey(m.start);
      if (!groups.length || groups[groups.length - 1].key !== k) groups.push({ key: k, items: [] });
      groups[groups.length - 1].items.push(m);
    }
    replace(meetingsBox, groups.map((g) => h('div', { class: 'day' },
      h('h3', { class: 'day-head' }, fmtDateLong(g.items[0].start), h('span', { class: 'muted' }, ` · ${relativeDay(g.items[0].start)}`)),
      h('ul', { class: 'meeting-list' }, g.items.map((m) => {
        const role = store.roleIn(m.body) || m.role;
        const ov = overlaps.get(m.id);
        return h('li', { class: ['meeting-row', m.status === 'geannuleerd' ? 'cancelled' : ''], dataset: { meeting: m.id } },
          h('div', { class: 'meeting-time' }, `${fmtTime(m.start)}–${fmtTime(m.end)}`),
          h('div', { class: 'meeting-main' },
            h('a', { href: `#/vergadering/${m.id}`, class: 'meeting-link' }, m.body_name || store.bodies.get(m.body)?.name),
            h('div', { class: 'meeting-meta' },
              m.location ? h('span', null, m.location) : null,
              badge(label(MEETING_STATUS, m.status), `st-${m.status}`),
              role ? badge(label(ROLES, role), 'role') : null),
            ov ? h('p', { class: 'warn-inline' }, h('span', { class: 'warn-icon', 'aria-hidden': 'true' }, '!'),
              `Overlapt met ${ov.map((o) => `${o.body_name} (${fmtTime(o.start)}–${fmtTime(o.end)})`).join(', ')}`) : null));
      })))));
  }

  function renderBodies() {
    const bodies = [...store.bodies.values()].sort((a, b) => a.name.localeCompare(b.name, 'nl'));
    if (!bodies.length) {
      replace(bodiesBox, empty('U bent nog geen lid van een overleg. Een voorzitter, secretaris of beheerder kan u toevoegen.'));
      return;
    }
    replace(bodiesBox, h('ul', { class: 'body-list' }, bodies.map((b) => {
      const next = [...meetings.values()].filter((m) => m.body === b.id && m.status !== 'geannuleerd' && Date.parse(m.end) > Date.now())
        .sort((x, y) => Date.parse(x.start) - Date.parse(y.start))[0];
      return h('li', { class: 'body-card', dataset: { body: b.id } },
        h('a', { href: `#/overleg/${b.id}`, class: 'body-link' }, b.name),
        h('div', { class: 'body-meta' },
          badge(label(ROLES, b.role), 'role'),
          h('span', null, `${label(BODY_KINDS, b.kind)} · ${label(LEVELS, b.level)} · ${b.scope} · ${cadenceLabel(b.cadence)}`)),
        h('p', { class: 'muted small' }, next ? `Volgende: ${fmtDateLong(next.start)} om ${fmtTime(next.start)}` : 'Geen vergadering gepland'),
        unreadLine(b.id));
    })));
  }

  // Unread chat messages per body (what I may see of them; the server counts).
  const unread = new Map();
  function unreadLine(id) {
    const u = unread.get(id);
    if (!u || !u.unread) return null;
    const n = u.more ? `${u.unread}+` : String(u.unread);
    return h('p', { class: 'small unread-line' }, h('a', { href: `#/overleg/${id}/chat` },
      h('span', { class: 'badge badge-unread' }, n), u.unread === 1 && !u.more ? ' ongelezen bericht in de chat' : ' ongelezen berichten in de chat'));
  }
  async function loadUnread(id) {
    try {
      const r = await store.request('chat.unread', { body: id });
      if (!alive) return;
      unread.set(id, r);
      renderBodies();
    } catch { /* a body I just left: nothing to show */ }
  }

  async function loadActions() {
    try {
      const mine = await listAllActions(store, { mine: true });
      if (!alive) return;
      const open = mine.filter((a) => a.status === 'open' || a.status === 'lopend');
      const today = todayYmd();
      const overdue = open.filter((a) => a.due && a.due < today);
      // Every open one the count names, the oldest deadline first (te laat on top), those
      // without a deadline last; each links to where it was recorded.
      const MAX = 8;
      const sorted = [...open].sort((x, y) => (x.due || '9999').localeCompare(y.due || '9999') || x.id - y.id);
      const line = (a) => {
        const late = a.due && a.due < today;
        const where = a.item && a.item_meeting ? `#/vergadering/${a.item_meeting}/punt/${a.item}` : `#/overleg/${a.body}/acties`;
        return h('li', { class: late ? 'is-overdue' : '' },
          h('span', { class: 'muted' }, a.due ? `${fmtDay(a.due)} · ` : 'geen deadline · '),
          h('a', { href: where }, a.text),
          late ? h('span', { class: 'overdue-flag' }, ' te laat') : null);
      };
      replace(actionsBox,
        h('p', null, h('strong', null, String(open.length)), ' openstaand',
          overdue.length ? [', waarvan ', h('strong', { class: 'overdue' }, `${overdue.length} te laat`)] : null, '.'),
        sorted.length ? h('ul', { class: 'plain-list home-actions' }, sorted.slice(0, MAX).map(line)) : null,
        sorted.length > MAX ? h('p', { class: 'small muted' }, `En nog ${sorted.length - MAX} andere.`) : null,
        h('p', null, h('a', { href: '#/acties' }, 'Alle mijn acties')));
    } catch (e) {
      replace(actionsBox, h('p', { class: 'form-error' }, e.message));
    }
  }

  async function load() {
    const r = await store.request('meeting.upcoming', { days: DAYS });
    if (!alive) return;
    meetings.clear();
    for (const m of r.meetings) meetings.set(m.id, m);
    renderMeetings();
    renderBodies();
  }

  ctx.onCleanup(conn.on('event', (f) => {
    if (!store.bodies.has(f.body)) return;
    if (f.event === 'meeting.created' || f.event === 'meeting.updated') {
      const m = f.data.meeting;
      const inWindow = Date.parse(m.end) > Date.now() && Date.parse(m.start) < Date.now() + DAYS * 86400000;
      if (inWindow) meetings.set(m.id, { ...meetings.get(m.id), ...m });
      else meetings.delete(m.id);
      renderMeetings();
      renderBodies();
    } else if (f.event.startsWith('action.')) {
      loadActions();
    } else if (f.event.startsWith('chat.') && f.actor !== store.me.id) {
      loadUnread(f.body);
    }
  }));
  ctx.onCleanup(store.on('change', (what) => {
    if (what === 'bodies') load().catch(() => {});
  }));
  ctx.onCleanup(conn.on('resumed', () => { load().catch(() => {}); loadActions(); }));
  renderBodies();
  loadActions();
  for (const id of store.bodies.keys()) loadUnread(id);
  await load();
}
