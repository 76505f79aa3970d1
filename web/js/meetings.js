// Planning meetings: one at a time, or a series from the body's cadence; moving and cancelling.
import { h, replace } from './dom.js';
import { toInputs, fromInputs, fmtDate, fmtTime, cadenceLabel, MEETING_STATUS, localParts } from './format.js';
import { field, input, select, checkbox, formDialog, toast } from './ui.js';

const ymd = (y, mo, d) => `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const DAYS = ['zondag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag'];

/** One step of a cadence (P6W, P1M) from a YYYY-MM-DD day; the month clamps like the server. */
function step(date, cadence, k = 1) {
  const m = /^P(\d+)([WM])$/.exec(cadence || '');
  const [y, mo, d] = date.split('-').map(Number);
  if (!m) return new Date(Date.UTC(y, mo - 1, d + 7 * k)).toISOString().slice(0, 10);
  return seriesPreview(date, cadence, k + 1)[k];
}

/**
 * Where a new meeting goes by default: the body's rhythm. From its last meeting (not cancelled)
 * it takes the weekday, the times and the place, and goes one cadence on (P6W: six weeks) until
 * past today; a body without cadence gets the same weekday next week. Without any meeting: next
 * week, 10:00–12:00. reason: a Dutch sentence saying where the proposal comes from (or null).
 */
export function defaultSlot(body, meetings = []) {
  const today = (() => { const p = localParts(new Date()); return ymd(p.y, p.mo, p.d); })();
  const last = meetings.filter((m) => m.status !== 'geannuleerd').sort((a, b) => Date.parse(b.start) - Date.parse(a.start))[0];
  if (!last) {
    const p = localParts(new Date(Date.now() + 7 * 86400000));
    return { date: ymd(p.y, p.mo, p.d), start: '10:00', end: '12:00', location: body.location || '', reason: null };
  }
  const s = toInputs(last.start);
  const e = toInputs(last.end);
  let date = s.date;
  let k = 1;
  // The cadence from the last meeting, on until a day after today.
  do { date = step(s.date, body.cadence, k++); } while (date <= today && k < 400);
  const weekday = DAYS[new Date(`${date}T12:00:00Z`).getUTCDay()];
  return {
    date, start: s.time, end: e.time, location: last.location || body.location || '',
    reason: body.cadence
      ? `Voorgesteld volgens de frequentie van het overleg (${cadenceLabel(body.cadence).toLowerCase()}) vanaf de laatste vergadering: ${weekday} ${s.time}–${e.time}.`
      : `Voorgesteld op dezelfde dag en tijd als de laatste vergadering: ${weekday} ${s.time}–${e.time}.`,
  };
}

/** The meetings of the body (not cancelled) on a YYYY-MM-DD day. */
const onDay = (meetings, date) => meetings.filter((m) => m.status !== 'geannuleerd' && toInputs(m.start).date === date);

function timeFields(init) {
  const date = input({ type: 'date', value: init.date, required: true, name: 'date' });
  const start = input({ type: 'time', value: init.start, required: true, name: 'start', step: 300 });
  const end = input({ type: 'time', value: init.end, required: true, name: 'end', step: 300 });
  // The browser shows date inputs in its own language; say the chosen day in Dutch too.
  const echo = h('p', { class: 'hint date-echo', 'aria-live': 'polite' });
  const update = () => {
    echo.textContent = date.value && start.value && end.value
      ? `${fmtDate(fromInputs(date.value, start.value))}, ${start.value}–${end.value} (Nederlandse tijd)` : '';
  };
  for (const x of [date, start, end]) x.addEventListener('input', update);
  update();
  return { date, start, end, echo };
}

function readTimes(t) {
  if (!t.date.value || !t.start.value || !t.end.value) throw new Error('Vul datum, begintijd en eindtijd in.');
  const start = fromInputs(t.date.value, t.start.value);
  const end = fromInputs(t.date.value, t.end.value);
  if (Date.parse(end) <= Date.parse(start)) throw new Error('De eindtijd moet na de begintijd liggen.');
  return { start, end };
}

/** Create (meeting null) or change a meeting: date, times, location, status. meetings: the
 * body's meetings (a new one is proposed in their rhythm). */
export async function meetingDialog({ store, body, meeting, meetings = [] }) {
  const isNew = !meeting;
  const init = isNew ? defaultSlot(body, meetings) : {
    date: toInputs(meeting.start).date, start: toInputs(meeting.start).time, end: toInputs(meeting.end).time,
    location: meeting.location || '',
  };
  let t;
  let loc;
  let status;
  let standing;
  const ok = await formDialog({
    title: isNew ? `Vergadering plannen – ${body.name}` : 'Vergadering wijzigen',
    submitLabel: isNew ? 'Plannen' : 'Opslaan',
    build: (el) => {
      t = timeFields(init);
      loc = input({ value: init.location, maxLength: 200, name: 'location' });
      const statusOpts = Object.entries(MEETING_STATUS).filter(([k]) => k !== 'geannuleerd' || !isNew);
      status = select(statusOpts, meeting?.status || 'concept', { name: 'status' });
      if (init.reason) el.append(h('p', { class: 'hint slot-reason' }, init.reason));
      el.append(
        h('div', { class: 'field-row' }, field('Datum', t.date, { required: true }), field('Begintijd', t.start, { required: true }), field('Eindtijd', t.end, { required: true })),
        t.echo,
        field('Plaats', loc, { hint: 'Leeg laten: de vaste vergaderplaats van het overleg.', wide: true }),
        field('Status', status));
      if (isNew) {
        standing = checkbox('Begin met de vaste agendapunten (en de actielijst) van de vorige vergadering', true, { name: 'standing' });
        el.append(standing.el);
      }
    },
    submit: async () => {
      const { start, end } = readTimes(t);
      const args = { start, end };
      if (loc.value.trim()) args.location = loc.value.trim();
      if (isNew) {
        args.body = body.id;
        args.status = status.value;
        if (!standing.box.checked) args.standing = false;
        return store.request('meeting.create', args);
      }
      args.meeting = meeting.id;
      if (status.value !== meeting.status) args.status = status.value;
      return store.request('meeting.update', args);
    },
  });
  if (ok) toast(isNew ? 'De vergadering is gepland.' : 'De vergadering is gewijzigd.', 'ok');
  return ok;
}

/** The dates a series will get, computed like the server does (local wall clock, month clamp). */
export function seriesPreview(date, cadence, count) {
  const m = /^P(\d+)([WM])$/.exec(cadence || '');
  if (!m || !date) return [];
  const n = +m[1];
  const [y, mo, d] = date.split('-').map(Number);
  const out = [];
  for (let k = 0; k < count; k++) {
    let dt;
    if (m[2] === 'W') dt = new Date(Date.UTC(y, mo - 1, d + 7 * n * k));
    else {
      const months = mo - 1 + n * k;
      const yy = y + Math.floor(months / 12);
      const mm = months % 12;
      const last = new Date(Date.UTC(yy, mm + 1, 0)).getUTCDate();
      dt = new Date(Date.UTC(yy, mm, Math.min(d, last)));
    }
    out.push(dt.toISOString().slice(0, 10));
  }
  return out;
}

export async function seriesDialog({ store, body, meetings = [] }) {
  if (!body.cadence) {
    toast('Dit overleg heeft geen vaste frequentie. Een beheerder kan die instellen; plan vergaderingen anders los.', 'error');
    return false;
  }
  let t;
  let count;
  let loc;
  let preview;
  let standing;
  const ok = await formDialog({
    title: `Reeks plannen – ${body.name}`,
    submitLabel: 'Reeks plannen',
    build: (el) => {
      const init = defaultSlot(body, meetings);
      t = timeFields(init);
      count = input({ type: 'number', min: 1, max: 52, value: 6, required: true, name: 'count' });
      loc = input({ value: init.location, maxLength: 200, name: 'location' });
      preview = h('ol', { class: 'series-preview' });
      const clash = h('p', { class: 'notice notice-warn series-clash', role: 'status', hidden: true });
      const update = () => {
        const n = Math.max(0, Math.min(52, Number(count.value) || 0));
        const dates = seriesPreview(t.date.value, body.cadence, n);
        let clashes = 0;
        replace(preview, dates.map((d) => {
          const there = onDay(meetings, d);
          if (there.length) clashes++;
          return h('li', { class: there.length ? 'has-clash' : '' }, `${fmtDate(`${d}T12:00:00Z`)}, ${t.start.value}–${t.end.value}`,
            there.length ? h('strong', { class: 'clash-note' }, ` — er is op deze dag al een vergadering (${there.map((m) => `${fmtTime(m.start)}–${fmtTime(m.end)}`).join(', ')})`) : null);
        }));
        clash.hidden = !clashes;
        clash.textContent = clashes === 1 ? 'Let op: op 1 van deze dagen is al een vergadering van dit overleg gepland.'
          : `Let op: op ${clashes} van deze dagen is al een vergadering van dit overleg gepland.`;
      };
      for (const x of [t.date, t.start, t.end, count]) x.addEventListener('input', update);
      el.append(
        h('p', null, `Frequentie van dit overleg: ${cadenceLabel(body.cadence)}.`),
        h('div', { class: 'field-row' }, field('Eerste datum', t.date, { required: true }), field('Begintijd', t.start, { required: true }), field('Eindtijd', t.end, { required: true })),
        h('div', { class: 'field-row' }, field('Aantal vergaderingen', count, { required: true }), field('Plaats', loc)),
        h('p', { class: 'hint slot-reason', hidden: !init.reason }, init.reason || ''),
        h('h3', { class: 'small-head' }, 'Deze vergaderingen worden gepland (als concept):'), clash, preview);
      standing = checkbox('Elke vergadering begint met de vaste agendapunten (en de actielijst)', true, { name: 'standing' });
      el.append(standing.el);
      update();
    },
    submit: async () => {
      const { start, end } = readTimes(t);
      const n = Number(count.value);
      if (!Number.isInteger(n) || n < 1 || n > 52) throw new Error('Het aantal is een geheel getal van 1 tot en met 52.');
      const args = { body: body.id, start, end, count: n };
      if (loc.value.trim()) args.location = loc.value.trim();
      if (!standing.box.checked) args.standing = false;
      return store.request('meeting.series', args);
    },
  });
  if (ok) toast(`${ok.meetings?.length || ''} vergaderingen zijn gepland.`, 'ok');
  return ok;
}

export { fmtTime };
