// Agenderingsverzoeken: a member asks to put a topic on the body's agenda; the chair or
// secretary agendeert (backlog or a meeting) or wijst af with a reason. Items referred or moved
// here from another body wait in the same list; what this body referred elsewhere is listed
// too, so both bodies keep the link. The server decides who sees what (request.list).
import { h, replace } from './dom.js';
import { fmtDateShort, fmtDateLong, fmtTime, label, MEETING_STATUS, canEdit, canParticipate } from './format.js';
import { loading, empty, badge, button, toast, formDialog, field, input, textarea, select, errorBox, showError } from './ui.js';

const STATUS = { ingediend: 'Wacht op besluit', aanvaard: 'Geagendeerd', afgewezen: 'Afgewezen' };
const KIND = { verzoek: 'Verzoek', verwijzing: 'Verwezen', verplaatsing: 'Verplaatst' };

/** Meetings an item can still go on: not cancelled, not closed, not over. */
export function openMeetings(meetings) {
  const now = Date.now();
  return meetings.filter((m) => m.status !== 'geannuleerd' && m.status !== 'verslag_vastgesteld' && Date.parse(m.end) > now)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

function meetingOptions(meetings, none) {
  return [['', none], ...openMeetings(meetings).map((m) => [String(m.id), `${fmtDateShort(m.start)} ${fmtTime(m.start)} – ${label(MEETING_STATUS, m.status)}`])];
}

export async function requestsPanel(ctx, { container, body, role, meetings, live, onCount }) {
  const { store } = ctx;
  const editor = canEdit(role);
  const participant = canParticipate(role);
  let data = { requests: [], referrals: [], open: 0 };
  const list = h('div', null, loading('Verzoeken laden…'));
  const polite = h('p', { class: 'sr-only', 'aria-live': 'polite' });

  const title = input({ id: 'req-title', maxLength: 200, required: true });
  const desc = textarea({ id: 'req-desc', rows: 3, maxLength: 4000 });
  const when = select(meetingOptions(meetings(), 'Geen voorkeur'), '', { id: 'req-meeting' });
  const err = errorBox();
  const form = h('form', { class: 'request-form', novalidate: true },
    field('Onderwerp', title, { required: true }),
    field('Toelichting', desc, { hint: 'Waarom moet dit overleg het bespreken? Wat vraagt u van het overleg?' }),
    field('Gewenste vergadering', when),
    err,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Verzoek indienen')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    if (!title.value.trim()) {
      showError(err, new Error('Onderwerp: vul dit veld in.'));
      title.focus();
      return;
    }
    try {
      const args = { body: body.id, title: title.value.trim(), description: desc.value };
      if (when.value) args.meeting = Number(when.value);
      await store.request('request.create', args);
      title.value = '';
      desc.value = '';
      when.value = '';
      toast('Uw verzoek is ingediend. De voorzitter en secretaris beslissen erover.', 'ok');
      await load();
    } catch (ex) { showError(err, ex); }
  });

  replace(container,
    participant ? h('section', { class: 'panel', 'aria-labelledby': 'h-req-new' },
      h('h2', { id: 'h-req-new' }, 'Onderwerp aanmelden'),
      h('p', { class: 'hint' }, 'Vraag de voorzitter en secretaris een onderwerp te agenderen. U ziet hier wat er met uw verzoek gebeurt.'),
      form) : null,
    list, polite);

  function requestRow(r) {
    const from = r.source_body ? h('p', { class: 'small' },
      h('span', { class: 'muted' }, r.kind === 'verplaatsing' ? 'Verplaatst vanuit ' : 'Verwezen vanuit '),
      h('a', { href: `#/overleg/${r.source_body}` }, r.source_body_name)) : null;
    const where = r.status === 'aanvaard'
      ? (r.item_meeting ? h('a', { href: `#/vergadering/${r.item_meeting}` }, 'Staat op de agenda')
        : h('a', { href: `#/overleg/${body.id}/agenderen` }, 'Staat bij te agenderen'))
      : null;
    return h('li', { class: 'request-row', dataset: { request: r.id } },
      h('div', { class: 'request-main' },
        h('h3', { class: 'request-title' }, r.title),
        h('div', { class: 'item-meta' },
          badge(KIND[r.kind] || r.kind, `kind-${r.kind}`),
          badge(STATUS[r.status] || r.status, `req-${r.status}`),
          h('span', { class: 'small' }, `${r.requester_name}, ${fmtDateShort(r.created_at)}`),
          r.meeting_start && r.status === 'ingediend' ? h('span', { class: 'small muted' }, `graag op ${fmtDateLong(r.meeting_start)}`) : null),
        from,
        r.description ? h('p', { class: 'item-desc' }, r.description) : null,
        r.status === 'afgewezen' ? h('p', { class: 'small' }, h('strong', null, 'Reden: '), r.reason) : null,
        where ? h('p', { class: 'small' }, where) : null),
      editor && r.status === 'ingediend' ? h('div', { class: 'row-actions' },
        button('Agenderen', () => accept(r), { class: 'btn btn-small btn-primary', 'aria-label': `Agenderen: ${r.title}` }),
        button('Afwijzen', () => decline(r), { class: 'btn btn-small btn-quiet-danger', 'aria-label': `Afwijzen: ${r.title}` })) : null);
  }

  function referralRow(r) {
    // The other side's decision; the title is that of our own item (seen only by who may see it).
    return h('li', { class: 'request-row', dataset: { referral: r.id } },
      h('div', { class: 'request-main' },
        h('h3', { class: 'request-title' }, r.title),
        h('div', { class: 'item-meta' },
          badge(r.kind === 'verplaatsing' ? 'Verplaatst' : 'Verwezen', `kind-${r.kind}`),
          badge(STATUS[r.status] || r.status, `req-${r.status}`),
          h('span', { class: 'small' }, 'naar ', h('a', { href: `#/overleg/${r.body}` }, r.body_name), `, ${fmtDateShort(r.created_at)}`)),
        r.status === 'afgewezen' ? h('p', { class: 'small' }, h('strong', null, 'Reden: '), r.reason) : null));
  }

  function draw() {
    const mine = data.requests.filter((r) => r.requester === store.me.id);
    const shown = editor ? data.requests : mine.concat(data.requests.filter((r) => r.requester !== store.me.id));
    replace(list,
      h('section', { class: 'panel', 'aria-labelledby': 'h-req-in' },
        h('h2', { id: 'h-req-in' }, editor ? `Verzoeken aan dit overleg (${data.open} open)` : 'Verzoeken'),
        shown.length ? h('ul', { class: 'request-list' }, shown.map(requestRow))
          : empty(editor ? 'Er zijn geen verzoeken.' : 'U hebt nog geen verzoeken ingediend.')),
      data.referrals.length ? h('section', { class: 'panel', 'aria-labelledby': 'h-req-out' },
        h('h2', { id: 'h-req-out' }, 'Verwezen naar andere overleggen'),
        h('ul', { class: 'request-list' }, data.referrals.map(referralRow))) : null);
    onCount?.(editor ? data.open : null);
  }

  async function load() {
    try {
      data = await store.request('request.list', { body: body.id });
      draw();
    } catch (e) { replace(list, h('p', { class: 'error' }, e.message)); }
  }

  async function accept(r) {
    let sel;
    const opts = meetingOptions(meetings(), 'Te agenderen (nog geen vergadering)');
    const wish = r.meeting && opts.some(([v]) => v === String(r.meeting)) ? String(r.meeting) : '';
    const ok = await formDialog({
      title: `“${r.title}” agenderen`,
      submitLabel: 'Agenderen',
      build: (el) => {
        sel = select(opts, wish);
        el.append(field('Op', sel, { hint: r.meeting_start ? `Gevraagd: ${fmtDateLong(r.meeting_start)}.` : null }));
      },
      submit: () => store.request('request.decide', { body: body.id, request: r.id, decision: 'aanvaarden', meeting: sel.value ? Number(sel.value) : null }),
    });
    if (ok) {
      toast(`“${r.title}” is geagendeerd. ${r.requester_name} krijgt bericht.`, 'ok');
      await load();
    }
  }

  async function decline(r) {
    let reason;
    const ok = await formDialog({
      title: `“${r.title}” afwijzen`,
      submitLabel: 'Afwijzen',
      danger: true,
      build: (el) => {
        reason = textarea({ rows: 3, maxLength: 4000, required: true });
        el.append(field('Reden', reason, { required: true, hint: `${r.requester_name} krijgt deze reden te zien.` }));
      },
      submit: () => store.request('request.decide', { body: body.id, request: r.id, decision: 'afwijzen', reason: reason.value.trim() }),
    });
    if (ok) {
      toast(`Het verzoek is afgewezen. ${r.requester_name} krijgt bericht.`, 'ok');
      await load();
    }
  }

  let timer = null;
  live.push((f) => {
    if (!['request.created', 'request.decided', 'agenda.referred', 'referral.decided'].includes(f.event)) return;
    clearTimeout(timer);
    timer = setTimeout(() => { load().then(() => { polite.textContent = 'De lijst met verzoeken is bijgewerkt.'; }); }, 200);
  });
  await load();
  return { render: draw };
}

/** "Agenderen bij ander overleg": refer (or move) an item to another body. */
export async function referDialog(store, item, fromBody) {
  const bodies = ((await store.listAll('body.list', 'bodies')).bodies || []).filter((b) => b.id !== fromBody)
    .sort((a, b) => a.name.localeCompare(b.name, 'nl'));
  if (!bodies.length) {
    toast('Er is geen ander overleg om dit punt naartoe te verwijzen.', 'error');
    return false;
  }
  let to;
  let move;
  let note;
  const ok = await formDialog({
    title: `“${item.title}” agenderen bij ander overleg`,
    submitLabel: 'Verwijzen',
    build: (el) => {
      to = select(bodies.map((b) => [String(b.id), b.name]), String(bodies[0].id));
      move = select([['verwijzen', 'Verwijzen: het punt blijft ook hier'], ['verplaatsen', 'Verplaatsen: het punt gaat over naar dat overleg']], 'verwijzen');
      note = textarea({ rows: 3, maxLength: 4000 });
      el.append(field('Overleg', to, { required: true }),
        field('Hoe', move, { hint: 'De voorzitter of secretaris van dat overleg beslist. Beide overleggen houden de verwijzing bij.' }),
        field('Toelichting voor het andere overleg', note),
        item.confidential ? h('p', { class: 'notice' }, 'Dit punt is vertrouwelijk en blijft dat: alleen de betrokken organisaties en personen zien het, ook in het andere overleg.') : null);
    },
    submit: () => store.request('agenda.refer', { item: item.id, to: Number(to.value), move: move.value === 'verplaatsen', ...(note.value.trim() ? { note: note.value.trim() } : {}) }),
  });
  if (ok) toast(`“${item.title}” ligt nu ter beslissing bij ${bodies.find((b) => String(b.id) === to.value)?.name}.`, 'ok');
  return ok;
}
