// De overlegkaart (#/overlegkaart[?gebied=Schiedam&overleg=12&dagen=91]): for every pair of bodies what they
// share — persons, organisations, agenda subjects, weeks in which both met — as a matrix that
// reads at a glance, with the strongest overlaps listed and explained beside it.
//
// A matrix rather than a network graph: with 18 to 200 bodies and hundreds of pairs a graph is a
// knot of crossing lines whose layout shifts with every change, and it cannot be walked with a
// keyboard or read by a screen reader. A matrix keeps every pair in one fixed place (row ×
// column); sorted by scope and then by what bodies share, clusters show as dark blocks along the
// diagonal; it grows by scrolling; and it is a real table (row and column headers) that the arrow
// keys walk. On a phone there is no room for it: there the list is the picture.
import { h, replace, uid } from './dom.js';
import { label, BODY_KINDS } from './format.js';
import { pageHead, loading, empty, select, field, button } from './ui.js';

const PERIODS = [[30, 'een maand'], [91, 'drie maanden'], [182, 'een half jaar'], [366, 'een jaar']];
const DEFAULT_DAYS = 182;
const MATRIX_LIMIT = 2000;   // pairs for the picture; weaker ones than these are left white
const LIST_STEP = 6;
const DENSE_FROM = 40;       // bodies: from here the cells shrink and column numbers turn
const LEVEL_TEXT = ['geen overlap', 'weinig overlap', 'enige overlap', 'duidelijke overlap', 'sterke overlap'];

/** 0 (none) .. 4 (strong): the shade of a cell and the colour of a bar. */
export function level(score) {
  if (!score) return 0;
  if (score < 0.2) return 1;
  if (score < 0.35) return 2;
  if (score < 0.5) return 3;
  return 4;
}

const pct = (s) => Math.round((s || 0) * 100);
const pairKey = (a, b) => (a < b ? `${a}-${b}` : `${b}-${a}`);

function plural(n, one, more) {
  return `${n} ${n === 1 ? one : more}`;
}

/** Names as the server gave them (at most five) and how many more there are. */
function names(list, total, sep) {
  const rest = total - list.length;
  return `${list.join(sep)}${rest > 0 ? ` en ${rest} ${rest === 1 ? 'andere' : 'anderen'}` : ''}`;
}

/** The explanation of a pair, one line per kind of overlap (organisation names contain commas,
 *  so they are separated by semicolons). */
function whyList(p) {
  const items = [];
  if (p.persons) {
    items.push(h('li', null, h('strong', null, plural(p.persons, 'gedeelde persoon', 'gedeelde personen')),
      p.person_names?.length ? ` (${names(p.person_names, p.persons, ', ')})` : ''));
  }
  if (p.orgs) {
    items.push(h('li', null, h('strong', null, plural(p.orgs, 'gedeelde organisatie', 'gedeelde organisaties')),
      p.org_names?.length ? ` (${names(p.org_names, p.orgs, '; ')})` : ''));
  }
  if (p.agenda > 0) {
    items.push(h('li', null, h('strong', null, 'vergelijkbare agenda’s'),
      p.agenda_words ? ` (${p.agenda_words})`
        : h('span', { class: 'muted' }, ' (welke onderwerpen ziet alleen wie lid is van beide overleggen)')));
  }
  if (p.same_weeks) {
    items.push(h('li', null, h('strong', null, `${p.same_weeks} keer in dezelfde week vergaderd`)));
  }
  return items.length ? h('ul', { class: 'why-parts' }, items) : h('p', { class: 'muted' }, p.why);
}

/** What a cell says to a screen reader (the row and column headers give the two bodies). */
function cellText(p) {
  const parts = [];
  if (p.persons) parts.push(plural(p.persons, 'persoon', 'personen'));
  if (p.orgs) parts.push(plural(p.orgs, 'organisatie', 'organisaties'));
  if (p.agenda > 0) parts.push('vergelijkbare agenda’s');
  if (p.same_weeks) parts.push(`${p.same_weeks} keer dezelfde week`);
  return `${LEVEL_TEXT[level(p.score)]}, score ${pct(p.score)}: ${parts.join(', ')}`;
}

/**
 * The order of the matrix: bodies grouped by scope (the largest group first), and within a group
 * the body that shares most first, then each time the body with the strongest tie to one already
 * placed — so bodies that share much end up side by side and show as a dark block.
 */
function orderBodies(bodies, weight) {
  const total = new Map(bodies.map((b) => [b.id, 0]));
  for (const [k, p] of weight) {
    const [a, b] = k.split('-').map(Number);
    total.set(a, (total.get(a) || 0) + p.score);
    total.set(b, (total.get(b) || 0) + p.score);
  }
  const groups = new Map();
  for (const b of bodies) {
    const g = b.scope || 'Landelijk';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(b);
  }
  const order = [...groups.entries()].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0], 'nl'));
  const out = [];
  for (const [scope, list] of order) {
    const left = new Set(list);
    const tie = new Map(list.map((b) => [b.id, 0]));
    const group = [];
    while (left.size) {
      let best = null;
      for (const b of left) {
        if (!best || tie.get(b.id) > tie.get(best.id)
          || (tie.get(b.id) === tie.get(best.id) && (total.get(b.id) > total.get(best.id)
            || (total.get(b.id) === total.get(best.id) && b.name.localeCompare(best.name, 'nl') < 0)))) best = b;
      }
      left.delete(best);
      group.push(best);
      for (const b of left) {
        const s = weight.get(pairKey(b.id, best.id))?.score || 0;
        if (s > tie.get(b.id)) tie.set(b.id, s);
      }
    }
    out.push({ scope, bodies: group });
  }
  return out;
}

export async function render(ctx) {
  const { store } = ctx;
  ctx.setTitle('Overlegkaart');
  const q = ctx.params.query || new URLSearchParams();
  let days = PERIODS.some(([d]) => d === Number(q.get('dagen'))) ? Number(q.get('dagen')) : DEFAULT_DAYS;
  let only = Number(q.get('overleg')) || null;
  let scope = q.get('gebied') || null;
  let alive = true;
  ctx.onCleanup(() => { alive = false; });

  replace(ctx.root, loading('Kaart laden…'));
  const areas = await loadAreas(store);
  if (!alive) return;
  const scopes = areas.options;
  if (scope && !scopes.some(([v]) => v === scope)) scope = null;
  const scopeSel = select([['', 'Alle gebieden'], ...scopes], scope || '', { name: 'gebied' });
  const bodySel = select([['', 'Alle overleggen']], '', { name: 'overleg' });
  const daysSel = select(PERIODS.map(([d, t]) => [String(d), `${t} terug en vooruit`]), String(days), { name: 'dagen' });
  const status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const matrixBox = h('div', { class: 'mx-wrap' }, loading('Kaart laden…'));
  const detailBox = h('div', { class: 'mx-detail' });
  const listBox = h('div', null, loading());
  const descId = uid('mx-desc');
  const listHead = h('h2', { id: 'h-strong' }, 'Sterkste overlap');

  replace(ctx.root,
    pageHead('Overlegkaart', { sub: 'Welke overleggen dezelfde mensen, organisaties en onderwerpen delen, en hoe vaak ze in dezelfde week vergaderen. Waar veel overlap is, loont afstemmen.' }),
    h('div', { class: 'filters', role: 'group', 'aria-label': 'Filters' },
      field('Gebied', scopeSel, { hint: 'Een regio toont ook de overleggen van haar gemeenten' }),
      field('Overleg', bodySel, { hint: 'Alleen de overlap van één overleg' }),
      field('Periode', daysSel, { hint: 'Voor vergaderen in dezelfde week' })),
    status,
    h('div', { class: 'map-grid' },
      h('div', { class: 'map-main' }, h('section', { class: 'panel map-matrix', 'aria-labelledby': 'h-matrix' },
        h('h2', { id: 'h-matrix' }, 'Kaart'),
        h('p', { class: 'hint', id: descId },
          'Elke rij en elke kolom is een overleg; hoe donkerder de cel, hoe meer de twee delen. Overleggen staan per gebied, en overleggen die veel delen staan naast elkaar. ',
          'Wijs een cel aan of ga er met de pijltjestoetsen naartoe om de uitleg te zien; Enter brengt u naar de uitleg.'),
        matrixBox),
      legend()),
      h('div', { class: 'map-side' },
        h('section', { class: 'panel map-detail', 'aria-labelledby': 'h-detail' },
          h('h2', { id: 'h-detail' }, 'Uitleg'), detailBox),
        h('section', { class: 'panel', 'aria-labelledby': 'h-strong' },
          listHead,
          h('p', { class: 'hint phone-only' }, 'Op een groter scherm ziet u alle overleggen ook als kaart.'),
          listBox))));

  let map = null;           // overlap.map without body: the picture
  let mapKey = null;        // the days and scope it was read for
  let onlyPairs = null;     // overlap.map with body: the list when one body is chosen
  let listCount = LIST_STEP;
  let grid = null;          // {order, index, cells, rowHeads, colHeads, n}
  let active = null;        // [i, j]: the cell that has the tab stop
  let shown = null;         // [i, j] whose explanation is shown
  let hot = [];
  let loadNo = 0;

  scopeSel.addEventListener('change', () => { scope = scopeSel.value || null; listCount = LIST_STEP; remember(); load(); });
  bodySel.addEventListener('change', () => { only = Number(bodySel.value) || null; listCount = LIST_STEP; remember(); load(); });
  daysSel.addEventListener('change', () => { days = Number(daysSel.value); listCount = LIST_STEP; remember(); load(); });

  function remember() {
    const p = new URLSearchParams();
    if (scope) p.set('gebied', scope);
    if (only) p.set('overleg', String(only));
    if (days !== DEFAULT_DAYS) p.set('dagen', String(days));
    const hash = `#/overlegkaart${p.toString() ? `?${p}` : ''}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  function bodyById(id) {
    return map?.bodies.find((b) => b.id === id);
  }

  /** A body's page for a member; for anyone else the map of that body (there is no other page). */
  function bodyLink(id) {
    const b = bodyById(id);
    const name = b?.name || `overleg ${id}`;
    if (store.bodies.has(id)) return h('a', { href: `#/overleg/${id}` }, name);
    const p = new URLSearchParams();
    if (scope) p.set('gebied', scope);
    p.set('overleg', String(id));
    if (days !== DEFAULT_DAYS) p.set('dagen', String(days));
    return h('span', null, h('a', { href: `#/overlegkaart?${p}`, title: 'U bent geen lid: toont de overlap van dit overleg' }, name),
      h('span', { class: 'muted small' }, ' (geen lid)'));
  }

  function meter(score) {
    return h('span', { class: 'score' },
      h('span', { class: 'score-bar', 'aria-hidden': 'true' }, h('span', { class: `score-fill lv${level(score)} w${Math.min(100, Math.round(pct(score) / 5) * 5)}` })),
      h('span', { class: 'score-text' }, `${LEVEL_TEXT[level(score)]} · score ${pct(score)}`));
  }

  // ---- the matrix ----
  function buildMatrix() {
    const weight = new Map(map.pairs.map((p) => [pairKey(p.a, p.b), p]));
    const groups = orderBodies(map.bodies, weight);
    const order = groups.flatMap((g) => g.bodies);
    const n = order.length;
    const index = new Map(order.map((b, i) => [b.id, i]));
    const groupStart = new Set();
    let at = 0;
    for (const g of groups) { groupStart.add(at); at += g.bodies.length; }
    const sel = only != null ? index.get(only) : undefined;

    const colHeads = order.map((b, j) => h('th', {
      scope: 'col', class: ['mx-col', groupStart.has(j) && j ? 'mx-gs' : '', j === sel ? 'mx-sel' : ''], title: b.name,
    }, h('span', { class: 'mx-num', 'aria-hidden': 'true' }, String(j + 1)), h('span', { class: 'sr-only' }, b.name)));
    const rowHeads = [];
    const cells = [];
    const tbodies = [];
    at = 0;
    for (const g of groups) {
      const rows = [h('tr', { class: 'mx-group' }, h('th', { scope: 'colgroup', colSpan: n + 1 },
        h('span', { class: 'mx-group-label' }, `${g.scope} (${plural(g.bodies.length, 'overleg', 'overleggen')})`)))];
      for (const b of g.bodies) {
        const i = at;
        at += 1;
        const rh = h('th', { scope: 'row', class: ['mx-row', i === sel ? 'mx-sel' : ''], title: b.name },
          h('span', { class: 'mx-num', 'aria-hidden': 'true' }, String(i + 1)), ' ', b.name);
        rowHeads.push(rh);
        const row = [];
        for (let j = 0; j < n; j++) {
          const dim = sel !== undefined && i !== sel && j !== sel;
          let td;
          if (i === j) {
            td = h('td', { class: ['mx-cell', 'mx-self', groupStart.has(j) && j ? 'mx-gs' : '', dim ? 'mx-dim' : ''], tabIndex: -1 },
              h('span', { class: 'sr-only' }, 'hetzelfde overleg'));
          } else {
            const p = weight.get(pairKey(b.id, order[j].id));
            td = h('td', { class: ['mx-cell', `lv${p ? level(p.score) : 0}`, groupStart.has(j) && j ? 'mx-gs' : '', dim ? 'mx-dim' : ''], tabIndex: -1 },
              h('span', { class: 'sr-only' }, p ? cellText(p) : 'geen overlap'));
          }
          td.dataset.i = String(i);
          td.dataset.j = String(j);
          row.push(td);
        }
        cells.push(row);
        rows.push(h('tr', null, rh, row));
      }
      tbodies.push(h('tbody', null, rows));
    }
    const table = h('table', {
      class: ['matrix', n >= DENSE_FROM ? 'mx-dense' : ''], role: 'grid',
      'aria-labelledby': 'h-matrix', 'aria-describedby': descId,
    },
    h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'mx-corner' }, h('span', { class: 'sr-only' }, 'Overleg')), colHeads)),
    tbodies);
    table.addEventListener('keydown', onKey);
    table.addEventListener('mouseover', (e) => {
      const td = e.target.closest?.('td.mx-cell');
      if (td) show(+td.dataset.i, +td.dataset.j);
    });
    table.addEventListener('mouseleave', () => { if (active) show(...active); });
    table.addEventListener('focusin', (e) => {
      const td = e.target.closest?.('td.mx-cell');
      if (td) setActive(+td.dataset.i, +td.dataset.j, false);
    });
    table.addEventListener('click', (e) => {
      const td = e.target.closest?.('td.mx-cell');
      if (td) setActive(+td.dataset.i, +td.dataset.j, true);
    });
    grid = { order, index, cells, rowHeads, colHeads, n, weight };
    active = null;
    shown = null;
    hot = [];
    replace(matrixBox, table);
    // The tab stop: the strongest pair (of the chosen body, when there is one).
    const first = (only ? map.pairs.find((p) => p.a === only || p.b === only) : map.pairs[0]);
    if (first && index.has(first.a) && index.has(first.b)) {
      const [a, b] = only === first.b ? [first.b, first.a] : [first.a, first.b];
      setActive(index.get(a), index.get(b), false);
    } else if (n > 1) setActive(0, 1, false);
    else if (n === 1) setActive(0, 0, false);
  }

  function setActive(i, j, focus) {
    if (!grid) return;
    if (active) grid.cells[active[0]][active[1]].tabIndex = -1;
    active = [i, j];
    const td = grid.cells[i][j];
    td.tabIndex = 0;
    if (focus && document.activeElement !== td) td.focus();
    show(i, j);
  }

  function onKey(e) {
    if (!active || !grid) return;
    let [i, j] = active;
    const last = grid.n - 1;
    switch (e.key) {
      case 'ArrowRight': j = Math.min(last, j + 1); break;
      case 'ArrowLeft': j = Math.max(0, j - 1); break;
      case 'ArrowDown': i = Math.min(last, i + 1); break;
      case 'ArrowUp': i = Math.max(0, i - 1); break;
      case 'PageDown': i = Math.min(last, i + 5); break;
      case 'PageUp': i = Math.max(0, i - 5); break;
      case 'Home': j = 0; if (e.ctrlKey) i = 0; break;
      case 'End': j = last; if (e.ctrlKey) i = last; break;
      case 'Enter': case ' ':
        e.preventDefault();
        detailBox.querySelector('h3')?.focus();
        return;
      default: return;
    }
    e.preventDefault();
    setActive(i, j, true);
  }

  function show(i, j) {
    if (!grid) return;
    for (const el of hot) el.classList.remove('mx-hot', 'mx-on');
    const { rowHeads, colHeads, cells, order } = grid;
    hot = [rowHeads[i], colHeads[j], rowHeads[j], colHeads[i], cells[i][j], cells[j][i]];
    rowHeads[i].classList.add('mx-hot');
    colHeads[j].classList.add('mx-hot');
    cells[i][j].classList.add('mx-on');
    cells[j][i].classList.add('mx-on');
    const key = `${i}-${j}`;
    if (shown === key) return;
    shown = key;
    const a = order[i];
    const b = order[j];
    if (i === j) {
      replace(detailBox, h('h3', { tabIndex: -1 }, a.name),
        h('p', { class: 'muted' }, `${label(BODY_KINDS, a.kind)} · ${a.scope || 'landelijk'}. Kies een cel buiten de diagonaal om twee overleggen te vergelijken.`));
      return;
    }
    const p = grid.weight.get(pairKey(a.id, b.id));
    replace(detailBox,
      h('h3', { tabIndex: -1, class: 'pair-title' }, bodyLink(a.id), h('span', { class: 'pair-and' }, ' en '), bodyLink(b.id)),
      p ? [meter(p.score), whyList(p)]
        : h('p', { class: 'muted' }, 'Deze twee overleggen delen geen personen of organisaties, hun agenda’s lijken niet op elkaar en ze vergaderden niet in dezelfde weken.'));
  }

  function pointAt(p) {
    if (!grid) return;
    const i = grid.index.get(p.a);
    const j = grid.index.get(p.b);
    if (i === undefined || j === undefined) return;
    setActive(i, j, true);
    grid.cells[i][j].scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  // ---- the list ----
  function drawList() {
    const pairs = only ? onlyPairs || [] : map.pairs;
    const b = only ? bodyById(only) : null;
    listHead.textContent = b ? `Sterkste overlap van ${b.name}` : 'Sterkste overlap';
    if (!pairs.length) {
      replace(listBox, empty(b ? `${b.name} deelt met geen ander overleg personen, organisaties of onderwerpen.` : 'Er is geen overlap tussen overleggen gevonden.'));
      return;
    }
    const list = pairs.slice(0, listCount);
    replace(listBox,
      h('ol', { class: 'pair-list' }, list.map((p) => h('li', { class: 'pair', dataset: { a: p.a, b: p.b } },
        h('h3', { class: 'pair-title' }, bodyLink(only && p.b === only ? p.b : p.a), h('span', { class: 'pair-and' }, ' en '), bodyLink(only && p.b === only ? p.a : p.b)),
        meter(p.score),
        whyList(p),
        h('button', { type: 'button', class: 'linkish desktop-only', onclick: () => pointAt(p) }, 'Aanwijzen op de kaart')))),
      pairs.length > listCount ? button(`Meer tonen (nog ${pairs.length - listCount})`, () => {
        const at = listCount;
        listCount += LIST_STEP;
        drawList();
        listBox.querySelectorAll('.pair .pair-title a')[at * 2]?.focus();
      }, { class: 'btn btn-small' }) : null);
  }

  function fillBodySelect() {
    const cur = only ? String(only) : '';
    replace(bodySel, h('option', { value: '' }, 'Alle overleggen'),
      map.bodies.map((b) => h('option', { value: String(b.id), selected: String(b.id) === cur }, b.name)));
  }

  async function load() {
    const no = ++loadNo;
    replace(listBox, loading());
    status.textContent = '';
    const key = `${days}|${scope || ''}`;
    const area = scope ? { scope } : {};
    try {
      const [full, mine] = await Promise.all([
        map && mapKey === key ? map : store.request('overlap.map', { days, limit: MATRIX_LIMIT, ...area }),
        only ? store.request('overlap.map', { days, body: only, limit: 500, ...area }) : null,
      ]);
      if (!alive || no !== loadNo) return;
      // overlap.map {scope} leaves out the pairs of other areas but still lists every body: the
      // map of an area shows only that area's bodies (web/NEEDS.md).
      map = scope ? { ...full, bodies: full.bodies.filter((b) => areas.contains(scope, b.scope)) } : full;
      mapKey = key;
      onlyPairs = mine ? mine.pairs : null;
      // A body outside the chosen area is no longer chosen.
      if (only && !bodyById(only)) { only = null; onlyPairs = null; remember(); }
      fillBodySelect();
      // Built again also when only the chosen body changed: its row and column stand out.
      buildMatrix();
      drawList();
      const b = only ? bodyById(only) : null;
      status.textContent = b
        ? `${b.name} overlapt met ${plural(onlyPairs.length, 'ander overleg', 'andere overleggen')}.`
        : `Overlegkaart van ${plural(map.bodies.length, 'overleg', 'overleggen')}${scope ? ` in ${scopeLabel(scope, scopes)}` : ''}, ${plural(map.pairs.length, 'paar', 'paren')} met overlap.`;
    } catch (e) {
      if (!alive || no !== loadNo) return;
      replace(listBox, h('p', { class: 'form-error' }, e.message));
      replace(matrixBox, h('p', { class: 'form-error' }, e.message));
    }
  }

  await load();
}

/** The areas to choose from — the regions, then the municipalities, each only when some body
 *  works there (a region: in it or in one of its municipalities) — as options [[name, label]],
 *  and contains(area, bodyScope): whether a body of bodyScope belongs to the area (the server's
 *  rule: a region also holds its municipalities). */
async function loadAreas(store) {
  const [list, bodies] = await Promise.all([
    store.listAll('scope.list', 'scopes').then((r) => r.scopes).catch(() => []),
    store.loadAllBodies().catch(() => new Map()),
  ]);
  const byName = new Map(list.map((s) => [s.name, s]));
  const contains = (area, name) => area === name || (byName.get(area)?.includes || []).includes(name);
  const used = new Set([...bodies.values()].map((b) => b.scope).filter(Boolean));
  const options = list.filter((s) => [...used].some((u) => contains(s.name, u)))
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'regio' ? -1 : 1) || a.name.localeCompare(b.name, 'nl'))
    .map((s) => [s.name, s.kind === 'regio' ? `Regio ${s.name}` : s.name]);
  return { options, contains };
}

function scopeLabel(name, scopes) {
  return scopes.find(([v]) => v === name)?.[1] || name;
}

function legend() {
  const sw = (lv, text) => h('li', null, h('span', { class: `swatch lv${lv}`, 'aria-hidden': 'true' }), text);
  return h('section', { class: 'panel map-legend', 'aria-labelledby': 'h-legend' },
    h('h2', { id: 'h-legend' }, 'Zo leest u de score'),
    h('ul', { class: 'legend-list' },
      sw(0, 'geen overlap'), sw(1, 'weinig (score onder 20)'), sw(2, 'enige (20 tot 35)'),
      sw(3, 'duidelijke (35 tot 50)'), sw(4, 'sterke overlap (50 of meer)'),
      h('li', { class: 'desktop-only' }, h('span', { class: 'swatch mx-self', 'aria-hidden': 'true' }), 'hetzelfde overleg')),
    h('p', null, 'De score (0 tot 100) telt vier dingen op: ',
      h('strong', null, 'vergelijkbare agenda’s'), ' (35 punten; de agendapunten van de afgelopen twaalf maanden, vertrouwelijke punten tellen niet mee), ',
      h('strong', null, 'gedeelde personen'), ' (30), ',
      h('strong', null, 'gedeelde organisaties'), ' (20) en ',
      h('strong', null, 'vergaderen in dezelfde week'), ' (15) binnen de gekozen periode. ',
      'Elk deel is vol bij 4 gedeelde personen, 6 organisaties, sterk gelijkende agenda’s en 4 weken.'),
    h('p', { class: 'hint' }, 'Welke onderwerpen twee agenda’s delen, ziet alleen wie lid is van beide overleggen.'));
}
