// What a meeting's agenda items ended in: the secretary's notes (notulen) and the outcomes
// (besluiten, toezeggingen, actiepunten) under each item, live. The chair and secretary write
// the notes in place and record outcomes with one button per kind; everyone else reads them as
// they appear. An editor is built once per item, so a colleague's save never takes what is being
// typed: it says "bijgewerkt door … — opnieuw laden" instead.
import { h, replace, uid } from './dom.js';
import { fmtDay, fmtTime, dayKey, label, ACTION_STATUS } from './format.js';
import { button, toast, confirmDialog, TOAST_RANK } from './ui.js';
import { markdownBlock } from './md.js';
import { actionDialog } from './actions.js';
import { actorName, isMine } from './news.js';

const KIND_WORD = { besluit: 'Besluit', toezegging: 'Toezegging', actiepunt: 'Actiepunt' };
const ORDER = { besluit: 0, toezegging: 1, actiepunt: 2 };

export class ItemMinutes {
  /**
   * store; meeting (object); notes ({itemId: notes} from meeting.get); outcomes (array of action);
   * members (of the body); editor (chair or secretary); participant (may record actions);
   * frozen() -> true when the verslag is vastgesteld (nothing more is written);
   * onChange() -> called when something changed that the agenda should show.
   */
  constructor({ store, meeting, notes, outcomes, members, editor, participant, frozen = () => false, onChange }) {
    this.store = store;
    this.meeting = meeting;
    this.notes = new Map(Object.values(notes || {}).map((n) => [n.item, n]));
    this.outcomes = new Map((outcomes || []).map((a) => [a.id, a]));
    this.members = members;
    this.editor = editor;
    this.participant = participant;
    this.frozen = frozen;
    this.onChange = onChange;
    this.editors = new Map(); // item id -> {el, ta, open, base, pending, note}
  }

  /** Applies a push; returns true when an item's block changed. */
  apply(f) {
    const d = f.data || {};
    if (f.event === 'minutes.noted' && d.meeting === this.meeting.id) {
      this.notes.set(d.item, d.notes);
      this.remote(d.item, d.notes, f);
      return true;
    }
    if ((f.event === 'action.created' || f.event === 'action.updated') && this.belongs(d.action)) {
      this.outcomes.set(d.action.id, d.action);
      return true;
    }
    return false;
  }

  belongs(a) {
    return a.meeting === this.meeting.id || (a.item && a.item_meeting === this.meeting.id) || this.outcomes.has(a.id);
  }

  /** A result of my own write (the reply comes before its event). */
  put(a) {
    if (this.belongs(a)) this.outcomes.set(a.id, a);
  }

  forItem(id) {
    return [...this.outcomes.values()].filter((a) => a.item === id)
      .sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.id - b.id);
  }

  /** What one agenda item ended in: its notes, its outcomes and (for editors) the open notes
   *  editor; null when there is nothing. */
  block(it) {
    const notes = this.notes.get(it.id);
    const list = this.forItem(it.id);
    const ed = this.editor && !this.frozen() ? this.editorFor(it) : null;
    const showNotes = notes?.text && !(ed && ed.open);
    if (!showNotes && !list.length && !(ed && ed.open)) return ed ? ed.el : null;
    // A plain block with a heading, not a region: one landmark per item would drown the page's.
    return h('div', { class: 'item-minutes' },
      h('h4', { class: 'item-minutes-head' }, `Verslag bij punt: ${it.title}`),
      showNotes ? markdownBlock(notes.text, { headingBase: 5, className: 'item-notes' }) : null,
      ed ? ed.el : null,
      list.length ? h('ul', { class: 'outcomes', 'aria-label': `Uitkomsten bij ${it.title}` }, list.map((a) => this.outcomeRow(a))) : null);
  }

  outcomeRow(a) {
    const who = [];
    if (a.kind !== 'besluit') {
      if (a.owner) who.push(this.store.personName(a.owner));
      if (a.owner_org) who.push(this.store.orgName(a.owner_org));
    }
    const when = a.kind === 'besluit' ? (a.decided_on ? `besloten op ${fmtDay(a.decided_on)}` : null)
      : a.due ? `deadline ${fmtDay(a.due)}` : null;
    const earlier = a.meeting && a.meeting !== this.meeting.id ? 'eerdere vergadering' : null;
    const status = a.kind !== 'besluit' && a.status !== 'open' ? label(ACTION_STATUS, a.status).toLowerCase() : null;
    const extra = [when, status, earlier].filter(Boolean);
    return h('li', { class: `outcome outcome-${a.kind}`, dataset: { action: a.id } },
      h('span', { class: `badge ak-${a.kind}` }, KIND_WORD[a.kind]),
      who.length ? h('strong', { class: 'outcome-who' }, ` ${who.join(' · ')}: `) : ' ',
      h('span', { class: 'outcome-text' }, a.text),
      extra.length ? h('span', { class: 'small muted' }, ` (${extra.join(', ')})`) : null);
  }

  /** Buttons to take notes and record outcomes at an item (for the item's row of links). */
  tools(it) {
    if (this.frozen()) return null;
    const day = dayKey(this.meeting.start);
    const record = (kind) => async () => {
      const r = await actionDialog({ store: this.store, action: null, bodyId: this.meeting.body, members: this.members, item: it, kind, canDecide: this.editor, day });
      if (r?.action) { this.put(r.action); this.onChange?.(); }
    };
    const kinds = this.editor ? ['besluit', 'toezegging', 'actiepunt'] : this.participant ? ['toezegging', 'actiepunt'] : [];
    if (!kinds.length) return null;
    const ed = this.editor ? this.editorFor(it) : null;
    const word = this.notes.get(it.id)?.text ? 'Notulen bewerken' : 'Notuleren';
    return [
      ed && !ed.open ? h('button', { type: 'button', class: 'linkish no-print', 'aria-label': `${word} bij: ${it.title}`,
        dataset: { focuskey: `notes-${it.id}` }, onclick: () => this.openEditor(it) }, word) : null,
      kinds.map((k) => h('button', { type: 'button', class: 'linkish no-print', 'aria-label': `${KIND_WORD[k]} vastleggen bij: ${it.title}`,
        dataset: { focuskey: `${k}-${it.id}` }, onclick: record(k) }, `${KIND_WORD[k]} vastleggen`)),
    ];
  }

  // ---- the notes editor of one item (chair and secretary) ----

  editorFor(it) {
    let ed = this.editors.get(it.id);
    if (ed) return ed;
    const ta = h('textarea', { id: uid('notes'), rows: 6, maxLength: 20000, class: 'notes-input', dataset: { focuskey: `notes-text-${it.id}` } });
    const status = h('p', { class: 'small muted', role: 'status' });
    const conflict = h('div', { class: 'notice notice-warn', role: 'status', hidden: true });
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Notulen opslaan');
    const close = button('Sluiten', () => this.closeEditor(it), { class: 'btn btn-small' });
    const form = h('form', { class: 'notes-form' },
      h('label', { htmlFor: ta.id }, `Notulen bij: ${it.title}`),
      h('p', { class: 'hint' }, 'Kort en zakelijk. Een regel met “- ” wordt een opsomming; **vet** en *schuin* mogen.'),
      conflict, ta, h('div', { class: 'notes-actions' }, save, close, status));
    ed = { el: form, ta, status, conflict, open: false, base: '', rev: 0, pending: null, item: it };
    ta.addEventListener('input', () => { status.textContent = ta.value !== ed.base ? 'Niet opgeslagen.' : ''; });
    ta.addEventListener('keydown', (e) => { if (e.key === 's' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); this.saveNotes(ed); } });
    form.addEventListener('submit', (e) => { e.preventDefault(); this.saveNotes(ed); });
    form.hidden = true;
    this.editors.set(it.id, ed);
    return ed;
  }

  openEditor(it) {
    const ed = this.editorFor(it);
    const n = this.notes.get(it.id);
    ed.base = ed.ta.value = n?.text || '';
    ed.rev = n?.rev || 0;
    ed.pending = null;
    ed.conflict.hidden = true;
    ed.open = true;
    ed.el.hidden = false;
    this.onChange?.();
    ed.ta.focus();
  }

  async closeEditor(it) {
    const ed = this.editors.get(it.id);
    if (!ed) return;
    if (ed.ta.value !== ed.base) {
      const ok = await confirmDialog('Notulen sluiten', 'U hebt notulen die nog niet zijn opgeslagen. Sluiten zonder op te slaan?', { confirmLabel: 'Sluiten zonder opslaan' });
      if (!ok) return;
    }
    ed.open = false;
    ed.el.hidden = true;
    this.onChange?.();
  }

  async saveNotes(ed) {
    if (ed.busy) return;
    if (ed.ta.value === ed.base && !ed.pending) { ed.status.textContent = 'Er is niets gewijzigd.'; return; }
    let rev = ed.rev;
    if (ed.pending) {
      const ok = await confirmDialog('Notulen opslaan', `${ed.pending.who} heeft deze notulen intussen gewijzigd. Als u nu opslaat, vervangt uw tekst die versie.`, { confirmLabel: 'Toch opslaan' });
      if (!ok) return;
      rev = ed.pending.rev;
    }
    ed.busy = true;
    try {
      const r = await this.store.request('minutes.note', { item: ed.item.id, text: ed.ta.value, rev });
      this.notes.set(ed.item.id, r.notes);
      ed.base = r.notes.text;
      ed.rev = r.notes.rev;
      ed.pending = null;
      ed.conflict.hidden = true;
      ed.status.textContent = `Opgeslagen om ${fmtTime(new Date())}.`;
    } catch (e) {
      ed.status.textContent = `Niet opgeslagen: ${e.message}`;
      toast(e.message, 'error', { rank: TOAST_RANK.error });
    } finally {
      ed.busy = false;
    }
  }

  /** Someone saved the notes of item: an open editor keeps what is typed and offers the new text. */
  remote(item, notes, f) {
    const ed = this.editors.get(item);
    if (!ed || !ed.open || notes.rev <= ed.rev) return;
    const who = isMine(this.store, f) ? 'uzelf (in een ander venster)' : actorName(this.store, f) || 'iemand';
    if (ed.ta.value === ed.base && document.activeElement !== ed.ta) {
      ed.base = ed.ta.value = notes.text;
      ed.rev = notes.rev;
      return;
    }
    ed.pending = { text: notes.text, rev: notes.rev, who };
    replace(ed.conflict, `Bijgewerkt door ${who} (${fmtTime(new Date())}) — `,
      button('opnieuw laden', async () => {
        if (ed.ta.value !== ed.base) {
          const ok = await confirmDialog('Nieuwe versie laden', 'Uw wijzigingen die nog niet zijn opgeslagen gaan dan verloren. De nieuwe versie laden?', { confirmLabel: 'Nieuwe versie laden' });
          if (!ok) return;
        }
        ed.base = ed.ta.value = ed.pending.text;
        ed.rev = ed.pending.rev;
        ed.pending = null;
        ed.conflict.hidden = true;
        ed.ta.focus();
      }, { class: 'linkish' }), '. Tot dan blijft uw eigen tekst staan.');
    ed.conflict.hidden = false;
  }
}
