// A meeting: date, time, place, status, attendance, the agenda and the verslag (live). Changes by
// others are said with their name ("Sanne Bakker heeft de agenda aangepast"); one's own are not.
import { h, replace } from './dom.js';
import {
  fmtDateLong, fmtTime, label, MEETING_STATUS, ROLES, canEdit, canParticipate, mayChangeAction, relativeDay,
} from './format.js';
import { badge, pageHead, loading, button, toast, confirmDialog, select, TOAST_RANK } from './ui.js';
import { AgendaModel, agendaView } from './agenda.js';
import { liveBody } from './live.js';
import { meetingDialog } from './meetings.js';
import { actionDialog, originLine, listAllActions } from './actions.js';
import { minutesPanel } from './minutes.js';
import { historyToggle } from './history.js';
import { isMine, actorName, agendaNews, meetingNews, roleNews } from './news.js';
import { ACTION_KIND, ACTION_STATUS, fmtDay, todayYmd } from './format.js';
import { FlagSet, flagRow, flagNews } from './flaginline.js';
import { ItemMinutes } from './itemminutes.js';
import { attendancePanel } from './attendance.js';

export async function render(ctx) {
  const { store } = ctx;
  replace(ctx.root, loading('Vergadering laden…'));
  const first = await store.request('meeting.get', { meeting: ctx.params.id, agenda_limit: 0, attendance_limit: 0, outcomes_limit: 0 });
  const bodyId = first.meeting.body;
  const live = liveBody(ctx, bodyId);
  // Signaleringen are for chairs and secretaries; the snapshot is read with the others so that
  // the live stream can start below all three.
  const flagSet = canEdit(store.roleIn(bodyId)) ? new FlagSet(store, bodyId) : null;
  const [snap, bsnap] = await Promise.all([
    store.meetingGet(ctx.params.id),
    store.bodyGet(bodyId),
    store.loadPersons().catch(() => null),
    store.loadOrgs().catch(() => null),
    flagSet ? flagSet.load().catch(() => null) : null,
  ]);
  let meeting = snap.meeting;
  let members = bsnap.members;
  let meetings = new Map(bsnap.meetings.map((m) => [m.id, m]));
  const role = bsnap.body.role;
  const editor = canEdit(role);
  const model = new AgendaModel(bodyId, meeting.id, snap.agenda, snap.seq);
  const bodySeq = bsnap.seq;
  store.noteItems(snap.agenda);
  store.noteItems(bsnap.backlog);

  const headBox = h('div');
  const infoBox = h('div', { class: 'meeting-info panel' });
  const flags = editor ? flagSet : null;
  const flagsBox = h('div', { class: 'meeting-flags' });
  const actions = new Map(); // the body's actions (action.list), for the sidebar and the actielijst
  let actionsLoaded = false;
  const itemMinutes = new ItemMinutes({
    store, meeting, notes: snap.notes, outcomes: snap.outcomes, members, editor, participant: canParticipate(role),
    frozen: () => meeting.status === 'verslag_vastgesteld', onChange: () => view.render(),
  });
  const aopts = {
    model, store, canEdit: editor, canParticipate: canParticipate(role), meeting, members, meetings: [...meetings.values()],
    flags, onFlags: () => renderFlags(), counts: snap.message_counts || {}, minutes: itemMinutes,
    special: (it) => specialBlock(it), tools: () => copyTool(), target: ctx.params.item,
    titlesFrozen: () => meeting.status === 'verslag_vastgesteld',
  };
  const view = agendaView(aopts);

  // Clashes with other meetings at the top; duplicates show on their agenda item.
  function renderFlags() {
    if (!flags) return;
    const list = flags.forMeeting(meeting.id);
    if (!list.length) { flagsBox.replaceChildren(); return; }
    const focusKey = flagsBox.contains(document.activeElement) ? document.activeElement.dataset.focuskey : null;
    replace(flagsBox, h('section', { class: 'panel panel-flags', 'aria-labelledby': 'h-meeting-flags' },
      h('div', { class: 'panel-head' },
        h('h2', { id: 'h-meeting-flags' }, `Signaleringen bij deze vergadering (${list.length})`),
        h('a', { href: `#/overleg/${bodyId}/signaleringen`, class: 'small' }, 'Alle signaleringen van dit overleg')),
      h('ul', { class: 'flag-lines' }, list.map((f) => flagRow(store, f, (fl) => { flags.put(fl); renderFlags(); view.render(); })))));
    if (focusKey) flagsBox.querySelector(`[data-focuskey="${CSS.escape(focusKey)}"]`)?.focus();
  }

  // The last change someone else made, visible where it applies (the agenda, the meeting's facts).
  let meetingNote = null;
  let historyOpen = false; // the meeting's history stays open when a live change redraws it
  const agendaNote = h('p', { class: 'live-note agenda-note' });
  const stamp = (msg) => `${msg} (${fmtTime(new Date())})`;

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
    actions.push(button('Afdrukken', () => window.print(), { class: 'btn no-print' }));
    actions.push(h('a', { href: `#/vergadering/${meeting.id}/verslag`, class: 'btn no-print' }, 'Verslag exporteren'));
    const sorted = [...meetings.values()].filter((m) => m.status !== 'geannuleerd' || m.id === meeting.id)
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    const at = sorted.findIndex((m) => m.id === meeting.id);
    const prev = at > 0 ? sorted[at - 1] : null;
    const next = at >= 0 && at < sorted.length - 1 ? sorted[at + 1] : null;
    replace(headBox, pageHead(`${meeting.body_name}: ${fmtDateLong(meeting.start)}`, {
      crumbs: [['Mijn overleggen', '#/'], [meeting.body_name, `#/overleg/${bodyId}`], ['Vergadering', null]],
      actions,
    }), prev || next ? h('nav', { class: 'prevnext no-print', 'aria-label': 'Andere vergaderingen van dit overleg' },
      prev ? h('a', { href: `#/vergadering/${prev.id}`, rel: 'prev' }, `← Vorige: ${fmtDateLong(prev.start)}`) : h('span'),
      next ? h('a', { href: `#/vergadering/${next.id}`, rel: 'next' }, `Volgende: ${fmtDateLong(next.start)} →`) : h('span')) : null);
    replace(infoBox,
      h('dl', { class: 'facts' },
        h('div', null, h('dt', null, 'Datum'), h('dd', null, `${fmtDateLong(meeting.start)} (${relativeDay(meeting.start)})`)),
        h('div', null, h('dt', null, 'Tijd'), h('dd', null, `${fmtTime(meeting.start)}–${fmtTime(meeting.end)}`)),
        h('div', null, h('dt', null, 'Plaats'), h('dd', null, meeting.location || '—')),
        h('div', null, h('dt', null, 'Status'), h('dd', { class: 'meeting-status' }, badge(label(MEETING_STATUS, meeting.status), `st-${meeting.status}`))),
        h('div', null, h('dt', null, 'Mijn rol'), h('dd', null, role ? label(ROLES, role) : '—'))),
      meeting.status === 'geannuleerd' ? h('p', { class: 'notice notice-warn' }, 'Deze vergadering is geannuleerd.') : null,
      meeting.status === 'concept' && !editor ? h('p', { class: 'notice' }, 'De agenda is nog een concept en kan veranderen.') : null,
      meetingNote ? h('p', { class: 'live-note' }, meetingNote) : null,
      historyToggle(store, { meeting: meeting.id }, `vergadering van ${fmtDateLong(meeting.start)}`, {
        open: historyOpen, onToggle: (open) => { historyOpen = open; },
      }));
  }

  const attend = attendancePanel({ store, meeting, members, attendance: snap.attendance, editor, participant: canParticipate(role) });

  // The open actions and commitments of this body: what the "actielijst" item goes through.
  const actionsBox = h('section', { class: 'panel no-print', 'aria-labelledby': 'h-open-actions' });
  function renderActions() {
    const today = todayYmd();
    const open = [...actions.values()].filter((a) => a.status === 'open' || a.status === 'lopend')
      .sort((a, b) => (a.due || '9999').localeCompare(b.due || '9999'));
    replace(actionsBox,
      h('div', { class: 'panel-head' }, h('h2', { id: 'h-open-actions' }, `Openstaande acties (${open.length})`),
        canParticipate(role) ? button('Toevoegen', () => actionDialog({ store, action: null, bodyId, members, canDecide: editor }), { class: 'btn btn-small', 'aria-label': 'Actie, toezegging of besluit toevoegen' }) : null),
      open.length ? h('ul', { class: 'plain-list compact-actions' }, open.slice(0, 12).map((a) => {
        const late = a.due && a.due < today;
        return h('li', { class: late ? 'is-overdue' : '' },
          h('span', { class: 'badge' }, label(ACTION_KIND, a.kind)), ' ', a.text,
          originLine(store, a, { here: meeting.id }),
          h('div', { class: 'small muted' }, [a.owner ? store.personName(a.owner) : null, a.owner_org ? store.orgName(a.owner_org) : null,
            a.due ? `deadline ${fmtDay(a.due)}` : null, label(ACTION_STATUS, a.status)].filter(Boolean).join(' · '),
          late ? h('span', { class: 'overdue-flag' }, ' te laat') : null));
      })) : h('p', { class: 'empty' }, 'Geen openstaande acties.'),
      h('p', null, h('a', { href: `#/overleg/${bodyId}/acties` }, 'Alle acties en besluiten van dit overleg')));
  }
  store.loadOrgs().catch(() => null).then(() => listAllActions(store, { body: bodyId })).then((list) => {
    for (const a of list) if (!actions.has(a.id)) actions.set(a.id, a);
    actionsLoaded = true;
    renderActions();
    if (model.sorted().some((it) => it.special === 'actielijst')) view.render();
  }).catch((e) => replace(actionsBox, h('p', { class: 'form-error' }, e.message)));

  // ---- special items: the actielijst goes through the body's open actions; the verslag item
  // names the meeting whose verslag it is about ----
  function specialBlock(it) {
    if (it.special === 'verslag') {
      const m = it.minutes_of ? meetings.get(it.minutes_of) : null;
      if (!it.minutes_of) return null;
      return h('p', { class: 'special-link' }, h('span', { class: 'muted' }, 'Verslag: '),
        h('a', { href: `#/vergadering/${it.minutes_of}` }, m ? `vergadering van ${fmtDateLong(m.start)}` : 'de vorige vergadering'));
    }
    if (it.special !== 'actielijst') return null;
    if (!actionsLoaded) return h('p', { class: 'loading small' }, 'Actielijst laden…');
    const today = todayYmd();
    const open = [...actions.values()].filter((a) => a.status === 'open' || a.status === 'lopend')
      .sort((a, b) => (a.due || '9999').localeCompare(b.due || '9999') || a.id - b.id);
    if (!open.length) return h('p', { class: 'empty' }, 'Er staan geen acties of toezeggingen open.');
    return h('ol', { class: 'actielijst', 'aria-label': `Actielijst: ${open.length} openstaand` }, open.map((a) => {
      const late = a.due && a.due < today;
      const who = [a.owner ? store.personName(a.owner) : null, a.owner_org ? store.orgName(a.owner_org) : null].filter(Boolean).join(' · ');
      let status = h('span', { class: 'badge' }, label(ACTION_STATUS, a.status));
      if (mayChangeAction(store.me, a, role) && meeting.status !== 'verslag_vastgesteld') {
        status = select(ACTION_STATUS, a.status, { 'aria-label': `Status van: ${a.text.slice(0, 60)}`, class: 'status-select' });
        status.addEventListener('change', async () => {
          try {
            const r = await store.request('action.update', { action: a.id, status: status.value });
            actions.set(a.id, r.action);
            toast(`Status gewijzigd in “${label(ACTION_STATUS, status.value)}”.`, 'ok');
          } catch (e) { status.value = a.status; toast(e.message, 'error'); }
        });
      }
      return h('li', { class: ['actielijst-row', late ? 'is-overdue' : ''], dataset: { action: a.id } },
        h('div', null, h('span', { class: `badge ak-${a.kind}` }, label(ACTION_KIND, a.kind)), ' ', a.text,
          originLine(store, a, { here: meeting.id })),
        h('div', { class: 'small muted' }, [who, a.due ? `deadline ${fmtDay(a.due)}` : null].filter(Boolean).join(' · '),
          late ? h('span', { class: 'overdue-flag' }, ' te laat') : null),
        h('div', { class: 'actielijst-status' }, status));
    }));
  }

  // "Agenda van vorige vergadering overnemen": for an agenda that does not have it yet.
  function copyTool() {
    const before = [...meetings.values()].filter((m) => m.id !== meeting.id && m.status !== 'geannuleerd'
      && Date.parse(m.start) < Date.parse(meeting.start)).sort((a, b) => Date.parse(b.start) - Date.parse(a.start))[0];
    if (!before || meeting.status === 'geannuleerd' || meeting.status === 'verslag_vastgesteld') return null;
    return button('Agenda van vorige vergadering overnemen', async () => {
      const ok = await confirmDialog('Agenda overnemen',
        `De punten van de vergadering van ${fmtDateLong(before.start)} onderaan deze agenda zetten? Punten die er al van overgenomen zijn, komen er niet nog eens bij.`,
        { confirmLabel: 'Overnemen', danger: false });
      if (!ok) return;
      try {
        const r = await store.request('agenda.copy', { meeting: meeting.id, from: before.id });
        toast(r.added === 1 ? 'Eén punt overgenomen.' : r.added ? `${r.added} punten overgenomen.` : 'Alle punten stonden er al.', 'ok');
      } catch (e) { toast(e.message, 'error'); }
    });
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

  const minutesBox = minutesPanel({
    store, meeting, minutes: snap.minutes, editor, chair: role === 'voorzitter', onCleanup: ctx.onCleanup,
    onMeeting: (m) => { meeting = m; aopts.meeting = m; itemMinutes.meeting = m; meetings.set(m.id, m); renderHead(); attend.setMeeting(m); },
  });

  replace(ctx.root, headBox, flagsBox,
    h('div', { class: 'meeting-grid' },
      h('div', { class: 'meeting-agenda' },
        h('section', { class: 'panel', 'aria-labelledby': 'h-agenda' },
          h('h2', { id: 'h-agenda' }, 'Agenda'), agendaNote, view.el, view.polite),
        minutesBox.el),
      h('div', { class: 'meeting-side' }, infoBox, attend.el, actionsBox)));
  renderHead();
  renderFlags();
  if (ctx.params.item) {
    // A link to one item ("uit: <agendapunt>"): show it.
    requestAnimationFrame(() => view.el.querySelector(`.agenda-item[data-item="${ctx.params.item}"]`)?.scrollIntoView({ block: 'center' }));
  }

  live.start(Math.min(snap.seq, bodySeq, flags?.seq ?? Infinity), (f) => {
    const d = f.data || {};
    if (f.event.startsWith('membership.') && d.person === store.me.id && f.seq > Math.max(snap.seq, bodySeq)) {
      // My own role changed: show the page as it now is for me.
      if (!isMine(store, f)) toast(roleNews(store, f), 'info', { rank: TOAST_RANK.live });
      if (f.event === 'membership.removed') location.hash = '#/';
      else window.dispatchEvent(new HashChangeEvent('hashchange'));
      return;
    }
    if (model.apply(f)) {
      view.render();
      if (!isMine(store, f)) {
        const msg = agendaNews(store, f);
        agendaNote.textContent = stamp(msg);
        view.announce(msg);
      }
    }
    const flag = flags?.apply(f);
    if (flag) {
      view.render();
      renderFlags();
      if (flag.here.meeting === meeting.id) view.announce(flagNews(flag));
    }
    if (f.seq <= bodySeq && f.seq <= snap.seq) return;
    switch (f.event) {
      case 'meeting.created':
      case 'meeting.updated':
        if (f.seq > bodySeq) meetings.set(d.meeting.id, d.meeting);
        aopts.meetings = [...meetings.values()];
        if (d.meeting.id === meeting.id && f.seq > snap.seq) {
          meeting = d.meeting;
          aopts.meeting = meeting;
          itemMinutes.meeting = meeting;
          minutesBox.update(f);
          if (d.change !== 'minutes') {
            if (!isMine(store, f) && d.change !== 'none') {
              const msg = meetingNews(store, f);
              meetingNote = stamp(msg);
              toast(msg, 'info', { rank: TOAST_RANK.live });
            }
            renderHead();
            attend.setMeeting(meeting);
            view.render();
          }
        }
        break;
      case 'chat.posted':
        if (f.seq > snap.seq) view.onChat(d.message);
        break;
      case 'chat.edited':
      case 'chat.deleted':
        if (f.seq > snap.seq) view.onChatChange(d.message);
        break;
      case 'action.created':
      case 'action.updated':
        actions.set(d.action.id, d.action);
        renderActions();
        if ((f.seq > snap.seq && itemMinutes.apply(f)) || model.sorted().some((it) => it.special === 'actielijst')) view.render();
        break;
      case 'minutes.noted':
        if (f.seq > snap.seq && itemMinutes.apply(f)) {
          view.render();
          if (!isMine(store, f)) view.announce(`${actorName(store, f) || 'Iemand'} heeft de notulen bijgewerkt.`);
        }
        break;
      case 'minutes.submitted':
      case 'minutes.amended':
      case 'minutes.withdrawn':
      case 'minutes.approved':
        if (f.seq > snap.seq && (d.meeting ?? d.amendment?.meeting) === meeting.id) {
          minutesBox.refresh();
          if (!isMine(store, f)) {
            const who = actorName(store, f) || 'Iemand';
            view.announce(f.event === 'minutes.amended' ? `${who} heeft een wijziging van het verslag voorgesteld.`
              : f.event === 'minutes.withdrawn' ? `${who} heeft een voorstel tot wijziging ingetrokken.`
              : f.event === 'minutes.approved' ? `${who} heeft het verslag vastgesteld.` : `${who} heeft het verslag ter vaststelling gestuurd.`);
          }
        }
        break;
      case 'attendance.updated':
      case 'attendance.removed':
        if (f.seq > snap.seq) attend.apply(f);
        break;
      case 'membership.added':
      case 'membership.updated':
        if (f.seq > bodySeq) {
          members = members.filter((m) => m.person !== d.person).concat([d.membership]);
          aopts.members = members;
          attend.setMembers(members);
          view.render();
        }
        break;
      case 'membership.removed':
        if (f.seq > bodySeq) {
          members = members.filter((m) => m.person !== d.person);
          aopts.members = members;
          attend.setMembers(members);
        }
        break;
      default:
    }
  });
}
