// "Meldingen": what happened that concerns me (assigned actions, due dates, meetings moved or
// cancelled, agendas published, items relevant for my organisation, @mentions, flags), live;
// and how I want to hear about each kind.
import { h, replace } from './dom.js';
import { fmtDateTime, relativeDay } from './format.js';
import { pageHead, empty, loading, select, field, input, checkbox, toast, button, badge } from './ui.js';
import { feedsPanel } from './feeds.js';

export const KINDS = {
  assigned: 'Een actie of toezegging op mijn naam of van mijn organisatie',
  due: 'Een deadline die nadert of verlopen is',
  meeting: 'Een vergadering gepland, verplaatst of geannuleerd',
  agenda: 'Een agenda gepubliceerd of na publicatie gewijzigd',
  relevant: 'Een agendapunt dat relevant is voor mijn organisatie',
  mention: 'Iemand noemt mij in de chat',
  flag: 'Een signalering (dubbele agendering, overlap van vergaderingen)',
  membership: 'Toegevoegd aan of verwijderd uit een overleg',
  verslag: 'Een verslag ter vaststelling, een voorgestelde wijziging of een vastgesteld verslag',
};
const KIND_SHORT = {
  assigned: 'Actie', due: 'Deadline', meeting: 'Vergadering', agenda: 'Agenda', relevant: 'Relevant',
  mention: 'Vermelding', flag: 'Signalering', membership: 'Lidmaatschap', verslag: 'Verslag',
};
const MODES = [['direct', 'Direct (live in Ketentafel)'], ['digest', 'Alleen in het dagelijkse overzicht per e-mail'], ['off', 'Uit']];

export async function render(ctx) {
  const { store } = ctx;
  ctx.setTitle('Meldingen');
  const listBox = h('div', null, loading());
  const onlyUnread = checkbox('Alleen ongelezen', false);
  const allRead = button('Alles als gelezen markeren', async () => {
    try { await store.markRead('all'); toast('Alle meldingen zijn gelezen.', 'ok'); } catch (e) { toast(e.message, 'error'); }
  });
  const more = button('Oudere meldingen laden', loadMore, { hidden: true });
  const prefsBox = h('div', null, loading());
  replace(ctx.root,
    pageHead('Meldingen', { sub: 'Wat er in uw overleggen gebeurde dat u aangaat.' }),
    h('div', { class: 'overview-grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'h-notes' },
        h('div', { class: 'panel-head' }, h('h2', { id: 'h-notes' }, 'Overzicht'), allRead),
        onlyUnread.el, listBox, more),
      h('div', null,
        h('section', { class: 'panel', 'aria-labelledby': 'h-prefs' },
          h('h2', { id: 'h-prefs' }, 'Instellingen'), prefsBox),
        h('section', { class: 'panel', 'aria-labelledby': 'h-feeds' },
          h('h2', { id: 'h-feeds' }, 'In uw eigen agenda of feedlezer'),
          h('p', { class: 'hint' }, 'Persoonlijke, geheime links die u kunt intrekken.'),
          feedsPanel(store)))));
  onlyUnread.box.addEventListener('change', draw);

  function draw() {
    const list = [...store.notes.list.values()].filter((n) => !onlyUnread.box.checked || !n.read)
      .sort((a, b) => b.id - a.id);
    more.hidden = !store.notes.more;
    if (!list.length) {
      replace(listBox, empty(onlyUnread.box.checked ? 'Geen ongelezen meldingen.' : 'Nog geen meldingen.'));
      return;
    }
    replace(listBox, h('ul', { class: 'note-list' }, list.map((n) => h('li', { class: ['note', n.read ? '' : 'unread'], dataset: { note: n.id } },
      h('div', { class: 'note-head' },
        n.read ? null : h('span', { class: 'unread-dot', title: 'Ongelezen' }, h('span', { class: 'sr-only' }, 'Ongelezen: ')),
        badge(KIND_SHORT[n.kind] || n.kind, `note-${n.kind}`),
        h('a', { href: /^#\/[\w/-]*$/.test(n.link || '') ? n.link : '#/', onclick: () => { if (!n.read) store.markRead([n.id]).catch(() => {}); } }, n.title)),
      n.text ? h('p', { class: 'note-text' }, n.text) : null,
      h('p', { class: 'small muted' }, [n.body_name, n.actor_name ? `door ${n.actor_name}` : null,
        `${fmtDateTime(n.created_at)} (${relativeDay(n.created_at)})`,
        n.changed_at && n.changed_at !== n.created_at ? `laatst gewijzigd ${fmtDateTime(n.changed_at)}` : null].filter(Boolean).join(' · '),
      n.read ? null : [' ', button('Gelezen', () => store.markRead([n.id]).catch((e) => toast(e.message, 'error')),
        { class: 'linkish', 'aria-label': `Markeer als gelezen: ${n.title}` })])))));
  }

  async function loadMore() {
    const before = store.notes.next ?? Math.min(...store.notes.list.keys());
    const r = await store.request('notification.list', { before, limit: 50 });
    for (const n of r.notifications) store.notes.list.set(n.id, n);
    store.notes.more = r.more;
    store.notes.next = r.next;
    draw();
  }

  async function drawPrefs() {
    const r = await store.request('preferences.get');
    const selects = {};
    const due = input({ type: 'number', min: 0, max: 30, value: r.due_days, inputMode: 'numeric' });
    const form = h('form', { class: 'prefs-form' },
      h('p', { class: 'hint' }, 'Kies per soort melding hoe u die wilt krijgen.'),
      Object.entries(KINDS).map(([k, text]) => {
        selects[k] = select(MODES, r.prefs[k] || 'direct', { name: k });
        return field(text, selects[k]);
      }),
      field('Waarschuw zoveel dagen vóór een deadline', due),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Instellingen opslaan'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const prefs = {};
      for (const [k, el] of Object.entries(selects)) prefs[k] = el.value;
      const days = Number(due.value);
      if (!Number.isInteger(days) || days < 0 || days > 30) { toast('Het aantal dagen is een geheel getal van 0 tot en met 30.', 'error'); due.focus(); return; }
      try {
        await store.request('preferences.set', { prefs, due_days: days });
        toast('Uw instellingen zijn opgeslagen.', 'ok');
      } catch (ex) { toast(ex.message, 'error'); }
    });
    replace(prefsBox, form);
  }

  ctx.onCleanup(store.on('change', (what) => { if (what === 'notifications') draw(); }));
  if (!store.notes.loaded) await store.loadNotifications();
  draw();
  await drawPrefs();
}
