// Issue 5 in the browser: the overlegkaart (a matrix of what bodies share, the strongest
// overlaps listed and explained) and "waar hoort dit thuis?" (where a topic fits best). Both are
// for every logged-in person, read with the keyboard, pass axe on a laptop and a phone, and on a
// phone the map falls back to its list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, userPage, go, axeCheck, shot, until, USERS } from '../lib.mjs';

const SIZES = [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]];
const REGIE = 'Regiegroep Ondermijning';
const CASUS = 'Casusoverleg Ondermijning';
const DRIEHOEK = 'Lokale Driehoek Dordrecht';
const DRUGSPAND = 'sluiting van een drugspand op grond van artikel 13b';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The matrix cell of two bodies (row a, column b), found by the headers' names. */
async function cell(page, a, b) {
  const cols = await page.locator('table.matrix thead th.mx-col').evaluateAll((ths) => ths.map((t) => t.title));
  const j = cols.indexOf(b);
  assert.ok(j >= 0, `column ${b}`);
  return page.locator('table.matrix tbody tr', { has: page.locator('th.mx-row', { hasText: a }) }).locator('td.mx-cell').nth(j);
}

test('the overlegkaart shows every body as a matrix and explains the Regiegroep–Casusoverleg overlap', async () => {
  const page = await userPage(browser, 'chair');
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Overlegkaart' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overlegkaart' }).waitFor();
  const grid = page.getByRole('grid', { name: 'Kaart' });
  await grid.waitFor();
  // The 18 demo bodies (and any a test added): n column headers, n row headers, n × n cells,
  // grouped by scope.
  const n = await grid.locator('th.mx-col').count();
  assert.ok(n >= 18, `${n} bodies`);
  assert.equal(await grid.locator('th.mx-row').count(), n);
  assert.equal(await grid.locator('td.mx-cell').count(), n * n);
  const groups = (await grid.locator('.mx-group-label').allTextContents()).map((t) => t.replace(/ \(.*/, ''));
  for (const g of ['Dordrecht', 'RIEC Rotterdam', 'Schiedam']) assert.ok(groups.includes(g), `group ${g} in ${groups}`);
  assert.match(await grid.getAttribute('aria-describedby'), /\S/);

  // The pair's cell is dark (a strong overlap), in both halves; pointing at it explains it.
  const c = await cell(page, REGIE, CASUS);
  assert.match(await c.getAttribute('class'), /lv[34]/);
  assert.match(await (await cell(page, CASUS, REGIE)).getAttribute('class'), /lv[34]/);
  assert.match(await c.textContent(), /overlap, score \d+: \d+ personen, \d+ organisaties/);
  await c.hover();
  const detail = page.locator('.mx-detail');
  await detail.locator('h3', { hasText: CASUS }).waitFor();
  assert.match(await detail.locator('h3').textContent(), new RegExp(`${REGIE} en ${CASUS}|${CASUS} en ${REGIE}`));
  const why = await detail.locator('.why-parts').textContent();
  assert.match(why, /\d+ gedeelde personen \(.*Ilse de Wit/);
  assert.match(why, /\d+ gedeelde organisaties/);
  assert.match(why, /\d+ keer in dezelfde week vergaderd/);
  assert.ok(await detail.getByRole('link', { name: CASUS }).isVisible(), 'a link to the body');

  // The same pair is in the list of strongest overlaps, explained in Dutch, with links to both.
  const item = page.locator('.pair-list .pair', { has: page.locator('.pair-title', { hasText: REGIE }) })
    .filter({ has: page.locator('.pair-title', { hasText: CASUS }) });
  await item.waitFor();
  assert.match(await item.locator('.why-parts').textContent(), /gedeelde personen.*gedeelde organisaties.*keer in dezelfde week vergaderd/s);
  assert.equal(await item.getByRole('link', { name: REGIE }).getAttribute('href'), await page.getByRole('link', { name: REGIE }).first().getAttribute('href'));
  assert.match(await item.getByRole('link', { name: CASUS }).getAttribute('href'), /^#\/overleg\/\d+$/);
  await shot(page, 'overlegkaart-uitleg');

  // Keyboard: one tab stop in the grid; arrows move it and the explanation follows; Enter goes
  // to the explanation.
  await item.getByRole('button', { name: 'Aanwijzen op de kaart' }).click();
  const focused = () => page.evaluate(() => {
    const td = document.activeElement;
    return td?.matches('td.mx-cell') ? [td.dataset.i, td.dataset.j].map(Number) : null;
  });
  const [i, j] = await focused();
  assert.equal(await grid.locator('td[tabindex="0"]').count(), 1);
  await page.keyboard.press(j > 0 ? 'ArrowLeft' : 'ArrowRight');
  const [i2, j2] = await focused();
  assert.deepEqual([i2, Math.abs(j2 - j)], [i, 1]);
  assert.equal(await grid.locator('td[tabindex="0"]').count(), 1);
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await focused(), [i2 + 1, j2]);
  const rowName = await grid.locator('th.mx-row').nth(i2 + 1).getAttribute('title');
  await until(() => detail.locator('h3').textContent().then((t) => t.includes(rowName)), true, { message: 'explanation follows focus:' });
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('.mx-detail') !== null), true);

  // One body: the list is its overlaps, its row and column stand out, the address remembers it.
  await page.getByLabel('Overleg', { exact: true }).selectOption({ label: CASUS });
  await page.getByRole('heading', { name: `Sterkste overlap van ${CASUS}` }).waitFor();
  const titles = await page.locator('.pair-list .pair-title').allTextContents();
  assert.ok(titles.length > 1 && titles.every((t) => t.includes(CASUS)), 'only pairs with the chosen body');
  assert.ok(titles[0].startsWith(CASUS), 'the chosen body first');
  assert.match(await page.evaluate(() => location.hash), /^#\/overlegkaart\?overleg=\d+$/);
  assert.ok((await grid.locator('td.mx-dim').count()) > 0);
  await page.getByLabel('Periode').selectOption({ label: 'een jaar terug en vooruit' });
  await until(() => page.evaluate(() => /dagen=366/.test(location.hash)), true);
  await page.reload();
  await page.getByRole('heading', { name: `Sterkste overlap van ${CASUS}` }).waitFor();
  assert.equal(await page.getByLabel('Periode').inputValue(), '366');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the overlegkaart narrows to one area (Schiedam), and the address keeps it', async () => {
  const page = await userPage(browser, 'chair');
  await go(page, '#/overlegkaart');
  const grid = page.getByRole('grid', { name: 'Kaart' });
  await grid.locator('td.mx-cell').first().waitFor();
  const all = await grid.locator('th.mx-row').count();
  const area = page.getByLabel('Gebied');
  // The areas where bodies work: regions first, then municipalities; none without bodies.
  const options = await area.locator('option').allTextContents();
  assert.deepEqual(options.slice(0, 1), ['Alle gebieden']);
  for (const o of ['Regio RIEC Rotterdam', 'Dordrecht', 'Schiedam']) assert.ok(options.includes(o), `${o} in ${options}`);
  assert.ok(!options.includes('Vlaardingen'), 'no area without bodies');
  await area.selectOption({ label: 'Schiedam' });
  await until(() => grid.locator('.mx-group-label').allTextContents().then((g) => g.map((t) => t.replace(/ \(.*/, ''))), ['Schiedam'], { message: 'groups:' });
  const rows = await grid.locator('th.mx-row').evaluateAll((ths) => ths.map((t) => t.title));
  assert.ok(rows.length >= 6 && rows.length < all, `${rows.length} Schiedam bodies of ${all}`);
  for (const name of ['Stuurgroep Stadspartners', 'Werkgroep Wonen en Woonomgeving']) assert.ok(rows.includes(name), `${name} in ${rows}`);
  assert.ok(!rows.includes(REGIE), 'no Dordrecht body');
  // The list and the body filter follow the area.
  const pairTitles = await page.locator('.pair-list .pair-title').allTextContents();
  assert.ok(pairTitles.length > 0 && pairTitles.every((t) => !t.includes('Dordrecht') && !t.includes(REGIE)), JSON.stringify(pairTitles));
  const bodyOptions = await page.getByLabel('Overleg', { exact: true }).locator('option').allTextContents();
  assert.deepEqual(bodyOptions.slice(1).sort(), rows.slice().sort());
  await page.getByRole('status').filter({ hasText: 'in Schiedam' }).waitFor({ state: 'attached' });
  assert.match(await page.evaluate(() => location.hash), /^#\/overlegkaart\?gebied=Schiedam$/);
  await shot(page, 'overlegkaart-gebied-schiedam');
  // The address keeps it over a reload; "Alle gebieden" shows every body again.
  await page.reload();
  await grid.locator('td.mx-cell').first().waitFor();
  assert.equal(await page.getByLabel('Gebied').inputValue(), 'Schiedam');
  assert.equal(await grid.locator('th.mx-row').count(), rows.length);
  await page.getByLabel('Gebied').selectOption({ label: 'Alle gebieden' });
  await until(() => grid.locator('th.mx-row').count(), all, { message: 'all bodies again:' });
  assert.equal(await page.evaluate(() => location.hash), '#/overlegkaart');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('on a phone the overlegkaart is a list, without sideways scrolling', async () => {
  const page = await userPage(browser, 'chair', { width: 390, height: 844 });
  await go(page, '#/overlegkaart');
  await page.locator('.pair-list .pair').first().waitFor();
  assert.equal(await page.getByRole('grid').isVisible(), false, 'no matrix on a phone');
  assert.ok(await page.getByRole('heading', { name: 'Sterkste overlap' }).isVisible());
  assert.ok(await page.getByText('Op een groter scherm ziet u alle overleggen ook als kaart.').isVisible());
  const first = page.locator('.pair-list .pair').first();
  assert.match(await first.locator('.why-parts').textContent(), /gedeelde (personen|organisaties)/);
  for (const [hash, title] of [['#/overlegkaart', 'Overlegkaart'], ['#/waar-hoort-dit-thuis', 'Waar hoort dit thuis?']]) {
    await go(page, hash);
    // the view is drawn (its own heading), and laid out
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${hash} is ${overflow}px wider than the screen`);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('"waar hoort dit thuis?" ranks the Lokale Driehoek in the top 3 for a 13b drugspand closure', async () => {
  const page = await newPage(browser);
  const asked = [];
  page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => { if (String(payload).includes('"body.suggest"')) asked.push(payload); }));
  await login(page, USERS.chair);
  // From "Mijn overleggen" (a button there, besides the menu entry).
  await page.locator('.page-actions').getByRole('link', { name: 'Waar hoort dit thuis?' }).click();
  await page.getByRole('heading', { level: 1, name: 'Waar hoort dit thuis?' }).waitFor();
  const box = page.getByLabel('Onderwerp of signaal');
  assert.equal(await page.getByLabel('Zoeken in').inputValue(), 'mine');
  assert.match(await page.getByLabel('Zoeken in').locator('option:checked').textContent(), /Mijn gemeente of regio \(Dordrecht\)/);
  // Typing searches after a pause, once: no request per keystroke. The page's clock stands
  // still while it types (a loaded machine can take longer than the pause between two keys),
  // then runs on.
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 50));
  await box.pressSequentially(DRUGSPAND, { delay: 15 });
  await page.clock.resume();
  const status = page.getByRole('status').filter({ hasText: 'gevonden' });
  await status.waitFor();
  assert.equal(asked.length, 1, `one request after typing stopped, not ${asked.length}`);
  assert.match(await status.textContent(), /Past het best: /);
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  const names = await page.locator('.suggestion h3').allTextContents();
  assert.ok(names.slice(0, 3).includes(DRIEHOEK), `Lokale Driehoek in the top 3 of ${JSON.stringify(names)}`);
  const s = page.locator('.suggestion', { has: page.locator('h3', { hasText: DRIEHOEK }) });
  assert.match(await s.locator('.suggestion-why').textContent(), /\S/);
  assert.match(await s.locator('.suggestion-score').textContent(), /score \d+ \(mandaat \d+, agenda \d+\)/);
  // The chair is a guest there: a member sees the matching items, linked to their meetings.
  assert.ok(await s.getByRole('link', { name: DRIEHOEK }).isVisible());
  const itemLink = s.locator('.suggestion-items a').first();
  assert.match(await itemLink.getAttribute('href'), /^#\/vergadering\/\d+$/);
  await shot(page, 'waar-hoort-dit-thuis-lid');

  // All bodies: still there; the question survives a trip to another page.
  await page.getByLabel('Zoeken in').selectOption('all');
  await page.getByRole('status').filter({ hasText: 'gevonden' }).waitFor();
  await go(page, '#/acties');
  await page.getByRole('heading', { level: 1, name: 'Mijn acties' }).waitFor();
  await go(page, '#/waar-hoort-dit-thuis');
  await page.locator('.suggestion').first().waitFor();
  assert.equal(await page.getByLabel('Onderwerp of signaal').inputValue(), DRUGSPAND);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('"waar hoort dit thuis?" tells a non-member whom to ask and shows no agenda content', async () => {
  const page = await userPage(browser, 'odzhz');
  await go(page, '#/waar-hoort-dit-thuis');
  await page.getByLabel('Zoeken in').selectOption('all');
  await page.getByLabel('Onderwerp of signaal').fill(DRUGSPAND);
  await page.getByRole('button', { name: 'Zoeken' }).click();
  const s = page.locator('.suggestion', { has: page.locator('h3', { hasText: DRIEHOEK }) });
  await s.waitFor();
  assert.equal(await s.getByRole('link', { name: DRIEHOEK, exact: true }).count(), 0, 'no link to a body one cannot open');
  // Whom to ask, by name (the body's chair and secretary), each an e-mail link about the topic.
  const notice = s.locator('.notice');
  assert.match(await notice.textContent(), /^U bent geen lid van dit overleg\. Wilt u het hier inbrengen\? Vraag Margriet Hoekstra \(voorzitter\) of Femke Janssen \(secretaris\) om het te agenderen\./);
  const mail = new URL(await notice.getByRole('link', { name: 'Margriet Hoekstra' }).getAttribute('href'));
  assert.equal(mail.protocol, 'mailto:');
  assert.equal(mail.pathname, 'm.hoekstra@dordrecht.example');
  assert.equal(mail.searchParams.get('subject'), `Agenderen bij ${DRIEHOEK}: ${DRUGSPAND}`);
  assert.equal(await s.locator('.suggestion-items').count(), 0);
  await shot(page, 'waar-hoort-dit-thuis-geen-lid');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

for (const [label, size] of SIZES) {
  test(`the overlegkaart and "waar hoort dit thuis?" have no serious or critical axe violations (${label})`, async () => {
    const problems = [];
    const page = await userPage(browser, 'police', size);
    await go(page, '#/overlegkaart');
    await page.locator('.pair-list .pair').first().waitFor();
    await axeCheck(page, `${label}-overlegkaart`, problems);
    await go(page, '#/waar-hoort-dit-thuis');
    await page.getByLabel('Onderwerp of signaal').fill('signalen van drugshandel in portiekflats');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.locator('.suggestion').first().waitFor();
    await axeCheck(page, `${label}-waar-hoort-dit-thuis`, problems);
    // A text that no body is about: the answer says so instead of naming a best place.
    await page.getByLabel('Onderwerp of signaal').fill('huiselijk geweld');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.getByRole('status').filter({ hasText: 'Geen overleg past goed' }).waitFor();
    assert.ok(await page.locator('.suggest-weak').isVisible());
    assert.equal(await page.getByRole('status').filter({ hasText: 'Past het best' }).count(), 0);
    await shot(page, `${label}-waar-hoort-dit-thuis-zwak`);
    await axeCheck(page, `${label}-waar-hoort-dit-thuis-zwak`, problems);
    assert.deepEqual(problems, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
