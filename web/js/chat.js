// A body's chat: history, live messages, @mentions highlighted (and autocompleted). Authors
// edit or delete their own messages (the server records what they said); others see it live.
import { h, replace, mentionText } from './dom.js';
import { fmtDateLong, fmtTime, dayKey, canParticipate } from './format.js';
import { loading, empty, errorBox, showError, button, confirmDialog, formDialog, field, textarea, toast } from './ui.js';

export async function chatPanel(ctx, { container, body, members, role, live }) {
  const { store } = ctx;
  const messages = new Map();
  let more = false;
  const names = () => members.map((m) => m.name);
  const log = h('ol', { class: 'chat-log', 'aria-label': `Berichten in ${body.name}`, 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const scroller = h('div', { class: 'chat-scroll', tabIndex: 0, role: 'region', 'aria-label': 'Chatgeschiedenis' }, loading());
  const olderBtn = h('button', { type: 'button', class: 'btn btn-small', hidden: true, onclick: loadOlder }, 'Oudere berichten laden');
  const participant = canParticipate(role);
  const text = h('textarea', { id: 'chat-input', rows: 2, maxLength: 4000, placeholder: 'Typ een bericht. Noem iemand met @naam.', 'aria-describedby': 'chat-hint' });
  const suggest = h('ul', { class: 'mention-suggest', role: 'listbox', id: 'mention-suggest', 'aria-label': 'Leden noemen', hidden: true });
  const err = errorBox();
  const send = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Versturen');
  const form = h('form', { class: 'chat-form' },
    h('label', { htmlFor: 'chat-input', class: 'sr-only' }, 'Bericht'),
    h('div', { class: 'chat-compose' }, text, send), suggest,
    h('p', { class: 'hint', id: 'chat-hint' }, 'Enter verstuurt, Shift+Enter maakt een nieuwe regel. Typ @ om een lid te noemen.'), err);

  replace(container, h('section', { class: 'panel chat', 'aria-labelledby': 'h-chat' },
    h('h2', { id: 'h-chat' }, 'Chat'),
    olderBtn, scroller,
    participant ? form : h('p', { class: 'notice' }, 'Als waarnemer kunt u meelezen maar niet schrijven.')));

  function messageEl(m) {
    const mineMention = m.mentions?.includes(store.me.id);
    return h('li', { class: ['chat-msg', m.person === store.me.id ? 'from-me' : '', mineMention ? 'mentions-me' : ''], dataset: { message: m.id } },
      h('div', { class: 'chat-meta' }, h('strong', null, m.person_name), ' ',
        h('time', { dateTime: m.time, class: 'muted small' }, fmtTime(m.time)),
        m.item ? h('span', { class: 'muted small' }, ' · reactie bij een agendapunt') : null,
        mineMention ? h('span', { class: 'badge badge-mention' }, 'noemt u') : null),
      m.deleted ? h('p', { class: 'chat-text chat-deleted muted' }, 'Dit bericht is verwijderd.')
        : h('p', { class: 'chat-text' }, mentionText(m.text, names(), store.me.name),
          m.edited ? h('span', { class: 'muted small chat-edited', title: `Bewerkt om ${fmtTime(m.edited)}` }, ' (bewerkt)') : null),
      participant && m.person === store.me.id && !m.deleted ? h('div', { class: 'chat-own no-print' },
        button('Bewerken', () => editMessage(m), { class: 'linkish', 'aria-label': `Uw bericht van ${fmtTime(m.time)} bewerken` }),
        button('Verwijderen', () => deleteMessage(m), { class: 'linkish', 'aria-label': `Uw bericht van ${fmtTime(m.time)} verwijderen` })) : null);
  }

  async function editMessage(m) {
    let box;
    const r = await formDialog({
      title: 'Bericht bewerken',
      build: (el) => {
        box = textarea({ rows: 4, maxLength: 4000, value: m.text, required: true });
        el.append(field('Bericht', box, { required: true, hint: 'Anderen zien dat het bericht is bewerkt.' }));
      },
      submit: () => store.request('chat.edit', { body: body.id, message: m.id, text: box.value }),
    });
    if (!r) return;
    messages.set(r.message.id, r.message);
    draw(false);
    toast('Het bericht is bewerkt.', 'ok');
  }

  async function deleteMessage(m) {
    const ok = await confirmDialog('Bericht verwijderen', 'Dit bericht verwijderen? Anderen zien dan “Dit bericht is verwijderd.”', { confirmLabel: 'Verwijderen' });
    if (!ok) return;
    try {
      const r = await store.request('chat.delete', { body: body.id, message: m.id });
      messages.set(r.message.id, r.message);
      draw(false);
      toast('Het bericht is verwijderd.', 'ok');
    } catch (e) { toast(e.message, 'error'); }
  }

  function draw(stick) {
    const atBottom = stick || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    const list = [...messages.values()].sort((a, b) => a.id - b.id);
    const items = [];
    let day = null;
    for (const m of list) {
      const k = dayKey(m.time);
      if (k !== day) { day = k; items.push(h('li', { class: 'chat-day', 'aria-hidden': 'true' }, fmtDateLong(m.time))); }
      items.push(messageEl(m));
    }
    replace(log, items);
    replace(scroller, list.length ? log : empty('Nog geen berichten. Begin het gesprek.'));
    olderBtn.hidden = !more;
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  async function loadOlder() {
    const oldest = Math.min(...messages.keys());
    const r = await store.request('chat.history', { body: body.id, before: oldest, limit: 50 });
    for (const m of r.messages) messages.set(m.id, m);
    more = r.more;
    const h0 = scroller.scrollHeight;
    draw(false);
    scroller.scrollTop += scroller.scrollHeight - h0;
  }

  // @mention autocomplete: arrow keys choose, Enter/Tab insert, Escape closes.
  let sugg = [];
  let active = 0;
  function mentionQuery() {
    const upto = text.value.slice(0, text.selectionStart);
    const m = /@([\p{L}\p{N} .'-]{0,40})$/u.exec(upto);
    if (!m) return null;
    return { start: upto.length - m[0].length, q: m[1].toLowerCase() };
  }
  function updateSuggest() {
    const q = mentionQuery();
    sugg = q ? members.filter((m) => m.name.toLowerCase().startsWith(q.q) || m.name.toLowerCase().split(' ').some((w) => w.startsWith(q.q))).slice(0, 6) : [];
    if (!sugg.length || (q && sugg.some((m) => m.name.toLowerCase() === q.q))) { closeSuggest(); return; }
    active = Math.min(active, sugg.length - 1);
    replace(suggest, sugg.map((m, i) => h('li', { role: 'option', id: `sugg-${i}`, 'aria-selected': String(i === active), class: i === active ? 'active' : '',
      onmousedown: (e) => { e.preventDefault(); choose(i); } }, m.name, h('span', { class: 'muted small' }, ` ${m.org_name}`))));
    suggest.hidden = false;
    text.setAttribute('aria-activedescendant', `sugg-${active}`);
    text.setAttribute('aria-expanded', 'true');
    text.setAttribute('aria-controls', 'mention-suggest');
  }
  function closeSuggest() {
    suggest.hidden = true;
    sugg = [];
    text.removeAttribute('aria-activedescendant');
    text.setAttribute('aria-expanded', 'false');
  }
  function choose(i) {
    const q = mentionQuery();
    if (!q) return;
    const name = sugg[i].name;
    const before = text.value.slice(0, q.start);
    const after = text.value.slice(text.selectionStart);
    text.value = `${before}@${name} ${after}`;
    const pos = before.length + name.length + 2;
    text.setSelectionRange(pos, pos);
    closeSuggest();
    text.focus();
  }
  text.setAttribute('role', 'combobox');
  text.setAttribute('aria-autocomplete', 'list');
  text.setAttribute('aria-expanded', 'false');
  text.addEventListener('input', updateSuggest);
  text.addEventListener('blur', () => setTimeout(closeSuggest, 150));
  text.addEventListener('keydown', (e) => {
    if (!suggest.hidden && sugg.length) {
      if (e.key === 'ArrowDown') { e.preventDefault(); active = (active + 1) % sugg.length; updateSuggest(); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); active = (active - 1 + sugg.length) % sugg.length; updateSuggest(); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); choose(active); return; }
      if (e.key === 'Escape') { e.preventDefault(); closeSuggest(); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    const value = text.value;
    if (!value.trim()) return;
    send.disabled = true;
    try {
      const r = await store.request('chat.post', { body: body.id, text: value });
      messages.set(r.message.id, r.message);
      text.value = '';
      draw(true);
    } catch (ex) {
      showError(err, ex);
    } finally {
      send.disabled = false;
      text.focus();
    }
  });

  const r = await store.request('chat.history', { body: body.id, limit: 50 });
  for (const m of r.messages) messages.set(m.id, m);
  more = r.more;
  draw(true);
  // Shown is read: the body's unread count (on the home page) goes back to zero.
  let reading = null;
  const markRead = () => {
    if (reading) return;
    reading = setTimeout(() => { reading = null; store.request('chat.read', { body: body.id }).catch(() => null); }, 300);
  };
  markRead();
  live.push((f) => {
    if (f.event === 'chat.posted') {
      messages.set(f.data.message.id, f.data.message);
      draw(false);
      if (document.visibilityState === 'visible') markRead();
    } else if (f.event === 'chat.edited' || f.event === 'chat.deleted') {
      if (messages.has(f.data.message.id)) {
        messages.set(f.data.message.id, f.data.message);
        draw(false);
      }
    } else if (f.event.startsWith('membership.')) {
      const d = f.data;
      const i = members.findIndex((m) => m.person === d.person);
      if (i >= 0) members.splice(i, 1);
      if (d.membership) members.push(d.membership);
    }
  });
}
