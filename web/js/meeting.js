// A meeting: date, time, place, status, attendance and the agenda (live).
import { h, replace } from './dom.js';
import {
  fmtDateLong, fmtTime, label, MEETING_STATUS, ATTENDANCE, ROLES, canEdit, canParticipate, relativeDay,
} from './format.js';
import { badge, pageHead, loading, button, toast, confirmDialog, select, field, input } from './ui.js';
import { AgendaModel, agendaView } from './agenda.js';
import { liveBody } from './live.js';
import { meetingDialog } from './meetings.js';

export async function render(ctx) {
  const { store } = ctx;
  replace(ctx.root, loading('Vergadering laden…'));
  const first = await store.request('meeting.get', { meeting: ctx.params.id });
  const bodyId = first.meeting.body;
  const live = liveBody(ctx, bodyId);
  const [snap, bsnap] = await Promise.all([
    store.request('meeting.get', { meeting: ctx.params.id }),
    store.request('body.get', { body: bodyId }),
    store.loadPersons().catch(() => null),
  ]);
  let meeting = snap.meeting;
  let attendance = new Map(snap.attendance.map((a) => [a.person, a]));
  let members = bsnap.members;
  let meetings = new Map(bsnap.meetings.map((m) => [m.id, m]));
  const role = bsnap.body.role;
  const editor = canEdit(role);
  const model = new AgendaModel(bodyId, meeting.id, snap.agenda, snap.seq);
  const bodySeq = bsnap.seq;

  const headBox = h('div');
  const infoBox = h('div', { class: 'meeting-info panel' });
  const attendBox = h('section', { class: 'panel', 'aria-labelledby': 'h-att' });
  const aopts = { model, store, canEdit: editor, meeting, members, meetings: [...meetings.values()] };
  const view = agendaView(aopts);

  function renderHead() {
    ctx.setTitle(`${meeting.body_name} ${fmtDateLong(meeting.start)}`);
    const actions = [];
    if (editor) {
      if (meeting.status === 'concept') {
        actions.push(button('Agenda publiceren', publish, { class: 'btn btn-primary' }));
      }
      if (meeting.status !== 'geannuleerd') {
        actions.push(button('Vergadering wijzigen', () => meetingDialog({ store, body: bsnap.body, meeting })));
        actions.push(button('Vergadering annuleren', cancel, { class: 'btn btn-quiet-danger' }));
      }
    }
    replace(headBox, pageHead(`${meeting.body_name}: ${fmtDateLong(meeting.start)}`, {
      crumbs: [['Mijn overleggen', '#/'], [meeting.body_name, `#/overleg/${bodyId}`], ['Vergadering', null]],
      actions,
    }));
    replace(infoBox,
      h('dl', { class: 'facts' },
        h('div', null, h('dt', null, 'Datum'), h('dd', null, `${fmtDateLong(meeting.start)} (${relativeDay(meeting.start)})`)),
        h('div', null, h('dt', null, 'Tijd'), h('dd', null, `${fmtTime(meeting.start)}–${fmtTime(meeting.end)}`)),
        h('div', null, h('dt', null, 'Plaats'), h('dd', null, meeting.location || '—')),
        h('div', null, h('dt', null, 'Status'), h('dd', { class: 'meeting-status' }, badge(label(MEETING_STATUS, meeting.status), `st-${meeting.status}`))),
        h('div', null, h('dt', null, 'Mijn rol'), h('dd', null, role ? label(ROLES, role) : '—'))),
      meeting.status === 'geannuleerd' ? h('p', { class: 'notice notice-warn' }, 'Deze vergadering is geannuleerd.') : null,
      meeting.status === 'concept' && !editor ? h('p', { class: 'notice' }, 'De agenda is nog een concept en kan veranderen.') : null);
  }

  function renderAttendance() {
    const mine = attendance.get(store.me.id);
    const parts = [h('h2', { id: 'h-att' }, 'Aanwezigheid')];
    if (canParticipate(role) && meeting.status !== 'geannuleerd') {
      const st = select([['', '— nog niet opgegeven —'], ...Object.entries(ATTENDANCE)], mine?.status || '', { name: 'attendance' });
      const subs = select([['', '— kies een vervanger —'], ...members.filter((m) => m.person !== store.me.id)
        .map((m) => [String(m.person), `${m.name} (${m.org_name})`])], mine?.substitute ?? '');
      const subField = field('Vervanger', subs);
      const note = input({ value: mine?.note || '', maxLength: 500, placeholder: 'bijv. schuift om 10.00 uur aan' });
      const sync = () => { subField.hidden = st.value !== 'vervangen'; };
      st.addEventListener('change', sync);
      sync();
      const form = h('form', { class: 'inline-form' }, field('Ik ben', st), subField, field('Toelichting', note),
        h('button', { type: 'submit', class: 'btn' }, 'Opgeven'));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        if (!st.value) { toast('Kies of u aanwezig bent.', 'error'); st.focus(); return; }
        const args = { meeting: meeting.id, status: st.value, note: note.value };
        if (st.value === 'vervangen' && subs.value) args.substitute = Number(subs.value);
        try {
          await store.request('attendance.set', args);
          toast('Uw aanwezigheid is opgegeven.', 'ok');
        } catch (ex) { toast(ex.message, 'error'); }
      });
      parts.push(form);
    }
    const counts = {};
    for (const a of attendance.values()) counts[a.status] = (counts[a.status] || 0) + 1;
    parts.push(h('p', { class: 'small muted' }, Object.keys(counts).length
      ? Object.entries(counts).map(([k, n]) => `${label(ATTENDANCE, k)}: ${n}`).join(' · ')
      : 'Nog niemand heeft zich aan- of afgemeld.'));
    const rows = members.filter((m) => m.role !== 'waarnemer' || attendance.has(m.person));
    parts.push(h('details', { class: 'att-details' }, h('summary', null, `Deelnemers (${rows.length})`),
      h('ul', { class: 'att-list' }, rows.map((m) => {
        const a = attendance.get(m.person);
        const sub = a?.substitute ? members.find((x) => x.person === a.substitute)?.name : null;
        return h('li', null, h('span', null, m.name, h('span', { class: 'muted' }, ` · ${m.org_name}`)),
          h('span', { class: `att att-${a?.status || 'onbekend'}` }, a ? label(ATTENDANCE, a.status) : 'onbekend',
            sub ? ` (vervanger: ${sub})` : '', a?.note ? ` – ${a.note}` : ''));
      }))));
    replace(attendBox, parts);
  }

  async function publish() {
    const ok = await confirmDialog('Agenda publiceren', 'Na publiceren zien alle leden dat de agenda definitief is. Publiceren?', { confirmLabel: 'Publiceren', danger: false });
    if (!ok) return;
    try {
      await store.request('agenda.publish', { meeting: meeting.id });
      toast('De agenda is gepubliceerd.', 'ok');
    } catch (e) { toast(e.message, 'error'); }
  }

  async function cancel() {
    const ok = await confirmDialog('Vergadering annuleren', `De vergadering van ${fmtDateLong(meeting.start)} annuleren? Alle leden zien dat de vergadering niet doorgaat. Agendapunten blijven staan; verplaats ze eventueel naar een andere vergadering of naar “te agenderen”.`, { confirmLabel: 'Vergadering annuleren' });
    if (!ok) return;
    try {
      await store.request('meeting.cancel', { meeting: meeting.id });
      toast('De vergadering is geannuleerd.', 'ok');
    } catch (e) { toast(e.message, 'error'); }
  }

  replace(ctx.root, headBox,
    h('div', { class: 'meeting-grid' },
      h('div', { class: 'meeting-agenda' },
        h('section', { class: 'panel', 'aria-labelledby': 'h-agenda' },
          h('h2', { id: 'h-agenda' }, 'Agenda'), view.el)),
      h('div', { class: 'meeting-side' }, infoBox, attendBox)));
  renderHead();
  renderAttendance();

  live.start(Math.min(snap.seq, bodySeq), (f) => {
    const d = f.data || {};
    if (model.apply(f)) view.render();
    if (f.seq <= bodySeq && f.seq <= snap.seq) return;
    switch (f.event) {
      case 'meeting.created':
      case 'meeting.updated':
        if (f.seq > bodySeq) meetings.set(d.meeting.id, d.meeting);
        aopts.meetings = [...meetings.values()];
        if (d.meeting.id === meeting.id && f.seq > snap.seq) {
          meeting = d.meeting;
          aopts.meeting = meeting;
          renderHead();
          renderAttendance();
          view.render();
        }
        break;
      case 'attendance.updated':
        if (d.meeting === meeting.id && f.seq > snap.seq) {
          attendance.set(d.attendance.person, d.attendance);
          renderAttendance();
        }
        break;
      case 'membership.added':
      case 'membership.updated':
        if (f.seq > bodySeq) {
          members = members.filter((m) => m.person !== d.person).concat([d.membership]);
          aopts.members = members;
          renderAttendance();
          view.render();
        }
        break;
      case 'membership.removed':
        if (f.seq > bodySeq) {
          members = members.filter((m) => m.person !== d.person);
          aopts.members = members;
          renderAttendance();
        }
        break;
      default:
    }
  });
}
