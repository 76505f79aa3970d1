// Actiepunten, toezeggingen and besluiten: per body (a tab) and "Mijn acties" across all bodies.
import { h, replace } from './dom.js';
import { label, ACTION_KIND, ACTION_STATUS, fmtDay, fmtDateShort, fmtTime, todayYmd, canParticipate, canEdit, mayChangeAction } from './format.js';
import { badge, pageHead, loading, empty, field, input, textarea, select, formDialog, toast, button, checkbox } from './ui.js';
import { historyToggle } from './history.js';

const OPEN = new Set(['open', 'lopend']);

function ownerText(store, a) {
  if (a.kind === 'besluit') return `Besluit van ${a.body_name}`;
  const parts = [];
  if (a.owner) parts.push(store.personName(a.owner));
  if (a.owner_org) parts.push(store.orgName(a.owner_org));
  return parts.join(' · ') || '—';
}

/** "uit: <agendapunt>": where an action came from, linked to its meeting (or the backlog) when
 *  this session has seen where the item sits (not when that is the page it is on, here); null
 *  for an action without an item. */
export function originLine(store, a, { here = null } = {}) {
  if (!a.item || !a.item_title) return null;
  const where = store.itemWhere.get(a.item);
  const meeting = where ? where.meeting : a.item_meeting;
  let title = a.item_title;
  if (meeting && meeting === here) title = a.item_title; // on this very page
  else if (meeting) title = h('a', { href: `#/vergadering/${meeting}/punt/${a.item}` }, a.item_title);
  else if (where || a.item_meeting === null) title = h('a', { href: `#/overleg/${a.body}/agenderen` }, a.item_title);
  return h('span', { class: 'action-origin' }, h('span', { class: 'muted' }, 'uit: '), title);
}

/** "gewijzigd door Ilse de Wit op 4 mrt. 2027 10:15": who changed the action last, or
 *  "vastgelegd door …" while nobody changed it after it was recorded (within the same second
 *  the two cannot be told apart: the name is the one who touched it last either way). */
export function changedLine(store, a) {
  const who = a.updated_by || a.created_by;
  const at = a.updated_at || a.created_at;
  if (!who || !at) return null;
  const changed = a.updated_by !== a.created_by || a.updated_at !== a.created_at;
  return h('span', { class: 'action-changed small muted' },
    `${changed ? 'gewijzigd' : 'vastgelegd'} door ${store.personName(who)} op ${fmtDateShort(at)} ${fmtTime(at)}`);
}

/** "besloten op 4 mrt. 2027" or "deadline 8 dec. 2026" (or null). */
export function dateText(a) {
  if (a.kind === 'besluit') return a.decided_on ? `besloten op ${fmtDay(a.decided_on)}` : null;
  return a.due ? `deadline ${fmtDay(a.due)}` : null;
}

function isOverdue(a, today) {
  return !!a.due && a.due < today && OPEN.has(a.status);
}

/** The filter bar; calls onChange() when anything changes. */
function filters({ withOwner, mine }, onChange) {
  const status = select([['openstaand', 'Openstaand (open en lopend)'], ['', 'Alle statussen'], ...Object.entries(ACTION_STATUS)], 'openstaand', { name: 'status' });
  const kind = select([['', 'Alle soorten'], ...Object.entries(ACTION_KIND)], '', { name: 'kind' });
  const owner = withOwner ? select([['', 'Iedereen'], ['me', 'Ik of mijn organisatie']], mine ? 'me' : '', { name: 'owner' }) : null;
  let ownerKeys = '';
  const overdue = checkbox('Alleen te laat', false, { name: 'overdue' });
  const search = input({ type: 'search', placeholder: 'Zoek in tekst', name: 'q' });
  for (const el of [status, kind, owner, overdue.box]) el?.addEventListener('change', onChange);
  search.addEventListener('input', onChange);
  const bar = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filters' },
    field('Status', status), field('Soort', kind), owner ? field('Eigenaar', owner) : null, field('Zoeken', search), overdue.el);
  return {
    bar,
    /** Offers every owner that occurs in the list (persons and organisations) as a choice. */
    owners(list, store) {
      if (!owner) return;
      const opts = new Map();
      for (const a of list) {
        if (a.owner) opts.set(`p${a.owner}`, store.personName(a.owner));
        if (a.owner_org) opts.set(`o${a.owner_org}`, store.orgName(a.owner_org));
      }
      const sorted = [...opts.entries()].sort((x, y) => x[1].localeCompare(y[1], 'nl'));
      const keys = sorted.map(([k]) => k).join(',');
      if (keys === ownerKeys) return;
      ownerKeys = keys;
      const cur = owner.value;
      owner.replaceChildren();
      for (const [v, l] of [['', 'Iedereen'], ['me', 'Ik of mijn organisatie'], ...sorted]) {
        owner.appendChild(h('option', { value: v, selected: v === cur }, l));
      }
    },
    match(a, store, today) {
      if (status.value === 'openstaand' && !OPEN.has(a.status)) return false;
      if (status.value && status.value !== 'openstaand' && a.status !== status.value) return false;
      if (kind.value && a.kind !== kind.value) return false;
      if (owner?.value === 'me' && a.owner !== store.me.id && a.owner_org !== store.me.org) return false;
      if (owner?.value?.startsWith('p') && a.owner !== Number(owner.value.slice(1))) return false;
      if (owner?.value?.startsWith('o') && a.owner_org !== Number(owner.value.slice(1))) return false;
      if (overdue.box.checked && !isOverdue(a, today)) return false;
      if (search.value.trim() && !a.text.toLowerCase().includes(search.value.trim().toLowerCase())) return false;
      return true;
    },
  };
}

function actionTable(store, list, { showBody, canEditOf }) {
  const today = todayYmd();
  return h('table', { class: 'table actions-table' },
    h('caption', { class: 'sr-only' }, 'Acties, toezeggingen en besluiten'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Soort'), h('th', { scope: 'col' }, 'Omschrijving'),
      showBody ? h('th', { scope: 'col' }, 'Overleg') : null,
      h('th', { scope: 'col' }, 'Eigenaar'), h('th', { scope: 'col' }, 'Deadline of datum'),
      h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Bewerken')))),
    h('tbody', null, list.map((a) => {
      const late = isOverdue(a, today);
      const editable = canEditOf(a);
      const besluit = a.kind === 'besluit';
      let statusCell = besluit ? h('span', { class: 'muted' }, '—') : badge(label(ACTION_STATUS, a.status), `as-${a.status}`);
      if (editable && !besluit) {
        statusCell = select(ACTION_STATUS, a.status, { 'aria-label': `Status van: ${a.text.slice(0, 60)}`, class: 'status-select' });
        statusCell.addEventListener('change', async () => {
          try {
            await store.request('action.update', { action: a.id, status: statusCell.value });
            toast(`Status gewijzigd in “${label(ACTION_STATUS, statusCell.value)}”.`, 'ok');
          } catch (e) {
            statusCell.value = a.status;
            toast(e.message, 'error');
          }
        });
      }
      return h('tr', { class: late ? 'is-overdue' : '', dataset: { action: a.id } },
        h('td', { 'data-label': 'Soort' }, badge(label(ACTION_KIND, a.kind), `ak-${a.kind}`)),
        h('td', { 'data-label': 'Omschrijving', class: 'action-text' }, a.text, originLine(store, a), changedLine(store, a), historyToggle(store, { action: a.id }, a.text)),
        showBody ? h('td', { 'data-label': 'Overleg' }, h('a', { href: `#/overleg/${a.body}/acties` }, a.body_name)) : null,
        h('td', { 'data-label': 'Eigenaar' }, ownerText(store, a)),
        h('td', { 'data-label': besluit ? 'Datum' : 'Deadline' }, besluit ? (a.decided_on ? `besloten op ${fmtDay(a.decided_on)}` : '—') : (a.due ? fmtDay(a.due) : '—'),
          late ? h('span', { class: 'overdue-flag' }, ' te laat') : null),
        h('td', { 'data-label': 'Status' }, statusCell),
        h('td', { 'data-label': '' }, editable
          ? button('Bewerken', () => actionDialog({ store, action: a, bodyId: a.body, canDecide: canEdit(store.roleIn(a.body)) }), { class: 'btn btn-small', 'aria-label': `Bewerken: ${a.text.slice(0, 60)}` })
          : canParticipate(store.roleIn(a.body))
            ? button('Wijziging voorstellen', () => proposeDialog({ store, action: a }), { class: 'btn btn-small', 'aria-label': `Wijziging voorstellen: ${a.text.slice(0, 60)}` })
            : null));
    })));
}

const KIND_TITLES = { actiepunt: 'Actiepunt vastleggen', toezegging: 'Toezegging vastleggen', besluit: 'Besluit vastleggen' };

/**
 * Add (action null) or edit an action of a body. item: the agenda item a new action comes from;
 * kind: the kind a new one starts as; canDecide: the caller may record besluiten (chair or
 * secretary); day: the default date of a besluit (the meeting's day, YYYY-MM-DD).
 * A besluit has a date and no owner, deadline or status: the form shows only what fits the kind.
 */
export async function actionDialog({ store, action, bodyId, members, item = null, kind = null, canDecide = false, day = null }) {
  const orgs = await store.loadOrgs();
  await store.loadPersons().catch(() => null);
  let mem = members;
  if (!mem) {
    try { mem = (await store.bodyGet(bodyId, { backlog_limit: 0 })).members; } catch { mem = []; }
  }
  const f = {};
  const isNew = !action;
  const startKind = action?.kind || kind || 'actiepunt';
  const kinds = Object.entries(ACTION_KIND).filter(([k]) => canDecide || k !== 'besluit' || startKind === 'besluit');
  const ok = await formDialog({
    title: isNew ? (kind ? KIND_TITLES[kind] : 'Actie, toezegging of besluit toevoegen') : 'Bewerken',
    submitLabel: isNew ? 'Toevoegen' : 'Opslaan',
    build: (el) => {
      f.kind = select(kinds, startKind, { name: 'kind', disabled: !canDecide && startKind === 'besluit' });
      f.text = textarea({ value: action?.text || '', maxLength: 4000, rows: 3, name: 'text' });
      const personOpts = [['', '— geen persoon —'], ...mem.slice().sort((a, b) => a.name.localeCompare(b.name, 'nl'))
        .map((m) => [String(m.person), `${m.name} (${m.org_name})`])];
      if (action?.owner && !mem.some((m) => m.person === action.owner)) personOpts.push([String(action.owner), store.personName(action.owner)]);
      const ownerDefault = action ? action.owner ?? '' : kind === 'toezegging' ? '' : store.me.id;
      f.owner = select(personOpts, ownerDefault, { name: 'owner' });
      const orgOpts = [['', '— geen organisatie —'], ...[...orgs.values()].sort((a, b) => a.name.localeCompare(b.name, 'nl')).map((o) => [String(o.id), o.name])];
      f.org = select(orgOpts, action?.owner_org ?? '', { name: 'owner_org' });
      f.due = input({ type: 'date', value: action?.due || '', name: 'due' });
      f.status = select(ACTION_STATUS, action?.status || 'open', { name: 'status' });
      f.day = input({ type: 'date', value: action?.decided_on || day || todayYmd(), name: 'decided_on' });
      const origin = item ? item.title : action?.item_title;
      const ownerRow = h('div', { class: 'field-row' }, field('Eigenaar (persoon)', f.owner), field('Of: organisatie', f.org));
      const dueRow = h('div', { class: 'field-row' }, field('Deadline', f.due), field('Status', f.status));
      const dayRow = h('div', { class: 'field-row' }, field('Datum van het besluit', f.day,
        { hint: 'Een besluit is van het overleg: het heeft een datum, geen eigenaar of deadline.' }));
      const sync = () => {
        const besluit = f.kind.value === 'besluit';
        ownerRow.hidden = besluit;
        dueRow.hidden = besluit;
        dayRow.hidden = !besluit;
      };
      f.kind.addEventListener('change', sync);
      sync();
      el.append(origin ? h('p', { class: 'notice small' }, h('span', { class: 'muted' }, 'Bij agendapunt: '), h('strong', null, origin)) : null,
        field('Soort', f.kind), field('Omschrijving', f.text, { required: true, wide: true }), ownerRow, dueRow, dayRow);
    },
    submit: async () => {
      const text = f.text.value.trim();
      if (!text) throw new Error('Vul een omschrijving in.');
      let args;
      if (f.kind.value === 'besluit') {
        if (!f.day.value) throw new Error('Geef de datum van het besluit.');
        args = { kind: 'besluit', text, decided_on: f.day.value };
      } else {
        args = {
          kind: f.kind.value, text, status: f.status.value,
          owner: f.owner.value ? Number(f.owner.value) : null,
          owner_org: f.org.value ? Number(f.org.value) : null,
          due: f.due.value || null,
        };
      }
      if (isNew) return store.request('action.create', { body: bodyId, ...args, ...(item ? { item: item.id } : {}) });
      return store.request('action.update', { action: action.id, ...args });
    },
  });
  if (ok) toast(isNew ? (f.kind.value === 'besluit' ? 'Het besluit is vastgelegd.' : 'Toegevoegd.') : 'Opgeslagen.', 'ok');
  return ok;
}

/**
 * "Wijziging voorstellen": a member who may not change an action proposes a change to its owner
 * (or, for an action nobody owns and a besluit, to the chair and secretary); nothing changes
 * until they take it over.
 */
export async function proposeDialog({ store, action }) {
  const f = {};
  const besluit = action.kind === 'besluit';
  const who = besluit || (!action.owner && !action.owner_org) ? 'de voorzitter en de secretaris'
    : action.owner ? store.personName(action.owner) : store.orgName(action.owner_org);
  const ok = await formDialog({
    title: 'Wijziging voorstellen',
    submitLabel: 'Voorstel sturen',
    build: (el) => {
      f.text = textarea({ value: action.text, maxLength: 4000, rows: 3, name: 'text' });
      f.status = besluit ? null : select(ACTION_STATUS, action.status || 'open', { name: 'status' });
      f.due = besluit ? null : input({ type: 'date', value: action.due || '', name: 'due' });
      f.note = textarea({ value: '', maxLength: 1000, rows: 2, name: 'note' });
      el.append(h('p', { class: 'notice small' }, `Alleen de eigenaar, de voorzitter of de secretaris wijzigt dit. Uw voorstel gaat naar ${who}, die het kan overnemen.`),
        field('Omschrijving', f.text, { wide: true }),
        besluit ? null : h('div', { class: 'field-row' }, field('Status', f.status), field('Deadline', f.due)),
        field('Toelichting', f.note, { wide: true }));
    },
    submit: async () => {
      const args = { action: action.id };
      const text = f.text.value.trim();
      if (text && text !== action.text) args.text = text;
      if (f.status && f.status.value !== action.status) args.status = f.status.value;
      if (f.due && (f.due.value || null) !== (action.due || null)) args.due = f.due.value || null;
      if (f.note.value.trim()) args.note = f.note.value.trim();
      if (Object.keys(args).length === 1) throw new Error('Wijzig iets of geef een toelichting.');
      return store.request('action.propose', args);
    },
  });
  if (ok) toast(`Uw voorstel is naar ${who} gestuurd.`, 'ok');
  return ok;
}

/** action.list comes in pages (its next / more): every page of args, one request after the other.
 * For views that need the whole set (a meeting's actielijst, the counts on the start page). */
export async function listAllActions(store, args) {
  const all = [];
  let after = null;
  for (;;) {
    const r = await store.request('action.list', { ...args, ...(after ? { after } : {}) });
    all.push(...r.actions);
    if (!r.more || !r.next) return all;
    after = r.next;
  }
}

/** A "Meer laden" pager for an action list: loads the first page of args into actions (a Map)
 * and then one page per click; redraws with draw(). Returns the element that holds the button. */
function actionPager(store, args, actions, draw) {
  const more = h('div', { class: 'list-more' });
  let after = null;
  async function page() {
    try {
      const r = await store.request('action.list', { ...args, ...(after ? { after } : {}) });
      for (const a of r.actions) if (!actions.has(a.id)) actions.set(a.id, a);
      after = r.more ? r.next : null;
      replace(more, after ? button('Meer laden', page, { class: 'btn btn-small' }) : null);
      draw();
    } catch (e) {
      toast(e.message, 'error');
    }
  }
  return { more, first: page };
}

/** The actions tab of a body. live: array to push an event listener into. */
export async function actionsPanel(ctx, { container, body, members, role, live }) {
  const { store } = ctx;
  await store.loadOrgs().catch(() => null);
  const list = h('div', null, loading());
  const actions = new Map();
  const flt = filters({ withOwner: true }, draw);
  const participant = canParticipate(role);
  const pager = actionPager(store, { body: body.id }, actions, () => draw());
  replace(container, h('section', { class: 'panel', 'aria-labelledby': 'h-actions' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'h-actions' }, 'Acties, toezeggingen en besluiten'),
      participant ? button('Toevoegen', () => actionDialog({ store, action: null, bodyId: body.id, members, canDecide: canEdit(role) }), { class: 'btn btn-primary' }) : null),
    flt.bar, list, pager.more));
  function draw() {
    const today = todayYmd();
    flt.owners(actions.values(), store);
    const rows = [...actions.values()].filter((a) => flt.match(a, store, today))
      .sort((a, b) => (a.due || '9999').localeCompare(b.due || '9999') || a.id - b.id);
    replace(list,
      h('p', { class: 'small muted', role: 'status' }, `${rows.length} van ${actions.size} getoond.`),
      rows.length ? actionTable(store, rows, { showBody: false, canEditOf: (a) => mayChangeAction(store.me, a, role) }) : empty('Geen acties die aan de filters voldoen.'));
  }
  await pager.first();
  live.push((f) => {
    if (f.event === 'action.created' || f.event === 'action.updated') {
      actions.set(f.data.action.id, f.data.action);
      draw();
    }
  });
}

/** "Mijn acties": actions owned by me or my organisation, across all my bodies. */
export async function render(ctx) {
  const { store, conn } = ctx;
  ctx.setTitle('Mijn acties');
  await Promise.all([store.loadOrgs(), store.loadPersons()]).catch(() => null);
  const list = h('div', null, loading());
  const actions = new Map();
  const flt = filters({ withOwner: true, mine: true }, draw);
  const pager = actionPager(store, {}, actions, () => draw());
  replace(ctx.root,
    pageHead('Mijn acties', { sub: 'Actiepunten, toezeggingen en besluiten uit al uw overleggen. Standaard: wat bij u of uw organisatie openstaat.' }),
    h('section', { class: 'panel' }, flt.bar, list, pager.more));
  function draw() {
    const today = todayYmd();
    flt.owners(actions.values(), store);
    const rows = [...actions.values()].filter((a) => flt.match(a, store, today))
      .sort((a, b) => (a.due || '9999').localeCompare(b.due || '9999') || a.id - b.id);
    replace(list,
      h('p', { class: 'small muted', role: 'status' }, `${rows.length} van ${actions.size} getoond.`),
      rows.length ? actionTable(store, rows, { showBody: true, canEditOf: (a) => mayChangeAction(store.me, a, store.roleIn(a.body)) }) : empty('Geen acties die aan de filters voldoen.'));
  }
  const off = conn.on('event', (f) => {
    if (f.event === 'action.created' || f.event === 'action.updated') {
      actions.set(f.data.action.id, f.data.action);
      draw();
    }
  });
  ctx.onCleanup(off);
  await pager.first();
}
