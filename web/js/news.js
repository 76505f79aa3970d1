// Live messages about what someone else changed: every push names its actor (a person id, or
// null when the server itself made the change), and the directory cache gives the name. The
// user's own changes are confirmed where they are made, so nothing here speaks of them.
import { fmtDateTime, label, MEETING_STATUS, ROLES } from './format.js';

/** Whether a push is the result of the user's own change (on this or another connection). */
export function isMine(store, f) {
  return !!store.me && f.actor === store.me.id;
}

/** The actor's name, or null for the server's own changes. */
export function actorName(store, f) {
  return f.actor ? store.personName(f.actor) : null;
}

/** "Sanne Bakker heeft de agenda aangepast." / "De agenda is bijgewerkt." */
export function agendaNews(store, f, { backlog = false } = {}) {
  const who = actorName(store, f);
  if (backlog) return who ? `${who} heeft de lijst te agenderen aangepast.` : 'De lijst te agenderen is bijgewerkt.';
  return who ? `${who} heeft de agenda aangepast.` : 'De agenda is bijgewerkt.';
}

/** What a meeting.updated push says, in a sentence that names who did it. */
export function meetingNews(store, f) {
  const who = actorName(store, f);
  const m = f.data?.meeting;
  const d = f.data || {};
  const at = m ? fmtDateTime(m.start) : '';
  switch (d.change) {
    case 'moved':
      return who ? `${who} heeft de vergadering verplaatst naar ${at}${m?.location ? ` (${m.location})` : ''}.`
        : `De vergadering is verplaatst naar ${at}.`;
    case 'cancelled':
      return who ? `${who} heeft de vergadering geannuleerd.` : 'De vergadering is geannuleerd.';
    case 'published':
      return who ? `${who} heeft de agenda gepubliceerd.` : 'De agenda is gepubliceerd.';
    case 'status':
      return who ? `${who} heeft de status gewijzigd in “${label(MEETING_STATUS, m?.status)}”.`
        : `De status is nu “${label(MEETING_STATUS, m?.status)}”.`;
    case 'minutes':
      return who ? `${who} heeft het verslag bijgewerkt.` : 'Het verslag is bijgewerkt.';
    default:
      return who ? `${who} heeft de vergadering gewijzigd.` : 'De vergadering is gewijzigd.';
  }
}

/** My own membership changed (membership.updated or .removed about me). */
export function roleNews(store, f) {
  const who = actorName(store, f);
  if (f.event === 'membership.removed') {
    return who ? `${who} heeft u uit dit overleg verwijderd.` : 'U bent geen lid meer van dit overleg.';
  }
  const role = label(ROLES, f.data?.membership?.role).toLowerCase();
  return who ? `${who} heeft uw rol in dit overleg gewijzigd in: ${role}.` : `Uw rol in dit overleg is nu: ${role}.`;
}
