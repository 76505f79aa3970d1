// "Waar hoort dit thuis?" (#/waar-hoort-dit-thuis): before bringing something in, a partner
// describes a topic or signal and sees the bodies where it fits best — from their mandates and
// their agendas of the last twelve months — with the reason. It searches while typing (after a
// pause) and tells screen-reader users politely how many bodies it found.
import { h, replace } from './dom.js';
import { fmtDate, label, ROLES, BODY_KINDS, LEVELS } from './format.js';
import { pageHead, textarea, select, field, badge, loading, contactLinks } from './ui.js';

const LIMIT = 8;
const MIN_CHARS = 3;
const PAUSE_MS = 450;
const MAX_CHARS = 1000;

// The last question, so that going to a body and back keeps it (per person, this tab only).
let last = null;

const pct = (s) => Math.round((s || 0) * 100);

/** Scope choice -> the request's scope: absent (my organisation's scope), null (all) or a name. */
function scopeArg(v) {
  if (v === 'mine') return undefined;
  if (v === 'all') return null;
  return v.slice(2);
}

export async function render(ctx) {
  const { store } = ctx;
  ctx.setTitle('Waar hoort dit thuis?');
  replace(ctx.root, loading());
  const [orgs, scopes] = await Promise.all([
    store.loadOrgs().catch(() => null),
    store.listAll('scope.list', 'scopes').then((r) => r.scopes).catch(() => []),
  ]);
  const myScope = orgs?.get(store.me.org)?.scope || null;
  const mine = last?.person === store.me.id ? last : null;

  const text = textarea({ rows: 3, maxLength: MAX_CHARS, name: 'text', value: mine?.text || '',
    placeholder: 'bijv. signalen van drugshandel vanuit een bedrijfspand' });
  const scopeOptions = [
    ['mine', myScope ? `Mijn gemeente of regio (${myScope})` : 'Mijn gemeente of regio'],
    ['all', 'Alle overleggen'],
    ...scopes.slice().sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'regio' ? -1 : 1) || a.name.localeCompare(b.name, 'nl'))
      .map((s) => [`s:${s.name}`, s.kind === 'regio' ? `Regio ${s.name}` : s.name]),
  ];
  const scope = select(scopeOptions, mine?.scope || 'mine', { name: 'scope' });
  const status = h('p', { class: 'suggest-status', role: 'status', 'aria-live': 'polite' });
  const results = h('div', { class: 'suggest-results' });
  const form = h('form', { class: 'suggest-form', role: 'search', 'aria-label': 'Waar hoort dit thuis?' },
    field('Onderwerp of signaal', text, { hint: 'Een paar woorden of een korte beschrijving. De resultaten verschijnen terwijl u typt.', wide: true }),
    h('div', { class: 'suggest-row' },
      field('Zoeken in', scope),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Zoeken')));

  replace(ctx.root,
    pageHead('Waar hoort dit thuis?', {
      sub: 'Voordat u iets inbrengt: in welk overleg past dit onderwerp het best? Ketentafel vergelijkt uw tekst met het mandaat van elk overleg en met zijn agendapunten van het afgelopen jaar.',
    }),
    h('section', { class: 'panel', 'aria-label': 'Vraag' }, form),
    h('section', { class: 'panel', 'aria-labelledby': 'h-results' },
      h('h2', { id: 'h-results' }, 'Overleggen waar het past'),
      status, results));

  let alive = true;
  let timer = null;
  let asked = '';
  let no = 0;
  ctx.onCleanup(() => { alive = false; clearTimeout(timer); });

  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, PAUSE_MS);
  });
  scope.addEventListener('change', () => run());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run(true);
  });

  async function run(force = false) {
    clearTimeout(timer);
    const t = text.value.trim();
    last = { person: store.me.id, text: text.value, scope: scope.value };
    if (t.length < MIN_CHARS) {
      asked = '';
      no += 1;
      results.replaceChildren();
      status.textContent = t ? `Typ minstens ${MIN_CHARS} tekens.` : '';
      return;
    }
    const key = `${scope.value}\n${t}`;
    if (key === asked && !force) return;
    asked = key;
    const args = { text: t, limit: LIMIT };
    const sc = scopeArg(scope.value);
    if (sc !== undefined) args.scope = sc;
    const mine = ++no;
    results.setAttribute('aria-busy', 'true');
    try {
      const r = await store.request('body.suggest', args);
      if (!alive || mine !== no) return;
      draw(r, t);
    } catch (e) {
      if (!alive || mine !== no) return;
      asked = '';
      results.replaceChildren();
      status.textContent = e.message;
    } finally {
      if (mine === no) results.removeAttribute('aria-busy');
    }
  }

  function where(r) {
    if (r.scope === null) return 'in alle overleggen';
    return `in de overleggen die ${r.scope} raken`;
  }

  function draw(r, topic) {
    const list = r.suggestions;
    if (!list.length) {
      results.replaceChildren(h('p', { class: 'empty' }, 'Geen overleg gevonden waar dit bij past. Probeer andere woorden',
        scope.value !== 'all' ? ', of zoek in alle overleggen' : '', '.'));
      status.textContent = `Geen overleg gevonden ${where(r)}.`;
      return;
    }
    const top = Math.max(0.25, list[0].score);
    // Say so when nothing fits well: the first of a list of weak fits is no recommendation.
    const weak = r.good_fit === false;
    replace(results,
      weak ? h('p', { class: 'notice suggest-weak' }, h('strong', null, 'Geen overleg past goed bij deze tekst. '),
        'De overleggen hieronder hebben er alleen een paar woorden mee gemeen, niet het onderwerp. Vraag eventueel de voorzitter van het overleg dat het dichtst in de buurt komt.') : null,
      h('p', { class: 'hint' }, `Gezocht ${where(r)}. ${weak ? 'Het dichtst in de buurt' : 'Beste plek'} bovenaan. `,
        h('span', { class: 'key key-mandate', 'aria-hidden': 'true' }), ' past bij het mandaat, ',
        h('span', { class: 'key key-agenda', 'aria-hidden': 'true' }), ' past bij eerdere agendapunten.'),
      h('ol', { class: 'suggest-list' }, list.map((s, i) => suggestion(s, i, top, topic))));
    status.textContent = weak
      ? `Geen overleg past goed. Het dichtst in de buurt: ${list[0].body.name}.`
      : `${list.length === 1 ? '1 overleg' : `${list.length} overleggen`} gevonden. Past het best: ${list[0].body.name}.`;
  }

  function bar(s, top) {
    const m = h('span', { class: 'bar-mandate' });
    const a = h('span', { class: 'bar-agenda' });
    // score = (mandate + agenda) / 2: the two parts side by side, the best result (or 0.25) full width.
    m.style.width = `${Math.min(100, ((s.mandate / 2) / top) * 100)}%`;
    a.style.width = `${Math.min(100, ((s.agenda / 2) / top) * 100)}%`;
    return h('span', { class: 'suggest-bar', 'aria-hidden': 'true' }, m, a);
  }

  function suggestion(s, i, top, topic) {
    const b = s.body;
    const name = s.member ? h('a', { href: `#/overleg/${b.id}` }, b.name) : b.name;
    const more = s.matching_items - (s.items?.length || 0);
    return h('li', { class: 'suggestion', dataset: { body: b.id } },
      h('div', { class: 'suggestion-head' },
        h('span', { class: 'suggestion-rank', 'aria-hidden': 'true' }, String(i + 1)),
        h('div', { class: 'suggestion-title' },
          h('h3', null, name),
          h('p', { class: 'small muted' }, [b.kind !== 'overig' ? label(BODY_KINDS, b.kind) : null, label(LEVELS, b.level), b.scope].filter(Boolean).join(' · '),
            s.member && s.role ? [' · ', badge(`U bent ${label(ROLES, s.role).toLowerCase()}`, 'role')] : null))),
      h('div', { class: 'suggestion-score' }, bar(s, top),
        h('span', { class: 'small' }, `score ${pct(s.score)}`, h('span', { class: 'muted' }, ` (mandaat ${pct(s.mandate)}, agenda ${pct(s.agenda)})`))),
      h('p', { class: 'suggestion-why' }, s.fit && s.fit !== 'goed' ? h('span', { class: `badge fit-${s.fit}` }, s.fit === 'zwak' ? 'Past zwak' : 'Past deels') : null,
        s.fit && s.fit !== 'goed' ? ' ' : null, s.why),
      s.mandate_words ? h('p', { class: 'small' }, h('span', { class: 'muted' }, 'In het mandaat: '), h('strong', null, s.mandate_words)) : null,
      s.member && s.items?.length ? h('div', { class: 'suggestion-items' },
        h('h4', null, 'Op de agenda van dit overleg'),
        h('ul', { class: 'plain-list' }, s.items.map((it) => h('li', null,
          it.meeting ? h('a', { href: `#/vergadering/${it.meeting}` }, it.title) : h('a', { href: `#/overleg/${b.id}/agenderen` }, it.title),
          h('span', { class: 'muted small' }, it.start ? ` · ${fmtDate(it.start)}` : ' · te agenderen')))),
        more > 0 ? h('p', { class: 'small muted' }, `en nog ${more} ${more === 1 ? 'punt' : 'punten'}`) : null) : null,
      s.member ? null : h('p', { class: 'notice small suggest-contacts' },
        'U bent geen lid van dit overleg. Wilt u het hier inbrengen? ',
        s.contacts?.length
          ? ['Vraag ', contactLinks(s.contacts, { subject: `Agenderen bij ${b.name}: ${topic.replace(/\s+/g, ' ').slice(0, 120)}` }), ' om het te agenderen. ']
          : 'Vraag de voorzitter of de secretaris om het te agenderen. ',
        h('a', { href: `#/overlegkaart?overleg=${b.id}` }, `Met welke overleggen ${b.name} samenwerkt`), '.'));
  }

  if (text.value.trim()) run();
}
