// The members of a body and, for chairs, secretaries and administrators, managing them:
// add, change role, standing substitutes, guests limited to specific agenda items, remove.
import { h, replace } from './dom.js';
import { label, ROLES, ROLE_ORDER, canEdit, fmtDateShort } from './format.js';
import { badge, empty, field, select, formDialog, confirmDialog, toast, button, input } from './ui.js';

export function membersPanel(ctx, { container, state, role }) {
  const { store } = ctx;
  const manager = canEdit(role) || store.me.admin;
  const box = h('div');
  replace(container, h('section', { class: 'panel', 'aria-labelledby': 'h-leden' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'h-leden' }, 'Leden en rollen'),
      manager ? button('Lid toevoegen', () => memberDialog(null), { class: 'btn btn-primary' }) : null),
    manager ? null : h('p', { class: 'hint' }, 'Alleen de voorzitter en secretaris beheren de leden.'),
    box));

  const nameOf = (pid) => state.members.find((m) => m.person === pid)?.name || store.personName(pid);

  function render() {
    const rows = state.members.slice().sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role)
      || a.org_name.localeCompare(b.org_name, 'nl') || a.name.localeCompare(b.name, 'nl'));
    if (!rows.length) { replace(box, empty('Dit overleg heeft nog geen leden.')); return; }
    replace(box, h('table', { class: 'table members-table' },
      h('caption', { class: 'sr-only' }, 'Leden van dit overleg'),
      h('thead', null, h('tr', null, ['Naam', 'Organisatie', 'Rol', 'Bijzonderheden'].map((t) => h('th', { scope: 'col' }, t)),
        manager ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Beheer')) : null)),
      h('tbody', null, rows.map((m) => h('tr', { dataset: { person: m.person } },
        h('td', { 'data-label': 'Naam' }, h('strong', null, m.name), m.function ? h('div', { class: 'muted small' }, m.function) : null),
        h('td', { 'data-label': 'Organisatie' }, m.org_name),
        h('td', { 'data-label': 'Rol' }, badge(label(ROLES, m.role), `role-${m.role}`)),
        h('td', { 'data-label': 'Bijzonderheden' },
          m.substitute_for ? `Vaste vervanger van ${nameOf(m.substitute_for)}` : null,
          m.role === 'gast' ? (m.items?.length ? `Alleen bij ${m.items.length === 1 ? '1 agendapunt' : `${m.items.length} agendapunten`}` : 'Bij de hele vergadering') : null),
        manager ? h('td', { class: 'row-actions' },
          button('Wijzigen', () => memberDialog(m), { class: 'btn btn-small', 'aria-label': `${m.name} wijzigen` }),
          button('Verwijderen', () => removeMember(m), { class: 'btn btn-small btn-quiet-danger', 'aria-label': `${m.name} uit dit overleg verwijderen` })) : null)))));
  }

  async function removeMember(m) {
    const ok = await confirmDialog('Lid verwijderen', `${m.name} (${m.org_name}) uit ${state.body.name} verwijderen? Vanaf dan ziet ${m.name} dit overleg niet meer.`, { confirmLabel: 'Verwijderen' });
    if (!ok) return;
    try {
      await store.request('membership.remove', { body: state.body.id, person: m.person });
      state.members = state.members.filter((x) => x.person !== m.person);
      render();
      toast(`${m.name} is verwijderd.`, 'ok');
    } catch (e) { toast(e.message, 'error'); }
  }

  async function guestItemOptions() {
    // Items a guest can be limited to: the backlog and the agendas of coming meetings.
    const out = [];
    const now = Date.now();
    const meetings = [...state.meetings.values()].filter((m) => Date.parse(m.end) > now && m.status !== 'geannuleerd')
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start)).slice(0, 6);
    const results = await Promise.all(meetings.map((m) => store.meetingGet(m.id).catch(() => null)));
    // A besloten punt is not one to invite anyone to: only what this user sees whole.
    results.forEach((r, i) => { if (r) for (const it of r.agenda) if (!it.placeholder) out.push([it.id, `${fmtDateShort(meetings[i].start)} – ${it.title}`]); });
    try {
      const b = await store.bodyGet(state.body.id);
      for (const it of b.backlog) if (!it.placeholder) out.push([it.id, `Te agenderen – ${it.title}`]);
    } catch { /* not a member (administrator): no backlog */ }
    return out;
  }

  async function memberDialog(m) {
    const isNew = !m;
    const itemOpts = await guestItemOptions();
    const f = {};
    const ok = await formDialog({
      title: isNew ? `Lid toevoegen aan ${state.body.name}` : `${m.name} wijzigen`,
      submitLabel: isNew ? 'Toevoegen' : 'Opslaan',
      wide: true,
      build: (el) => {
        if (isNew) {
          const present = new Set(state.members.map((x) => x.person));
          f.filter = input({ type: 'search', placeholder: 'Typ een naam, e-mailadres of organisatie', 'aria-controls': 'person-pick', autocomplete: 'off' });
          f.person = h('select', { id: 'person-pick', size: 6, required: true, class: 'person-pick' });
          const status = h('p', { class: 'hint', role: 'status' }, 'Typ minstens twee letters om te zoeken.');
          let timer = null;
          let seq = 0;
          const search = async () => {
            const q = f.filter.value.trim();
            if (q.length < 2) { f.person.replaceChildren(); status.textContent = 'Typ minstens twee letters om te zoeken.'; return; }
            const mine = ++seq;
            try {
              const r = await store.request('person.search', { q, limit: 30 });
              if (mine !== seq) return;
              const found = r.persons.filter((p) => !present.has(p.id));
              replace(f.person, found.map((p) => h('option', { value: String(p.id) }, `${p.name} – ${p.org_name}${p.function ? ` (${p.function})` : ''}`)));
              if (found.length) f.person.selectedIndex = 0;
              status.textContent = found.length ? `${found.length} gevonden${r.persons.length >= 30 ? ' (verfijn de zoekopdracht voor meer)' : ''}.` : 'Niemand gevonden die nog geen lid is.';
            } catch (ex) { status.textContent = ex.message; }
          };
          f.filter.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 200); });
          el.append(field('Zoek persoon', f.filter), status, field('Persoon', f.person, { required: true, wide: true }));
        }
        f.role = select(ROLES, m?.role || 'lid', { name: 'role' });
        const subOpts = [['', '— kies wie vervangen wordt —'], ...state.members.filter((x) => !m || x.person !== m.person)
          .map((x) => [String(x.person), `${x.name} (${x.org_name})`])];
        f.sub = select(subOpts, m?.substitute_for ?? '', { name: 'substitute_for' });
        const subField = field('Vervangt', f.sub, { hint: 'Een vaste vervanger neemt de plaats in van dit lid als het afwezig is.' });
        const chosen = new Set(m?.items || []);
        f.items = h('fieldset', { class: 'persons-box' }, h('legend', null, 'Alleen uitgenodigd voor deze agendapunten'),
          h('p', { class: 'hint' }, 'Niets aangevinkt: de gast mag bij de hele vergadering zijn.'),
          itemOpts.length ? h('div', { class: 'check-grid' }, itemOpts.map(([id, t]) => {
            const cb = h('input', { type: 'checkbox', value: String(id), checked: chosen.has(id), id: `gi-${id}`, name: 'items' });
            return h('div', { class: 'check' }, cb, h('label', { htmlFor: `gi-${id}` }, t));
          })) : h('p', { class: 'muted' }, 'Er zijn geen agendapunten om uit te kiezen.'));
        const sync = () => {
          subField.hidden = f.role.value !== 'vaste_vervanger';
          f.items.hidden = f.role.value !== 'gast';
        };
        f.role.addEventListener('change', sync);
        sync();
        el.append(field('Rol', f.role, { hint: 'Voorzitter en secretaris beheren agenda, vergaderingen en leden; een waarnemer leest alleen mee.' }), subField, f.items);
      },
      submit: async (form) => {
        const args = { body: state.body.id, role: f.role.value };
        if (isNew) {
          if (!f.person.value) throw new Error('Kies een persoon.');
          args.person = Number(f.person.value);
        } else {
          args.person = m.person;
        }
        if (f.role.value === 'vaste_vervanger') {
          if (!f.sub.value) throw new Error('Kies wie deze vaste vervanger vervangt.');
          args.substitute_for = Number(f.sub.value);
        } else if (!isNew) {
          args.substitute_for = null;
        }
        if (f.role.value === 'gast') {
          const ids = [...form.querySelectorAll('input[name="items"]:checked')].map((c) => Number(c.value));
          args.items = ids.length ? ids : null;
        } else if (!isNew) {
          args.items = null;
        }
        return store.request(isNew ? 'membership.add' : 'membership.update', args);
      },
    });
    if (!ok) return;
    // Apply the answer at once (an administrator who is not a member gets no live events).
    state.members = state.members.filter((x) => x.person !== ok.membership.person).concat([ok.membership]);
    render();
    toast(isNew ? 'Het lid is toegevoegd.' : 'Het lidmaatschap is gewijzigd.', 'ok');
  }

  render();
  return { render };
}
