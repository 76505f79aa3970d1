// Signaleringen of a body, for its chair and secretary: meetings that overlap for the same
// people or organisations, and agenda items that another body may be treating too. Each can be
// coordinated ("afgestemd", with who leads) or kept on purpose ("bewust dubbel"), with a note; a
// possible duplicate can be dismissed as "geen overlap" (the detector learns from it).
import { h, replace } from './dom.js';
import { fmtDate, fmtTime } from './format.js';
import { badge, empty, loading, select, field, textarea, formDialog, toast, button } from './ui.js';

export const KIND = { conflict: 'Vergaderingen overlappen', duplicate: 'Mogelijk dubbel geagendeerd' };
export const STATE = { open: 'Open', afgestemd: 'Afgestemd', bewust_dubbel: 'Bewust dubbel', geen_overlap: 'Geen overlap', vervallen: 'Vervallen' };

/** How strong a possible duplicate is, in words: from a score of 0.3 nearly every pair the
 *  detector finds is a real duplicate (68 of 70 on the two labelled sets), between the flag
 *  threshold 0.2 and 0.3 about five in six are (73 of 87; server/src/detect/README.md). Not
 *  for a flag whose other item is hidden: nothing graded is told about a confidential item. */
export const STRONG_SCORE = 0.3;
export function strength(f) {
  if (f.kind !== 'duplicate' || f.other?.hidden || typeof f.score !== 'number') return null;
  return f.score >= STRONG_SCORE ? 'Sterke overeenkomst' : 'Gedeeltelijke overeenkomst';
}

/** Asks what was agreed (and, for afgestemd, which body leads) and resolves or reopens the flag.
 *  Returns the flag as the server now has it, or null when the user cancelled. */
export async function resolveDialog(store, f, state) {
  let note;
  let lead;
  const ok = await formDialog({
    title: state === 'afgestemd' ? 'Afgestemd met het andere overleg' : state === 'bewust_dubbel' ? 'Bewust dubbel houden' : state === 'geen_overlap' ? 'Geen overlap: een ander onderwerp' : 'Signalering heropenen',
    submitLabel: 'Vastleggen',
    danger: false,
    build: (el) => {
      note = textarea({ rows: 3, maxLength: 4000, value: f.note || '' });
      el.append(field(state === 'open' ? 'Waarom opnieuw open?' : state === 'geen_overlap' ? 'Waarom is dit geen overlap? (optioneel)' : 'Wat is afgesproken?', note, { wide: true }));
      if (state === 'afgestemd') {
        lead = select([[String(f.here.body), `${f.here.body_name} (dit overleg)`], [String(f.other.body), f.other.body_name]], f.lead_body ?? f.here.body);
        el.append(field(f.kind === 'duplicate' ? 'Welk overleg neemt het onderwerp voor zijn rekening?' : 'Welk overleg past zich niet aan (leidt)?', lead, { required: true }));
      }
    },
    submit: async () => {
      const args = { flag: f.id, state, note: note.value.trim() };
      if (lead) args.lead_body = Number(lead.value);
      return store.request('flag.resolve', args);
    },
  });
  if (!ok) return null;
  toast('De signalering is bijgewerkt.', 'ok');
  return ok.flag || null;
}

function side(s, { here }) {
  const when = s.start ? `${fmtDate(s.start)}${s.end ? `, ${fmtTime(s.start)}–${fmtTime(s.end)}` : `, ${fmtTime(s.start)}`}` : 'te agenderen (nog geen vergadering)';
  return h('div', { class: 'flag-side' },
    h('h4', null, here ? 'Dit overleg' : 'Ander overleg'),
    h('p', null, h('strong', null, s.body_name), s.scope ? h('span', { class: 'muted' }, ` · ${s.scope}`) : null),
    h('p', null, here && s.meeting ? h('a', { href: `#/vergadering/${s.meeting}` }, when) : when,
      s.projected ? h('span', { class: 'muted' }, ' (verwachte vergadering volgens de frequentie)') : null),
    s.item ? h('p', null, '“', s.title, '”') : s.hidden ? h('p', { class: 'muted' }, 'Een vertrouwelijk agendapunt (u kunt het niet inzien).') : null,
    s.location ? h('p', { class: 'small muted' }, s.location) : null,
    s.contacts?.length ? h('p', { class: 'small' }, 'Contact: ', s.contacts.map((c, i) => [i ? ', ' : '',
      h('a', { href: `mailto:${c.email}` }, c.name), ` (${c.role})`])) : null);
}

function evidence(f) {
  const e = f.evidence || {};
  if (f.kind === 'duplicate') {
    const grade = strength(f);
    return e.subject || e.shared ? h('p', { class: 'small' }, grade ? `${grade} · ` : null, 'Beide over: ', h('strong', null, e.subject || e.shared)) : null;
  }
  const parts = [];
  if (e.from && e.until) parts.push(`Overlap ${fmtTime(e.from)}–${fmtTime(e.until)}`);
  if (e.persons?.length) parts.push(`personen: ${e.persons.map((p) => p.name || p.id).join(', ')}`);
  if (e.orgs?.length) parts.push(`organisaties zonder andere vertegenwoordiger: ${e.orgs.map((o) => o.name || o.id).join(', ')}`);
  if (e.location) parts.push(`zelfde zaal: ${e.location}`);
  if (!e.overlap && e.travel_buffer_min) parts.push(`minder dan ${e.travel_buffer_min} minuten reistijd ertussen`);
  return parts.length ? h('p', { class: 'small' }, parts.join(' · ')) : null;
}

export async function flagsPanel(ctx, { container, body, live }) {
  const { store } = ctx;
  const flags = new Map();
  const filter = select([['open', 'Open signaleringen'], ['', 'Alle signaleringen']], 'open', { 'aria-label': 'Welke signaleringen' });
  const list = h('div', null, loading());
  filter.addEventListener('change', draw);
  replace(container, h('section', { class: 'panel', 'aria-labelledby': 'h-flags' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'h-flags' }, 'Signaleringen'), filter),
    h('p', { class: 'hint' }, 'Ketentafel signaleert vergaderingen die tegelijk vallen voor dezelfde mensen of organisaties, en agendapunten die een ander overleg ook lijkt te behandelen. Stem af met het andere overleg en leg vast wat u afsprak.'),
    list));

  async function resolve(f, state) {
    const flag = await resolveDialog(store, f, state);
    if (flag) {
      flags.set(flag.id, flag);
      draw();
    }
  }

  function draw() {
    const rows = [...flags.values()].filter((f) => !filter.value || f.state === filter.value)
      // Open ones first, the strongest on top; then the most recently changed.
      .sort((a, b) => (a.state === 'open' ? 0 : 1) - (b.state === 'open' ? 0 : 1) || (b.score || 0) - (a.score || 0)
        || String(b.updated_at).localeCompare(String(a.updated_at)));
    if (!rows.length) {
      replace(list, empty(filter.value === 'open' ? 'Er zijn geen open signaleringen.' : 'Er zijn geen signaleringen.'));
      return;
    }
    replace(list, h('ul', { class: 'plain-list' }, rows.map((f) => h('li', { class: ['flag', `state-${f.state}`], dataset: { flag: f.id } },
      h('div', { class: 'flag-head' }, h('strong', null, KIND[f.kind] || f.kind), badge(STATE[f.state] || f.state, f.state === 'open' ? 'warn' : '')),
      h('div', { class: 'flag-sides' }, side(f.here, { here: true }), side(f.other, { here: false })),
      evidence(f),
      f.note ? h('p', { class: 'flag-note' }, `Afspraak: ${f.note}`) : null,
      f.lead_body ? h('p', { class: 'small' }, `Leidend: ${f.lead_body === f.here.body ? f.here.body_name : f.other.body_name}`) : null,
      h('div', { class: 'row-actions' }, f.state === 'open'
        ? [button('Afgestemd…', () => resolve(f, 'afgestemd'), { class: 'btn btn-small' }),
          button('Bewust dubbel…', () => resolve(f, 'bewust_dubbel'), { class: 'btn btn-small' }),
          f.kind === 'duplicate' ? button('Geen overlap…', () => resolve(f, 'geen_overlap'), { class: 'btn btn-small' }) : null]
        : f.state !== 'vervallen' ? button('Heropenen', () => resolve(f, 'open'), { class: 'btn btn-small' }) : null)))));
  }

  const r = await store.listAll('flag.list', 'flags', { body: body.id });
  for (const f of r.flags || []) flags.set(f.id, f);
  draw();
  live.push((f) => {
    if ((f.event === 'flag.raised' || f.event === 'flag.updated') && f.data.flag) {
      flags.set(f.data.flag.id, f.data.flag);
      draw();
    }
  });
}
