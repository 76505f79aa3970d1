// Who did what (issue 11): the history of an action, agenda item or meeting ("gewijzigd door …
// op …", the changes below it) and a body's change log (het logboek) for its chair and
// secretary. The server decides what may be seen; this only shows it.
import { h, replace } from './dom.js';
import { label, ACTION_STATUS, ACTION_KIND, MEETING_STATUS, ROLES, fmtDateTime, fmtDateShort, fmtTime, fmtDay } from './format.js';
import { button, empty, loading, toast } from './ui.js';

/** "2 dec 2026 10:15": when an entry was made. */
const when = (iso) => `${fmtDateShort(iso)} ${fmtTime(iso)}`;

const WHAT = {
  'action.created': 'aangemaakt', 'action.updated': 'gewijzigd',
  'agenda.added': 'op de agenda gezet', 'agenda.updated': 'gewijzigd', 'agenda.removed': 'verwijderd',
  'meeting.created': 'gepland', 'meeting.updated': 'gewijzigd',
  'membership.added': 'toegevoegd', 'membership.updated': 'gewijzigd', 'membership.removed': 'beëindigd',
  'minutes.noted': 'gewijzigd', 'minutes.submitted': 'ter vaststelling gestuurd', 'minutes.approved': 'vastgesteld',
  'attendance.updated': 'gewijzigd', 'attendance.removed': 'verwijderd',
  'minutes.amended': 'voorgesteld', 'minutes.withdrawn': 'ingetrokken', 'amendment.decided': 'beoordeeld bij de vaststelling',
  'agenda.reorder': 'in een nieuwe volgorde gezet', 'backlog.reorder': 'in een nieuwe volgorde gezet',
};

const SUBJECT = {
  action: 'Actie', item: 'Agendapunt', meeting: 'Vergadering', membership: 'Lidmaatschap', notes: 'Notulen', minutes: 'Verslag',
  attendance: 'Presentielijst', amendment: 'Redactievoorstel', agenda: 'Agenda', backlog: 'Te agenderen',
};

const FIELDS = {
  status: 'status', due: 'deadline', text: 'omschrijving', owner: 'eigenaar', owner_org: 'organisatie',
  kind: 'soort', decided_on: 'datum', title: 'titel', description: 'toelichting', duration: 'duur',
  presenter: 'inleider', confidential: 'vertrouwelijk', relevant: 'relevant voor', persons: 'personen',
  meeting: 'vergadering', location: 'locatie', start: 'begin', end: 'einde', role: 'rol',
  substitute_for: 'vervangt', items: 'punten', minutes: 'verslagtekst', attachments: 'bijlagen',
  notice: 'bericht', leaves_early: 'vertrekt eerder', substitute: 'vervanger', note: 'toelichting',
};

function value(store, field, v) {
  if (v === null || v === undefined || v === '') return 'leeg';
  if (typeof v === 'boolean') return v ? 'ja' : 'nee';
  if (field === 'owner' || field === 'presenter' || field === 'substitute_for') return store.personName(v);
  if (field === 'owner_org') return store.orgName(v);
  if (field === 'status') return label(v in ACTION_STATUS ? ACTION_STATUS : MEETING_STATUS, v);
  if (field === 'kind') return label(ACTION_KIND, v);
  if (field === 'role') return label(ROLES, v);
  if ((field === 'due' || field === 'decided_on') && /^\d{4}-\d\d-\d\d$/.test(v)) return fmtDay(v);
  if ((field === 'start' || field === 'end') && typeof v === 'string') return fmtDateTime(v);
  if (typeof v === 'string') return v.length > 80 ? `“${v.slice(0, 77)}…”` : `“${v}”`;
  if (Array.isArray(v)) return v.length ? `${v.length}` : 'geen';
  return 'gewijzigd';
}

/** "status: Open → Afgerond; deadline: 8 dec. 2026 → leeg" (what a change did). */
export function changeText(store, e) {
  if (e.first && e.action.endsWith('.created')) return '';
  return e.changes.filter((c) => c.field in FIELDS)
    .map((c) => `${FIELDS[c.field]}: ${value(store, c.field, c.before)} → ${value(store, c.field, c.after)}`).join('; ');
}

function entryLine(store, e, { withSubject = false } = {}) {
  const what = WHAT[e.action] || e.action;
  const changes = changeText(store, e);
  let title = e.title;
  if (e.subject_kind === 'meeting' || e.subject_kind === 'minutes') title = e.title && /^\d{4}-/.test(e.title) ? `van ${fmtDateTime(e.title)}` : null;
  if (e.subject_kind === 'membership') title = store.personName(e.subject);
  const quoted = title && e.subject_kind !== 'meeting' && e.subject_kind !== 'minutes' && e.subject_kind !== 'membership'
    ? `“${title.length > 60 ? `${title.slice(0, 57)}…` : title}”` : title;
  const about = withSubject ? `${SUBJECT[e.subject_kind] || e.subject_kind}${quoted ? ` ${quoted}` : ''} ` : '';
  return h('li', { class: 'history-entry', dataset: { entry: e.id } },
    h('time', { datetime: e.at, class: 'muted' }, when(e.at)), ' ',
    h('strong', null, e.actor_name || 'ketentafel'), ` ${about}${what}`,
    changes ? h('span', { class: 'history-changes' }, `: ${changes}`) : null);
}

/** "Gewijzigd door Ilse de Wit op 2 dec. 2026 10:15" for the newest entry (or "Aangemaakt door"). */
export function changedBy(e) {
  const verb = e.action.endsWith('.created') || e.action === 'agenda.added' ? 'Aangemaakt' : 'Gewijzigd';
  return `${verb} door ${e.actor_name || 'ketentafel'} op ${when(e.at)}`;
}

/**
 * A "Geschiedenis" toggle for one action ({action: id}), agenda item ({item: id}) or meeting:
 * opened, it says who changed it last and when, with every change below it. open: start open
 * (and load); onToggle(open) is told when the user opens or closes it.
 */
export function historyToggle(store, args, name, { open: startOpen = false, onToggle = null } = {}) {
  const box = h('div', { class: 'history', hidden: true });
  // what the history is of; entries about its parts (attendance, notes, redactievoorstellen,
  // the agenda's order) say what they are about
  const kind = Object.keys(args)[0];
  const toggle = h('button', { type: 'button', class: 'linkish history-toggle no-print', 'aria-expanded': 'false', 'aria-label': `Geschiedenis van: ${name.slice(0, 60)}` }, 'Geschiedenis');
  const show = async (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    box.hidden = !open;
    onToggle?.(open);
    if (!open) return;
    replace(box, loading('Geschiedenis laden…'));
    try {
      const r = await store.request('audit.history', args);
      const { entries } = r;
      if (!entries.length && !r.more) { replace(box, empty('Nog geen wijzigingen vastgelegd.')); return; }
      // A long history comes in pages (audit.history: more / next): the rest on "Meer laden".
      const list = h('ol', { class: 'history-list small', 'aria-label': 'Geschiedenis' }, entries.map((e) => entryLine(store, e, { withSubject: e.subject_kind !== kind })));
      const more = h('div');
      let next = r.next;
      const page = async () => {
        try {
          const p = await store.request('audit.history', { ...args, before: next });
          for (const e of p.entries) list.appendChild(entryLine(store, e, { withSubject: e.subject_kind !== kind }));
          next = p.next;
          replace(more, p.more && next ? button('Meer laden', page, { class: 'btn btn-small' }) : null);
        } catch (e) {
          toast(e.message, 'error');
        }
      };
      replace(more, r.more && next ? button('Meer laden', page, { class: 'btn btn-small' }) : null);
      replace(box, entries.length ? h('p', { class: 'history-last small' }, changedBy(entries[0])) : null, list, more);
    } catch (e) {
      replace(box, h('p', { class: 'form-error' }, e.message));
    }
  };
  toggle.addEventListener('click', () => show(toggle.getAttribute('aria-expanded') !== 'true'));
  if (startOpen) show(true); // drawn again (a live change): open as it was
  return h('div', { class: 'history-wrap' }, toggle, box);
}

/** The body's change log (logboek), for its chair and secretary: newest first, page by page. */
export async function changeLogPanel(ctx, { container, body }) {
  const { store } = ctx;
  await Promise.all([store.loadOrgs(), store.loadPersons()]).catch(() => null);
  const list = h('ol', { class: 'history-list changelog', 'aria-label': 'Logboek' });
  const more = h('div');
  replace(container, h('section', { class: 'panel', 'aria-labelledby': 'h-log' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'h-log' }, 'Logboek')),
    h('p', { class: 'small muted' }, 'Wie wat wanneer heeft gewijzigd aan acties, besluiten, agendapunten, vergaderingen, leden en het verslag. U ziet alleen wat u mag zien.'),
    list, more));
  let next = null;
  async function page() {
    try {
      const r = await store.request('audit.body', { body: body.id, limit: 50, ...(next ? { before: next } : {}) });
      for (const e of r.entries) list.appendChild(entryLine(store, e, { withSubject: true }));
      next = r.next;
      if (!list.children.length) replace(more, empty('Nog geen wijzigingen vastgelegd.'));
      else replace(more, r.more && next ? button('Meer laden', page, { class: 'btn btn-small' }) : null);
    } catch (e) {
      toast(e.message, 'error');
    }
  }
  await page();
  return {};
}
