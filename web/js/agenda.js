// An agenda (a meeting's, or a body's backlog "te agenderen"): the list, live updates from
// agenda.* events, and for chairs and secretaries editing, reordering (drag-and-drop, buttons
// and Alt+Arrow keys) and moving items. Items are numbered 1..n by position, the same for every
// member: a confidential item this user may not see is a "besloten punt" in its place, with its
// time slot (a guest limited to items sees only their own items, at their own numbers).
import { h, replace, uid, mentionText } from './dom.js';
import { label, ITEM_KIND, ITEM_STATUS, minutes, fmtTime, fmtDateShort, fmtDateTime, MEETING_STATUS } from './format.js';
import {
  badge, confidentialMark, empty, field, input, textarea, select, checkbox, formDialog,
  confirmDialog, toast, button,
} from './ui.js';
import { itemFlags } from './flaginline.js';
import { actionDialog } from './actions.js';
import { referDialog } from './requests.js';
import { historyToggle } from './history.js';

const MAX_ATTACHMENTS = 20;
// The server's rule for a link to a document (protocol/schemas/defs.json#/$defs/attachment).
const ATTACHMENT_URL = /^https?:\/\/[^\s"<>]{3,}$/;

/** An address the browser may follow from a link: http(s) only, never javascript: or data:. */
export function safeHref(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/** The items of one list, kept current from events. meeting: id, or null for the backlog. */
export class AgendaModel {
  constructor(body, meeting, items, seq) {
    this.body = body;
    this.meeting = meeting;
    this.seq = seq;
    this.items = new Map(items.map((i) => [i.id, i]));
  }

  sorted() {
    return [...this.items.values()].sort((a, b) => a.position - b.position || a.id - b.id);
  }

  mine(item) {
    return (item.meeting ?? null) === this.meeting && item.body === this.body;
  }

  /** Applies an event; returns true when the list changed. */
  apply(f) {
    if (f.seq <= this.seq) return false;
    const d = f.data || {};
    switch (f.event) {
      case 'agenda.added':
      case 'agenda.updated': {
        const it = d.item;
        if (this.mine(it)) { this.items.set(it.id, it); return true; }
        return this.items.delete(it.id);
      }
      case 'agenda.removed':
      case 'agenda.hidden':
        return this.items.delete(d.item);
      case 'agenda.reordered': {
        if ((d.meeting ?? null) !== this.meeting) return false;
        return this.reposition(d.order, d.shifts);
      }
      default:
        return false;
    }
  }

  /**
   * Sets the positions an agenda.reordered (or agenda.reorder's answer) names: each of order
   * ({id, position}), and for a long list's shifts ({from, to, by}: the items now at from..to each
   * moved by `by`) every loaded item that was at from-by..to-by. Returns true when one changed.
   */
  reposition(order, shifts = []) {
    const named = new Set(order.map((e) => e.id));
    const next = new Map();
    for (const it of this.items.values()) {
      if (named.has(it.id)) continue;
      const s = shifts.find((x) => it.position >= x.from - x.by && it.position <= x.to - x.by);
      if (s) next.set(it.id, it.position + s.by);
    }
    for (const { id, position } of order) next.set(id, position);
    let changed = false;
    for (const [id, position] of next) {
      const it = this.items.get(id);
      if (it && it.position !== position) { this.items.set(id, { ...it, position }); changed = true; }
    }
    return changed;
  }

  /** Replaces the list with a server answer (agenda.reorder's result). */
  reset(items) {
    this.items = new Map(items.filter((i) => this.mine(i)).map((i) => [i.id, i]));
  }
}

/**
 * Renders the agenda into a container and returns {render()}.
 * opts: {model, store, canEdit, canParticipate, meeting (object or null), members, meetings (of the body, for moving),
 *        minutes (an ItemMinutes: notes and outcomes under each item of a meeting),
 *        special(item) (what a special item shows: the actielijst, the verslag it is about),
 *        tools() (more buttons for chairs and secretaries beside "Agendapunt toevoegen"),
 *        target (the id of the item a link pointed at: marked),
 *        flags (a FlagSet for chairs and secretaries: signaleringen per item), onFlags (one was resolved here),
 *        counts (messages per item thread, {id: n} from meeting.get; absent: not known)}
 */
export function agendaView(opts) {
  const { model, store } = opts;
  const root = h('div', { class: 'agenda' });
  const live = h('p', { class: 'sr-only', 'aria-live': 'assertive', role: 'status' });
  let dragId = null;
  let busy = false;
  const threads = new Map(); // item id -> {el, open, messages: Map, loaded}
  // How many messages each item's thread has, so "Reacties (3)" shows before it is opened; kept
  // current from chat.posted (each message counted once: the reply to my post and its event).
  const counts = opts.counts ? new Map(Object.entries(opts.counts).map(([k, n]) => [Number(k), n])) : null;
  const counted = new Set();
  const flagsOpen = new Set(); // items whose every signalering is shown
  const historyOpen = new Set(); // items whose history is shown

  function presenterName(id) {
    if (!id) return null;
    const m = opts.members?.find((x) => x.person === id);
    return m ? `${m.name} (${m.org_name})` : store.personName(id);
  }

  function guestLimited() {
    const me = opts.members?.find((x) => x.person === store.me.id);
    return me?.role === 'gast' && Array.isArray(me.items) ? new Set(me.items) : null;
  }

  function render() {
    const items = model.sorted();
    const focusKey = document.activeElement?.closest?.('.agenda')?.contains(document.activeElement)
      ? document.activeElement.dataset.focuskey : null;
    const parts = [];
    if (opts.meeting) parts.push(timeBar(items));
    if (!items.length) {
      parts.push(empty(opts.meeting ? 'Er staan nog geen punten op deze agenda.' : 'Er staan geen punten klaar om te agenderen.'));
    } else {
      let t = opts.meeting ? Date.parse(opts.meeting.start) : null;
      const limited = guestLimited();
      parts.push(h('ol', { class: 'agenda-list', 'aria-label': opts.meeting ? 'Agendapunten' : 'Te agenderen punten' },
        items.map((it, i) => {
          const at = t;
          if (t !== null) t += (it.duration || 0) * 60000;
          return itemRow(it, i, items.length, at, limited);
        })));
    }
    if (opts.canEdit) {
      parts.push(h('div', { class: 'agenda-tools' },
        button(opts.meeting ? 'Agendapunt toevoegen' : 'Punt toevoegen aan te agenderen', () => editItem(null), { class: 'btn btn-primary' }),
        opts.tools ? opts.tools() : null,
        opts.canEdit && orderable().length > 1 ? h('p', { class: 'hint' }, 'Volgorde wijzigen: sleep een punt aan de greep, gebruik de knoppen omhoog/omlaag, of Alt + pijl omhoog/omlaag op een punt.') : null));
    }
    parts.push(live);
    replace(root, parts);
    if (focusKey) root.querySelector(`[data-focuskey="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function timeBar(items) {
    const total = items.reduce((s, it) => s + (it.duration || 0), 0);
    const length = Math.round((Date.parse(opts.meeting.end) - Date.parse(opts.meeting.start)) / 60000);
    const over = total - length;
    const pct = length ? Math.min(100, Math.round((total / length) * 100)) : 100;
    return h('div', { class: ['timebar', over > 0 ? 'timebar-over' : ''] },
      h('div', { class: 'timebar-text' },
        h('span', null, 'Geplande tijd: ', h('strong', { class: 'agenda-total' }, minutes(total)), ` van ${minutes(length)}`),
        over > 0
          ? h('span', { class: 'warn-inline', role: 'status' }, h('span', { class: 'warn-icon', 'aria-hidden': 'true' }, '!'),
            `De agenda past niet: ${minutes(over)} te lang.`)
          : h('span', { class: 'muted' }, over < 0 ? `${minutes(-over)} over` : 'Past precies')),
      h('div', { class: 'meter', 'aria-hidden': 'true' }, h('div', { class: `meter-fill w${Math.round(pct / 5) * 5}` })));
  }

  function relevanceBlock(it) {
    if (!it.relevant?.length) return null;
    const mine = it.relevant.find((r) => r.org === store.me.org);
    const id = uid('why');
    const list = h('ul', { class: 'why-list', id, hidden: true }, it.relevant.map((r) =>
      h('li', { class: r.org === store.me.org ? 'why-mine' : '' }, h('strong', null, r.org_name), r.reason ? `: ${r.reason}` : '')));
    const toggle = h('button', { type: 'button', class: 'linkish', 'aria-expanded': 'false', 'aria-controls': id,
      onclick: () => { list.hidden = !list.hidden; toggle.setAttribute('aria-expanded', String(!list.hidden)); } },
    'Waarom zit ik hier?');
    return h('div', { class: 'relevance' },
      h('p', { class: 'small' }, h('span', { class: 'muted' }, 'Relevant voor: '), it.relevant.map((r) => r.org_name).join('; ')),
      mine ? h('p', { class: 'why-me' }, h('strong', null, 'Uw organisatie: '), mine.reason || 'staat bij dit punt genoemd.') : null,
      toggle, list);
  }

  /** Links to the documents (stukken) of an item; they open in a new tab, without access to
   *  this page (noopener), and say so to screen readers. */
  function attachmentsBlock(it) {
    const list = it.attachments || [];
    if (!list.length) return null;
    return h('div', { class: 'docs' },
      h('span', { class: 'docs-label', 'aria-hidden': 'true' }, 'Stukken'),
      h('ul', { class: 'doc-list', 'aria-label': `Stukken bij ${it.title}` }, list.map((a) => {
        const href = safeHref(a.url);
        if (!href) return h('li', null, a.title, h('span', { class: 'muted small' }, ' (geen geldige link)'));
        return h('li', null,
          h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'doc-link' },
            h('span', { class: 'doc-icon', 'aria-hidden': 'true' }), a.title,
            h('span', { class: 'sr-only' }, ' (document, opent in een nieuw tabblad)'),
            h('span', { class: 'doc-ext', 'aria-hidden': 'true' }, '↗')),
          h('span', { class: 'doc-host' }, new URL(href).host));
      })));
  }

  function newAction(it) {
    return actionDialog({ store, action: null, bodyId: model.body, members: opts.members, item: it, canDecide: opts.canEdit });
  }

  /** A confidential item this user may not see: its place and time slot, nothing else. */
  function placeholderRow(it, i, at) {
    return h('li', { class: ['agenda-item', 'is-placeholder'], dataset: { item: it.id } },
      opts.canEdit ? h('span', { class: 'grip grip-none', 'aria-hidden': 'true' }) : null,
      h('span', { class: 'item-num' }, `${i + 1}.`),
      h('div', { class: 'item-body' },
        h('h3', { class: 'item-title' }, 'Besloten punt'),
        h('div', { class: 'item-meta' },
          at !== null ? h('span', { class: 'item-at' }, fmtTime(new Date(at))) : null,
          h('span', { class: 'item-duration' }, it.duration ? minutes(it.duration) : 'geen duur'),
          confidentialMark()),
        h('p', { class: 'small muted' }, 'Dit punt is alleen zichtbaar voor de organisaties en personen die erbij betrokken zijn.')));
  }

  function itemRow(it, i, n, at, limited) {
    if (it.placeholder) return placeholderRow(it, i, at);
    const num = i + 1;
    const title = it.title;
    const controls = [];
    const mine = orderable().map((x) => x.id);
    const k = mine.indexOf(it.id);
    if (opts.canEdit) {
      controls.push(
        h('button', { type: 'button', class: 'btn btn-icon', 'aria-label': `Punt ${num} omhoog: ${title}`, disabled: k <= 0 || busy,
          dataset: { focuskey: `up-${it.id}` }, onclick: () => moveBy(it.id, -1) }, h('span', { 'aria-hidden': 'true' }, '↑')),
        h('button', { type: 'button', class: 'btn btn-icon', 'aria-label': `Punt ${num} omlaag: ${title}`, disabled: k === mine.length - 1 || busy,
          dataset: { focuskey: `down-${it.id}` }, onclick: () => moveBy(it.id, 1) }, h('span', { 'aria-hidden': 'true' }, '↓')),
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Punt ${num} bewerken: ${title}`,
          dataset: { focuskey: `edit-${it.id}` }, onclick: () => editItem(it) }, 'Bewerken'),
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Punt ${num} ${opts.meeting ? 'verplaatsen' : 'agenderen'}: ${title}`,
          dataset: { focuskey: `move-${it.id}` }, onclick: () => moveItem(it) }, opts.meeting ? 'Verplaatsen' : 'Agenderen'),
        it.special ? null : h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Punt ${num} agenderen bij ander overleg: ${title}`,
          dataset: { focuskey: `refer-${it.id}` }, onclick: () => referDialog(store, it, model.body) }, 'Agenderen bij…'),
        h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', 'aria-label': `Punt ${num} verwijderen: ${title}`,
          onclick: () => removeItem(it) }, 'Verwijderen'));
    }
    const meta = [
      at !== null ? h('span', { class: 'item-at' }, fmtTime(new Date(at))) : null,
      h('span', { class: 'item-duration' }, it.duration ? minutes(it.duration) : 'geen duur'),
      badge(label(ITEM_KIND, it.kind), `kind-${it.kind}`),
      it.recurring ? badge('Vast agendapunt', 'recurring') : null,
      it.confidential ? confidentialMark() : null,
      it.status && it.status !== 'open' ? badge(label(ITEM_STATUS, it.status), 'status') : null,
      limited && limited.has(it.id) ? badge('U bent hiervoor uitgenodigd', 'invited') : null,
    ];
    const li = h('li', {
      class: ['agenda-item', it.confidential ? 'is-confidential' : '', it.id === opts.target ? 'is-target' : ''],
      dataset: { item: it.id, focuskey: `row-${it.id}` },
      tabIndex: opts.canEdit ? 0 : undefined,
      'aria-label': opts.canEdit ? `Punt ${num}: ${title}` : undefined,
    },
    opts.canEdit ? h('span', { class: 'grip', 'aria-hidden': 'true', title: 'Sleep om te verplaatsen' }, '⋮⋮') : null,
    h('span', { class: 'item-num', 'aria-hidden': opts.canEdit ? 'true' : undefined }, `${num}.`),
    h('div', { class: 'item-body' },
      h('h3', { class: 'item-title' }, title),
      h('div', { class: 'item-meta' }, meta),
      opts.flags ? itemFlags(store, opts.flags.forItem(it.id), flagResolved, {
        more: flagsOpen.has(it.id),
        onMore: () => { if (!flagsOpen.delete(it.id)) flagsOpen.add(it.id); render(); },
      }) : null,
      it.presenter ? h('p', { class: 'small' }, h('span', { class: 'muted' }, 'Inbreng: '), presenterName(it.presenter)) : null,
      it.description ? h('p', { class: 'item-desc' }, it.description) : null,
      opts.special && it.special ? opts.special(it) : null,
      attachmentsBlock(it),
      relevanceBlock(it),
      opts.minutes ? opts.minutes.block(it) : null,
      h('div', { class: 'item-links' }, threadBlock(it), opts.minutes ? opts.minutes.tools(it) : null,
        opts.canParticipate && !opts.minutes ? h('button', { type: 'button', class: 'linkish no-print', dataset: { focuskey: `action-${it.id}` },
          'aria-label': `Actie of besluit vastleggen bij: ${title}`, onclick: () => newAction(it) }, 'Actie of besluit vastleggen') : null),
      historyToggle(store, { item: it.id }, it.title, {
        open: historyOpen.has(it.id), onToggle: (open) => { if (open) historyOpen.add(it.id); else historyOpen.delete(it.id); },
      }),
      it.confidential && it.persons?.length ? h('p', { class: 'small' }, h('span', { class: 'muted' }, 'Ook zichtbaar voor: '),
        it.persons.map((p) => presenterName(p)).join('; ')) : null,
      controls.length ? h('div', { class: 'item-controls' }, controls) : null));
    if (opts.canEdit) {
      li.draggable = true;
      li.addEventListener('keydown', (e) => {
        if (e.target !== li || !e.altKey) return;
        if (e.key === 'ArrowUp') { e.preventDefault(); moveBy(it.id, -1, true); }
        if (e.key === 'ArrowDown') { e.preventDefault(); moveBy(it.id, 1, true); }
      });
      li.addEventListener('dragstart', (e) => {
        dragId = it.id;
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', String(it.id));
        li.classList.add('dragging');
      });
      li.addEventListener('dragend', () => { dragId = null; li.classList.remove('dragging'); clearMarks(); });
      li.addEventListener('dragover', (e) => {
        if (dragId === null || dragId === it.id) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        const r = li.getBoundingClientRect();
        const after = e.clientY > r.top + r.height / 2;
        clearMarks();
        li.classList.add(after ? 'drop-after' : 'drop-before');
      });
      li.addEventListener('dragleave', () => li.classList.remove('drop-before', 'drop-after'));
      li.addEventListener('drop', (e) => {
        e.preventDefault();
        const r = li.getBoundingClientRect();
        const after = e.clientY > r.top + r.height / 2;
        const from = dragId ?? Number(e.dataTransfer.getData('text/plain'));
        clearMarks();
        dragId = null;
        if (!from || from === it.id) return;
        const ids = orderable().map((x) => x.id).filter((x) => x !== from);
        let at2 = ids.indexOf(it.id) + (after ? 1 : 0);
        ids.splice(at2, 0, from);
        reorder(ids, from);
      });
    }
    return li;
  }

  function flagResolved(flag) {
    opts.flags.put(flag);
    render();
    opts.onFlags?.();
  }

  // ---- a discussion per item (chat.post with item): before the meeting, in writing ----
  function thread(it) {
    let t = threads.get(it.id);
    if (t) return t;
    const list = h('ol', { class: 'thread-list', 'aria-label': `Reacties op ${it.title}` });
    const text = h('textarea', { rows: 2, maxLength: 4000, 'aria-label': `Reactie op ${it.title}` });
    const form = h('form', { class: 'thread-form' }, text, h('button', { type: 'submit', class: 'btn btn-small' }, 'Reageren'));
    const el = h('div', { class: 'thread', id: uid('thread') }, list, opts.canParticipate ? form : null);
    t = { id: it.id, el, list, open: false, loaded: false, messages: new Map(), toggle: null };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      try {
        const r = await store.request('chat.post', { body: model.body, item: it.id, text: text.value });
        t.messages.set(r.message.id, r.message);
        countMessage(r.message);
        text.value = '';
        drawThread(t);
      } catch (ex) { toast(ex.message, 'error'); }
    });
    threads.set(it.id, t);
    return t;
  }

  function drawThread(t) {
    const msgs = [...t.messages.values()].sort((a, b) => a.id - b.id);
    const names = (opts.members || []).map((m) => m.name);
    replace(t.list, msgs.length ? msgs.map((m) => h('li', { class: ['thread-msg', m.mentions?.includes(store.me.id) ? 'mentions-me' : ''] },
      h('span', { class: 'small' }, h('strong', null, m.person_name), h('span', { class: 'muted' }, ` ${fmtDateTime(m.time)}`)),
      m.deleted ? h('p', { class: 'chat-text muted' }, 'Dit bericht is verwijderd.')
        : h('p', { class: 'chat-text' }, mentionText(m.text, names, store.me.name), m.edited ? h('span', { class: 'muted small' }, ' (bewerkt)') : null),
      // Like the body's chat: authors who take part edit or delete their own (recorded).
      opts.canParticipate && m.person === store.me.id && !m.deleted ? h('div', { class: 'chat-own no-print' },
        button('Bewerken', () => editMessage(t, m), { class: 'linkish', 'aria-label': `Uw reactie van ${fmtDateTime(m.time)} bewerken` }),
        button('Verwijderen', () => deleteMessage(t, m), { class: 'linkish', 'aria-label': `Uw reactie van ${fmtDateTime(m.time)} verwijderen` })) : null))
      : h('li', { class: 'muted small' }, 'Nog geen reacties.'));
    if (t.toggle) t.toggle.textContent = threadLabel(t.id, t.open);
  }

  async function editMessage(t, m) {
    let box;
    const r = await formDialog({
      title: 'Reactie bewerken',
      build: (el) => {
        box = textarea({ rows: 4, maxLength: 4000, value: m.text, required: true });
        el.append(field('Reactie', box, { required: true, hint: 'Anderen zien dat de reactie is bewerkt.' }));
      },
      submit: () => store.request('chat.edit', { body: model.body, message: m.id, text: box.value }),
    });
    if (!r) return;
    t.messages.set(r.message.id, r.message);
    drawThread(t);
    toast('De reactie is bewerkt.', 'ok');
  }

  async function deleteMessage(t, m) {
    const ok = await confirmDialog('Reactie verwijderen', 'Uw reactie verwijderen? Anderen zien dat er een reactie is verwijderd.', { confirmLabel: 'Verwijderen' });
    if (!ok) return;
    try {
      const r = await store.request('chat.delete', { body: model.body, message: m.id });
      t.messages.set(r.message.id, r.message);
      drawThread(t);
      toast('De reactie is verwijderd.', 'ok');
    } catch (ex) { toast(ex.message, 'error'); }
  }

  /** How many messages an item's thread has: what was loaded, or what meeting.get and the events
   *  since said; null when not known (the backlog: body.get has no counts). */
  function countOf(id) {
    const t = threads.get(id);
    const known = counts ? counts.get(id) || 0 : null;
    if (t?.loaded) return Math.max(t.messages.size, known || 0);
    return known;
  }

  function threadLabel(id, open) {
    const n = countOf(id);
    if (open) return n === null ? 'Reacties verbergen' : `Reacties verbergen (${n})`;
    return n ? `Reacties (${n})` : 'Reacties';
  }

  /** Counts a message once, whether it came as the reply to my post or as an event. */
  function countMessage(m) {
    if (!counts || !m.item || counted.has(m.id)) return;
    counted.add(m.id);
    counts.set(m.item, (counts.get(m.item) || 0) + 1);
  }

  function threadBlock(it) {
    const t = thread(it);
    const toggle = h('button', { type: 'button', class: 'linkish', 'aria-expanded': String(t.open), 'aria-controls': t.el.id,
      dataset: { focuskey: `thread-${it.id}` },
      onclick: async () => {
        t.open = !t.open;
        toggle.setAttribute('aria-expanded', String(t.open));
        t.el.hidden = !t.open;
        if (t.open && !t.loaded) {
          try {
            const r = await store.request('chat.history', { body: model.body, item: it.id, limit: 100 });
            for (const m of r.messages) {
              t.messages.set(m.id, m);
              counted.add(m.id); // already in the snapshot's count
            }
            t.loaded = true;
          } catch (ex) { toast(ex.message, 'error'); }
        }
        drawThread(t);
      } }, threadLabel(it.id, t.open));
    t.toggle = toggle;
    t.el.hidden = !t.open;
    return h('div', { class: 'thread-box' }, toggle, t.el);
  }

  /** A chat message arrived (an event newer than the snapshot): counts it, and shows it under its
   *  item when that discussion is loaded. */
  function onChat(m) {
    if (!m.item) return;
    countMessage(m);
    const t = threads.get(m.item);
    if (!t) return;
    if (t.loaded) {
      t.messages.set(m.id, m);
      drawThread(t);
    } else if (t.toggle) {
      t.toggle.textContent = threadLabel(m.item, t.open);
    }
  }

  /** A message edited or deleted by its author: shown as it now is where its thread is loaded
   *  (not counted: it was counted when posted). */
  function onChatChange(m) {
    const t = m.item ? threads.get(m.item) : null;
    if (t?.loaded && t.messages.has(m.id)) {
      t.messages.set(m.id, m);
      drawThread(t);
    }
  }

  function clearMarks() {
    for (const el of root.querySelectorAll('.drop-before, .drop-after')) el.classList.remove('drop-before', 'drop-after');
  }

  // What this user orders: the items they see whole; a besloten punt keeps its place.
  function orderable() {
    return model.sorted().filter((x) => !x.placeholder);
  }

  function moveBy(id, delta, fromRow = false) {
    const ids = orderable().map((x) => x.id);
    const i = ids.indexOf(id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j], ids[i]];
    reorder(ids, id, fromRow ? `row-${id}` : null);
  }

  async function reorder(ids, movedId, focusKey) {
    if (busy) return;
    busy = true;
    const before = new Map(model.items);
    // Optimistic: show the new order at once; the server's answer sets the real positions.
    const slots = orderable().map((x) => x.position);
    ids.forEach((id, k) => { const it = model.items.get(id); model.items.set(id, { ...it, position: slots[k] }); });
    render();
    if (focusKey) root.querySelector(`[data-focuskey="${focusKey}"]`)?.focus();
    const moved = model.items.get(movedId);
    try {
      // One item moves next to its new neighbour (agenda.reorder with item and before/after):
      // right whatever part of the list is loaded (a backlog comes in pages, body.get).
      const k = ids.indexOf(movedId);
      const args = { item: movedId };
      if (k + 1 < ids.length) args.before = ids[k + 1]; else args.after = ids[k - 1];
      if (model.meeting) args.meeting = model.meeting; else args.body = model.body;
      const r = await store.request('agenda.reorder', args);
      // The positions the server changed, on the list as it was (the optimistic ones go).
      // A long list's shifts (positions, not items) are applied once, from the agenda.reordered
      // that follows this answer: applied here too they would move those items twice.
      model.items = new Map(before);
      model.reposition(r.order);
      if (model.mine(r.item)) model.items.set(r.item.id, r.item);
      const pos = model.sorted().findIndex((x) => x.id === movedId) + 1;
      const total = model.sorted().length;
      live.textContent = model.meeting
        ? `“${moved.title}” staat nu op plaats ${pos} van ${total}.`
        : `“${moved.title}” staat nu op plaats ${r.item.position}.`;
    } catch (e) {
      model.items = before;
      toast(`Volgorde niet opgeslagen: ${e.message}`, 'error');
    } finally {
      busy = false;
      render();
      if (focusKey) root.querySelector(`[data-focuskey="${focusKey}"]`)?.focus();
    }
  }

  async function removeItem(it) {
    const ok = await confirmDialog('Agendapunt verwijderen', `Weet u zeker dat u “${it.title}” wilt verwijderen? Dit kan niet ongedaan worden gemaakt. Wilt u het punt later behandelen, verplaats het dan naar “te agenderen”.`, { confirmLabel: 'Verwijderen' });
    if (!ok) return;
    try {
      await store.request('agenda.remove', { item: it.id });
      toast(`“${it.title}” is verwijderd.`, 'ok');
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async function moveItem(it) {
    const now = Date.now();
    const targets = (opts.meetings || [])
      .filter((m) => m.id !== model.meeting && m.status !== 'geannuleerd' && Date.parse(m.end) > now - 86400000)
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    const options = [];
    if (model.meeting) options.push(['backlog', 'Te agenderen (nog geen vergadering)']);
    for (const m of targets) options.push([String(m.id), `${fmtDateShort(m.start)} ${fmtTime(m.start)} – ${label(MEETING_STATUS, m.status)}`]);
    if (!options.length) {
      toast('Er is geen andere vergadering om dit punt naartoe te verplaatsen. Plan eerst een vergadering.', 'error');
      return;
    }
    let sel;
    let pos;
    const ok = await formDialog({
      title: `“${it.title}” verplaatsen`,
      submitLabel: 'Verplaatsen',
      build: (body) => {
        sel = select(options, options[0][0]);
        pos = select([['end', 'Onderaan'], ['start', 'Bovenaan']], 'end');
        body.append(field('Naar', sel, { required: true }), field('Plaats op de agenda', pos));
      },
      submit: async () => {
        const to = sel.value === 'backlog' ? null : Number(sel.value);
        const args = { item: it.id, meeting: to };
        if (pos.value === 'start') args.position = 1;
        await store.request('agenda.move', args);
      },
    });
    if (ok) toast(`“${it.title}” is verplaatst.`, 'ok');
  }

  function editItem(it) {
    return itemDialog({ store, item: it, model, members: opts.members || [], titleFrozen: !!it && !!opts.titlesFrozen?.() });
  }

  let announceTimer = null;
  /** Tells screen-reader users, politely and at most every few seconds, that others changed the list. */
  function announce(text) {
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => { polite.textContent = text; }, 800);
  }
  const polite = h('p', { class: 'sr-only', 'aria-live': 'polite' });

  render();
  return { el: root, render, announce, polite, onChat, onChatChange };
}

// Once the verslag of the meeting is vastgesteld, its items keep the titles it was approved with
// (the server refuses another title): the field shows it, disabled, and says why.
const TITLE_FROZEN = 'Het verslag van deze vergadering is vastgesteld: de titel blijft zoals hij in het verslag staat. '
  + 'De andere gegevens van het punt kunt u nog wijzigen.';

/** Add (item null) or edit an agenda item; titleFrozen: the title may not change. */
export async function itemDialog({ store, item, model, members, titleFrozen = false }) {
  const orgs = await store.loadOrgs();
  const orgOptions = [['', '— kies een organisatie —'], ...[...orgs.values()]
    .sort((a, b) => a.name.localeCompare(b.name, 'nl')).map((o) => [String(o.id), o.name])];
  const f = {};
  const rel = [];
  let relBox;
  let personsBox;
  function relRow(r) {
    const org = select(orgOptions, r?.org ?? '', { 'aria-label': 'Organisatie' });
    const reason = input({ value: r?.reason || '', maxLength: 500, placeholder: 'Waarom is dit punt voor hen relevant?', 'aria-label': 'Reden' });
    const row = h('div', { class: 'rel-row' }, org, reason);
    const entry = { org, reason, row };
    row.append(h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', 'aria-label': 'Organisatie weghalen',
      onclick: () => { rel.splice(rel.indexOf(entry), 1); row.remove(); } }, 'Weghalen'));
    rel.push(entry);
    relBox.append(row);
    return org;
  }
  // Stukken: one row per link (title and address), at most 20.
  const docs = [];
  let docsBox;
  let docAdd;
  function renumber() {
    docs.forEach((d, i) => {
      d.title.setAttribute('aria-label', `Titel van stuk ${i + 1}`);
      d.url.setAttribute('aria-label', `Link van stuk ${i + 1}`);
      d.remove.setAttribute('aria-label', `Stuk ${i + 1} weghalen`);
    });
    docAdd.disabled = docs.length >= MAX_ATTACHMENTS;
  }
  function docRow(a) {
    const title = input({ value: a?.title || '', maxLength: 200, placeholder: 'bijv. Raadsvoorstel' });
    const url = input({ value: a?.url || '', maxLength: 2000, inputMode: 'url', placeholder: 'https://…', autocomplete: 'off', spellcheck: false });
    // A pasted link without a title gets one from its file name, to change at will.
    url.addEventListener('change', () => { if (!title.value.trim()) title.value = titleFromUrl(url.value.trim()); });
    for (const el of [title, url]) el.addEventListener('input', () => el.removeAttribute('aria-invalid'));
    const entry = { title, url, row: null, remove: null };
    entry.remove = h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger',
      onclick: () => { docs.splice(docs.indexOf(entry), 1); entry.row.remove(); renumber(); docAdd.focus(); } }, 'Weghalen');
    entry.row = h('div', { class: 'doc-row' }, title, url, entry.remove);
    docs.push(entry);
    docsBox.append(entry.row);
    renumber();
    return url;
  }
  const isNew = !item;
  const ok = await formDialog({
    title: isNew ? 'Agendapunt toevoegen' : 'Agendapunt bewerken',
    submitLabel: isNew ? 'Toevoegen' : 'Opslaan',
    wide: true,
    build: (body) => {
      f.title = input({ value: item?.title || '', maxLength: 200, name: 'title', disabled: titleFrozen });
      f.desc = textarea({ value: item?.description || '', rows: 4, maxLength: 20000, name: 'description' });
      const memberOpts = [['', '— geen —'], ...members.slice().sort((a, b) => a.name.localeCompare(b.name, 'nl'))
        .map((m) => [String(m.person), `${m.name} (${m.org_name})`])];
      if (item?.presenter && !members.some((m) => m.person === item.presenter)) memberOpts.push([String(item.presenter), store.personName(item.presenter)]);
      f.presenter = select(memberOpts, item?.presenter ?? '', { name: 'presenter' });
      f.duration = input({ type: 'number', min: 0, max: 600, step: 5, value: item?.duration ?? 15, name: 'duration', inputMode: 'numeric' });
      f.kind = select(ITEM_KIND, item?.kind || 'bespreking', { name: 'kind' });
      f.status = select(ITEM_STATUS, item?.status || 'open', { name: 'status' });
      f.recurring = checkbox('Vast agendapunt (komt elke vergadering terug)', item?.recurring);
      f.conf = checkbox('Vertrouwelijk: alleen zichtbaar voor de organisaties en personen hieronder', item?.confidential);
      relBox = h('div', { class: 'rel-box' });
      personsBox = h('fieldset', { class: 'persons-box' }, h('legend', null, 'Personen die dit vertrouwelijke punt ook mogen zien'),
        h('div', { class: 'check-grid' }, members.slice().sort((a, b) => a.name.localeCompare(b.name, 'nl')).map((m) => {
          const c = checkbox(`${m.name} (${m.org_name})`, item?.persons?.includes(m.person), { value: String(m.person), name: 'persons' });
          return c.el;
        })));
      const syncConf = () => { personsBox.hidden = !f.conf.box.checked; };
      f.conf.box.addEventListener('change', syncConf);
      syncConf();
      body.append(
        field('Titel', f.title, { required: !titleFrozen, wide: true, hint: titleFrozen ? TITLE_FROZEN : null }),
        field('Toelichting', f.desc, { wide: true }),
        h('div', { class: 'field-row' },
          field('Inbrenger', f.presenter),
          field('Duur (minuten)', f.duration),
          field('Soort', f.kind),
          isNew ? null : field('Status', f.status)),
        f.recurring.el,
        f.conf.el,
        h('fieldset', { class: 'rel-fieldset' },
          h('legend', null, 'Voor welke organisaties is dit punt relevant, en waarom?'),
          h('p', { class: 'hint' }, 'Deelnemers zien bij het punt “Waarom zit ik hier?”. Bij een vertrouwelijk punt bepaalt deze lijst ook wie het punt ziet.'),
          relBox,
          h('button', { type: 'button', class: 'btn btn-small', onclick: () => relRow(null).focus() }, 'Organisatie toevoegen')),
        personsBox,
        h('fieldset', { class: 'docs-fieldset' },
          h('legend', null, 'Stukken (links naar documenten)'),
          h('p', { class: 'hint' }, 'Een titel en een link die begint met https:// (bijvoorbeeld naar het raadsinformatiesysteem of een gedeelde map). Deelnemers openen de stukken vanaf het agendapunt.'),
          docsBox = h('div', { class: 'docs-box' }),
          docAdd = h('button', { type: 'button', class: 'btn btn-small', onclick: () => docRow(null).focus() }, 'Stuk toevoegen')));
      for (const r of item?.relevant || []) relRow(r);
      for (const a of item?.attachments || []) docRow(a);
      renumber();
    },
    submit: async (form) => {
      const title = titleFrozen ? item.title : f.title.value.trim();
      if (!title) throw new Error('Geef het agendapunt een titel.');
      const dur = f.duration.value === '' ? 0 : Number(f.duration.value);
      if (!Number.isInteger(dur) || dur < 0 || dur > 600) throw new Error('De duur is een heel aantal minuten tussen 0 en 600.');
      const relevant = [];
      const seen = new Set();
      for (const r of rel) {
        if (!r.org.value) continue;
        if (seen.has(r.org.value)) throw new Error('Een organisatie staat twee keer in de lijst.');
        seen.add(r.org.value);
        relevant.push({ org: Number(r.org.value), reason: r.reason.value.trim() });
      }
      const attachments = readAttachments(docs);
      const confidential = f.conf.box.checked;
      const persons = confidential ? [...form.querySelectorAll('input[name="persons"]:checked')].map((c) => Number(c.value)) : [];
      if (confidential && !relevant.length && !persons.length) {
        throw new Error('Noem bij een vertrouwelijk punt minstens één organisatie of persoon die het mag zien.');
      }
      const args = {
        title, description: f.desc.value, duration: dur, kind: f.kind.value,
        presenter: f.presenter.value ? Number(f.presenter.value) : null,
        recurring: f.recurring.box.checked, confidential, relevant, persons, attachments,
      };
      if (isNew) {
        if (model.meeting) args.meeting = model.meeting; else args.body = model.body;
        await store.request('agenda.add', args);
      } else {
        args.item = item.id;
        args.status = f.status.value;
        await store.request('agenda.update', args);
      }
    },
  });
  if (ok) toast(isNew ? 'Het agendapunt is toegevoegd.' : 'Het agendapunt is opgeslagen.', 'ok');
}

/** The links of the dialog's rows as the server takes them, or an error in Dutch that names the
 *  row (and puts the cursor in the field to correct). Empty rows are left out. */
function readAttachments(docs) {
  const out = [];
  docs.forEach((d, i) => {
    const title = d.title.value.trim();
    let url = d.url.value.trim();
    if (!title && !url) return;
    const which = `Stuk ${i + 1}${title ? ` (“${title}”)` : ''}`;
    const bad = (el, msg) => {
      el.setAttribute('aria-invalid', 'true');
      el.focus();
      return new Error(`${which}: ${msg}`);
    };
    if (!url) throw bad(d.url, 'vul de link in.');
    url = url.replace(/^https?:/i, (x) => x.toLowerCase());
    if (!/^https?:\/\//.test(url)) throw bad(d.url, 'alleen links die beginnen met https:// (of http://) zijn toegestaan.');
    if (!ATTACHMENT_URL.test(url) || !safeHref(url)) throw bad(d.url, 'dit is geen geldige link (spaties, aanhalingstekens en < > kunnen er niet in).');
    if (!title) throw bad(d.title, 'geef het stuk een titel.');
    out.push({ title, url });
  });
  if (out.length > MAX_ATTACHMENTS) throw new Error(`Hoogstens ${MAX_ATTACHMENTS} stukken per agendapunt.`);
  return out;
}

/** A title for a pasted link: its file name ("Raadsvoorstel PmG.pdf"), else its host. */
function titleFromUrl(url) {
  const href = safeHref(url);
  if (!href) return '';
  const u = new URL(href);
  const last = u.pathname.split('/').filter(Boolean).pop();
  let name = u.host;
  if (last) {
    try { name = decodeURIComponent(last); } catch { name = last; }
  }
  return name.replace(/[-_]+/g, ' ').slice(0, 200);
}
