// The verslag of a meeting (#/vergadering/12/verslag) and a body's besluitenlijst
// (#/overleg/3/besluitenlijst) as pages to print (the print stylesheet leaves out everything
// but the document) and to download as Markdown in the shape of the seeds' verslagen. The server
// decides what is in them for the reader (export.minutes, export.decisions): a confidential
// item the reader may not see is a "besloten punt" placeholder, or not there for a guest.
import { h, replace } from './dom.js';
import { label, ACTION_KIND, MEETING_STATUS } from './format.js';
import { pageHead, loading, button, toast, badge, empty, field, input } from './ui.js';
import { markdownBlock } from './md.js';

const ROLE_AT = { voorzitter: 'Voorzitter', notulist: 'Notulist', gast: 'Gast' };

/** Saves text as a file (a blob link clicked once; nothing leaves the browser). */
export function download(filename, textValue) {
  const url = URL.createObjectURL(new Blob([textValue], { type: 'text/markdown;charset=utf-8' }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function toolbar(r, back) {
  return h('div', { class: 'toolbar no-print' },
    button('Afdrukken', () => window.print(), { class: 'btn btn-primary' }),
    button('Downloaden (Markdown)', () => { download(r.filename, r.markdown); toast(`${r.filename} is gedownload.`, 'ok'); }),
    back);
}

function person(a) {
  return `${a.name}${a.org_name ? ` (${a.org_name})` : ''}`;
}

function attendanceSection(att) {
  if (!att.length) return null;
  const absent = (a) => a.status === 'afwezig' || a.status === 'vervangen';
  const present = att.filter((a) => !absent(a));
  const gone = att.filter(absent);
  const roles = present.filter((a) => ROLE_AT[a.role] && a.role !== 'gast');
  const others = present.filter((a) => !roles.includes(a));
  const note = (a) => [a.status === 'later' ? 'schuift later aan' : null, a.leaves_early ? 'vertrekt eerder' : null,
    a.substitute_name ? `vervangen door ${a.substitute_name}${a.substitute_kind === 'vast' ? ' (vast)' : a.substitute_kind === 'eenmalig' ? ' (eenmalig)' : ''}` : null,
    a.notice === 'zonder_bericht' ? 'zonder bericht' : null, a.role === 'gast' ? 'gast' : null].filter(Boolean).join(', ');
  const li = (a) => h('li', null, person(a), note(a) ? h('span', { class: 'muted' }, ` – ${note(a)}`) : null);
  return h('section', { class: 'doc-section', 'aria-labelledby': 'h-doc-att' },
    h('h2', { id: 'h-doc-att' }, 'Aanwezigheid'),
    roles.length ? h('dl', { class: 'facts doc-roles' }, roles.map((a) => h('div', null, h('dt', null, ROLE_AT[a.role]), h('dd', null, a.name)))) : null,
    h('h3', null, `Aanwezig (${present.length})`),
    others.length ? h('ul', { class: 'doc-people' }, others.map(li)) : null,
    gone.length ? [h('h3', null, `Afwezig (${gone.length})`), h('ul', { class: 'doc-people' }, gone.map(li))] : null);
}

function outcomeList(outs) {
  if (!outs.length) return null;
  return h('ul', { class: 'doc-outcomes' }, outs.map((o) => h('li', null,
    badge(label(ACTION_KIND, o.kind)), ' ', o.text,
    o.kind !== 'besluit' && (o.owner_name || o.due_text) ? h('span', { class: 'muted' },
      ` (${[o.owner_name, o.due_text ? `deadline ${o.due_text}` : null].filter(Boolean).join(', ')})`) : null)));
}

/**
 * The whole verslag: export.minutes hands a long one out in parts (part, more, next_part); their
 * entries appended and their Markdown concatenated are the document. An item whose outcomes go
 * on in the next part comes again there with `continued`: its outcomes join the item before.
 */
export async function exportMinutes(store, meeting) {
  let r = await store.request('export.minutes', { meeting });
  const all = { ...r, markdown: r.markdown, document: { ...r.document } };
  const d = all.document;
  for (let parts = 1; r.more && r.next_part !== null && parts < 10000; parts++) {
    r = await store.request('export.minutes', { meeting, part: r.next_part });
    d.attendance = d.attendance.concat(r.document.attendance);
    for (const it of r.document.items) {
      const last = d.items[d.items.length - 1];
      if (it.continued && last) last.outcomes = last.outcomes.concat(it.outcomes);
      else d.items.push(it);
    }
    d.other_outcomes = d.other_outcomes.concat(r.document.other_outcomes);
    all.markdown += r.markdown;
  }
  all.more = false;
  all.next_part = null;
  return all;
}

export async function renderMinutes(ctx) {
  const { store } = ctx;
  replace(ctx.root, loading('Verslag laden…'));
  const r = await exportMinutes(store, ctx.params.id);
  const d = r.document;
  ctx.setTitle(`${d.title} ${d.date_text || ''}`);
  const back = h('a', { href: `#/vergadering/${d.meeting.id}`, class: 'btn' }, 'Terug naar de vergadering');
  replace(ctx.root,
    pageHead(d.title, {
      crumbs: [['Mijn overleggen', '#/'], [d.body.name, `#/overleg/${d.body.id}`], ['Vergadering', `#/vergadering/${d.meeting.id}`], ['Verslag', null]],
    }),
    toolbar(r, back),
    h('article', { class: 'panel doc-page', 'aria-label': `${d.title} van ${d.date_text || ''}` },
      h('dl', { class: 'facts doc-facts' },
        h('div', null, h('dt', null, 'Datum'), h('dd', null, d.date_text || '—')),
        h('div', null, h('dt', null, 'Tijd'), h('dd', null, d.start_text ? `${d.start_text}–${d.end_text} uur` : '—')),
        h('div', null, h('dt', null, 'Plaats'), h('dd', null, d.meeting.location || '—')),
        h('div', null, h('dt', null, 'Status'), h('dd', null, label(MEETING_STATUS, d.meeting.status)))),
      attendanceSection(d.attendance),
      h('section', { class: 'doc-section', 'aria-labelledby': 'h-doc-items' },
        h('h2', { id: 'h-doc-items' }, 'Agendapunten'),
        d.items.length ? h('ol', { class: 'doc-items' }, d.items.map((it) => h('li', { class: ['doc-item', it.placeholder ? 'is-placeholder' : ''], value: it.position },
          h('h3', null, `${it.position}. `, it.placeholder ? h('span', { class: 'muted' }, 'Besloten punt') : it.title),
          it.placeholder ? h('p', { class: 'small muted' }, 'De inhoud van dit punt is alleen voor wie het mag zien.') : null,
          it.notes ? markdownBlock(it.notes, { headingBase: 4, className: 'doc-notes' }) : null,
          outcomeList(it.outcomes)))) : empty('Er zijn geen agendapunten.'),
        d.other_outcomes.length ? [h('h3', null, 'Overige besluiten en afspraken'), outcomeList(d.other_outcomes)] : null),
      d.minutes ? h('section', { class: 'doc-section', 'aria-labelledby': 'h-doc-min' },
        h('h2', { id: 'h-doc-min' }, 'Aanvullend verslag'), markdownBlock(d.minutes, { headingBase: 3 })) : null));
}

export async function renderDecisions(ctx) {
  const { store } = ctx;
  const q = ctx.params.query || new URLSearchParams();
  replace(ctx.root, loading('Besluitenlijst laden…'));
  const args = { body: ctx.params.id };
  if (q.get('van')) args.from = q.get('van');
  if (q.get('tot')) args.to = q.get('tot');
  const r = await store.request('export.decisions', args);
  const d = r.document;
  ctx.setTitle(d.title);
  const from = input({ type: 'date', value: d.from || '' });
  const to = input({ type: 'date', value: d.to || '' });
  const period = h('form', { class: 'inline-form no-print doc-period' }, field('Vanaf', from), field('Tot en met', to),
    h('button', { type: 'submit', class: 'btn' }, 'Periode tonen'));
  period.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (from.value) p.set('van', from.value);
    if (to.value) p.set('tot', to.value);
    location.hash = `#/overleg/${d.body.id}/besluitenlijst${p.toString() ? `?${p}` : ''}`;
  });
  const count = d.meetings.reduce((n, g) => n + g.decisions.length, 0);
  replace(ctx.root,
    pageHead(d.title, { crumbs: [['Mijn overleggen', '#/'], [d.body.name, `#/overleg/${d.body.id}`], ['Besluitenlijst', null]] }),
    toolbar(r, h('a', { href: `#/overleg/${d.body.id}/acties`, class: 'btn' }, 'Terug naar het overleg')),
    period,
    h('article', { class: 'panel doc-page', 'aria-label': d.title },
      h('p', { class: 'muted', role: 'status' }, `${count} ${count === 1 ? 'besluit' : 'besluiten'}${d.from || d.to ? ` (${[d.from ? `vanaf ${d.from}` : null, d.to ? `tot en met ${d.to}` : null].filter(Boolean).join(' ')})` : ''}.`),
      d.meetings.length ? d.meetings.map((g, i) => h('section', { class: 'doc-section', 'aria-labelledby': `h-dec-${i}` },
        h('h2', { id: `h-dec-${i}` }, g.meeting ? h('a', { href: `#/vergadering/${g.meeting}` }, g.heading) : g.heading),
        h('ol', { class: 'doc-decisions' }, g.decisions.map((x) => h('li', null, x.text,
          x.item_title ? h('span', { class: 'muted' }, ` (agendapunt ${x.item_position}: ${x.item_title})`) : null)))))
        : empty('Er zijn (in deze periode) geen besluiten die u kunt zien.'),
      // A long history comes in parts (export.decisions: more / next_from).
      r.more && r.next_from ? h('p', { class: 'no-print' }, 'De lijst is lang en stopt hier. ',
        h('a', { href: `#/overleg/${d.body.id}/besluitenlijst?${new URLSearchParams({ van: r.next_from, ...(d.to ? { tot: d.to } : {}) })}` }, `Volgende besluiten (vanaf ${r.next_from})`)) : null));
}

export const minutesView = { render: renderMinutes };
export const decisionsView = { render: renderDecisions };
