// The attendance of a meeting as its verslag records it: who was there and for which
// organisation, who was absent (met of zonder bericht), who replaced whom (eenmalig or vast),
// who joined later or left early, and who chaired and took the minutes. Every member gives their
// own; the chair and secretary keep the list (anyone, also people who are not members or not in
// the directory). Live: lines changed by others appear as they are saved.
import { h, replace } from './dom.js';
import { label, ATTENDANCE } from './format.js';
import { button, toast, select, field, input, checkbox, formDialog, confirmDialog, textarea } from './ui.js';

const NOTICE = { met_bericht: 'met bericht', zonder_bericht: 'zonder bericht' };
const ROLE_WORD = { voorzitter: 'voorzitter', notulist: 'notulist', gast: 'gast' };

const present = (a) => a.status === 'aanwezig' || a.status === 'later';
const absent = (a) => a.status === 'afwezig' || a.status === 'vervangen';

/** "Daphne Meijer (Bibliotheek Schiedam)" */
function nameOrg(name, org) {
  return org ? `${name} (${org})` : name;
}

/**
 * opts: {store, meeting, members (of the body), attendance (lines from meeting.get), role (mine),
 *        editor (chair or secretary), participant (may give my own)}
 * Returns {el, apply(push) -> bool, setMembers(list), setMeeting(m)}.
 */
export function attendancePanel({ store, meeting: first, members: firstMembers, attendance, editor, participant }) {
  let meeting = first;
  let members = firstMembers;
  const lines = new Map(attendance.map((a) => [a.id, a]));
  const el = h('section', { class: 'panel attendance', 'aria-labelledby': 'h-att' });
  const formBox = h('div');
  const listBox = h('div');
  el.append(h('h2', { id: 'h-att' }, 'Aanwezigheid'), formBox, listBox);
  let formFor = null;

  const mine = () => [...lines.values()].find((a) => a.person === store.me.id) || null;
  const ofPerson = (id) => [...lines.values()].find((a) => a.person === id) || null;
  const closed = () => meeting.status === 'geannuleerd' || meeting.status === 'verslag_vastgesteld';

  // Colleagues who can stand in for me: the members, and the people of my organisation.
  function substituteOptions(exclude) {
    const seen = new Map();
    for (const m of members) if (m.person !== exclude) seen.set(m.person, nameOrg(m.name, m.org_name));
    for (const p of store.persons?.values() || []) {
      if (p.id !== exclude && p.active !== false && !seen.has(p.id) && (p.org === store.me.org || editor)) {
        seen.set(p.id, nameOrg(p.name, p.org_name));
      }
    }
    return [...seen.entries()].sort((a, b) => a[1].localeCompare(b[1], 'nl')).map(([id, n]) => [String(id), n]);
  }

  // ---- my own attendance: built once, so a colleague's change never wipes what I type ----
  function buildForm() {
    const me = mine();
    formFor = JSON.stringify(me);
    if (!participant || closed()) { formBox.replaceChildren(); return; }
    const st = select([['', '— nog niet opgegeven —'], ...Object.entries(ATTENDANCE)], me?.status || '', { name: 'attendance' });
    const subs = select([['', '— kies een vervanger —'], ...substituteOptions(store.me.id)], me?.substitute ?? '');
    const vast = checkbox('Vaste vervanging (ook de volgende vergaderingen)', me?.substitute_kind === 'vast');
    const early = checkbox('Ik vertrek eerder', !!me?.leaves_early);
    const note = input({ value: me?.note || '', maxLength: 500, placeholder: 'bijv. schuift om 10.00 uur aan' });
    const subBox = h('div', null, field('Vervanger', subs), vast.el);
    const sync = () => {
      subBox.hidden = st.value !== 'vervangen';
      early.el.hidden = !(st.value === 'aanwezig' || st.value === 'later');
    };
    st.addEventListener('change', sync);
    sync();
    const form = h('form', { class: 'inline-form attend-form' }, field('Ik ben', st), subBox, early.el, field('Toelichting', note),
      h('button', { type: 'submit', class: 'btn' }, 'Opgeven'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!st.value) { toast('Kies of u aanwezig bent.', 'error'); st.focus(); return; }
      const args = { meeting: meeting.id, status: st.value, note: note.value };
      if (st.value === 'vervangen') {
        args.substitute = subs.value ? Number(subs.value) : null;
        if (args.substitute) args.substitute_kind = vast.box.checked ? 'vast' : 'eenmalig';
      }
      if (present({ status: st.value })) args.leaves_early = early.box.checked;
      try {
        const r = await store.request('attendance.set', args);
        put(r.attendance);
        formFor = JSON.stringify(r.attendance);
        render();
        toast('Uw aanwezigheid is opgegeven.', 'ok');
      } catch (ex) { toast(ex.message, 'error'); }
    });
    replace(formBox, form);
  }

  function put(a) {
    for (const [id, x] of lines) if (id !== a.id && ((a.person && x.person === a.person) || (!a.person && !x.person && x.name === a.name))) lines.delete(id);
    lines.set(a.id, a);
  }

  // ---- the list: as the verslag will have it ----
  function badges(a) {
    const out = [];
    if (a.role) out.push(h('span', { class: 'badge badge-role' }, ROLE_WORD[a.role]));
    if (a.status === 'later') out.push(h('span', { class: 'badge' }, 'schuift later aan'));
    if (a.leaves_early) out.push(h('span', { class: 'badge' }, 'vertrekt eerder'));
    return out;
  }

  function render() {
    if (formFor === null || (formFor !== JSON.stringify(mine()) && !formBox.contains(document.activeElement))) buildForm();
    const all = [...lines.values()];
    const here = all.filter(present);
    const away = all.filter(absent);
    // Substitutes are there too, for whom they replace.
    const subs = away.filter((a) => a.substitute && !ofPerson(a.substitute));
    const unknown = members.filter((m) => m.role !== 'waarnemer' && !ofPerson(m.person));
    const open = new Set([...listBox.querySelectorAll('details[open]')].map((d) => d.dataset.key));
    const chair = all.find((a) => a.role === 'voorzitter');
    const scribe = all.find((a) => a.role === 'notulist');
    replace(listBox,
      h('p', { class: 'small muted', role: 'status' },
        `Aanwezig: ${here.length + subs.length} · Afwezig: ${away.length}${unknown.length ? ` · Nog niet opgegeven: ${unknown.length}` : ''}`),
      chair || scribe ? h('p', { class: 'small att-roles' },
        chair ? [h('span', { class: 'muted' }, 'Voorzitter: '), chair.name] : null,
        chair && scribe ? ' · ' : null,
        scribe ? [h('span', { class: 'muted' }, 'Notulist: '), scribe.name] : null) : null,
      h('h3', { class: 'small-head' }, 'Aanwezig'),
      here.length || subs.length ? h('ul', { class: 'att-list', 'aria-label': 'Aanwezig' },
        here.map((a) => lineRow(a, nameOrg(a.name, a.org_name), badges(a),
          away.filter((x) => x.substitute === a.person && a.person).map((x) => h('span', { class: 'att-sub' }, ` vervangt ${x.name}`)))),
        subs.map((a) => h('li', { class: 'att-line' }, h('span', null, nameOrg(a.substitute_name, a.substitute_org_name),
          h('span', { class: 'att-sub' }, ` vervangt ${a.name}${a.substitute_kind === 'vast' ? ' (vast)' : ''}`))))) : h('p', { class: 'empty' }, 'Nog niemand.'),
      h('h3', { class: 'small-head' }, 'Afwezig'),
      away.length ? h('ul', { class: 'att-list', 'aria-label': 'Afwezig' }, away.map((a) => lineRow(a, nameOrg(a.name, a.org_name),
        [a.notice ? h('span', { class: 'muted' }, ` ${NOTICE[a.notice]}`) : null,
          a.substitute || a.substitute_name ? h('span', { class: 'att-sub' }, ` — ${a.substitute_kind === 'vast' ? 'langdurig afwezig, vast vervangen' : 'eenmalig vervangen'} door ${a.substitute_name}`) : null]))) : h('p', { class: 'empty' }, 'Niemand.'),
      unknown.length ? h('details', { class: 'att-details', open: open.has('unknown'), dataset: { key: 'unknown' } },
        h('summary', null, `Nog niet opgegeven (${unknown.length})`),
        h('ul', { class: 'att-list' }, unknown.map((m) => h('li', { class: 'att-line' },
          h('span', null, nameOrg(m.name, m.org_name), m.role === 'gast' ? h('span', { class: 'muted' }, ' (gast)') : null),
          editor && !closed() ? quickSelect(m) : null)))) : null,
      editor && !closed() ? h('div', { class: 'att-tools no-print' },
        button('Iemand toevoegen', () => lineDialog(null), { class: 'btn btn-small' })) : null);
  }

  function lineRow(a, text, extra, more = []) {
    return h('li', { class: 'att-line', dataset: { line: a.id } },
      h('span', null, text, ' ', extra, more),
      editor && !closed() ? h('span', { class: 'att-line-tools' },
        button('Wijzigen', () => lineDialog(a), { class: 'btn btn-small', 'aria-label': `Wijzigen: aanwezigheid van ${a.name}` }),
        button('Verwijderen', () => remove(a).catch((e) => toast(e.message, 'error')), { class: 'btn btn-small btn-quiet-danger', 'aria-label': `Verwijderen: ${a.name} van de presentielijst` })) : null);
  }

  // One change for a member who has not said anything yet.
  function quickSelect(m) {
    const sel = select([['', 'kies…'], ...Object.entries(ATTENDANCE)], '', { 'aria-label': `Aanwezigheid van ${m.name}`, class: 'att-select' });
    sel.addEventListener('change', async () => {
      if (!sel.value) return;
      if (sel.value === 'vervangen') { sel.value = ''; lineDialog({ person: m.person, name: m.name, status: 'vervangen' }); return; }
      try {
        const r = await store.request('attendance.set', { meeting: meeting.id, person: m.person, status: sel.value });
        put(r.attendance);
        render();
        toast(`${m.name}: ${label(ATTENDANCE, sel.value).toLowerCase()}.`, 'ok');
      } catch (e) { toast(e.message, 'error'); render(); }
    });
    return sel;
  }

  // The chair and secretary keep any line: status, notice, substitute (once or standing),
  // leaving early, role, the organisation, a note; or a new line for someone else.
  async function lineDialog(a) {
    await store.loadPersons().catch(() => null);
    const isNew = !a || !a.id;
    const f = {};
    const ok = await formDialog({
      title: a?.name ? `Aanwezigheid van ${a.name}` : 'Iemand toevoegen aan de presentielijst',
      submitLabel: 'Opslaan',
      build: (body) => {
        if (!a) {
          const people = [['', '— iemand die niet in Ketentafel staat —'], ...[...(store.persons?.values() || [])]
            .filter((p) => p.active !== false && !ofPerson(p.id)).sort((x, y) => x.name.localeCompare(y.name, 'nl'))
            .map((p) => [String(p.id), nameOrg(p.name, p.org_name)])];
          f.person = select(people, '', { name: 'person' });
          f.name = input({ maxLength: 200, name: 'name' });
          f.orgName = input({ maxLength: 200, name: 'org_name', placeholder: 'bijv. programmabureau' });
          const ext = h('div', { class: 'field-row' }, field('Naam', f.name), field('Organisatie of functie', f.orgName));
          const syncP = () => { ext.hidden = !!f.person.value; };
          f.person.addEventListener('change', syncP);
          body.append(field('Persoon', f.person), ext);
          syncP();
        }
        f.status = select(ATTENDANCE, a?.status || 'aanwezig', { name: 'status' });
        f.notice = select([['met_bericht', 'Met bericht'], ['zonder_bericht', 'Zonder bericht']], a?.notice || 'met_bericht', { name: 'notice' });
        f.sub = select([['', '— geen vervanger genoemd —'], ...substituteOptions(a?.person)], a?.substitute ?? '', { name: 'substitute' });
        f.kind = select([['eenmalig', 'Eenmalig (alleen deze vergadering)'], ['vast', 'Vast (langdurig afwezig; ook de volgende vergaderingen)']], a?.substitute_kind || 'eenmalig', { name: 'substitute_kind' });
        f.early = checkbox('Vertrekt eerder', !!a?.leaves_early);
        f.role = select([['', '— geen —'], ['voorzitter', 'Voorzitter van deze vergadering'], ['notulist', 'Notulist']], a?.role || '', { name: 'role' });
        f.note = textarea({ value: a?.note || '', maxLength: 500, rows: 2, name: 'note' });
        const noticeBox = field('Afgemeld', f.notice);
        const subBox = h('div', { class: 'field-row' }, field('Vervangen door', f.sub), field('Soort vervanging', f.kind));
        const sync = () => {
          noticeBox.hidden = !absent({ status: f.status.value });
          subBox.hidden = f.status.value !== 'vervangen';
          f.early.el.hidden = !present({ status: f.status.value });
        };
        f.status.addEventListener('change', sync);
        sync();
        body.append(field('Status', f.status), noticeBox, subBox, f.early.el, field('Rol in deze vergadering', f.role), field('Toelichting', f.note, { wide: true }));
      },
      submit: async () => {
        const args = { meeting: meeting.id, status: f.status.value, note: f.note.value, role: f.role.value || null };
        if (a?.person) args.person = a.person;
        else if (a?.name) args.name = a.name;
        else if (f.person.value) args.person = Number(f.person.value);
        else {
          if (!f.name.value.trim()) throw new Error('Kies een persoon of vul een naam in.');
          args.name = f.name.value.trim();
          args.org_name = f.orgName.value.trim() || null;
        }
        if (absent(args)) args.notice = f.notice.value;
        if (args.status === 'vervangen') {
          args.substitute = f.sub.value ? Number(f.sub.value) : null;
          args.substitute_kind = args.substitute ? f.kind.value : null;
        }
        if (present(args)) args.leaves_early = f.early.box.checked;
        const r = await store.request('attendance.set', args);
        put(r.attendance);
        return r;
      },
    });
    if (!ok) return;
    render();
    toast(isNew ? 'Toegevoegd aan de presentielijst.' : 'Opgeslagen.', 'ok');
  }

  async function remove(a) {
    if (!(await confirmDialog('Regel verwijderen', `${a.name} van de presentielijst halen?`, { confirmLabel: 'Verwijderen' }))) return;
    await store.request('attendance.remove', { meeting: meeting.id, line: a.id });
    lines.delete(a.id);
    render();
    toast(`${a.name} staat niet meer op de presentielijst.`, 'ok');
  }

  render();
  return {
    el,
    /** An attendance.* push of this meeting; true when it applied. */
    apply(f) {
      const d = f.data || {};
      if (d.meeting !== meeting.id) return false;
      if (f.event === 'attendance.updated') put(d.attendance);
      else if (f.event === 'attendance.removed') lines.delete(d.line);
      else return false;
      render();
      return true;
    },
    setMembers(list) { members = list; render(); },
    setMeeting(m) {
      const was = closed();
      meeting = m;
      if (was !== closed()) formFor = null;
      render();
    },
  };
}

