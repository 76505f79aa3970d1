// Issue 13, part 8 in the browser: one search box ("Zoeken" in the main menu) across agendas,
// verslagen, besluiten, actions and chat, with Dutch stemming and marked words; a confidential
// item of the demo (the RIEC report on Oud-Krispijn, for gemeente, RIEC, OM and politie) is found
// by the police and never by the omgevingsdienst, who sits in the same Regiegroep. Laptop and
// phone, axe-clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, axeCheck } from '../lib.mjs';

const SIZES = [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]];
const SECRET = 'vastgoedportefeuille';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function searchFor(page, q) {
  const box = page.getByRole('searchbox', { name: /Zoek in agenda/ });
  await box.fill(q);
  await box.press('Enter');
  await page.locator('.search-status').filter({ hasText: /resultaat|resultaten|Niets gevonden/ }).waitFor();
  return (await page.locator('.search-status').textContent()).trim();
}

test('the police finds the confidential RIEC item by a plural form, marked, and opens it', async () => {
  const page = await userPage(browser, 'police');
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Zoeken' }).click();
  await page.getByRole('heading', { level: 1, name: 'Zoeken' }).waitFor();
  // "vastgoedportefeuilles" (plural) finds "vastgoedportefeuille"
  const status = await searchFor(page, 'vastgoedportefeuilles');
  assert.match(status, /^\d+ (resultaat|resultaten) voor “vastgoedportefeuilles”\.$/);
  const hit = page.locator('.search-hit').filter({ hasText: 'Oud-Krispijn' }).first();
  await hit.waitFor();
  assert.equal(await hit.locator('.badge').first().textContent(), 'Agendapunt');
  assert.match((await hit.locator('mark.hit').first().textContent()).toLowerCase(), /vastgoedportefeuille/);
  assert.match(await hit.locator('.search-meta').textContent(), /Regiegroep Ondermijning/);
  // the question is in the address: back and forth keeps it
  assert.match(page.url(), /#\/zoeken\?q=vastgoedportefeuilles$/);
  await hit.getByRole('link').click();
  await page.waitForURL(/#\/(vergadering|overleg)\/\d+/);
  await page.goBack();
  await page.locator('.search-hit').first().waitFor();
});

test('the omgevingsdienst, in the same Regiegroep, finds nothing of it, and empty questions are explained', async () => {
  const page = await userPage(browser, 'odzhz');
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Zoeken' }).click();
  assert.equal(await searchFor(page, SECRET), `Niets gevonden voor “${SECRET}”.`);
  const oud = await searchFor(page, 'Oud-Krispijn');
  if (!oud.startsWith('Niets')) {
    const titles = await page.locator('.search-hit-title').allTextContents();
    assert.ok(titles.every((t) => !/vastgoedportefeuille/i.test(t)), titles.join(' | '));
  }
  const box = page.getByRole('searchbox', { name: /Zoek in agenda/ });
  await box.fill('de van het');
  await box.press('Enter');
  await page.locator('.search-status', { hasText: 'minstens twee letters' }).waitFor();
});

test('search is axe-clean on a laptop and a phone', async () => {
  const problems = [];
  for (const [label, size] of SIZES) {
    const page = await userPage(browser, 'chair', size);
    if (label === 'telefoon') {
      await page.evaluate(() => { location.hash = '#/zoeken'; });
    } else {
      await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Zoeken' }).click();
    }
    await page.getByRole('heading', { level: 1, name: 'Zoeken' }).waitFor();
    await searchFor(page, 'ondermijning');
    await page.locator('.search-hit').first().waitFor();
    await axeCheck(page, `${label}-zoeken`, problems);
    await page.context().close();
  }
  assert.deepEqual(problems, []);
});
