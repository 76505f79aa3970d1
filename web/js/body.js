// A body (overleg): overview (mandate, members by organisation), meetings, backlog, actions,
// chat and member management, each a tab with its own address (#/overleg/12/chat).
import { h, replace } from './dom.js';
import {
  label, ROLES, ROLE_ORDER, LEVELS, BODY_KINDS, MEETING_STATUS, cadenceLabel, fmtDateLong, fmtTime,
  relativeDay, canEdit, canParticipate,
} from './format.js';
import { badge, pageHead, tabs, loading, empty, button, toast, confirmDialog, TOAST_RANK } from './ui.js';
import { changeLogPanel } from './history.js';
import { AgendaModel, agendaView } from './agenda.js';
import { liveBody } from './live.js';
import { meetingDialog, seriesDialog } from './meetings.js';
import { actionsPanel } from './actions.js';
import { chatPanel } from './chat.js';
import { requestsPanel } from './requests.js';
import { membersPanel } from './members.js';
import { flagsPanel } from './flags.js';
import { FlagSet, flagNews } from './flaginline.js';
import { createFeed } from './feeds.js';
import { isMine, agendaNews, roleNews } from './news.js';

const TABS = [
  ['overzicht', 'Overzicht'], ['vergaderingen', 'Vergaderingen'], ['agenderen', 'Te agenderen'],
  ['verzoeken', 'Verzoeken'], ['acties', 'Acties en besluiten'], ['chat', 'Chat'], ['leden', 'Leden'],
];

export async function render(ctx) {
  const { store } = ctx;
  const id = ctx.params.id;
  let tab = TABS.some(([k]) => k === ctx.params.tab) || ctx.params.tab === 'signaleringen' || ctx.params.tab === 'logboek' ? ctx.params.tab : 'overzicht';
  replace(ctx.root, loading('Overleg laden…'));
  const live = liveBody(ctx, id);
  const [snap] = await Promise.all([store.bodyGet(id), store.loadPersons().catch(() => null)]);
  const state = {
    body: snap.body, members: snap.members, parent: snap.parent, children: snap.children,
    meetings: new Map(snap.meetings.map((m) => [m.id, m])), seq: snap.seq,
  };
  const role = snap.body.role;
  const editor = canEdit(role);
  // Administrators who are not members see the overview and manage the members, nothing more.
  const tabList = !role ? [TABS[0], TABS[6]]
    : editor ? [...TABS.slice(0, 6), ['signaleringen', 'Signaleringen'], TABS[6], ['logboek', 'Logboek']] : TABS;
  // Chairs and secretaries see how many requests wait for them on the tab itself.
  let openRequests = editor ? (await store.request('request.list', { body: id }).catch(() => null))?.open ?? 0 : 0;
  // Every member sees on the Chat tab how many messages they have not read (not on the chat itself:
  // what it shows is read).
  let unreadChat = role && tab !== 'chat' ? await store.request('chat.unread', { body: id }).catch(() => null) : null;
  const chatLabel = (t) => (unreadChat?.unread ? `${t} (${unreadChat.more ? `${unreadChat.unread}+` : unreadChat.unread} ongelezen)` : t);
  if (!tabList.some(([k]) => k === tab)) tab = 'overzicht';
  const backlog = new AgendaModel(id, null, snap.backlog, snap.seq);
  store.noteItems(snap.backlog);
  // The backlog comes in pages (body.get's backlog_next): the rest on "Meer laden". Items that
  // change meanwhile arrive as events and are kept by the model as usual.
  let backlogNext = snap.backlog_next ?? null;

  const head = h('div');
  const content = h('div', { class: 'tab-content' });
  const listeners = [];

  function renderHead() {
    ctx.setTitle(state.body.name);
    replace(head,
      pageHead(state.body.name, {
        crumbs: [['Mijn overleggen', '#/'], ...(state.parent ? [[state.parent.name, `#/overleg/${state.parent.id}`]] : []), [state.body.name, null]],
        sub: h('span', null, `${label(BODY_KINDS, state.body.kind)} · ${label(LEVELS, state.body.level)} · ${state.body.scope} · ${cadenceLabel(state.body.cadence)}`,
          role ? [' · Mijn rol: ', badge(label(ROLES, role), 'role')] : null),
      }),
      tabs(tabList.map(([k, t]) => [k, k === 'verzoeken' && openRequests ? `${t} (${openRequests})` : k === 'chat' ? chatLabel(t) : t, `#/overleg/${id}${k === 'overzicht' ? '' : `/${k}`}`]), tab, 'Onderdelen van dit overleg'));
  }

  // ---- overzicht ----
  function renderOverview() {
    const b = state.body;
    const next = upcoming()[0];
    const byOrg = new Map();
    for (const m of state.members) {
      if (!byOrg.has(m.org_name)) byOrg.set(m.org_name, []);
      byOrg.get(m.org_name).push(m);
    }
    const orgs = [...byOrg.entries()].sort((a, c) => a[0].localeCompare(c[0], 'nl'));
    const nameOf = (pid) => state.members.find((m) => m.person === pid)?.name || store.personName(pid);
    replace(content, h('div', { class: 'overview-grid' },
      h('div', null,
        h('section', { class: 'panel', 'aria-labelledby': 'h-mandate' },
          h('h2', { id: 'h-mandate' }, 'Mandaat'),
          b.mandate ? b.mandate.split(/\n+/).map((p) => h('p', null, p)) : empty('Er is geen mandaat vastgelegd.')),
        h('section', { class: 'panel', 'aria-labelledby': 'h-members' },
          h('h2', { id: 'h-members' }, `Leden (${state.members.length})`),
          h('p', { class: 'hint' }, 'Per organisatie, met hun rol in dit overleg.'),
          h('div', { class: 'org-groups' }, orgs.map(([org, ms]) => h('div', { class: 'org-group' },
            h('h3', null, org),
            h('ul', { class: 'member-list' }, ms.sort((x, y) => ROLE_ORDER.indexOf(x.role) - ROLE_ORDER.indexOf(y.role)).map((m) => h('li', null,
              h('span', { class: 'member-name' }, m.name),
              badge(label(ROLES, m.role), `role-${m.role}`),
              m.function ? h('span', { class: 'muted small' }, m.function) : null,
              m.substitute_for ? h('span', { class: 'small' }, `vervangt ${nameOf(m.substitute_for)}`) : null,
              m.role === 'gast' && m.items?.length ? h('span', { class: 'small' }, `alleen bij ${m.items.length === 1 ? '1 agendapunt' : `${m.items.length} agendapunten`}`) : null)))))))),
      h('div', null,
        h('section', { class: 'panel', 'aria-labelledby': 'h-facts' },
          h('h2', { id: 'h-facts' }, 'Gegevens'),
          h('dl', { class: 'facts' },
            fact('Soort', label(BODY_KINDS, b.kind)), fact('Niveau', label(LEVELS, b.level)),
            fact('Gebied', b.scope), fact('Frequentie', cadenceLabel(b.cadence)),
            fact('Vaste plaats', b.location || '—'),
            fact('Bovenliggend overleg', state.parent ? h('a', { href: `#/overleg/${state.parent.id}` }, state.parent.name) : '—'),
            fact('Onderliggende overleggen', state.children.length
              ? h('ul', { class: 'plain-list' }, state.children.map((c) => h('li', null, h('a', { href: `#/overleg/${c.id}` }, c.name))))
              : '—'))),
        h('section', { class: 'panel', 'aria-labelledby': 'h-next' },
          h('h2', { id: 'h-next' }, 'Volgende vergadering'),
          next ? meetingLine(next) : empty('Er is geen vergadering gepland.'),
          h('p', null, h('a', { href: `#/overleg/${id}/vergaderingen` }, 'Alle vergaderingen')),
          role ? button('Vergaderingen in mijn agenda', () => createFeed(store, 'body_ical', id), { class: 'btn btn-small' }) : null))));
  }

  function fact(dt, dd) {
    return h('div', null, h('dt', null, dt), h('dd', null, dd));
  }

  function upcoming() {
    const now = Date.now();
    return [...state.meetings.values()].filter((m) => Date.parse(m.end) > now)
      .sort((a, c) => Date.parse(a.start) - Date.parse(c.start));
  }

  function past() {
    const now = Date.now();
    return [...state.meetings.values()].filter((m) => Date.parse(m.end) <= now)
      .sort((a, c) => Date.parse(c.start) - Date.parse(a.start));
  }

  function meetingLine(m) {
    return h('div', { class: ['meeting-row', m.status === 'geannuleerd' ? 'cancelled' : ''], dataset: { meeting: m.id } },
      h('div', { class: 'meeting-main' },
        h('a', { href: `#/vergadering/${m.id}`, class: 'meeting-link' }, `${fmtDateLong(m.start)}, ${fmtTime(m.start)}–${fmtTime(m.end)}`),
        h('div', { class: 'meeting-meta' },
          h('span', { class: 'muted' }, relativeDay(m.start)),
          m.location ? h('span', null, m.location) : null,
          badge(label(MEETING_STATUS, m.status), `st-${m.status}`))),
      editor && m.status !== 'geannuleerd' && Date.parse(m.end) > Date.now() ? h('div', { class: 'row-actions' },
        button('Wijzigen', () => meetingDialog({ store, body: state.body, meeting: m }), { class: 'btn btn-small', 'aria-label': `Vergadering van ${fmtDateLong(m.start)} wijzigen` }),
        button('Annuleren', () => cancelMeeting(m), { class: 'btn btn-small btn-quiet-danger', 'aria-label': `Vergadering van ${fmtDateLong(m.start)} annuleren` })) : null);
  }

  async function cancelMeeting(m) {
    const ok = await confirmDialog('Vergadering annuleren', `De vergadering van ${fmtDateLong(m.start)} annuleren? Alle leden zien dat ze niet doorgaat.`, { confirmLabel: 'Vergadering annuleren' });
    if (!ok) return;
    try {
      await store.request('meeting.cancel', { meeting: m.id });
      toast('De vergadering is geannuleerd.', 'ok');
    } catch (e) { toast(e.message, 'error'); }
  }

  // ---- vergaderingen ----
  // body.get brings the meetings from 180 days ago on; older ones come on request (meeting.list
  // pages them: each reply bounded). older: null (not asked yet), true (some), false (none or
  // loaded).
  let older = null;
  const olderTo = () => {
    const known = [...state.meetings.values()].map((m) => m.start).sort();
    return known[0] || new Date(Date.now() - 180 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  };
  async function probeOlder() {
    if (!role || older !== null) return;
    const r = await store.request('meeting.list', { body: id, to: olderTo(), limit: 0 }).catch(() => null);
    older = !!r?.more;
    if (older && tab === 'vergaderingen') renderMeetings();
  }
  async function loadOlder() {
    try {
      const to = olderTo();
      let after = null;
      for (;;) {
        const r = await store.request('meeting.list', { body: id, to, ...(after ? { after } : {}) });
        for (const m of r.meetings) if (!state.meetings.has(m.id)) state.meetings.set(m.id, m);
        if (!r.more || !r.next) break;
        after = r.next;
      }
      older = false;
      renderMeetings();
    } catch (e) { toast(e.message, 'error'); }
  }

  function renderMeetings() {
    const up = upcoming();
    const old = past();
    replace(content,
      h('div', { class: 'toolbar' },
        editor ? [
          button('Vergadering plannen', () => meetingDialog({ store, body: state.body, meeting: null, meetings: [...state.meetings.values()] }), { class: 'btn btn-primary' }),
          button('Reeks plannen volgens frequentie', () => seriesDialog({ store, body: state.body, meetings: [...state.meetings.values()] })),
          h('a', { href: `#/overleg/${id}/importeren`, class: 'btn' }, 'Verslag importeren')] : null,
        role ? h('a', { href: `#/overleg/${id}/besluitenlijst`, class: 'btn' }, 'Besluitenlijst') : null),
      h('section', { class: 'panel', 'aria-labelledby': 'h-up' },
        h('h2', { id: 'h-up' }, `Komende vergaderingen (${up.length})`),
        up.length ? h('ul', { class: 'meeting-list' }, up.map((m) => h('li', null, meetingLine(m)))) : empty('Er zijn geen vergaderingen gepland.')),
      h('section', { class: 'panel', 'aria-labelledby': 'h-past' },
        h('h2', { id: 'h-past' }, `Eerdere vergaderingen (${old.length})`),
        old.length ? h('ul', { class: 'meeting-list' }, old.map((m) => h('li', null, meetingLine(m)))) : older ? null : empty('Nog geen eerdere vergaderingen.'),
        older ? button('Oudere vergaderingen laden', loadOlder, { class: 'btn btn-small' }) : null));
  }

  // ---- te agenderen ----
  let backlogView = null;
  let backlogOpts = null;
  // Chairs and secretaries see on each waiting item whether another body treats it too.
  const backlogFlags = tab === 'agenderen' && editor ? await new FlagSet(store, id).load().catch(() => null) : null;
  function renderBacklog() {
    backlogOpts = { model: backlog, store, canEdit: editor, canParticipate: canParticipate(role), meeting: null, members: state.members, meetings: [...state.meetings.values()], flags: backlogFlags };
    backlogView = agendaView(backlogOpts);
    const more = h('div', { class: 'load-more' });
    function renderMore() {
      replace(more, backlogNext === null ? null : button('Meer laden', loadMore, { class: 'btn btn-small' }));
    }
    async function loadMore() {
      try {
        const page = await store.request('body.get', { body: id, backlog_from: backlogNext, members_limit: 0 });
        for (const it of page.backlog) if (!backlog.items.has(it.id)) backlog.items.set(it.id, it);
        store.noteItems(page.backlog);
        backlogNext = page.backlog_next ?? null;
        backlogView.render();
        renderMore();
      } catch (e) { toast(e.message, 'error'); }
    }
    renderMore();
    replace(content, h('section', { class: 'panel', 'aria-labelledby': 'h-backlog' },
      h('h2', { id: 'h-backlog' }, 'Te agenderen'),
      h('p', { class: 'hint' }, 'Punten die nog op een agenda moeten komen. Voorzitter en secretaris plannen ze in via “Agenderen”.'),
      backlogView.el, more, backlogView.polite));
  }

  renderHead();
  replace(ctx.root, head, content);
  let tabApi = null;
  switch (tab) {
    case 'overzicht': renderOverview(); break;
    case 'vergaderingen': renderMeetings(); probeOlder(); break;
    case 'agenderen': renderBacklog(); break;
    case 'verzoeken':
      tabApi = await requestsPanel(ctx, {
        container: content, body: state.body, role, meetings: () => [...state.meetings.values()], live: listeners,
        onCount: (n) => { if (n !== null && n !== openRequests) { openRequests = n; renderHead(); } },
      });
      break;
    case 'logboek':
      tabApi = await changeLogPanel(ctx, { container: content, body: state.body });
      break;
    case 'acties':
      tabApi = await actionsPanel(ctx, { container: content, body: state.body, members: state.members, role, live: listeners });
      break;
    case 'chat':
      tabApi = await chatPanel(ctx, { container: content, body: state.body, members: state.members, role, live: listeners });
      break;
    case 'leden':
      tabApi = membersPanel(ctx, { container: content, state, role });
      break;
    case 'signaleringen':
      tabApi = await flagsPanel(ctx, { container: content, body: state.body, live: listeners });
      break;
    default:
  }

  live.start(Math.min(state.seq, backlogFlags?.seq ?? Infinity), (f) => {
    if (backlog.apply(f) && backlogView) {
      backlogView.render();
      if (!isMine(store, f)) backlogView.announce(agendaNews(store, f, { backlog: true }));
    }
    const flag = backlogFlags?.apply(f);
    if (flag && backlogView) {
      backlogView.render();
      if (flag.here.meeting === null && backlog.items.has(flag.here.item)) backlogView.announce(flagNews(flag));
    }
    for (const fn of listeners) fn(f);
    if (role && tab !== 'chat' && f.event === 'chat.posted' && f.seq > state.seq && !isMine(store, f)) {
      store.request('chat.unread', { body: id }).then((r) => { unreadChat = r; renderHead(); }).catch(() => {});
    }
    if (editor && tab !== 'verzoeken' && (f.event === 'request.created' || f.event === 'request.decided') && f.seq > state.seq) {
      store.request('request.list', { body: id }).then((r) => { openRequests = r.open; renderHead(); }).catch(() => {});
    }
    if (f.event === 'chat.posted' && backlogView && f.seq > state.seq) backlogView.onChat(f.data.message);
    if ((f.event === 'chat.edited' || f.event === 'chat.deleted') && backlogView && f.seq > state.seq) backlogView.onChatChange(f.data.message);
    if (f.seq <= state.seq) return;
    const d = f.data || {};
    if (f.event.startsWith('membership.') && d.person === store.me.id && f.seq > Math.max(0, state.seq)) {
      // My own role changed: show the page as it now is for me.
      if (!isMine(store, f)) toast(roleNews(store, f), 'info', { rank: TOAST_RANK.live });
      if (f.event === 'membership.removed') location.hash = '#/';
      else window.dispatchEvent(new HashChangeEvent('hashchange'));
      return;
    }
    let changed = true;
    switch (f.event) {
      case 'body.updated': state.body = { ...d.body, role: state.body.role }; renderHead(); break;
      case 'meeting.created': case 'meeting.updated': state.meetings.set(d.meeting.id, d.meeting); break;
      case 'membership.added': case 'membership.updated':
        state.members = state.members.filter((m) => m.person !== d.person).concat([d.membership]);
        break;
      case 'membership.removed': state.members = state.members.filter((m) => m.person !== d.person); break;
      default: changed = false;
    }
    if (!changed) return;
    if (backlogOpts) { backlogOpts.members = state.members; backlogOpts.meetings = [...state.meetings.values()]; }
    if (tab === 'overzicht') renderOverview();
    else if (tab === 'vergaderingen') renderMeetings();
    else if (tab === 'leden') tabApi?.render();
  });
}
