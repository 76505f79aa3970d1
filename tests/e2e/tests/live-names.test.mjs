// What the server now tells the client (web/NEEDS.md 3, 5 and 8), seen in the browser: an item's
// "Reacties (n)" counts before its thread is opened and goes up live on another member's page;
// an action recorded from an agenda item says where it came from ("uit: …", linked to its
// meeting); a meeting moved by the chair is said with her name on a member's page; and one change
// is at most one toast besides the user's own confirmation — adding an item that raises a
// signalering gives the chair her confirmation and one toast (the signalering), not three or four.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, firstMeetingHref, shot, until, recordFrames } from '../lib.mjs';

const BODY = 'Regiegroep Ondermijning';
const STAMP = Date.now().toString(36);

let browser;
let chair;
let police;
let href;
let title;

before(async () => {
  browser = await launch();
  [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  // The Regiegroep's third coming meeting: no other test writes on it.
  href = await firstMeetingHref(chair, BODY, 2);
  for (const p of [chair, police]) {
    await go(p, href);
    await p.locator('.agenda-item').first().waitFor();
  }
  title = (await police.locator('.agenda-item .item-title').nth(1).textContent()).trim();
});
after(async () => { await browser?.close(); });

const row = (page, t) => page.locator('.agenda-item', { has: page.locator('.item-title', { hasText: t }) });
const count = async (page) => {
  const name = await row(page, title).locator('.thread-box > button').textContent();
  const m = /^Reacties(?: \((\d+)\))?$/.exec(name);
  assert.ok(m, `thread toggle "${name}"`);
  return m[1] ? Number(m[1]) : 0;
};

test('"Reacties (n)" shows before the thread is opened and goes up live on another member’s page', async () => {
  const start = await count(police);
  const item = row(chair, title);
  await item.getByRole('button', { name: /^Reacties/ }).click();
  const reply = item.getByRole('textbox', { name: `Reactie op ${title}` });
  for (const k of [1, 2]) {
    await reply.fill(`Graag de cijfers vooraf (${STAMP}-${k})`);
    await item.getByRole('button', { name: 'Reageren' }).click();
    await item.locator('.thread-msg', { hasText: `${STAMP}-${k}` }).waitFor();
    // The member has not opened the thread: the count alone goes up, once per message.
    await until(() => count(police), start + k, { message: `member’s count after message ${k}:` });
  }
  assert.equal(await row(police, title).locator('.thread-msg').count(), 0, 'the thread itself stays closed');
  assert.match(await item.getByRole('button', { name: /^Reacties verbergen/ }).textContent(), new RegExp(`\\(${start + 2}\\)$`));
  // The server counts the same (meeting.get's message_counts).
  await police.reload();
  await row(police, title).waitFor();
  assert.equal(await count(police), start + 2);
  await shot(police, 'vergadering-reacties-teller');
  for (const p of [chair, police]) assert.deepEqual(p.errors, []);
});

test('an action recorded from an agenda item shows "uit: <item title>", linked to its meeting', async () => {
  const text = `Cijfers drugsrunners aanleveren (${STAMP})`;
  await row(chair, title).getByRole('button', { name: `Actiepunt vastleggen bij: ${title}` }).click();
  const dlg = chair.getByRole('dialog', { name: 'Actiepunt vastleggen' });
  assert.match(await dlg.locator('.notice').textContent(), new RegExp(`Bij agendapunt: ${title.replace(/[()]/g, '\\$&')}`));
  await dlg.getByLabel('Omschrijving').fill(text);
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });

  // On the meeting page (both, the member's live): the item it came from.
  for (const p of [chair, police]) {
    const li = p.locator('.compact-actions li', { hasText: text });
    await li.waitFor();
    assert.equal(await li.locator('.action-origin').textContent(), `uit: ${title}`);
  }
  // In the body's action list: linked to the meeting the item is on.
  await go(chair, `${await chair.locator('.crumbs a', { hasText: BODY }).getAttribute('href')}/acties`);
  const tr = chair.locator('tr', { hasText: text });
  await tr.waitFor();
  assert.equal(await tr.locator('.action-origin').textContent(), `uit: ${title}`);
  assert.match(await tr.locator('.action-origin').getByRole('link', { name: title }).getAttribute('href'), new RegExp(`^${href}/punt/\\d+$`));
  // And in "Mijn acties" (the chair owns it).
  await go(chair, '#/acties');
  await chair.locator('tr', { hasText: text }).locator('.action-origin', { hasText: `uit: ${title}` }).waitFor();
  await shot(chair, 'mijn-acties-uit-agendapunt');
  for (const p of [chair, police]) assert.deepEqual(p.errors, []);
});

/** Whether frames (recordFrames) hold a melding event whose notification matches match. */
const melding = (frames, match) => frames.some((f) => {
  const e = JSON.parse(f);
  return /^notification\.(created|updated)$/.test(e.event || '') && match(e.data.notification);
});

test('a meeting moved by the chair: the member’s page says who moved it, in one toast', async () => {
  const member = await userPage(browser, 'police');
  const frames = recordFrames(member);
  await go(member, href);
  await member.locator('.agenda-item').first().waitFor();
  await go(chair, href);
  await chair.locator('.agenda-item').first().waitFor();
  const meeting = Number(href.split('/').pop());
  const move = async (delta) => {
    await chair.getByRole('button', { name: 'Vergadering wijzigen' }).click();
    const dlg = chair.getByRole('dialog', { name: 'Vergadering wijzigen' });
    for (const label of ['Begintijd', 'Eindtijd']) {
      const [hh, mm] = (await dlg.getByLabel(label).inputValue()).split(':').map(Number);
      const t = hh * 60 + mm + delta;
      await dlg.getByLabel(label).fill(`${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`);
    }
    await dlg.getByRole('button', { name: 'Opslaan' }).click();
    await dlg.waitFor({ state: 'detached' });
  };
  // From here on the member's clock stands still: one burst of toasts however long the melding
  // takes to come (a toast burst is 1 s of the page's clock, a toast lives 4.5 s).
  await member.clock.pauseAt(await member.evaluate(() => Date.now() + 50));
  await move(30);
  const said = /^Sanne Bakker heeft de vergadering verplaatst naar .+ \d\d:\d\d/;
  await member.locator('.meeting-info .live-note', { hasText: said }).waitFor();
  // The melding about the same change has reached the page (and its handler has run).
  await until(() => melding(frames, (n) => n.meeting === meeting), true, { message: 'the melding about the move:' });
  await member.evaluate(() => null);
  // The page's message and the melding about the same change made one toast: the page's.
  const shown = await member.locator('#toasts .toast').allTextContents();
  assert.equal(shown.length, 1, JSON.stringify(shown));
  assert.match(shown[0], said);
  await shot(member, 'vergadering-verplaatst-door');
  await member.clock.resume();
  await move(-30); // back where it was
  await member.locator('.meeting-info .live-note', { hasText: said }).waitFor();
  for (const p of [chair, member]) assert.deepEqual(p.errors, []);
  await member.context().close();
});

test('adding an item that raises a signalering is one toast for the chair, the most specific', async () => {
  const page = await userPage(browser, 'chair');
  await go(page, await firstMeetingHref(page, BODY));
  await page.locator('.agenda-item').first().waitFor();
  const frames = recordFrames(page);
  const toasts = [];
  await page.exposeFunction('ktToast', (t) => toasts.push(t));
  await page.evaluate(() => new MutationObserver((ms) => {
    for (const m of ms) for (const n of m.addedNodes) if (n.nodeType === 1) window.ktToast(n.textContent);
  }).observe(document.getElementById('toasts'), { childList: true }));

  const t = `Verlenging PmG-inzet Dordt West (toast e2e ${STAMP})`;
  // From here on her clock stands still: one burst of toasts however long the detector and the
  // melding take (a toast burst is 1 s of the page's clock, a toast lives 4.5 s).
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 50));
  await page.getByRole('button', { name: 'Agendapunt toevoegen' }).click();
  const dlg = page.getByRole('dialog', { name: 'Agendapunt toevoegen' });
  await dlg.getByLabel('Titel').fill(t);
  await dlg.getByLabel('Toelichting').fill('Besluit over het voortzetten van de PmG-boa’s en extra jongerenwerk in 2027.');
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  // The detector's signalering reaches her (inline, and as a melding) ...
  await row(page, t).locator('.flag-line').first().waitFor();
  const item = Number(await row(page, t).getAttribute('data-item'));
  await until(() => melding(frames, (n) => n.kind === 'flag' && n.item === item), true, { message: 'the melding of the signalering:' });
  await page.evaluate(() => null); // its handler has run
  // ... her own confirmation keeps a place of its own, and the melding(s) and the signalering
  // made one toast, saying the most.
  const shown = await page.locator('#toasts .toast').allTextContents();
  assert.equal(shown.length, 2, `two toasts, not ${JSON.stringify(shown)}`);
  assert.equal(shown[0], 'Het agendapunt is toegevoegd.');
  assert.match(shown[1], /Signalering Regiegroep Ondermijning: mogelijk hetzelfde onderwerp als bij /);
  assert.equal(toasts.length, 2, `two toasts were ever added, not ${JSON.stringify(toasts)}`);
  await shot(page, 'een-toast-per-wijziging');
  await page.clock.resume();

  // Clean up: the item goes again (its signaleringen lapse).
  await row(page, t).getByRole('button', { name: /^Punt \d+ verwijderen/ }).click();
  await page.getByRole('dialog', { name: 'Agendapunt verwijderen' }).getByRole('button', { name: 'Verwijderen' }).click();
  await row(page, t).waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
