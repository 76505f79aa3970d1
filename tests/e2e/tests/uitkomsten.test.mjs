// Issue 13, part 1: the verslag per agenda item. During the meeting the secretary takes notes
// under an item and records a besluit (a date, no owner or status) and a toezegging; a member
// sees them appear under the item live, with the notes' Markdown rendered as text (a list, bold,
// never their ** marks, never HTML). The member records a toezegging of her own organisation,
// finds it in "Mijn acties" with a link back to its item, and the body's action list shows the
// besluit with its date. Laptop and phone pass axe; screenshots of each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { reveal, launch, userPage, go, firstMeetingHref, axeCheck, shot } from '../lib.mjs';

const BODY = 'Regiegroep Ondermijning';
const STAMP = Date.now().toString(36);

let browser;
let sec;
let police;
let href;
let title;

before(async () => {
  browser = await launch();
  [sec, police] = await Promise.all([userPage(browser, 'secretary'), userPage(browser, 'police')]);
  href = await firstMeetingHref(sec, BODY, 1);
  for (const p of [sec, police]) {
    await go(p, href);
    await p.locator('.agenda-item').first().waitFor();
  }
  title = (await sec.locator('.agenda-item .item-title').nth(2).textContent()).trim();
});
after(async () => { await browser?.close(); });

const row = (page) => page.locator('.agenda-item', { has: page.locator('.item-title', { hasText: title }) });

test('the secretary notes an item and records a besluit; a member sees both appear under the item', async () => {
  const item = row(sec);
  await item.getByRole('button', { name: `Notuleren bij: ${title}` }).click();
  const box = item.getByLabel(`Notulen bij: ${title}`);
  await box.fill(`Roos Wilhelm presenteert (${STAMP}).\n- **Besloten** wordt het onderwerp te agenderen.\n- Politie levert *vooraf* cijfers.\n<img src=x onerror="window.pwned=1">`);
  await item.getByRole('button', { name: 'Notulen opslaan' }).click();
  await item.getByText(/^Opgeslagen om \d\d:\d\d\.$/).waitFor();

  const seen = row(police).locator('.item-notes');
  await seen.getByText(`Roos Wilhelm presenteert (${STAMP}).`).waitFor();
  assert.equal(await seen.locator('li').count(), 2);
  assert.equal(await seen.locator('li strong').first().textContent(), 'Besloten');
  assert.equal(await seen.locator('li em').first().textContent(), 'vooraf');
  assert.doesNotMatch(await seen.textContent(), /\*\*/);
  // HTML stays text: shown, never an element, never run
  assert.match(await seen.textContent(), /<img src=x onerror/);
  assert.equal(await seen.locator('img').count(), 0);
  assert.equal(await police.evaluate(() => window.pwned), undefined);

  await item.getByRole('button', { name: `Besluit vastleggen bij: ${title}` }).click();
  const dlg = sec.getByRole('dialog', { name: 'Besluit vastleggen' });
  // A besluit has a date, not an owner, deadline or status.
  assert.equal(await dlg.getByLabel('Eigenaar (persoon)').isVisible(), false);
  assert.equal(await dlg.getByLabel('Deadline').isVisible(), false);
  assert.match(await dlg.getByLabel('Datum van het besluit').inputValue(), /^\d{4}-\d\d-\d\d$/);
  await dlg.getByLabel('Omschrijving').fill(`Preventie met Gezag wordt geagendeerd (${STAMP})`);
  await dlg.getByRole('button', { name: 'Toevoegen' }).click();
  await dlg.waitFor({ state: 'detached' });

  const besluit = row(police).locator('.outcome-besluit', { hasText: STAMP });
  await besluit.waitFor();
  assert.match(await besluit.textContent(), /^Besluit Preventie met Gezag wordt geagendeerd \(\w+\) \(besloten op \d+ \w+\.? \d{4}\)$/);
  // A member records no besluiten, but toezeggingen and actiepunten
  assert.equal(await row(police).getByRole('button', { name: /^Besluit vastleggen/ }).count(), 0);
  assert.equal(await row(police).getByRole('button', { name: /^Notuleren/ }).count(), 0);
  await reveal(row(police));
  await shot(police, 'vergadering-uitkomsten-per-punt');
  for (const p of [sec, police]) assert.deepEqual(p.errors, []);
});

test('a member records a toezegging of her organisation and finds it in "Mijn acties" with a link back', async () => {
  await row(police).getByRole('button', { name: `Toezegging vastleggen bij: ${title}` }).click();
  const dlg = police.getByRole('dialog', { name: 'Toezegging vastleggen' });
  await dlg.getByLabel('Omschrijving').fill(`Politie levert het beeld aan (${STAMP})`);
  await dlg.getByLabel('Of: organisatie').selectOption({ label: 'Politie Eenheid Rotterdam, district Zuid-Holland-Zuid' });
  await dlg.getByRole('button', { name: 'Toevoegen' }).click();
  await dlg.waitFor({ state: 'detached' });
  await row(sec).locator('.outcome-toezegging', { hasText: `Politie levert het beeld aan (${STAMP})` }).waitFor();
  assert.match(await row(sec).locator('.outcome-toezegging', { hasText: STAMP }).textContent(), /Politie Eenheid Rotterdam, district Zuid-Holland-Zuid: Politie levert/);

  await go(police, '#/acties');
  const line = police.locator('tr', { hasText: `Politie levert het beeld aan (${STAMP})` });
  await line.waitFor();
  const link = line.getByRole('link', { name: title });
  assert.match(await link.getAttribute('href'), /^#\/vergadering\/\d+\/punt\/\d+$/);
  await link.click();
  await police.locator('.agenda-item.is-target', { has: police.locator('.item-title', { hasText: title }) }).waitFor();
  assert.match(await police.evaluate(() => location.hash), /^#\/vergadering\/\d+\/punt\/\d+$/);
  for (const p of [sec, police]) assert.deepEqual(p.errors, []);
});

test('the body’s action list shows the besluit with its date and no status to change', async () => {
  await go(sec, href);
  await sec.locator('.agenda-item').first().waitFor();
  const bodyLink = sec.locator('.crumbs a', { hasText: BODY });
  await go(sec, `${await bodyLink.getAttribute('href')}/acties`);
  await sec.getByLabel('Status', { exact: true }).selectOption('');
  const r = sec.locator('tr', { hasText: `Preventie met Gezag wordt geagendeerd (${STAMP})` });
  await r.waitFor();
  assert.match(await r.locator('td[data-label="Datum"]').textContent(), /^besloten op \d+ \w+\.? \d{4}$/);
  assert.equal(await r.locator('td[data-label="Eigenaar"]').textContent(), `Besluit van ${BODY}`);
  assert.equal(await r.locator('select').count(), 0, 'a besluit has no status');
  for (const p of [sec]) assert.deepEqual(p.errors, []);
});

for (const [label, size] of [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]]) {
  test(`the meeting with notes and outcomes passes axe (${label})`, async () => {
    const problems = [];
    const page = await userPage(browser, 'secretary', size);
    await go(page, href);
    await row(page).locator('.item-notes').waitFor();
    await row(page).getByRole('button', { name: `Notulen bewerken bij: ${title}` }).waitFor();
    await reveal(row(page));
    await axeCheck(page, `${label}-vergadering-uitkomsten`, problems);
    assert.deepEqual(problems, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
