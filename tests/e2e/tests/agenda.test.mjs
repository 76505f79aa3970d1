// Two (three) members of the Regiegroep Ondermijning, each in their own browser context: the
// chair reorders the agenda (keyboard and drag-and-drop) and adds a confidential item for the
// police. The member from the Omgevingsdienst sees the new order live and never receives the
// confidential item (only a "besloten punt" in its place); the police member sees it arrive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, userPage, go, agendaTitles, until, recordFrames, firstMeetingHref, shot,
} from '../lib.mjs';

const BODY = 'Regiegroep Ondermijning';
const SECRET = `Casus Noordkade: huurder opslagbox (e2e ${Date.now().toString(36)})`;
let browser;
let chair;
let odzhz;
let police;
let href;

before(async () => {
  browser = await launch();
  [chair, odzhz, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'odzhz'), userPage(browser, 'police')]);
  href = await firstMeetingHref(chair, BODY);
  assert.match(href, /^#\/vergadering\/\d+$/);
  await Promise.all([chair, odzhz, police].map(async (p) => {
    await go(p, href);
    await p.locator('.agenda-item').first().waitFor();
  }));
});
after(async () => { await browser?.close(); });

function moved(list, from, to) {
  const out = list.slice();
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x);
  return out;
}

test('the chair reorders with the keyboard and the other member sees it live', async () => {
  const start = await agendaTitles(chair);
  const seen = await agendaTitles(odzhz);
  assert.ok(seen.length >= 4, 'the demo meeting has an agenda');
  const row = chair.locator('.agenda-item').nth(1);
  const movedId = await row.getAttribute('data-item');
  await row.focus();
  await chair.keyboard.press('Alt+ArrowDown');
  const want = moved(start, 1, 2);
  await until(() => agendaTitles(chair), want, { message: 'chair:' });
  const visible = (list) => list.filter((t) => seen.includes(t));
  await until(() => agendaTitles(odzhz), visible(want), { message: 'other member:' });
  // Focus stays on the moved item, and the move is announced.
  assert.equal(await chair.evaluate(() => document.activeElement?.dataset.item), movedId);
  await chair.locator('.agenda .sr-only[role="status"]').filter({ hasText: 'staat nu op plaats 3' }).waitFor();
  // The buttons do the same for pointer and screen-reader users.
  await chair.getByRole('button', { name: `Punt 3 omhoog: ${want[2]}` }).click();
  await until(() => agendaTitles(odzhz), visible(start), { message: 'after the button:' });
});

test('the chair reorders by drag-and-drop and the other member sees it live', async () => {
  const start = await agendaTitles(chair);
  const seen = await agendaTitles(odzhz);
  const items = chair.locator('.agenda-item');
  // Drop the first item onto the upper half of the third: it lands between the second and third.
  // (A tall window keeps both in view whatever the descriptions' length: a drag cannot scroll.)
  await chair.setViewportSize({ width: 1280, height: 1600 });
  await items.nth(0).locator('.grip').dragTo(items.nth(2), { targetPosition: { x: 40, y: 20 } });
  await chair.setViewportSize({ width: 1280, height: 800 });
  const want = moved(start, 0, 1);
  await until(() => agendaTitles(chair), want, { message: 'chair after drag:' });
  await until(() => agendaTitles(odzhz), want.filter((t) => seen.includes(t)), { message: 'other member after drag:' });
  // Numbering follows the new order, 1..n without gaps.
  const nums = await odzhz.locator('.agenda-item .item-num').allTextContents();
  assert.deepEqual(nums, nums.map((_, i) => `${i + 1}.`));
  await shot(chair, 'vergadering-voorzitter');
});

test('a confidential item reaches the listed organisation only', async () => {
  const odzFrames = recordFrames(odzhz);
  await odzhz.evaluate((title) => {
    window.__sawSecret = false;
    new MutationObserver(() => { if (document.body.textContent.includes(title)) window.__sawSecret = true; })
      .observe(document.body, { subtree: true, childList: true, characterData: true });
  }, SECRET);
  const odzBefore = await agendaTitles(odzhz);
  const policeBefore = await agendaTitles(police);

  await chair.getByRole('button', { name: 'Agendapunt toevoegen' }).click();
  const dlg = chair.getByRole('dialog', { name: 'Agendapunt toevoegen' });
  await dlg.getByLabel('Titel').fill(SECRET);
  await dlg.getByLabel('Toelichting').fill('Signaal van de wijkagent; alleen voor politie.');
  await dlg.getByLabel('Duur (minuten)').fill('10');
  await dlg.getByRole('button', { name: 'Organisatie toevoegen' }).click();
  await dlg.getByLabel('Organisatie', { exact: true }).selectOption({ label: 'Politie Eenheid Rotterdam, district Zuid-Holland-Zuid' });
  await dlg.getByLabel('Reden').fill('Het signaal komt van de wijkagent.');
  await dlg.getByLabel('Vertrouwelijk: alleen zichtbaar voor de organisaties en personen hieronder').check();
  await shot(chair, 'agendapunt-vertrouwelijk-toevoegen');
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });

  // The police member sees it arrive, marked confidential, with the reason for the police.
  await until(() => agendaTitles(police), [...policeBefore, SECRET], { message: 'police:' });
  const item = police.locator('.agenda-item', { hasText: SECRET });
  assert.ok(await item.locator('.badge-conf').isVisible());
  assert.match(await item.locator('.why-me').textContent(), /Het signaal komt van de wijkagent/);
  await shot(police, 'vergadering-politie-vertrouwelijk');

  // The chair's next reorder moves items around the confidential one; the other member follows.
  // (the chair's own page hears of her item on its own socket, maybe after the police's)
  await until(async () => (await agendaTitles(chair)).includes(SECRET), true, { message: 'chair:' });
  const chairNow = await agendaTitles(chair);
  await chair.locator('.agenda-item').nth(0).focus();
  await chair.keyboard.press('Alt+ArrowDown');
  const wantChair = moved(chairNow, 0, 1);
  await until(() => agendaTitles(chair), wantChair);
  // For the other member it is a besloten punt in its place (at the end, where it was added).
  await until(() => agendaTitles(odzhz), [...moved(odzBefore, 0, 1), 'Besloten punt'], { message: 'other member after reorder:' });

  // The Omgevingsdienst member never saw it: not on the page, not on the wire, not after a reload.
  assert.equal(await odzhz.evaluate(() => window.__sawSecret), false);
  assert.ok(!odzFrames.some((f) => f.includes('Noordkade')), 'the confidential title never reached the other member');
  const nums = await odzhz.locator('.agenda-item .item-num').allTextContents();
  assert.deepEqual(nums, nums.map((_, i) => `${i + 1}.`), 'items and besloten punten are numbered 1..n');
  await odzhz.reload();
  await odzhz.locator('.agenda-item').first().waitFor();
  assert.ok(!(await agendaTitles(odzhz)).includes(SECRET));
  assert.deepEqual(await agendaTitles(odzhz), [...moved(odzBefore, 0, 1), 'Besloten punt']);
  for (const p of [chair, odzhz, police]) assert.deepEqual(p.errors, []);
});
