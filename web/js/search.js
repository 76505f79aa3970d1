// Zoeken (#/zoeken?q=...): one box across the agendas, verslagen, besluiten, actions and chat of
// the caller's bodies. The server stems Dutch words, ranks, and marks the words it found; this
// view renders those marks as <mark> around plain text (never markup from the server) and
// announces the number of results politely. The question lives in the address, so the back
// button and a shared link bring the same results.
import { h, replace } from './dom.js';
import { fmtDate, fmtDay } from './format.js';
import { pageHead, field, input, badge, loading, empty } from './ui.js';

const KINDS = {
  agendapunt: 'Agendapunt', verslag: 'Verslag', actiepunt: 'Actiepunt', toezegging: 'Toezegging',
  besluit: 'Besluit', chat: 'Chatbericht', notulen: 'Notulen',
};
const PAGE = 20;

/** [{text, hit}] -> text nodes and <mark>s. */
function marked(segments) {
  return (segments || []).map((s) => (s.hit ? h('mark', { class: 'hit' }, s.text) : s.text));
}

function linkOf(hit) {
  if (hit.kind === 'verslag' && hit.meeting) return `#/vergadering/${hit.meeting}`;
  if (hit.kind === 'chat' && !hit.item) return `#/overleg/${hit.body}/chat`;
  if (hit.meeting) return `#/vergadering/${hit.meeting}`;
  if (hit.kind === 'agendapunt' || hit.item) return `#/overleg/${hit.body}/agenderen`;
  return `#/overleg/${hit.body}/acties`;
}

function headline(hit) {
  const title = hit.title?.some((s) => s.text.trim()) ? marked(hit.title) : null;
  if (title) return title;
  if (hit.kind === 'verslag') return [`Verslag ${hit.body_name}`, hit.starts_at ? ` van ${fmtDate(hit.starts_at)}` : ''];
  if (hit.kind === 'notulen') return [`Notulen bij “${hit.item_title}”`];
  if (hit.kind === 'chat') return [`Bericht van ${hit.author || 'onbekend'}`, hit.item_title ? ` bij “${hit.item_title}”` : ` in ${hit.body_name}`];
  return marked(hit.snippet);
}

function hitItem(hit) {
  const meta = [hit.body_name];
  if (hit.starts_at) meta.push(`vergadering ${fmtDate(hit.starts_at)}`);
  if (hit.item_title && hit.kind !== 'agendapunt' && hit.kind !== 'chat') meta.push(`bij “${hit.item_title}”`);
  if (hit.due) meta.push(`uiterlijk ${fmtDay(hit.due)}`);
  const showSnippet = hit.kind === 'agendapunt' || hit.kind === 'verslag' || hit.kind === 'chat' || hit.kind === 'notulen';
  return h('li', { class: 'search-hit' },
    h('div', { class: 'search-hit-head' },
      badge(KINDS[hit.kind] || hit.kind, `sk-${hit.kind}`),
      h('a', { href: linkOf(hit), class: 'search-hit-title' }, headline(hit))),
    showSnippet && hit.snippet?.length ? h('p', { class: 'search-snippet' }, marked(hit.snippet)) : null,
    h('p', { class: 'search-meta' }, meta.join(' · ')));
}

export async function render(ctx) {
  const { store } = ctx;
  const q0 = (ctx.params.query.get('q') || '').trim();
  ctx.setTitle(q0 ? `Zoeken: ${q0}` : 'Zoeken');
  const box = input({ type: 'search', name: 'q', value: q0, maxLength: 200, autocomplete: 'off',
    placeholder: 'bijv. drugslab Wielwijk' });
  const form = h('form', { class: 'search-form', role: 'search', 'aria-label': 'Zoeken in Ketentafel' },
    field('Zoek in agenda’s, verslagen, besluiten, acties en chat', box,
      { hint: 'Woorden worden herkend in alle vormen: „drugslabs” vindt ook „drugslab”.', wide: true }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Zoeken'));
  const status = h('p', { class: 'search-status', role: 'status', 'aria-live': 'polite' });
  const list = h('ol', { class: 'search-hits' });
  const more = h('div', { class: 'search-more' });
  replace(ctx.root,
    pageHead('Zoeken', { sub: 'U vindt alleen wat u mag zien: de overleggen waarvan u lid bent, zonder vertrouwelijke punten van andere organisaties.' }),
    h('section', { class: 'panel', 'aria-label': 'Zoekvraag' }, form),
    h('section', { class: 'panel', 'aria-labelledby': 'h-hits' },
      h('h2', { id: 'h-hits' }, 'Resultaten'), status, list, more));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = box.value.trim();
    location.hash = `#/zoeken?q=${encodeURIComponent(q)}`;
  });
  let alive = true;
  ctx.onCleanup(() => { alive = false; });
  if (!q0) {
    status.textContent = 'Typ een of meer woorden en kies Zoeken.';
    box.focus();
    return;
  }

  async function page(offset) {
    replace(more, loading('Zoeken…'));
    let r;
    try {
      r = await store.request('search', { q: q0, limit: PAGE, offset });
    } catch (e) {
      if (!alive) return;
      replace(more);
      status.textContent = e.code === 'search_query_empty'
        ? 'Geef een woord van minstens twee letters (woorden als “de” en “van” tellen niet mee).'
        : `Zoeken lukte niet: ${e.message}`;
      return;
    }
    if (!alive) return;
    for (const hit of r.hits) list.appendChild(hitItem(hit));
    status.textContent = r.total === 0 ? `Niets gevonden voor “${q0}”.`
      : r.total === 1 ? `1 resultaat voor “${q0}”.` : `${r.total} resultaten voor “${q0}”.`;
    if (r.total === 0) replace(more, empty('Probeer minder of andere woorden.'));
    else if (r.more && offset + PAGE < 1000) {
      replace(more, h('button', { type: 'button', class: 'btn', onclick: () => page(offset + PAGE) }, 'Meer resultaten'));
    } else replace(more);
  }
  await page(0);
}
