// Importing a verslag (#/overleg/12/importeren): paste or upload a verslag in Markdown or plain
// text, check what ketentafel recognised (the meeting, who was there, the items with their notes,
// proposed besluiten, toezeggingen and actiepunten), correct it, map names to persons or keep
// them as written, and only then save it, in one go. Nothing is saved before the confirmation.
import { h, replace, uid } from './dom.js';
import { label, ATTENDANCE, ACTION_KIND, ROLES, canEdit, fmtDateLong, fmtTime, fmtDay } from './format.js';
import { pageHead, loading, button, toast, confirmDialog, select, field, input, textarea, errorBox, showError, badge, empty } from './ui.js';

const ROLE_AT = { voorzitter: 'Voorzitter', notulist: 'Notulist', lid: 'Lid', gast: 'Gast' };
const MATCH = {
  exact: ['Gevonden', 'ok'], approx: ['Lijkt op – controleer', 'warn'],
  ambiguous: ['Meerdere mogelijk – kies', 'warn'], none: ['Niet gevonden', 'none'],
};
const STATUS_AFTER = {
  verslag_concept: 'Verslag in concept (nog vast te stellen)',
  gehouden: 'Gehouden (verslag volgt nog)',
  verslag_vastgesteld: 'Vastgesteld (al goedgekeurd: bewaren, alleen-lezen)',
};
// One message carries the verslag: keep well under the server's 64 KiB.
const MAX_CHARS = 60000;

export async function render(ctx) {
  const { store } = ctx;
  const bodyId = ctx.params.id;
  replace(ctx.root, loading('Overleg laden…'));
  const [snap] = await Promise.all([store.bodyGet(bodyId), store.loadPersons(), store.loadOrgs()]);
  const body = snap.body;
  ctx.setTitle(`Verslag importeren – ${body.name}`);
  const head = pageHead('Verslag importeren', {
    crumbs: [['Mijn overleggen', '#/'], [body.name, `#/overleg/${bodyId}`], ['Verslag importeren', null]],
    sub: body.name,
  });
  if (!canEdit(body.role)) {
    replace(ctx.root, head, h('p', { class: 'notice' }, 'Alleen de voorzitter of de secretaris van dit overleg kan een verslag importeren.'));
    return;
  }
  const members = snap.members;
  const content = h('div');
  replace(ctx.root, head, content);
  stepText();

  // ---- step 1: the text ----
  function stepText(text = '') {
    const area = textarea({ rows: 14, value: text, class: 'import-text', spellcheck: false });
    const file = h('input', { type: 'file', accept: '.md,.txt,.markdown,text/plain,text/markdown' });
    const err = errorBox();
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      try { area.value = await readText(f); area.focus(); } catch (e) { showError(err, e); }
    });
    const form = h('form', { class: 'panel', 'aria-labelledby': 'h-step1' },
      h('h2', { id: 'h-step1' }, 'Stap 1 van 2: het verslag'),
      h('p', { class: 'hint' }, 'Plak een verslag in Markdown of gewone tekst, of kies een bestand (.md of .txt). Ketentafel leest de datum, de aanwezigen, de agendapunten en de besluiten, toezeggingen en acties die erin staan. Er wordt nog niets opgeslagen: u controleert eerst wat er is herkend.'),
      field('Tekst van het verslag', area, { wide: true }),
      field('Of kies een bestand', file),
      err,
      h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Verslag lezen'),
        h('a', { href: `#/overleg/${bodyId}/vergaderingen`, class: 'btn' }, 'Annuleren')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      showError(err, null);
      const t = area.value;
      if (!t.trim()) { showError(err, new Error('Plak eerst de tekst van het verslag of kies een bestand.')); area.focus(); return; }
      if (t.length > MAX_CHARS) { showError(err, new Error(`Dit verslag is te lang om in één keer te importeren (meer dan ${MAX_CHARS.toLocaleString('nl-NL')} tekens). Importeer het in delen.`)); return; }
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      try {
        const r = await store.request('import.preview', { body: bodyId, text: t });
        stepReview(r, t);
      } catch (ex) {
        showError(err, ex);
        btn.disabled = false;
        area.focus();
      }
    });
    replace(content, form);
    area.focus();
  }

  // ---- step 2: what was recognised, to check and correct ----
  function stepReview(p, text) {
    const key = `import-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const lines = p.attendance.map((a) => ({ ...a }));
    const items = p.items.map((it) => ({ ...it, keep: true, outcomes: it.outcomes.map((o) => ({ ...o, keep: true })) }));
    const summary = h('div', { class: 'panel import-summary', role: 'status', 'aria-labelledby': 'h-found' });
    const err = errorBox();

    function renderSummary() {
      const c = countNow();
      replace(summary, h('h2', { id: 'h-found' }, 'Herkend in het verslag'),
        h('ul', { class: 'import-counts' },
          countLi('agendapunten', c.items, 'agendapunt', 'agendapunten'),
          countLi('aanwezig', c.present, 'aanwezig', 'aanwezig'),
          countLi('afwezig', c.absent, 'afwezig', 'afwezig'),
          countLi('besluiten', c.besluit, 'besluit', 'besluiten'),
          countLi('toezeggingen', c.toezegging, 'toezegging', 'toezeggingen'),
          countLi('acties', c.actiepunt, 'actiepunt', 'actiepunten'),
          countLi('gekoppeld', c.matched, `van ${lines.length} namen gekoppeld aan een persoon`, `van ${lines.length} namen gekoppeld aan een persoon`)),
        p.warnings.length ? h('ul', { class: 'import-warnings' }, p.warnings.map((w) => h('li', null, w.message, w.line ? ` (regel ${w.line})` : ''))) : null);
    }
    function countNow() {
      const c = { items: 0, present: 0, absent: 0, besluit: 0, toezegging: 0, actiepunt: 0, matched: 0 };
      for (const it of items) {
        if (!it.keep) continue;
        c.items += 1;
        for (const o of it.outcomes) if (o.keep) c[o.kind] += 1;
      }
      for (const a of lines) {
        if (a.status === 'afwezig' || a.status === 'vervangen') c.absent += 1; else c.present += 1;
        if (a.person) c.matched += 1;
      }
      return c;
    }

    // imported before: the same text, or a verslag for a meeting of this body on that day
    const before = p.imported || [];
    const sameText = before.find((x) => x.same_text);
    const importedInto = new Set(before.map((x) => x.meeting));
    const sameDay = h('input', { type: 'checkbox', id: uid('sameday') });
    let dupBox = null;
    if (before.length) {
      const hit = sameText || before[0];
      const link = h('a', { href: `#/vergadering/${hit.meeting}` }, `de vergadering van ${fmtDateLong(hit.start)}, ${fmtTime(hit.start)}`);
      const by = hit.imported_by_name ? ` door ${hit.imported_by_name}` : '';
      dupBox = h('section', { class: 'panel notice notice-warn import-duplicate', role: 'alert', 'aria-labelledby': 'h-imp-dup' },
        h('h2', { id: 'h-imp-dup' }, sameText ? 'Dit verslag is al geïmporteerd' : 'Voor deze dag is al een verslag geïmporteerd'),
        sameText
          ? h('p', null, `Dit verslag is al geïmporteerd op ${fmtDateLong(hit.imported_at)}${by} in `, link, '. Het wordt niet nog eens opgeslagen. Wilt u het opnieuw importeren, annuleer dan eerst die vergadering.')
          : h('p', null, `Voor `, link, ` is al een verslag geïmporteerd op ${fmtDateLong(hit.imported_at)}${by}. Het wordt niet nog eens in die vergadering opgeslagen.`),
        sameText ? null : h('div', { class: 'check' }, sameDay,
          h('label', { htmlFor: sameDay.id }, 'Dit is een andere vergadering op die dag: sla het verslag op als nieuwe vergadering')));
    }

    // the meeting
    const existing = p.existing.filter((m) => m.status !== 'geannuleerd');
    const open = existing.filter((m) => !importedInto.has(m.id));
    const target = select([['', 'Nieuwe vergadering'], ...existing.map((m) => [String(m.id), `Bestaande vergadering: ${fmtDateLong(m.start)}, ${fmtTime(m.start)}${importedInto.has(m.id) ? ' (verslag al geïmporteerd)' : ''}`])], open.length ? String(open[0].id) : '');
    for (const o of target.options) if (o.value && importedInto.has(Number(o.value))) o.disabled = true;
    const date = input({ type: 'date', value: p.meeting.date || '' });
    const start = input({ type: 'time', value: p.meeting.start || '' });
    const end = input({ type: 'time', value: p.meeting.end || '' });
    const place = input({ value: p.meeting.location || '', maxLength: 200 });
    const status = select(STATUS_AFTER, 'verslag_concept');
    const newOnly = h('div', { class: 'field-row' }, field('Datum', date, { required: true }), field('Begin', start, { required: true }), field('Einde', end, { required: true }));
    const syncTarget = () => { newOnly.hidden = !!target.value; };
    target.addEventListener('change', syncTarget);
    syncTarget();
    const meetingBox = h('section', { class: 'panel', 'aria-labelledby': 'h-imp-meeting' },
      h('h2', { id: 'h-imp-meeting' }, 'Vergadering'),
      p.title ? h('p', { class: 'small muted' }, `Titel in het verslag: ${p.title}`) : null,
      field('Opslaan bij', target, { hint: open.length ? 'Er is al een vergadering van dit overleg op deze dag: het verslag kan daarbij.' : existing.length ? 'De vergadering van dit overleg op deze dag heeft al een geïmporteerd verslag.' : null }),
      newOnly,
      h('div', { class: 'field-row' }, field('Plaats', place), field('Status na importeren', status)));

    // attendance
    const personOpts = (a) => {
      const seen = new Set();
      const opts = [['', '— niet koppelen: naam zoals geschreven —']];
      const add = (id, text) => { if (!seen.has(id)) { seen.add(id); opts.push([String(id), text]); } };
      for (const cnd of a.recognised.candidates) add(cnd.id, `${cnd.name}${cnd.org_name ? ` (${cnd.org_name})` : ''}`);
      if (a.person) add(a.person, personLabel(a.person));
      for (const m of [...members].sort((x, y) => x.name.localeCompare(y.name, 'nl'))) add(m.person, `${m.name} (${m.org_name}) – ${label(ROLES, m.role).toLowerCase()}`);
      return opts;
    };
    function personLabel(id) {
      const pr = store.persons?.get(id);
      return pr ? `${pr.name}${pr.org_name ? ` (${pr.org_name})` : ''}` : `persoon ${id}`;
    }
    const attRows = h('ul', { class: 'import-lines' });
    function renderLines() {
      replace(attRows, lines.map((a, i) => {
        const m = MATCH[a.recognised.person_match] || MATCH.none;
        const who = select(personOpts(a), a.person ? String(a.person) : '', { 'aria-label': `Persoon voor ${a.recognised.name}` });
        who.addEventListener('change', () => { a.person = who.value ? Number(who.value) : null; if (a.person) a.org = store.persons?.get(a.person)?.org ?? a.org; renderSummary(); });
        const st = select(ATTENDANCE, a.status, { 'aria-label': `Aanwezigheid van ${a.recognised.name}` });
        st.addEventListener('change', () => { a.status = st.value; if (a.status !== 'vervangen') { a.substitute = null; a.substitute_name = null; a.substitute_kind = null; } if (a.status !== 'afwezig' && a.status !== 'vervangen') a.notice = null; renderSummary(); });
        const role = select(ROLE_AT, a.role || 'lid', { 'aria-label': `Rol van ${a.recognised.name}` });
        role.addEventListener('change', () => { a.role = role.value; });
        const written = [a.recognised.org || a.recognised.function].filter(Boolean).join('');
        return h('li', { class: 'import-line', dataset: { line: i } },
          h('div', { class: 'import-who' },
            h('span', { class: 'import-name' }, a.recognised.name), written ? h('span', { class: 'muted' }, ` (${written})`) : null,
            ' ', badge(m[0], `match-${m[1]}`),
            a.substitute_name ? h('div', { class: 'small' }, `vervangen door ${a.substitute_name}${a.substitute_kind === 'vast' ? ' (vast)' : a.substitute_kind === 'eenmalig' ? ' (eenmalig)' : ''}`) : null,
            a.recognised.substitutes_for ? h('div', { class: 'small' }, `vervangt ${a.recognised.substitutes_for}`) : null),
          h('div', { class: 'import-line-fields' }, who, st, role));
      }));
    }
    const attBox = h('section', { class: 'panel', 'aria-labelledby': 'h-imp-att' },
      h('h2', { id: 'h-imp-att' }, `Aanwezigheid (${lines.length})`),
      h('p', { class: 'hint' }, 'Koppel een naam aan een persoon in Ketentafel, of laat hem staan zoals hij in het verslag staat. Controleer wat “lijkt op” zegt: de schrijfwijze verschilt een beetje.'),
      lines.length ? attRows : empty('Er is geen lijst van aanwezigen herkend.'));

    // items and their outcomes
    const ownerOpts = [['', '— geen persoon —'], ...[...members].sort((x, y) => x.name.localeCompare(y.name, 'nl')).map((m) => [String(m.person), `${m.name} (${m.org_name})`])];
    const orgOpts = [['', '— geen organisatie —'], ...[...(store.orgs?.values() || [])].sort((x, y) => x.name.localeCompare(y.name, 'nl')).map((o) => [String(o.id), o.name])];
    const itemList = h('ol', { class: 'import-items' });
    function renderItems() {
      replace(itemList, items.map((it, i) => {
        const title = input({ value: it.title, maxLength: 200 });
        title.addEventListener('input', () => { it.title = title.value; });
        const notes = textarea({ rows: 5, value: it.notes });
        notes.addEventListener('input', () => { it.notes = notes.value; });
        const keep = h('input', { type: 'checkbox', checked: it.keep, id: uid('keep') });
        keep.addEventListener('change', () => { it.keep = keep.checked; li.classList.toggle('is-dropped', !it.keep); renderSummary(); });
        const outs = h('ul', { class: 'import-outcomes' }, it.outcomes.map((o, k) => outcomeRow(it, o, k)));
        const li = h('li', { class: ['import-item', it.keep ? '' : 'is-dropped'], dataset: { item: i } },
          h('div', { class: 'import-item-head' },
            field(`Agendapunt ${i + 1}`, title, { wide: true }),
            h('div', { class: 'check' }, keep, h('label', { htmlFor: keep.id }, 'Overnemen'))),
          h('details', { class: 'import-notes' }, h('summary', null, `Notulen (${it.notes.length.toLocaleString('nl-NL')} tekens)`), field('Notulen', notes, { wide: true })),
          h('h3', { class: 'import-out-head' }, `Uitkomsten bij dit punt (${it.outcomes.length})`),
          it.outcomes.length ? outs : h('p', { class: 'small muted' }, 'Geen besluiten, toezeggingen of acties herkend.'),
          button('Uitkomst toevoegen', () => { it.outcomes.push({ kind: 'actiepunt', text: '', owner: null, owner_org: null, due: null, keep: true, recognised: null }); renderItems(); renderSummary(); }, { class: 'btn btn-small', 'aria-label': `Uitkomst toevoegen bij agendapunt ${i + 1}` }));
        return li;
      }));
    }
    function outcomeRow(it, o, k) {
      const kind = select(ACTION_KIND, o.kind, { 'aria-label': 'Soort' });
      const text = textarea({ rows: 2, value: o.text, 'aria-label': 'Tekst' });
      const owner = select(ownerOpts, o.owner ? String(o.owner) : '', { 'aria-label': 'Eigenaar (persoon)' });
      if (o.owner && !ownerOpts.some(([v]) => v === String(o.owner))) owner.appendChild(h('option', { value: String(o.owner), selected: true }, personLabel(o.owner)));
      const org = select(orgOpts, o.owner_org ? String(o.owner_org) : '', { 'aria-label': 'Organisatie' });
      const due = input({ type: 'date', value: o.due || '', 'aria-label': 'Deadline' });
      const keep = h('input', { type: 'checkbox', checked: o.keep, id: uid('keep') });
      const who = h('div', { class: 'import-out-owner' }, owner, org, due);
      const sync = () => { who.hidden = o.kind === 'besluit'; };
      kind.addEventListener('change', () => { o.kind = kind.value; sync(); renderSummary(); });
      text.addEventListener('input', () => { o.text = text.value; });
      owner.addEventListener('change', () => { o.owner = owner.value ? Number(owner.value) : null; });
      org.addEventListener('change', () => { o.owner_org = org.value ? Number(org.value) : null; });
      due.addEventListener('change', () => { o.due = due.value || null; });
      keep.addEventListener('change', () => { o.keep = keep.checked; row.classList.toggle('is-dropped', !o.keep); renderSummary(); });
      sync();
      const rec = o.recognised;
      const row = h('li', { class: ['import-outcome', o.keep ? '' : 'is-dropped'] },
        h('div', { class: 'import-out-fields' }, kind, text),
        who,
        rec ? h('p', { class: 'small muted' }, `Gevonden via “${rec.trigger}”${rec.owner ? `; eigenaar in de tekst: ${rec.owner}` : ''}`) : null,
        h('div', { class: 'check' }, keep, h('label', { htmlFor: keep.id }, `Overnemen (${label(ACTION_KIND, o.kind).toLowerCase()} ${k + 1})`)));
      return row;
    }
    const itemsBox = h('section', { class: 'panel', 'aria-labelledby': 'h-imp-items' },
      h('h2', { id: 'h-imp-items' }, `Agendapunten (${items.length})`),
      h('p', { class: 'hint' }, 'Besluiten, toezeggingen en acties zijn voorstellen: ze staan in de tekst, maar u beslist wat er wordt overgenomen. Een besluit krijgt de datum van de vergadering.'),
      items.length ? itemList : empty('Er zijn geen agendapunten herkend.'));

    const save = button('Bevestigen en opslaan', confirmAndSave, { class: 'btn btn-primary' });
    // the same verslag is never saved twice; another on the same day only when said so
    const syncSave = () => { save.disabled = !!sameText || (before.length > 0 && !sameDay.checked); };
    sameDay.addEventListener('change', syncSave);
    syncSave();
    const bar = h('div', { class: 'toolbar import-bar' }, save,
      button('Andere tekst', () => stepText(text)),
      h('a', { href: `#/overleg/${bodyId}/vergaderingen`, class: 'btn' }, 'Annuleren'));

    async function confirmAndSave() {
      showError(err, null);
      const args = { body: bodyId, status: status.value, location: place.value.trim(), attendance: lines.map(lineArgs), items: [], fingerprint: p.fingerprint };
      if (sameDay.checked) args.same_day = true;
      for (const it of items) {
        if (!it.keep) continue;
        if (!it.title.trim()) { showError(err, new Error('Elk agendapunt heeft een titel.')); return; }
        args.items.push({ title: it.title.trim(), notes: it.notes, outcomes: it.outcomes.filter((o) => o.keep && o.text.trim()).map(outcomeArgs) });
      }
      const c = countNow();
      let when;
      if (target.value) {
        args.meeting = Number(target.value);
        when = `de vergadering van ${fmtDateLong(existing.find((m) => m.id === args.meeting).start)}`;
      } else {
        if (!date.value || !start.value || !end.value) { showError(err, new Error('Vul de datum, het begin en het einde van de vergadering in.')); (date.value ? (start.value ? end : start) : date).focus(); return; }
        Object.assign(args, { date: date.value, start_time: start.value, end_time: end.value });
        when = `een nieuwe vergadering op ${fmtDay(date.value)}`;
      }
      const ok = await confirmDialog('Verslag opslaan',
        `Dit slaat ${when} op met ${c.items} agendapunten, ${c.besluit + c.toezegging + c.actiepunt} uitkomsten en ${lines.length} regels aanwezigheid. De leden van ${body.name} zien het verschijnen. Opslaan?`,
        { confirmLabel: 'Opslaan', danger: false });
      if (!ok) return;
      save.disabled = true;
      try {
        // The same key on a retry: a reply lost on the way saves nothing twice.
        const r = await store.request('import.commit', { ...args, key });
        toast(`Het verslag is opgeslagen: ${r.items} agendapunten, ${r.outcomes} uitkomsten.`, 'ok');
        location.hash = `#/vergadering/${r.meeting.id}`;
      } catch (ex) {
        showError(err, ex);
        syncSave();
      }
    }

    replace(content, ...(dupBox ? [dupBox] : []), summary, meetingBox, attBox, itemsBox, err, bar);
    renderSummary();
    renderLines();
    renderItems();
    const first = (dupBox || summary).querySelector('h2');
    first?.setAttribute('tabindex', '-1');
    first?.focus();
  }

  function lineArgs(a) {
    const out = { status: a.status, role: a.role, leaves_early: !!a.leaves_early };
    if (a.person) out.person = a.person; else out.name = a.name;
    if (a.org) out.org = a.org; else if (a.org_name) out.org_name = a.org_name;
    if (a.notice && (a.status === 'afwezig' || a.status === 'vervangen')) out.notice = a.notice;
    if (a.status === 'vervangen') {
      if (a.substitute) out.substitute = a.substitute;
      else if (a.substitute_name) out.substitute_name = a.substitute_name;
      if (a.substitute_kind) out.substitute_kind = a.substitute_kind;
    }
    return out;
  }

  function outcomeArgs(o) {
    const out = { kind: o.kind, text: o.text.trim() };
    if (o.kind !== 'besluit') {
      if (o.owner) out.owner = o.owner;
      if (o.owner_org) out.owner_org = o.owner_org;
      if (o.due) out.due = o.due;
    }
    return out;
  }
}

function countLi(key, n, one, many) {
  return h('li', { dataset: { count: key } }, h('strong', null, String(n)), ` ${n === 1 ? one : many}`);
}

/** A file's text: UTF-8, else Windows-1252 (what Word and older editors save). */
async function readText(file) {
  if (file.size > 2 * MAX_CHARS) throw new Error('Dit bestand is te groot voor één verslag.');
  const buf = await file.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('windows-1252').decode(buf);
  }
}
