// Issue 13, part 9, the smaller things: "Mijn acties: N openstaand, waarvan M te laat" on the
// home page lists all N (the late ones marked, each a link to where it was recorded); the
// notification mode "digest" says that it means the daily e-mail; planning a meeting proposes
// the body's rhythm (its cadence from the last meeting, that weekday and time), and the series
// preview warns about days that already have a meeting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, shot, bodyHref, replies, untilReplied } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('Mijn acties on the home page lists every open action it counts, the late ones marked', async () => {
  for (const who of ['police', 'secretary']) {
    const page = await userPage(browser, who);
    const box = page.getByRole('region', { name: 'Mijn acties' });
    await box.getByText(/\d+ openstaand/).waitFor();
    const summary = await box.locator('p').first().textContent();
    const [, n, late] = summary.match(/^(\d+) openstaand(?:, waarvan (\d+) te laat)?\.$/);
    const rows = box.locator('.home-actions li');
    const shown = Math.min(Number(n), 8);
    assert.equal(await rows.count(), shown, `${who}: ${summary}`);
    if (Number(n) > 8) await box.getByText(`En nog ${Number(n) - 8} andere.`).waitFor();
    // Late ones first, each marked; every row links back to its origin.
    assert.equal(await box.locator('.home-actions li.is-overdue').count(), Math.min(Number(late || 0), shown));
    for (let i = 0; i < shown; i++) assert.match(await rows.nth(i).locator('a').getAttribute('href'), /^#\/(vergadering|overleg)\/\d+/);
    if (who === 'police') await shot(page, 'home-mijn-acties');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('the notification mode "Alleen in het dagelijkse overzicht per e-mail" says what it means', async () => {
  const page = await userPage(browser, 'police');
  await go(page, '#/meldingen');
  // The preferences load after the page: wait until their form is there before counting.
  await page.locator('form.prefs-form select').first().waitFor();
  const options = await page.locator('form.prefs-form select option[value="digest"]').allTextContents();
  const selects = await page.locator('form.prefs-form select').count();
  assert.ok(selects > 0);
  assert.equal(options.length, selects, 'every kind of notification offers the digest mode');
  for (const o of options) assert.equal(o, 'Alleen in het dagelijkse overzicht per e-mail');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('planning proposes the body’s rhythm, and the series preview warns about days that have a meeting', async () => {
  const sec = await userPage(browser, 'secretary');
  await go(sec, `${await bodyHref(sec, 'Regiegroep Ondermijning')}/vergaderingen`);
  const rows = sec.locator('section[aria-labelledby="h-up"] .meeting-row:not(.cancelled) a.meeting-link');
  await rows.first().waitFor();
  const texts = await rows.allTextContents();
  const [, weekday, start, end] = texts[texts.length - 1].match(/^(\S+) .*, (\d\d:\d\d)–(\d\d:\d\d)$/);
  const firstUp = texts[0];

  await sec.getByRole('button', { name: 'Vergadering plannen' }).click();
  let dlg = sec.getByRole('dialog');
  await dlg.getByText(/^Voorgesteld volgens de frequentie van het overleg \(elke 6 weken\) vanaf de laatste vergadering: /).waitFor();
  assert.equal(await dlg.getByLabel('Begintijd').inputValue(), start);
  assert.equal(await dlg.getByLabel('Eindtijd').inputValue(), end);
  const date = await dlg.getByLabel('Datum').inputValue();
  const proposed = new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', weekday: 'long' }).format(new Date(`${date}T12:00:00Z`));
  assert.equal(proposed, weekday);
  assert.match(await dlg.locator('.date-echo').textContent(), new RegExp(`${start}–${end}`));
  await dlg.getByRole('button', { name: 'Annuleren' }).click();
  await dlg.waitFor({ state: 'detached' });

  // A series starting on the day of the first upcoming meeting: that day (and any other that
  // has one) is marked, with a warning above the list.
  await sec.getByRole('button', { name: 'Reeks plannen volgens frequentie' }).click();
  dlg = sec.getByRole('dialog');
  const firstDay = await sec.evaluate((t) => {
    const months = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];
    const m = t.match(/(\d+) (\w+) (\d{4})/);
    return `${m[3]}-${String(months.indexOf(m[2]) + 1).padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  }, firstUp);
  await dlg.getByLabel('Eerste datum').fill(firstDay);
  await dlg.getByLabel('Aantal vergaderingen').fill('2');
  const marked = dlg.locator('.series-preview li.has-clash');
  await marked.first().waitFor();
  assert.match(await marked.first().textContent(), /— er is op deze dag al een vergadering \(\d\d:\d\d–\d\d:\d\d\)$/);
  const n = await marked.count();
  await dlg.locator('.series-clash', { hasText: `Let op: op ${n} van deze dagen is al een vergadering van dit overleg gepland.` }).waitFor();
  await shot(sec, 'reeks-waarschuwing');
  // A first day without meetings: no warning.
  await dlg.getByLabel('Eerste datum').fill(date);
  await dlg.getByLabel('Aantal vergaderingen').fill('1');
  await marked.first().waitFor({ state: 'detached' });
  assert.equal(await dlg.locator('.series-clash').isHidden(), true);
  await dlg.getByRole('button', { name: 'Annuleren' }).click();
  assert.deepEqual(sec.errors, []);
  await sec.context().close();
});

test('each body on the home page shows its unread chat messages, live, and reading the chat clears them', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(chair, 'Regiegroep Ondermijning');
  const id = body.split('/').pop();
  // The police reads the chat first, so that what follows is all there is unread.
  const thisBody = (req) => String(req.body) === id;
  let read = replies(police, 'chat.read', thisBody);
  await go(police, `${body}/chat`);
  await police.locator('.chat-msg').first().waitFor();
  await untilReplied(police, 'chat.read', read, { match: thisBody }); // sent once the chat was shown
  let counted = replies(police, 'chat.unread', thisBody);
  await go(police, '#/');
  const card = police.locator(`.body-card[data-body="${id}"]`);
  await card.waitFor();
  await untilReplied(police, 'chat.unread', counted, { match: thisBody }); // the home page's count
  assert.equal(await card.locator('.unread-line').count(), 0);

  await go(chair, `${body}/chat`);
  const box = chair.getByRole('combobox', { name: 'Bericht' });
  for (const t of ['Wie neemt de cijfers mee?', 'En de kaart?']) {
    await box.fill(`${t} (${Date.now().toString(36)})`);
    await box.press('Enter');
  }
  // Live on the home page, with a link to the chat.
  await card.locator('.unread-line', { hasText: '2 ongelezen berichten in de chat' }).waitFor();
  await shot(police, 'home-ongelezen');
  read = replies(police, 'chat.read', thisBody);
  await card.locator('.unread-line a').click();
  await police.locator('.chat-msg', { hasText: 'En de kaart?' }).waitFor();
  await untilReplied(police, 'chat.read', read, { match: thisBody });
  counted = replies(police, 'chat.unread', thisBody);
  await go(police, '#/');
  await card.waitFor();
  await untilReplied(police, 'chat.unread', counted, { match: thisBody });
  assert.equal(await card.locator('.unread-line').count(), 0);
  for (const p of [chair, police]) assert.deepEqual(p.errors, []);
  await chair.context().close();
  await police.context().close();
});
