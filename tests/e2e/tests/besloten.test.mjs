// Issue 11: a confidential item is the same slot for everyone. The police member sees the item;
// the member from the Omgevingsdienst sees "Besloten punt" in its place, with its number and its
// time slot, and nothing of its content - live, after a reload, at laptop and at phone width,
// and the page stays accessible (axe). Numbering is the same for both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, userPage, go, agendaTitles, until, recordFrames, firstMeetingHref, axeCheck, reveal,
} from '../lib.mjs';

const BODY = 'Regiegroep Ondermijning';
const SECRET = `Casus Zeehavenkade: verhuur loods (besloten e2e ${Date.now().toString(36)})`;
let browser;
let chair;
let odzhz;
let police;
let href;

before(async () => {
  browser = await launch();
  [chair, odzhz, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'odzhz'), userPage(browser, 'police')]);
  href = await firstMeetingHref(chair, BODY, 1);
  await Promise.all([chair, odzhz, police].map(async (p) => {
    await go(p, href);
    await p.locator('.agenda-item').first().waitFor();
  }));
});
after(async () => { await browser?.close(); });

async function numbers(page) {
  return page.locator('.agenda-item .item-num').allTextContents();
}

async function slot(page, nth) {
  return page.locator('.agenda-item').nth(nth).locator('.item-at').textContent();
}

test('a confidential item is a besloten punt in its place for those outside its audience', async () => {
  const frames = recordFrames(odzhz);
  const before = await agendaTitles(odzhz);
  await chair.getByRole('button', { name: 'Agendapunt toevoegen' }).click();
  const dlg = chair.getByRole('dialog', { name: 'Agendapunt toevoegen' });
  await dlg.getByLabel('Titel').fill(SECRET);
  await dlg.getByLabel('Toelichting').fill('Huurder onbekend; alleen voor de politie.');
  await dlg.getByLabel('Duur (minuten)').fill('25');
  await dlg.getByRole('button', { name: 'Organisatie toevoegen' }).click();
  await dlg.getByLabel('Organisatie', { exact: true }).selectOption({ label: 'Politie Eenheid Rotterdam, district Zuid-Holland-Zuid' });
  await dlg.getByLabel('Reden').fill('Lopend onderzoek.');
  await dlg.getByLabel('Vertrouwelijk: alleen zichtbaar voor de organisaties en personen hieronder').check();
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });

  // Live: the police member gets the item, the other member a besloten punt at the same place.
  await until(async () => (await agendaTitles(police)).includes(SECRET), true, { message: 'police:' });
  await until(() => agendaTitles(odzhz), [...before, 'Besloten punt'], { message: 'other member:' });
  const n = (await agendaTitles(police)).length;
  assert.deepEqual(await numbers(odzhz), await numbers(police), 'the same numbers for both');
  const ph = odzhz.locator('.agenda-item.is-placeholder');
  assert.equal(await ph.count(), 1 + before.filter((t) => t === 'Besloten punt').length);
  const last = odzhz.locator('.agenda-item').nth(n - 1);
  assert.match(await last.textContent(), /25 min/);
  assert.equal(await slot(odzhz, n - 1), await slot(police, n - 1), 'the same time slot');
  // nothing to do with it: no edit, no thread, no action
  assert.equal(await last.locator('button').count(), 0);
  assert.ok(!frames.some((f) => f.includes('Zeehavenkade') || f.includes('Huurder onbekend')));

  // After a reload the same.
  await odzhz.reload();
  await odzhz.locator('.agenda-item').first().waitFor();
  assert.deepEqual(await agendaTitles(odzhz), [...before, 'Besloten punt']);
  const problems = [];
  await axeCheck(odzhz, 'besloten-punt-laptop', problems);
  await odzhz.setViewportSize({ width: 390, height: 844 });
  await reveal(odzhz.locator('.agenda-item.is-placeholder').last());
  await axeCheck(odzhz, 'besloten-punt-telefoon', problems);
  await odzhz.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(problems, []);
  for (const p of [chair, odzhz, police]) assert.deepEqual(p.errors, []);
});

test('the chair reorders around a besloten punt, which keeps its place', async () => {
  // The chair (who added it, and so keeps seeing it) moves the first item down; the besloten
  // punt keeps its slot for the other member, and the numbers still match.
  await chair.locator('.agenda-item').first().focus();
  await chair.keyboard.press('Alt+ArrowDown');
  const want = await agendaTitles(chair);
  await until(async () => (await agendaTitles(police)).join('|'), want.join('|'), { message: 'police:' });
  await until(async () => {
    const other = await agendaTitles(odzhz);
    return other.length === want.length && other.every((t, i) => t === want[i] || t === 'Besloten punt');
  }, true, { message: 'other member:' });
  const other = await agendaTitles(odzhz);
  assert.equal(other[want.indexOf(SECRET)], 'Besloten punt');
  assert.deepEqual(await numbers(odzhz), await numbers(police));
  for (const p of [chair, odzhz, police]) assert.deepEqual(p.errors, []);
});
