// Dutch labels and Dutch date/time formatting in Europe/Amsterdam, whatever the browser's zone.
export const TZ = 'Europe/Amsterdam';

const fmt = (opts) => new Intl.DateTimeFormat('nl-NL', { timeZone: TZ, ...opts });
const F = {
  date: fmt({ weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' }),
  dateLong: fmt({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
  dateShort: fmt({ day: 'numeric', month: 'short', year: 'numeric' }),
  time: fmt({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  parts: fmt({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', second: '2-digit', hourCycle: 'h23' }),
  dayKey: fmt({ year: 'numeric', month: '2-digit', day: '2-digit' }),
};

const d = (iso) => (iso instanceof Date ? iso : new Date(iso));
export const fmtDate = (iso) => F.date.format(d(iso));
export const fmtDateLong = (iso) => F.dateLong.format(d(iso));
export const fmtDateShort = (iso) => F.dateShort.format(d(iso));
export const fmtTime = (iso) => F.time.format(d(iso));
export const fmtDateTime = (iso) => `${fmtDate(iso)} ${fmtTime(iso)}`;
export const fmtRange = (start, end) => `${fmtDate(start)}, ${fmtTime(start)}–${fmtTime(end)}`;

/** A YYYY-MM-DD due date, shown in Dutch ("8 dec. 2026"). */
export function fmtDay(ymd) {
  if (!ymd) return '';
  const [y, m, dd] = ymd.split('-').map(Number);
  return new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', day: 'numeric', month: 'short',
    year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, dd)));
}

function partsOf(date) {
  const p = {};
  for (const { type, value } of F.parts.formatToParts(date)) p[type] = value;
  return p;
}

/** Wall-clock fields of an instant in Amsterdam. */
export function localParts(iso) {
  const p = partsOf(d(iso));
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute };
}

/** Today's date in Amsterdam as YYYY-MM-DD. */
export function todayYmd(now = new Date()) {
  const p = partsOf(now);
  return `${p.year}-${p.month}-${p.day}`;
}

export function dayKey(iso) {
  return todayYmd(d(iso));
}

const pad = (n) => String(n).padStart(2, '0');

/** "2026-12-08" and "09:30" (Amsterdam wall clock) for date/time inputs. */
export function toInputs(iso) {
  const p = localParts(iso);
  return { date: `${p.y}-${pad(p.mo)}-${pad(p.d)}`, time: `${pad(p.h)}:${pad(p.mi)}` };
}

/** Amsterdam wall clock ("2026-12-08", "09:30") -> UTC ISO string; DST-correct. */
export function fromInputs(date, time) {
  const [y, mo, dd] = date.split('-').map(Number);
  const [hh, mi] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, dd, hh, mi);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = partsOf(new Date(guess));
    const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
    const offset = asUtc - guess;
    const next = wall - offset;
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "vandaag", "morgen", "over 5 dagen", "3 dagen geleden". */
export function relativeDay(iso, now = new Date()) {
  const a = Date.parse(`${dayKey(iso)}T00:00:00Z`);
  const b = Date.parse(`${todayYmd(now)}T00:00:00Z`);
  const days = Math.round((a - b) / 86400000);
  if (days === 0) return 'vandaag';
  if (days === 1) return 'morgen';
  if (days === -1) return 'gisteren';
  if (days > 1) return `over ${days} dagen`;
  return `${-days} dagen geleden`;
}

export function minutes(n) {
  if (!n) return '0 min';
  const hh = Math.floor(n / 60);
  const mm = n % 60;
  if (!hh) return `${mm} min`;
  return mm ? `${hh} u ${mm} min` : `${hh} u`;
}

export function cadenceLabel(c) {
  if (!c) return 'geen vaste frequentie';
  const m = /^P(\d+)([WM])$/.exec(c);
  if (!m) return c;
  const n = +m[1];
  if (m[2] === 'W') return n === 1 ? 'wekelijks' : `elke ${n} weken`;
  return n === 1 ? 'maandelijks' : `elke ${n} maanden`;
}

export const ROLES = {
  voorzitter: 'Voorzitter', secretaris: 'Secretaris', lid: 'Lid',
  vaste_vervanger: 'Vaste vervanger', gast: 'Gast', waarnemer: 'Waarnemer',
};
export const ROLE_ORDER = ['voorzitter', 'secretaris', 'lid', 'vaste_vervanger', 'gast', 'waarnemer'];
export const MEETING_STATUS = {
  concept: 'Concept', agenda_gepubliceerd: 'Agenda gepubliceerd', gehouden: 'Gehouden',
  verslag_concept: 'Verslag in concept', verslag_ter_vaststelling: 'Verslag ter vaststelling',
  verslag_vastgesteld: 'Verslag vastgesteld',
  geannuleerd: 'Geannuleerd',
};
export const ITEM_KIND = {
  informatie: 'Ter informatie', bespreking: 'Ter bespreking', besluitvorming: 'Ter besluitvorming',
};
export const ITEM_STATUS = { open: 'Open', behandeld: 'Behandeld', aangehouden: 'Aangehouden' };
export const ACTION_KIND = { actiepunt: 'Actiepunt', toezegging: 'Toezegging', besluit: 'Besluit' };
export const ACTION_STATUS = { open: 'Open', lopend: 'Lopend', afgerond: 'Afgerond', vervallen: 'Vervallen' };
export const ATTENDANCE = {
  aanwezig: 'Aanwezig', afwezig: 'Afwezig', vervangen: 'Afwezig met vervanger',
  later: 'Schuift later aan',
};
export const LEVELS = { strategisch: 'Strategisch', tactisch: 'Tactisch', operationeel: 'Operationeel' };
export const BODY_KINDS = {
  regiegroep: 'Regiegroep', stuurgroep: 'Stuurgroep', casusoverleg: 'Casusoverleg',
  leefbaarheidsoverleg: 'Leefbaarheidsoverleg', werkgroep: 'Werkgroep', overig: 'Overig',
};
export const ORG_KINDS = {
  gemeente: 'Gemeente', politie: 'Politie', om: 'Openbaar Ministerie', riec: 'RIEC',
  belastingdienst: 'Belastingdienst', omgevingsdienst: 'Omgevingsdienst',
  sociale_dienst: 'Sociale dienst', woningcorporatie: 'Woningcorporatie',
  jongerenwerk: 'Jongerenwerk', onderwijs: 'Onderwijs', zorg: 'Zorg',
  veiligheidshuis: 'Zorg- en Veiligheidshuis', rijk: 'Rijksoverheid', overig: 'Overig',
};
export const SCOPE_KINDS = { gemeente: 'Gemeente', regio: 'Regio' };

export const label = (map, key) => (key in map ? map[key] : key);

/** Roles that may edit agendas and meetings. */
export const canEdit = (role) => role === 'voorzitter' || role === 'secretaris';
/** Roles that may add actions and chat. */
export const canParticipate = (role) => !!role && role !== 'waarnemer';
/** Whether the caller (store.me, with role in the action's body) may change action a itself:
 *  its owner (the person; without one, the owner organisation; without either, who recorded it),
 *  the chair and the secretary; a besluit only the chair and secretary. Others propose. */
export function mayChangeAction(me, a, role) {
  if (canEdit(role)) return true;
  if (!canParticipate(role) || a.kind === 'besluit') return false;
  if (a.owner) return a.owner === me.id;
  if (a.owner_org) return a.owner_org === me.org;
  return a.created_by === me.id;
}
