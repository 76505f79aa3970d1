// The verslag (minutes) of a meeting: everyone who may see the meeting reads it; its chair and
// secretary write it and set the meeting's status (verslag in concept, vastgesteld) beside it.
// A colleague's save that arrives while one is typing never overwrites the text: the editor says
// "bijgewerkt door … — opnieuw laden" and loads the new version only when asked.
import { h, replace, uid } from './dom.js';
import { fmtTime, label, MEETING_STATUS } from './format.js';
import { badge, empty, toast, confirmDialog, button, TOAST_RANK } from './ui.js';
import { actorName, isMine } from './news.js';

const MAX = 50000;
const AFTER = new Set(['gehouden', 'verslag_concept', 'verslag_vastgesteld']);
// Unsaved text of a verslag when its page is left (per meeting, this tab only): coming back
// brings it back, as long as nobody changed the verslag in between.
const drafts = new Map();

/**
 * opts: {store, meeting, minutes (text from meeting.get), editor (chair or secretary),
 *        onMeeting(meeting) (a save changed the meeting: its status), onCleanup(fn) (the page's)}
 * Returns {el, update(push)}: update takes a meeting.updated push of this meeting.
 */
export function minutesPanel({ store, meeting: first, minutes, editor, onMeeting, onCleanup }) {
  let meeting = first;
  let text = minutes || '';   // the server's version
  let base = text;            // what the editor's text started from
  let pending = null;         // {text, who, at}: someone else's newer version, not in the editor yet
  let lastBy = null;          // {who, at}: who changed it while this page was open
  let busy = false;

  const head = h('div', { class: 'panel-head' });
  const note = h('p', { class: 'live-note', role: 'status' });
  const content = h('div');
  const el = h('section', { class: 'panel minutes', 'aria-labelledby': 'h-minutes' }, head, note, content);

  // The editor is built once, so a re-render never takes what is being typed.
  let ta = null;
  let saved = null;
  let conflict = null;
  let tools = null;
  if (editor) {
    const hintId = uid('hint');
    ta = h('textarea', { id: uid('minutes'), rows: 12, maxLength: MAX, value: text, class: 'minutes-input', 'aria-describedby': hintId });
    saved = h('p', { class: 'small muted minutes-saved', role: 'status' });
    conflict = h('div', { class: 'notice notice-warn minutes-conflict', role: 'status', hidden: true });
    tools = h('div', { class: 'minutes-tools' });
    ta.addEventListener('input', () => { saved.textContent = dirty() ? 'Niet opgeslagen wijzigingen.' : ''; });
    const form = h('form', { class: 'minutes-form no-print' },
      h('label', { htmlFor: ta.id }, 'Tekst van het verslag'),
      h('p', { class: 'hint', id: hintId }, 'Wat besproken en besloten is. Acties en besluiten legt u vast bij het agendapunt; zij komen in de actielijst.'),
      conflict, ta, saved, tools);
    form.addEventListener('submit', (e) => { e.preventDefault(); save(null); });
    replace(content, form, h('div', { class: 'minutes-text print-only' }));
    const draft = drafts.get(meeting.id);
    drafts.delete(meeting.id);
    if (draft && draft.base === text && draft.text !== text) {
      ta.value = draft.text;
      saved.textContent = 'Uw tekst die nog niet was opgeslagen staat er weer.';
    }
    // Leaving the page keeps the draft; closing or reloading the tab asks first.
    const warn = (e) => { if (dirty()) { e.preventDefault(); e.returnValue = ''; } };
    window.addEventListener('beforeunload', warn);
    onCleanup?.(() => {
      window.removeEventListener('beforeunload', warn);
      if (dirty()) drafts.set(meeting.id, { text: ta.value, base });
    });
  }

  const dirty = () => !!ta && ta.value !== base;
  const held = () => Date.parse(meeting.start) <= Date.now() || AFTER.has(meeting.status);

  function draw() {
    const st = meeting.status === 'verslag_concept' ? badge('Concept', 'st-verslag_concept')
      : meeting.status === 'verslag_vastgesteld' ? badge('Vastgesteld', 'st-verslag_vastgesteld') : null;
    replace(head, h('h2', { id: 'h-minutes' }, 'Verslag'), st);
    note.textContent = lastBy && !pending ? `Bijgewerkt door ${lastBy.who} om ${fmtTime(lastBy.at)}.` : '';
    if (!editor) {
      replace(content, text
        ? h('div', { class: 'minutes-text' }, text)
        : empty(meeting.status === 'geannuleerd' ? 'De vergadering is geannuleerd.'
          : held() ? 'Er is nog geen verslag.' : 'Het verslag volgt na de vergadering.'),
      meeting.status === 'verslag_concept' && text ? h('p', { class: 'hint' }, 'Dit is een concept: het kan nog veranderen.') : null);
      return;
    }
    content.querySelector('.print-only').textContent = text;
    conflict.hidden = !pending;
    if (pending) {
      replace(conflict, `Bijgewerkt door ${pending.who} (${fmtTime(pending.at)}) — `,
        button('opnieuw laden', reload, { class: 'linkish' }),
        '. Tot dan blijft uw eigen tekst staan.');
    }
    // A vastgesteld verslag is the approved text: to change it, it goes back to concept first.
    const fixed = meeting.status === 'verslag_vastgesteld';
    ta.readOnly = fixed;
    const buttons = fixed ? [h('span', { class: 'small' }, 'Het verslag is vastgesteld. Om het te wijzigen zet u het eerst terug naar concept.')]
      : [h('button', { type: 'submit', class: 'btn btn-primary', disabled: busy }, 'Verslag opslaan')];
    if (held() && meeting.status !== 'geannuleerd') {
      if (meeting.status === 'verslag_concept') buttons.push(button('Verslag vaststellen', () => save('verslag_vastgesteld'), { disabled: busy }));
      else if (meeting.status === 'verslag_vastgesteld') buttons.push(button('Terug naar concept', () => save('verslag_concept'), { disabled: busy }));
      else buttons.push(button('Opslaan als conceptverslag', () => save('verslag_concept'), { disabled: busy }));
    }
    replace(tools, buttons, fixed ? null : h('span', { class: 'small muted' }, `Status van de vergadering: ${label(MEETING_STATUS, meeting.status).toLowerCase()}`));
  }

  async function reload() {
    if (!pending) return;
    if (dirty() && ta.value !== pending.text) {
      const ok = await confirmDialog('Nieuwe versie laden', 'Uw wijzigingen die nog niet zijn opgeslagen gaan dan verloren. De nieuwe versie laden?', { confirmLabel: 'Nieuwe versie laden' });
      if (!ok) return;
    }
    ta.value = base = pending.text;
    pending = null;
    saved.textContent = '';
    draw();
    ta.focus();
  }

  async function save(status) {
    if (busy || (ta.readOnly && !status)) return;
    const value = ta.value;
    if (!status && value === base && !pending) {
      saved.textContent = 'Er is niets gewijzigd.';
      return;
    }
    if (pending && pending.text !== value) {
      const ok = await confirmDialog('Verslag opslaan', `${pending.who} heeft het verslag intussen gewijzigd. Als u nu opslaat, vervangt uw tekst die versie.`, { confirmLabel: 'Toch opslaan' });
      if (!ok) return;
    }
    const args = { meeting: meeting.id, minutes: value };
    if (status) args.status = status;
    busy = true;
    draw();
    try {
      const r = await store.request('meeting.update', args);
      text = base = value;
      pending = null;
      meeting = r.meeting;
      saved.textContent = `Opgeslagen om ${fmtTime(new Date())}.`;
      onMeeting?.(meeting);
      toast(status === 'verslag_vastgesteld' ? 'Het verslag is vastgesteld.'
        : status ? 'Het verslag is opgeslagen als concept.' : 'Het verslag is opgeslagen.', 'ok');
    } catch (e) {
      toast(e.message, 'error', { rank: TOAST_RANK.error });
      saved.textContent = `Niet opgeslagen: ${e.message}`;
    } finally {
      busy = false;
      draw();
    }
  }

  /** A meeting.updated push of this meeting (newer than the snapshot). */
  function update(f) {
    const d = f.data || {};
    meeting = d.meeting || meeting;
    if (typeof d.minutes === 'string' && d.minutes !== text) {
      text = d.minutes;
      const who = isMine(store, f) ? 'uzelf (in een ander venster)' : actorName(store, f) || 'Ketentafel';
      lastBy = { who, at: new Date() };
      if (editor) {
        const editing = dirty() || document.activeElement === ta;
        if (editing && ta.value !== text) {
          pending = { text, who, at: lastBy.at };
        } else {
          ta.value = base = text;
          pending = null;
        }
      }
    }
    draw();
  }

  draw();
  return { el, update };
}
