// Secret feed links: my meetings (or one body's) in my own calendar app, my meldingen as Atom.
// The server shows a link once; afterwards it can only be revoked.
import { h, replace } from './dom.js';
import { fmtDateTime } from './format.js';
import { field, input, formDialog, toast, button, empty, loading, confirmDialog } from './ui.js';

const KIND = {
  ical: 'Mijn vergaderingen (iCalendar)',
  atom: 'Mijn meldingen (Atom-feed)',
  body_ical: 'Vergaderingen van een overleg (iCalendar)',
};

export function feedTitle(f) {
  return f.kind === 'body_ical' && f.body_name ? `Vergaderingen van ${f.body_name} (iCalendar)` : KIND[f.kind] || f.kind;
}

/** Creates a feed and shows its link once. */
export async function createFeed(store, kind, body = null) {
  let r;
  try {
    r = await store.request('feed.create', body ? { kind, body } : { kind });
  } catch (e) {
    toast(e.message, 'error');
    return null;
  }
  await formDialog({
    title: 'Uw persoonlijke link',
    submitLabel: 'Sluiten',
    danger: false,
    build: (el) => {
      const box = input({ value: r.url, readOnly: true, class: 'link-box' });
      el.append(
        h('p', null, kind === 'atom'
          ? 'Voeg deze link toe aan uw feedlezer om uw meldingen daar te volgen.'
          : 'Voeg deze link als abonnement toe aan uw agenda (Outlook, Google Agenda, Apple Agenda). Nieuwe en gewijzigde vergaderingen komen er vanzelf in.'),
        field(feedTitle(r.feed), box, { wide: true }),
        h('p', { class: 'notice notice-warn' }, 'Deze link is geheim en wordt maar één keer getoond. Wie hem heeft, ziet wat u ziet. Deel hem niet; trek hem in als hij uitlekt.'),
        button('Kopiëren', async () => {
          box.select();
          try { await navigator.clipboard.writeText(r.url); toast('De link is gekopieerd.', 'ok'); } catch { toast('Kopiëren lukte niet; selecteer de link en kopieer hem zelf.', 'error'); }
        }, { class: 'btn btn-small' }));
    },
    submit: async () => true,
  });
  return r.feed;
}

/** The list of my feed links with revoke buttons, and buttons to make new ones. */
export function feedsPanel(store) {
  const box = h('div', null, loading());
  async function draw() {
    let feeds;
    try {
      feeds = (await store.request('feed.list')).feeds.filter((f) => !f.revoked_at);
    } catch (e) {
      replace(box, h('p', { class: 'form-error' }, e.message));
      return;
    }
    replace(box,
      feeds.length ? h('ul', { class: 'plain-list feed-list' }, feeds.map((f) => h('li', null,
        h('span', null, feedTitle(f), h('span', { class: 'muted small' }, ` · gemaakt ${fmtDateTime(f.created_at)}`)), ' ',
        button('Intrekken', async () => {
          const ok = await confirmDialog('Link intrekken', `“${feedTitle(f)}” intrekken? Agenda’s en lezers die deze link gebruiken, krijgen daarna niets meer.`, { confirmLabel: 'Intrekken' });
          if (!ok) return;
          try { await store.request('feed.revoke', { feed: f.id }); toast('De link is ingetrokken.', 'ok'); draw(); } catch (e) { toast(e.message, 'error'); }
        }, { class: 'btn btn-small btn-quiet-danger', 'aria-label': `Intrekken: ${feedTitle(f)}, gemaakt ${fmtDateTime(f.created_at)}` })))) : empty('U hebt nog geen links.'),
      h('div', { class: 'toolbar' },
        button('Link voor mijn agenda maken', async () => { if (await createFeed(store, 'ical')) draw(); }),
        button('Link voor mijn meldingen maken', async () => { if (await createFeed(store, 'atom')) draw(); })));
  }
  draw();
  return box;
}
