// Functional administration: organisations, persons (accounts with a setup link) and bodies.
import { h, replace } from './dom.js';
import { label, ORG_KINDS, BODY_KINDS, LEVELS, SCOPE_KINDS, cadenceLabel, fmtDateTime, fmtDateShort } from './format.js';
import {
  pageHead, tabs, loading, empty, field, input, textarea, select, checkbox, formDialog, toast, button, badge, confirmDialog,
} from './ui.js';

const TABS = [['organisaties', 'Organisaties'], ['personen', 'Personen'], ['overleggen', 'Overleggen'], ['gebieden', 'Gebieden'], ['afkortingen', 'Afkortingen'], ['avg', 'Privacy (AVG)']];
const CADENCES = [['', 'Geen vaste frequentie'], ['P1W', 'Wekelijks'], ['P2W', 'Elke 2 weken'], ['P3W', 'Elke 3 weken'],
  ['P4W', 'Elke 4 weken'], ['P6W', 'Elke 6 weken'], ['P8W', 'Elke 8 weken'], ['P1M', 'Maandelijks'],
  ['P2M', 'Elke 2 maanden'], ['P3M', 'Elk kwartaal'], ['P6M', 'Elk half jaar']];

export async function render(ctx) {
  const { store } = ctx;
  const tab = TABS.some(([k]) => k === ctx.params.tab) ? ctx.params.tab : 'organisaties';
  ctx.setTitle('Beheer');
  if (!store.me.admin) {
    replace(ctx.root, pageHead('Beheer'), h('p', { class: 'notice notice-warn' }, 'Alleen beheerders kunnen deze pagina gebruiken.'));
    return;
  }
  const content = h('div', null, loading());
  replace(ctx.root, pageHead('Beheer', { sub: 'Organisaties, personen en overleggen van deze Ketentafel.' }),
    tabs(TABS.map(([k, t]) => [k, t, `#/beheer/${k}`]), tab, 'Onderdelen van beheer'), content);
  const [scopes] = await Promise.all([
    store.listAll('scope.list', 'scopes').then((r) => r.scopes),
    store.loadOrgs(true), store.loadPersons(true), store.loadAllBodies(true),
  ]);
  const views = { organisaties: orgsView, personen: personsView, overleggen: bodiesView, gebieden: scopesView, afkortingen: abbreviationsView, avg: avgView };
  const draw = () => views[tab](ctx, content, scopes);
  draw();
  ctx.onCleanup(store.on('change', (what) => {
    if (['orgs', 'persons', 'bodies'].includes(what)) draw();
  }));
}

function filterBox(placeholder, onInput) {
  const q = input({ type: 'search', placeholder, 'aria-label': placeholder });
  q.addEventListener('input', onInput);
  return q;
}

// ---- organisations ----
function orgsView(ctx, content, scopes) {
  const { store } = ctx;
  const list = h('div');
  const q = filterBox('Zoek organisatie', () => draw());
  function draw() {
    const s = q.value.trim().toLowerCase();
    const orgs = [...store.orgs.values()].filter((o) => !s || o.name.toLowerCase().includes(s))
      .sort((a, b) => a.name.localeCompare(b.name, 'nl'));
    replace(list, h('table', { class: 'table' },
      h('caption', { class: 'sr-only' }, 'Organisaties'),
      h('thead', null, h('tr', null, ['Naam', 'Soort', 'Gebied', 'Personen'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Bewerken')))),
      h('tbody', null, orgs.map((o) => h('tr', null,
        h('td', { 'data-label': 'Naam' }, o.name),
        h('td', { 'data-label': 'Soort' }, label(ORG_KINDS, o.kind)),
        h('td', { 'data-label': 'Gebied' }, o.scope || 'landelijk'),
        h('td', { 'data-label': 'Personen' }, String([...store.persons.values()].filter((p) => p.org === o.id).length)),
        h('td', null, button('Bewerken', () => orgDialog(store, scopes, o), { class: 'btn btn-small', 'aria-label': `${o.name} bewerken` })))))));
  }
  replace(content, h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', null, `Organisaties (${store.orgs.size})`),
      button('Organisatie toevoegen', () => orgDialog(store, scopes, null), { class: 'btn btn-primary' })),
    h('div', { class: 'filters' }, q), list));
  draw();
}

async function orgDialog(store, scopes, org) {
  const f = {};
  const ok = await formDialog({
    title: org ? 'Organisatie bewerken' : 'Organisatie toevoegen',
    build: (el) => {
      f.name = input({ value: org?.name || '', maxLength: 200 });
      f.kind = select(ORG_KINDS, org?.kind || 'gemeente');
      f.scope = select([['', 'Landelijk (geen gebied)'], ...scopes.map((s) => [s.name, `${s.name} (${s.kind})`])], org?.scope || '');
      el.append(field('Naam', f.name, { required: true, wide: true }), field('Soort', f.kind), field('Gebied', f.scope));
    },
    submit: async () => {
      const args = { name: f.name.value.trim(), kind: f.kind.value, scope: f.scope.value || null };
      if (!args.name) throw new Error('Geef de organisatie een naam.');
      return org ? store.request('org.update', { org: org.id, ...args }) : store.request('org.create', args);
    },
  });
  if (!ok) return;
  store.onEvent({ event: 'org.updated', data: { organisation: ok.organisation } });
  toast('De organisatie is opgeslagen.', 'ok');
}

// ---- persons ----
function personsView(ctx, content) {
  const { store } = ctx;
  const list = h('div');
  const q = filterBox('Zoek op naam, e-mail of organisatie', () => draw());
  const orgSel = select([['', 'Alle organisaties'], ...[...store.orgs.values()].sort((a, b) => a.name.localeCompare(b.name, 'nl')).map((o) => [String(o.id), o.name])], '', { 'aria-label': 'Organisatie' });
  orgSel.addEventListener('change', () => draw());
  function draw() {
    const s = q.value.trim().toLowerCase();
    const persons = [...store.persons.values()]
      .filter((p) => (!s || `${p.name} ${p.email} ${p.org_name}`.toLowerCase().includes(s)) && (!orgSel.value || p.org === Number(orgSel.value)))
      .sort((a, b) => a.name.localeCompare(b.name, 'nl'));
    replace(list, h('p', { class: 'small muted', role: 'status' }, `${persons.length} personen`),
      h('table', { class: 'table' },
        h('caption', { class: 'sr-only' }, 'Personen'),
        h('thead', null, h('tr', null, ['Naam', 'E-mail', 'Organisatie', 'Account'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Beheer')))),
        h('tbody', null, persons.map((p) => h('tr', { class: p.active ? '' : 'inactive' },
          h('td', { 'data-label': 'Naam' }, h('strong', null, p.name), p.function ? h('div', { class: 'muted small' }, p.function) : null),
          h('td', { 'data-label': 'E-mail' }, p.email),
          h('td', { 'data-label': 'Organisatie' }, p.org_name),
          h('td', { 'data-label': 'Account' },
            p.active ? null : badge('Gedeactiveerd', 'inactive'),
            p.admin ? badge('Beheerder', 'role') : null,
            p.has_password ? null : badge('Nog geen wachtwoord', 'warn')),
          h('td', { class: 'row-actions' },
            button('Bewerken', () => personDialog(store, p), { class: 'btn btn-small', 'aria-label': `${p.name} bewerken` }),
            button('Wachtwoordlink', () => resetLink(store, p), { class: 'btn btn-small', 'aria-label': `Nieuwe wachtwoordlink voor ${p.name}` }),
            button('Gegevens', () => exportPerson(store, p), { class: 'btn btn-small', 'aria-label': `Gegevens van ${p.name} inzien en exporteren` }),
            p.active || p.id === store.me.id ? null
              : button('Wissen', () => erasePerson(store, p), { class: 'btn btn-small btn-danger', 'aria-label': `${p.name} wissen` })))))));
  }
  replace(content, h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', null, 'Personen'),
      button('Persoon toevoegen', () => personDialog(store, null), { class: 'btn btn-primary' })),
    h('div', { class: 'filters' }, q, orgSel), list));
  draw();
}

function showLink(title, person, url) {
  return formDialog({
    title,
    submitLabel: 'Sluiten',
    danger: false,
    build: (el) => {
      const box = input({ value: url, readOnly: true, class: 'link-box' });
      el.append(
        h('p', null, `Stuur deze link naar ${person.name} (${person.email}). Met de link stelt ${person.name} zelf een wachtwoord in; hij is 7 dagen geldig, werkt één keer en een eerdere link werkt niet meer. U ziet deze link maar één keer.`),
        field('Link om het wachtwoord in te stellen', box, { wide: true }),
        button('Kopiëren', async () => {
          box.select();
          try { await navigator.clipboard.writeText(url); toast('De link is gekopieerd.', 'ok'); } catch { toast('Kopiëren lukte niet; selecteer de link en kopieer hem zelf.', 'error'); }
        }, { class: 'btn btn-small' }));
    },
    submit: async () => true,
  });
}

// The link goes to the person: by mail when the server has a mail relay (the administrator
// never sees it), otherwise it is shown here once to hand over.
async function deliverLink(title, person, r) {
  if (r.delivery === 'mail') toast(`De link is per e-mail naar ${person.name} gestuurd; een eerdere link werkt niet meer.`, 'ok');
  else if (r.setup_url) await showLink(title, person, r.setup_url);
}

async function resetLink(store, p) {
  try {
    const r = await store.request('person.reset', { person: p.id });
    await deliverLink('Nieuwe wachtwoordlink', p, r);
  } catch (e) { toast(e.message, 'error'); }
}

async function personDialog(store, p) {
  const f = {};
  const isNew = !p;
  const ok = await formDialog({
    title: isNew ? 'Persoon toevoegen' : `${p.name} bewerken`,
    build: (el) => {
      f.name = input({ value: p?.name || '', maxLength: 200, autocomplete: 'off' });
      f.email = input({ type: 'email', value: p?.email || '', maxLength: 254, autocomplete: 'off', spellcheck: false });
      f.org = select([['', '— kies een organisatie —'], ...[...store.orgs.values()].sort((a, b) => a.name.localeCompare(b.name, 'nl')).map((o) => [String(o.id), o.name])], p?.org ?? '');
      f.func = input({ value: p?.function || '', maxLength: 200 });
      f.admin = checkbox('Beheerder (mag organisaties, personen en overleggen beheren)', p?.admin);
      f.active = checkbox('Actief (kan inloggen)', p ? p.active : true);
      el.append(field('Naam', f.name, { required: true }), field('E-mailadres', f.email, { required: true }),
        field('Organisatie', f.org, { required: true }), field('Functie', f.func), f.admin.el, isNew ? null : f.active.el,
        isNew ? h('p', { class: 'hint' }, 'Na het toevoegen krijgt u een link waarmee de persoon zelf een wachtwoord instelt.') : null);
    },
    submit: async () => {
      const args = { name: f.name.value.trim(), email: f.email.value.trim(), org: Number(f.org.value), function: f.func.value.trim(), admin: f.admin.box.checked };
      if (!args.name) throw new Error('Vul een naam in.');
      if (!args.org) throw new Error('Kies een organisatie.');
      if (isNew) return store.request('person.create', args);
      if (!f.active.box.checked || !p.active) args.active = f.active.box.checked;
      return store.request('person.update', { person: p.id, ...args });
    },
  });
  if (!ok) return;
  store.onEvent({ event: 'person.updated', data: { person: ok.person } });
  toast('De persoon is opgeslagen.', 'ok');
  if (isNew) await deliverLink('Account aangemaakt', ok.person, ok);
}

// ---- a person's data (AVG): export and erasure ----
function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// person.export hands a large export out in parts (part, more, next_part): the rows of each
// part appended per key and the summaries concatenated are the whole export.
async function exportPersonAll(store, person) {
  let r = await store.request('person.export', { person });
  const all = { ...r, data: { ...r.data } };
  for (let parts = 1; r.more && r.next_part !== null && parts < 10000; parts++) {
    r = await store.request('person.export', { person, part: r.next_part });
    for (const [k, v] of Object.entries(r.data)) {
      if (Array.isArray(v)) all.data[k] = (all.data[k] || []).concat(v);
    }
    all.summary += r.summary;
  }
  return all;
}

// Everything stored about one person (the right of access): the readable summary on screen,
// the JSON and the summary to download. The server writes each export to the processing log.
async function exportPerson(store, p) {
  let r;
  try { r = await exportPersonAll(store, p.id); } catch (e) { toast(e.message, 'error'); return; }
  const base = `ketentafel-gegevens-${p.id}`;
  await formDialog({
    title: `Gegevens van ${p.name}`,
    submitLabel: 'Sluiten',
    wide: true,
    build: (el) => el.append(
      h('p', null, 'Alles wat Ketentafel over deze persoon bewaart. Deze inzage staat in het verwerkingslog (Beheer, Privacy).'),
      h('pre', { class: 'export-summary', tabIndex: 0, 'aria-label': 'Samenvatting' }, r.summary),
      h('div', { class: 'row-actions' },
        button('Download als JSON', () => download(`${base}.json`, 'application/json', JSON.stringify(r.data, null, 2)), { class: 'btn btn-small' }),
        button('Download samenvatting', () => download(`${base}.txt`, 'text/plain;charset=utf-8', r.summary), { class: 'btn btn-small' }))),
    submit: async () => true,
  });
}

// Erasure of a person who has left (deactivated first): confirmed with their e-mail address.
async function erasePerson(store, p) {
  const f = {};
  const ok = await formDialog({
    title: `${p.name} wissen`,
    submitLabel: 'Definitief wissen',
    danger: true,
    build: (el) => {
      f.confirm = input({ type: 'email', autocomplete: 'off', spellcheck: false, maxLength: 254, required: true });
      el.append(
        h('p', null, `Naam, e-mailadres, functie, wachtwoord, lidmaatschappen, meldingen en links van ${p.name} worden verwijderd. `
          + 'Wat ook van anderen is (aanwezigheid, agendapunten, acties, chatberichten, het gebeurtenissenlog) blijft, onder de naam "Oud-deelnemer". Dit kan niet ongedaan worden gemaakt.'),
        field(`Typ ter bevestiging het e-mailadres (${p.email})`, f.confirm, { required: true, wide: true }));
    },
    submit: () => store.request('person.erase', { person: p.id, confirm: f.confirm.value.trim() }),
  });
  if (!ok) return;
  toast(`${p.name} is gewist en heet nu "${ok.pseudonym}".`, 'ok');
}

// ---- privacy (AVG): retention periods and the processing log ----
const RETENTION_KINDS = { chat: 'Chatberichten', verslagen: 'Verslagen en notulen', acties: 'Acties, toezeggingen en besluiten',
  meldingen: 'Meldingen', events: 'Gebeurtenissenlog', auditlog: 'Verwerkingslog (auditlog)' };
const AUDIT_ACTIONS = { 'person.export': 'Gegevens ingezien en geëxporteerd', 'person.erase': 'Persoon gewist',
  'retention.run': 'Bewaartermijnen toegepast' };

function auditDetail(store, e) {
  const d = e.detail || {};
  if (e.action === 'retention.run') {
    return (d.kinds || []).filter((k) => k.removed).map((k) => `${label(RETENTION_KINDS, k.kind)}: ${k.removed} verwijderd`).join(', ');
  }
  if (e.action === 'person.erase') {
    const removed = Object.values(d.removed || {}).reduce((a, n) => a + n, 0);
    return `${removed} gegevens verwijderd, ${d.events_rewritten || 0} gebeurtenissen en ${d.notifications_rewritten || 0} meldingen gepseudonimiseerd`;
  }
  if (e.action === 'person.export' && d.hidden) return `${d.hidden} vertrouwelijke regels zonder inhoud`;
  return '';
}

function auditSubject(store, e) {
  if (e.subject_kind === 'person' && e.subject) return store.persons.get(e.subject)?.name || `persoon ${e.subject}`;
  return '—';
}

async function avgView(ctx, content) {
  const { store } = ctx;
  const entries = [];
  const logBox = h('div');
  let more = false;
  let ret;
  try {
    [ret] = await Promise.all([store.request('retention.get'), loadAudit()]);
  } catch (e) {
    replace(content, h('p', { class: 'notice notice-warn', role: 'alert' }, e.message));
    return;
  }
  async function loadAudit() {
    const before = entries.length ? entries[entries.length - 1].id : undefined;
    const r = await store.request('audit.list', before ? { before, limit: 50 } : { limit: 50 });
    entries.push(...r.entries);
    more = r.more;
  }
  function drawLog() {
    replace(logBox, entries.length === 0 ? empty('Er is nog niets verwerkt.') : h('table', { class: 'table' },
      h('caption', { class: 'sr-only' }, 'Verwerkingslog'),
      h('thead', null, h('tr', null, ['Tijdstip', 'Door', 'Handeling', 'Betreft', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, entries.map((e) => h('tr', null,
        h('td', { 'data-label': 'Tijdstip' }, fmtDateTime(e.at)),
        h('td', { 'data-label': 'Door' }, e.actor ? e.actor_name || `persoon ${e.actor}` : 'De server'),
        h('td', { 'data-label': 'Handeling' }, label(AUDIT_ACTIONS, e.action)),
        h('td', { 'data-label': 'Betreft' }, auditSubject(store, e)),
        h('td', { 'data-label': 'Details' }, auditDetail(store, e)))))),
    more ? button('Oudere regels', async () => {
      try { await loadAudit(); drawLog(); } catch (e) { toast(e.message, 'error'); }
    }, { class: 'btn btn-small' }) : null);
  }
  const last = ret.last_run;
  replace(content,
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Bewaartermijnen')),
      h('p', { class: 'small muted' }, 'De server verwijdert gegevens zodra hun bewaartermijn voorbij is. De systeembeheerder stelt de termijnen in (retain-…-days in ketentafel.conf); docs/avg.md beschrijft welke gegevens Ketentafel bewaart en waarom.'),
      h('table', { class: 'table' },
        h('caption', { class: 'sr-only' }, 'Bewaartermijnen'),
        h('thead', null, h('tr', null, ['Gegevens', 'Bewaartermijn', 'Verwijderd wat ouder is dan', 'Oudste bewaard'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, ret.kinds.map((k) => h('tr', null,
          h('th', { scope: 'row', 'data-label': 'Gegevens' }, label(RETENTION_KINDS, k.kind)),
          h('td', { 'data-label': 'Bewaartermijn' }, k.days ? `${k.days} dagen` : 'Onbeperkt'),
          h('td', { 'data-label': 'Verwijderd wat ouder is dan' }, k.cutoff ? fmtDateShort(k.cutoff) : '—'),
          h('td', { 'data-label': 'Oudste bewaard' }, k.oldest ? fmtDateShort(k.oldest) : '—'))))),
      h('p', { class: 'small', role: 'status' }, last ? `Laatst toegepast: ${fmtDateTime(last.at)}. ${auditDetail(store, last)}` : 'Er is nog niets verwijderd wegens een verlopen bewaartermijn.')),
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Verwerkingslog')),
      h('p', { class: 'small muted' }, 'Wie wanneer de gegevens van een persoon heeft ingezien, geëxporteerd of gewist, en wanneer de bewaartermijnen zijn toegepast. De nieuwste eerst.'),
      logBox));
  drawLog();
}

// ---- bodies ----
function bodiesView(ctx, content, scopes) {
  const { store } = ctx;
  const list = h('div');
  const q = filterBox('Zoek overleg', () => draw());
  function draw() {
    const s = q.value.trim().toLowerCase();
    const bodies = [...store.allBodies.values()].filter((b) => !s || `${b.name} ${b.scope}`.toLowerCase().includes(s))
      .sort((a, b) => a.name.localeCompare(b.name, 'nl'));
    replace(list, h('table', { class: 'table' },
      h('caption', { class: 'sr-only' }, 'Overleggen'),
      h('thead', null, h('tr', null, ['Naam', 'Soort', 'Niveau', 'Gebied', 'Frequentie', 'Valt onder', 'Leden'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Beheer')))),
      h('tbody', null, bodies.map((b) => h('tr', null,
        h('td', { 'data-label': 'Naam' }, h('a', { href: `#/overleg/${b.id}` }, b.name)),
        h('td', { 'data-label': 'Soort' }, label(BODY_KINDS, b.kind)),
        h('td', { 'data-label': 'Niveau' }, label(LEVELS, b.level)),
        h('td', { 'data-label': 'Gebied' }, b.scope),
        h('td', { 'data-label': 'Frequentie' }, cadenceLabel(b.cadence)),
        h('td', { 'data-label': 'Valt onder' }, b.parent ? store.allBodies.get(b.parent)?.name || '' : '—'),
        h('td', { 'data-label': 'Leden' }, b.member_count === undefined ? '' : String(b.member_count)),
        h('td', { class: 'row-actions' },
          button('Bewerken', () => bodyDialog(store, scopes, b), { class: 'btn btn-small', 'aria-label': `${b.name} bewerken` }),
          h('a', { class: 'btn btn-small', href: `#/overleg/${b.id}/leden`, 'aria-label': `Leden van ${b.name} beheren` }, 'Leden')))))));
  }
  replace(content, h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', null, `Overleggen (${store.allBodies.size})`),
      button('Overleg toevoegen', () => bodyDialog(store, scopes, null), { class: 'btn btn-primary' })),
    h('div', { class: 'filters' }, q), list));
  draw();
}

async function bodyDialog(store, scopes, b) {
  const f = {};
  const isNew = !b;
  const ok = await formDialog({
    title: isNew ? 'Overleg toevoegen' : `${b.name} bewerken`,
    wide: true,
    build: (el) => {
      f.name = input({ value: b?.name || '', maxLength: 200 });
      f.kind = select(BODY_KINDS, b?.kind || 'werkgroep');
      f.scope = select([['', '— kies een gebied —'], ...scopes.map((s) => [s.name, `${s.name} (${s.kind})`])], b?.scope || '');
      f.level = select(LEVELS, b?.level || 'tactisch');
      const cads = CADENCES.slice();
      if (b?.cadence && !cads.some(([k]) => k === b.cadence)) cads.push([b.cadence, cadenceLabel(b.cadence)]);
      f.cadence = select(cads, b?.cadence || '');
      f.parent = select([['', '— geen —'], ...[...store.allBodies.values()].filter((x) => !b || x.id !== b.id)
        .sort((x, y) => x.name.localeCompare(y.name, 'nl')).map((x) => [String(x.id), x.name])], b?.parent ?? '');
      f.location = input({ value: b?.location || '', maxLength: 200 });
      f.mandate = textarea({ value: b?.mandate || '', rows: 6, maxLength: 20000 });
      el.append(field('Naam', f.name, { required: true, wide: true }),
        h('div', { class: 'field-row' }, field('Soort', f.kind), field('Niveau', f.level), field('Gebied', f.scope, { required: true })),
        h('div', { class: 'field-row' }, field('Frequentie', f.cadence), field('Valt onder', f.parent)),
        field('Vaste vergaderplaats', f.location, { wide: true }),
        field('Mandaat', f.mandate, { wide: true, hint: 'Waarvoor is dit overleg er, wat mag het besluiten, wie zitten erin?' }));
    },
    submit: async () => {
      const args = {
        name: f.name.value.trim(), kind: f.kind.value, level: f.level.value, scope: f.scope.value,
        cadence: f.cadence.value || null, parent: f.parent.value ? Number(f.parent.value) : null,
        location: f.location.value.trim(), mandate: f.mandate.value,
      };
      if (!args.name) throw new Error('Geef het overleg een naam.');
      if (!args.scope) throw new Error('Kies een gebied.');
      return isNew ? store.request('body.create', args) : store.request('body.update', { body: b.id, ...args });
    },
  });
  if (!ok) return;
  store.onEvent({ event: 'body.updated', data: { body: ok.body } });
  toast('Het overleg is opgeslagen.', 'ok');
}

// ---- scopes (gemeenten and regions) ----
function scopesView(ctx, content, scopes) {
  const { store } = ctx;
  const list = h('div');
  function draw() {
    const rows = scopes.slice().sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name, 'nl'));
    replace(list, h('table', { class: 'table' },
      h('caption', { class: 'sr-only' }, 'Gebieden'),
      h('thead', null, h('tr', null, ['Naam', 'Soort', 'Omvat'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((sc) => h('tr', null,
        h('td', { 'data-label': 'Naam' }, sc.name),
        h('td', { 'data-label': 'Soort' }, label(SCOPE_KINDS, sc.kind)),
        h('td', { 'data-label': 'Omvat' }, sc.includes?.length ? sc.includes.join(', ') : '—'))))));
  }
  async function add() {
    const f = {};
    const ok = await formDialog({
      title: 'Gebied toevoegen',
      build: (el) => {
        f.name = input({ maxLength: 200 });
        f.kind = select(SCOPE_KINDS, 'gemeente');
        const gemeenten = scopes.filter((x) => x.kind === 'gemeente').sort((a, b) => a.name.localeCompare(b.name, 'nl'));
        f.includes = h('fieldset', { class: 'persons-box', hidden: true }, h('legend', null, 'Gemeenten in deze regio'),
          h('div', { class: 'check-grid' }, gemeenten.map((g) => checkbox(g.name, false, { name: 'includes', value: g.name }).el)));
        f.kind.addEventListener('change', () => { f.includes.hidden = f.kind.value !== 'regio'; });
        el.append(field('Naam', f.name, { required: true }), field('Soort', f.kind), f.includes);
      },
      submit: async (form) => {
        const args = { name: f.name.value.trim(), kind: f.kind.value };
        if (!args.name) throw new Error('Geef het gebied een naam.');
        if (args.kind === 'regio') args.includes = [...form.querySelectorAll('input[name="includes"]:checked')].map((c) => c.value);
        return store.request('scope.create', args);
      },
    });
    if (!ok) return;
    scopes.push(ok.scope);
    draw();
    toast('Het gebied is toegevoegd.', 'ok');
  }
  replace(content, h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', null, `Gebieden (${scopes.length})`),
      button('Gebied toevoegen', add, { class: 'btn btn-primary' })),
    h('p', { class: 'hint' }, 'Gemeenten en regio’s (zoals een RIEC-gebied). Overleggen en organisaties horen bij een gebied; dubbele agendering wordt alleen binnen overlappende gebieden gesignaleerd.'),
    list));
  draw();
}

// ---- abbreviations the duplicate detector expands (PmG = Preventie met Gezag) ----
function abbreviationsView(ctx, content) {
  const { store } = ctx;
  const list = h('div', null, loading());
  let rows = [];
  async function load() {
    rows = (await store.request('abbreviation.list')).abbreviations;
    draw();
  }
  function draw() {
    replace(list, rows.length ? h('table', { class: 'table' },
      h('caption', { class: 'sr-only' }, 'Afkortingen'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Afkorting'), h('th', { scope: 'col' }, 'Betekenis'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Beheer')))),
      h('tbody', null, rows.map((a) => h('tr', null,
        h('td', { 'data-label': 'Afkorting' }, h('strong', null, a.abbr)),
        h('td', { 'data-label': 'Betekenis' }, a.expansion),
        h('td', { class: 'row-actions' },
          button('Wijzigen', () => edit(a), { class: 'btn btn-small', 'aria-label': `${a.abbr} wijzigen` }),
          button('Verwijderen', () => remove(a), { class: 'btn btn-small btn-quiet-danger', 'aria-label': `${a.abbr} verwijderen` }))))))
      : empty('Er zijn nog geen afkortingen.'));
  }
  async function edit(a) {
    const f = {};
    const ok = await formDialog({
      title: a ? `${a.abbr} wijzigen` : 'Afkorting toevoegen',
      build: (el) => {
        f.abbr = input({ value: a?.abbr || '', maxLength: 40, readOnly: !!a });
        f.exp = input({ value: a?.expansion || '', maxLength: 200 });
        el.append(field('Afkorting', f.abbr, { required: true }), field('Betekenis', f.exp, { required: true, hint: 'Voluit, zoals het in agendapunten staat.' }));
      },
      submit: async () => {
        if (!f.abbr.value.trim() || !f.exp.value.trim()) throw new Error('Vul de afkorting en de betekenis in.');
        return store.request('abbreviation.set', { abbr: f.abbr.value.trim(), expansion: f.exp.value.trim() });
      },
    });
    if (ok) { toast('De afkorting is opgeslagen.', 'ok'); load(); }
  }
  async function remove(a) {
    const ok = await confirmDialog('Afkorting verwijderen', `${a.abbr} (${a.expansion}) verwijderen?`, { confirmLabel: 'Verwijderen' });
    if (!ok) return;
    try { await store.request('abbreviation.set', { abbr: a.abbr, expansion: null }); toast('De afkorting is verwijderd.', 'ok'); load(); } catch (e) { toast(e.message, 'error'); }
  }
  replace(content, h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h2', null, 'Afkortingen'), button('Afkorting toevoegen', () => edit(null), { class: 'btn btn-primary' })),
    h('p', { class: 'hint' }, 'Ketentafel schrijft deze afkortingen voluit wanneer het agendapunten van verschillende overleggen vergelijkt, zodat “PmG” en “Preventie met Gezag” als hetzelfde onderwerp worden herkend.'),
    list));
  load().catch((e) => replace(list, h('p', { class: 'form-error' }, e.message)));
}
