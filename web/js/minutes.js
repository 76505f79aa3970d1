// The verslag (minutes) of a meeting: everyone who may see the meeting reads it; its chair and
// secretary write it, save it as concept and send it ter vaststelling (members are told and may
// propose amendments until a deadline); the chair stelt het vast, saying which amendments were
// taken, after which it is read-only. Every version sent round or approved stays readable.
// A colleague's save that arrives while one is typing never overwrites the text: the editor says
// "bijgewerkt door … — opnieuw laden" and loads the new version only when asked.
import { h, replace, uid } from './dom.js';
import { fmtTime, fmtDateTime, fmtDay, label, MEETING_STATUS, ACTION_KIND, todayYmd } from './format.js';
import { badge, empty, toast, confirmDialog, button, formDialog, field, input, select, textarea, checkbox, TOAST_RANK } from './ui.js';
import { actorName, isMine } from './news.js';

const MAX = 50000;
const AFTER = new Set(['gehouden', 'verslag_concept', 'verslag_ter_vaststelling', 'verslag_vastgesteld']);
const AMENDMENT_STATUS = { ingediend: 'Ingediend', overgenomen: 'Overgenomen', niet_overgenomen: 'Niet overgenomen', ingetrokken: 'Ingetrokken' };
// Unsaved text of a verslag when its page is left (per meeting, this tab only): coming back
// brings it back, as long as nobody changed the verslag in between.
const drafts = new Map();

/** The lists of minutes.get and minutes.version that come in pages beside the document's items
 * (PROTOCOL.md, the verslag in pages): where each is in a reply, and whether a later page holds
 * older entries, to go before the ones read (the versions come from the newest). */
const PAGED_LISTS = [
  { name: 'attendance', of: (r) => r.document },
  { name: 'outcomes', of: (r) => r.document },
  // a version sent round between two pages moves the older ones one on: one comes twice
  { name: 'versions', of: (r) => r, older: true, key: (v) => v.version },
  { name: 'amendments', of: (r) => r },
];

/**
 * opts: {store, meeting, minutes (text from meeting.get), editor (chair or secretary), chair,
 *        onMeeting(meeting) (a save changed the meeting: its status), onCleanup(fn) (the page's)}
 * Returns {el, update(push), refresh()}: update takes a meeting.updated push of this meeting;
 * refresh reads the approval (versions, amendments) again, after a minutes.* push.
 */
export function minutesPanel({ store, meeting: first, minutes, editor, chair, onMeeting, onCleanup }) {
  let meeting = first;
  let text = minutes || '';   // the server's version
  let base = text;            // what the editor's text started from
  let pending = null;         // {text, who, at}: someone else's newer version, not in the editor yet
  let lastBy = null;          // {who, at}: who changed it while this page was open
  let busy = false;

  const head = h('div', { class: 'panel-head' });
  const note = h('p', { class: 'live-note', role: 'status' });
  const content = h('div');
  const approvalBox = h('div', { class: 'approval' });
  approvalBox.hidden = true;
  let approval = null;        // minutes.get: {stage, deadline, document, versions, amendments, can_amend}
  const el = h('section', { class: 'panel minutes', 'aria-labelledby': 'h-minutes' }, head, note, content, approvalBox);

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
      : meeting.status === 'verslag_ter_vaststelling' ? badge('Ter vaststelling', 'st-verslag_ter_vaststelling')
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
    // A vastgesteld verslag is the approved text: it no longer changes.
    const fixed = meeting.status === 'verslag_vastgesteld';
    ta.readOnly = fixed;
    const buttons = fixed ? [h('span', { class: 'small' }, 'Het verslag is vastgesteld en kan niet meer worden gewijzigd.')]
      : [h('button', { type: 'submit', class: 'btn btn-primary', disabled: busy }, 'Verslag opslaan')];
    if (held() && !fixed && meeting.status !== 'geannuleerd') {
      if (meeting.status === 'verslag_ter_vaststelling') {
        buttons.push(button('Opnieuw ter vaststelling sturen…', submitDialog, { disabled: busy }));
        if (chair) buttons.push(button('Verslag vaststellen…', approveDialog, { disabled: busy, class: 'btn btn-primary' }));
      } else {
        if (meeting.status !== 'verslag_concept') buttons.push(button('Opslaan als conceptverslag', () => save('verslag_concept'), { disabled: busy }));
        buttons.push(button('Ter vaststelling sturen…', submitDialog, { disabled: busy }));
      }
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
      toast(status ? 'Het verslag is opgeslagen als concept.' : 'Het verslag is opgeslagen.', 'ok');
    } catch (e) {
      toast(e.message, 'error', { rank: TOAST_RANK.error });
      saved.textContent = `Niet opgeslagen: ${e.message}`;
    } finally {
      busy = false;
      draw();
    }
  }

  // ---- approval: ter vaststelling, amendments, vastgesteld, versions ----

  // Unsaved text first: what is sent round or approved is the saved verslag.
  async function saveFirst() {
    if (!dirty()) return true;
    await save(null);
    return !dirty();
  }

  async function submitDialog() {
    if (!(await saveFirst())) return;
    const inWeek = todayYmd(new Date(Date.now() + 7 * 86400000));
    let dl;
    const ok = await formDialog({
      title: 'Verslag ter vaststelling sturen',
      submitLabel: 'Ter vaststelling sturen',
      build: (body) => {
        dl = input({ type: 'date', min: todayYmd(), value: inWeek, required: true });
        body.append(
          h('p', null, 'Alle leden krijgen bericht en kunnen tot en met de termijn wijzigingen voorstellen. Het verslag komt als punt “Verslag vorige vergadering” op de agenda van de volgende vergadering, waar de voorzitter het vaststelt.'),
          field('Wijzigingen voorstellen tot en met', dl, { required: true }));
      },
      submit: () => store.request('minutes.submit', { meeting: meeting.id, deadline: dl.value }),
    });
    if (!ok) return;
    toast(`Het verslag ligt ter vaststelling; wijzigingen voorstellen kan tot en met ${fmtDay(ok.deadline)}.`, 'ok');
    refresh();
  }

  async function approveDialog() {
    if (!(await saveFirst())) return;
    const r = await readDocument('minutes.get', { meeting: meeting.id }).catch((e) => { toast(e.message, 'error'); return null; });
    if (!r) return;
    const open = r.amendments.filter((a) => a.status === 'ingediend');
    const boxes = [];
    const ok = await formDialog({
      title: 'Verslag vaststellen',
      submitLabel: 'Vaststellen',
      wide: true,
      build: (body) => {
        body.append(h('p', null, 'Na vaststellen kan niemand het verslag, de notulen, de besluiten en de aanwezigheid nog wijzigen. De versie die nu wordt vastgesteld, blijft bewaard.'));
        if (open.length) {
          body.append(h('p', null, 'Vink de voorstellen aan die zijn overgenomen; de andere worden “niet overgenomen”.'),
            h('ul', { class: 'taken-list' }, open.map((a) => {
              const c = checkbox(`${whoOf(a)}${a.item_title ? ` over “${a.item_title}”` : ''}: ${a.text}`, true);
              c.box.value = String(a.id);
              boxes.push(c.box);
              return h('li', null, c.el);
            })));
        } else {
          body.append(h('p', { class: 'muted' }, 'Er zijn geen voorstellen tot wijziging ingediend.'));
        }
      },
      submit: () => store.request('minutes.approve', { meeting: meeting.id, taken: boxes.filter((b) => b.checked).map((b) => Number(b.value)) }),
    });
    if (!ok) return;
    toast('Het verslag is vastgesteld.', 'ok');
    refresh();
  }

  const whoOf = (a) => (a.org_name ? `${a.person_name} (${a.org_name})` : a.person_name);

  function drawApproval() {
    const r = approval;
    approvalBox.hidden = !r || (r.stage === 'concept' && !r.versions.length);
    if (approvalBox.hidden) { approvalBox.replaceChildren(); return; }
    const last = r.versions[r.versions.length - 1];
    const stage = r.stage === 'ter_vaststelling'
      ? h('p', { class: 'approval-stage notice' }, 'Dit verslag ligt ter vaststelling. ',
        r.can_amend ? `Wijzigingen voorstellen kan tot en met ${fmtDay(r.deadline)}.`
          : r.deadline && r.deadline < todayYmd() ? `De termijn voor wijzigingsvoorstellen is verstreken (${fmtDay(r.deadline)}).`
            : `Leden kunnen tot en met ${fmtDay(r.deadline)} wijzigingen voorstellen.`)
      : r.stage === 'vastgesteld' && last
        ? h('p', { class: 'approval-stage notice notice-ok' }, `Vastgesteld op ${fmtDateTime(last.created_at)}${last.created_by_name ? ` door ${last.created_by_name}` : ''}.${last.note ? ` ${last.note}` : ''}`)
        : null;
    const amendments = r.amendments.length ? [
      h('h3', { id: 'h-amendments' }, `Voorstellen tot wijziging (${r.amendments.length})`),
      h('ul', { class: 'amendments', 'aria-labelledby': 'h-amendments' }, r.amendments.map((a) => h('li', { dataset: { amendment: a.id } },
        h('div', null, h('strong', null, whoOf(a)), ' · ', a.item_title ? `over “${a.item_title}”` : 'over het hele verslag', ' ',
          badge(label(AMENDMENT_STATUS, a.status), `am-${a.status}`)),
        h('p', { class: 'amendment-text' }, a.text),
        h('div', { class: 'small muted' }, `Ingediend op ${fmtDateTime(a.created_at)}`),
        r.stage === 'ter_vaststelling' && a.status === 'ingediend' && a.person === store.me.id
          ? button('Intrekken', () => withdraw(a), { class: 'btn btn-small btn-quiet-danger no-print', 'aria-label': `Uw voorstel van ${fmtDateTime(a.created_at)} intrekken` })
          : null))),
    ] : r.stage === 'ter_vaststelling' ? [h('p', { class: 'muted small' }, 'Er zijn nog geen voorstellen tot wijziging.')] : [];
    replace(approvalBox, stage, ...amendments, r.can_amend ? amendForm(r) : null,
      h('h3', { id: 'h-versions' }, 'Versies'),
      h('ul', { class: 'versions', 'aria-labelledby': 'h-versions' }, r.versions.map((v) => h('li', null,
        h('span', null, `Versie ${v.version}: `, v.stage === 'vastgesteld' ? 'vastgesteld' : 'ter vaststelling gestuurd',
          v.created_by_name ? ` door ${v.created_by_name}` : '', ` op ${fmtDateTime(v.created_at)}`,
          v.deadline ? ` (wijzigingen tot en met ${fmtDay(v.deadline)})` : '', ' '),
        button(`Versie ${v.version} bekijken`, () => showVersion(v.version), { class: 'btn btn-small' })))));
  }

  async function withdraw(a) {
    const ok = await confirmDialog('Voorstel intrekken', `Uw voorstel “${a.text}” intrekken? De voorzitter ziet dat het is ingetrokken.`, { confirmLabel: 'Intrekken' });
    if (!ok) return;
    try {
      await store.request('minutes.withdraw', { meeting: meeting.id, amendment: a.id });
      toast('Uw voorstel is ingetrokken.', 'ok');
      refresh();
    } catch (ex) { toast(ex.message, 'error', { rank: TOAST_RANK.error }); }
  }

  function amendForm(r) {
    const text = textarea({ rows: 3, maxLength: 20000, required: true });
    const items = [['', 'Het hele verslag'], ...r.document.items.map((it) => [String(it.id), `${it.position}. ${it.title}`])];
    const about = select(items, '');
    const form = h('form', { class: 'amend-form no-print', 'aria-labelledby': 'h-amend' },
      h('h3', { id: 'h-amend' }, 'Wijziging voorstellen'),
      field('Over', about), field('Uw voorstel', text, { required: true, hint: 'Bijvoorbeeld: “Bij punt 3: niet de politie maar de wijkagent.”' }),
      h('div', null, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Voorstel indienen')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!text.value.trim()) { toast('Uw voorstel: vul dit veld in.', 'error'); text.focus(); return; }
      try {
        await store.request('minutes.amend', { meeting: meeting.id, text: text.value.trim(), item: about.value ? Number(about.value) : null });
        toast('Uw voorstel is ingediend.', 'ok');
        refresh();
      } catch (ex) { toast(ex.message, 'error', { rank: TOAST_RANK.error }); }
    });
    return form;
  }

  /** minutes.get or minutes.version with every page of the document's items (items_from); an
   * item whose outcomes go on in the next page comes again there with continued: true and the
   * rest of its outcomes (item_outcomes_from). With every page of the other lists too, each by
   * its own cursor (<list>_from): the document's attendance and its outcomes at no item (a kept
   * version shows them all), and of minutes.get its versions (pages from the newest) and its
   * amendments (the chair decides on all open ones). A page asks past the end of a list that is
   * complete already (it comes back empty). */
  async function readDocument(op, args) {
    const first = await store.request(op, args);
    const items = first.document.items.map((it) => ({ ...it, outcomes: [...(it.outcomes || [])] }));
    const lists = PAGED_LISTS.filter((l) => `${l.name}_more` in first && Array.isArray(l.of(first)[l.name]));
    const got = new Map(lists.map((l) => [l.name, [...l.of(first)[l.name]]]));
    const more = (x) => x.items_more || lists.some((l) => x[`${l.name}_more`]);
    let r = first;
    for (let pages = 1; more(r); pages++) {
      if (pages > 10000) break;
      const next = { ...args, items_from: r.items_more ? r.items_next : items.length };
      if (r.items_more && r.item_outcomes_next != null) next.item_outcomes_from = r.item_outcomes_next;
      for (const l of lists) next[`${l.name}_from`] = r[`${l.name}_more`] ? r[`${l.name}_next`] : got.get(l.name).length;
      const was = r;
      r = await store.request(op, next);
      for (const l of lists) {
        if (!was[`${l.name}_more`]) continue;
        const had = l.key && new Set(got.get(l.name).map(l.key));
        const page = l.of(r)[l.name].filter((x) => !had || !had.has(l.key(x)));
        got.set(l.name, l.older ? [...page, ...got.get(l.name)] : [...got.get(l.name), ...page]);
      }
      if (!was.items_more) continue;
      const known = new Map(items.map((it) => [it.id, it]));
      for (const it of r.document.items) {
        const had = known.get(it.id);
        if (had && it.continued) had.outcomes.push(...(it.outcomes || []));
        else if (!had) items.push({ ...it, outcomes: [...(it.outcomes || [])] });
      }
    }
    const done = { items_more: false, items_next: null, item_outcomes_next: null };
    const top = {}, doc = {};
    for (const l of lists) {
      (l.of(first) === first ? top : doc)[l.name] = got.get(l.name);
      done[`${l.name}_more`] = false;
      done[`${l.name}_next`] = null;
    }
    return { ...first, ...top, ...done, document: { ...first.document, ...doc, items } };
  }

  async function showVersion(n) {
    let r;
    try { r = await readDocument('minutes.version', { meeting: meeting.id, version: n }); } catch (e) { toast(e.message, 'error'); return; }
    const doc = r.document;
    const outcome = (a) => h('li', null, h('strong', null, `${label(ACTION_KIND, a.kind)}: `), a.text);
    await formDialog({
      title: `Verslag, versie ${n} (${r.version.stage === 'vastgesteld' ? 'vastgesteld' : 'ter vaststelling'})`,
      submitLabel: 'Sluiten',
      wide: true,
      build: (body) => body.append(h('div', { class: 'version-doc' },
        r.version.note ? h('p', { class: 'notice' }, r.version.note) : null,
        doc.minutes ? h('div', { class: 'minutes-text' }, doc.minutes) : null,
        doc.items.map((it) => h('div', { class: 'doc-item' },
          h('h3', null, `${it.position}. ${it.title}`),
          it.notes ? h('div', { class: 'minutes-text' }, it.notes) : null,
          it.outcomes.length ? h('ul', null, it.outcomes.map(outcome)) : null)),
        doc.outcomes.length ? [h('h3', null, 'Overige besluiten en acties'), h('ul', null, doc.outcomes.map(outcome))] : null)),
      submit: async () => true,
    });
  }

  let reading = null;
  async function refresh() {
    if (!held() || meeting.status === 'geannuleerd') { approval = null; drawApproval(); return; }
    const mine = reading = readDocument('minutes.get', { meeting: meeting.id });
    try {
      const r = await mine;
      if (reading !== mine) return;
      approval = r;
      drawApproval();
    } catch (e) {
      if (reading === mine) replace(approvalBox, h('p', { class: 'form-error' }, e.message));
    }
  }

  /** A meeting.updated push of this meeting (newer than the snapshot). */
  function update(f) {
    const d = f.data || {};
    if (d.meeting && d.meeting.status !== meeting.status) queueMicrotask(refresh);
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
  refresh();
  return { el, update, refresh };
}
