// Issue 13, part 4: standing items and carry-over. The secretary plans a meeting far ahead: it
// starts with the vaste agendapunten of the previous agenda, in their order; its actielijst item
// goes through the body's open actions (late ones marked) and a member changes the status of his own there;
// its verslag item names the meeting it is about. "Agenda van vorige vergadering overnemen" adds
// the other items once, and a member sees them arrive live. Laptop and phone pass axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { reveal, launch, userPage, go, bodyHref, agendaTitles, axeCheck, shot, serverYmd } from '../lib.mjs';

const BODY = 'Regiegroep Ondermijning';
const STANDING = ['Opening en vaststelling agenda', 'Mededelingen', 'Verslag vorige vergadering',
  'Actielijst en toezeggingen', 'Ondermijningsbeeld en actuele signalen', 'Rondvraag en sluiting'];

let browser;
let sec;
let police;
let href;
let body;

before(async () => {
  browser = await launch();
  [sec, police] = await Promise.all([userPage(browser, 'secretary'), userPage(browser, 'police')]);
});
after(async () => { await browser?.close(); });

function dutchDay(date) {
  return new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
    .format(new Date(`${date}T12:00:00Z`));
}

test('a new meeting starts with the standing items of the previous agenda, in their order', async () => {
  body = await bodyHref(sec, BODY);
  await go(sec, `${body}/vergaderingen`);
  await sec.getByRole('button', { name: 'Vergadering plannen' }).click();
  const dlg = sec.getByRole('dialog');
  const date = await serverYmd(300);
  await dlg.getByLabel('Datum').fill(date);
  await dlg.getByLabel('Begintijd').fill('10:00');
  await dlg.getByLabel('Eindtijd').fill('12:00');
  assert.equal(await dlg.getByLabel('Begin met de vaste agendapunten (en de actielijst) van de vorige vergadering').isChecked(), true);
  await dlg.getByRole('button', { name: 'Plannen' }).click();
  await dlg.waitFor({ state: 'detached' });
  const row = sec.locator('.meeting-row', { hasText: `${dutchDay(date)}, 10:00–12:00` });
  await row.waitFor();
  href = await row.getByRole('link').first().getAttribute('href');
  await go(sec, href);
  await sec.locator('.agenda-item').first().waitFor();
  assert.deepEqual(await agendaTitles(sec), STANDING);
  // the actielijst goes through the open actions, late ones marked
  const list = sec.locator('.agenda-item', { hasText: 'Actielijst en toezeggingen' }).locator('ol.actielijst');
  await list.waitFor();
  assert.ok(await list.locator('li').count() >= 3);
  assert.ok(await list.locator('.overdue-flag').count() >= 1);
  // the verslag item says which meeting's verslag it is about
  const verslag = sec.locator('.agenda-item', { hasText: 'Verslag vorige vergadering' }).locator('.special-link a');
  assert.match(await verslag.textContent(), /^vergadering van \w+dag \d+ \w+ \d{4}$/);
  assert.match(await verslag.getAttribute('href'), /^#\/vergadering\/\d+$/);
  await shot(sec, 'vergadering-vaste-agendapunten');
  assert.deepEqual(sec.errors, []);
});

test('a member sets the status of his own action in the actielijst item; the secretary sees it', async () => {
  await go(police, href);
  const list = police.locator('.agenda-item', { hasText: 'Actielijst en toezeggingen' }).locator('ol.actielijst');
  await list.waitFor();
  await list.locator('li').first().waitFor();
  // only the owner, the chair and the secretary change an action: the member gets a status
  // control for his own actions only, the secretary for every one
  assert.ok(await list.locator('select').count() < await list.locator('li').count(), 'a member changes only his own actions');
  const secList = sec.locator('.agenda-item', { hasText: 'Actielijst en toezeggingen' }).locator('ol.actielijst');
  assert.equal(await secList.locator('select').count(), await secList.locator('li').count());
  // his own action still open (the list also holds actions already lopend)
  const first = list.locator('li', { has: police.locator('select:has(option[value="open"]:checked)') }).first();
  const text = (await first.locator('div').first().textContent()).trim();
  const id = await first.getAttribute('data-action');
  await first.getByRole('combobox').selectOption({ label: 'Lopend' });
  // his own confirmation has a toast of its own, whatever meldingen arrive in the same burst
  await police.locator('#toasts .toast-own', { hasText: 'Status gewijzigd in “Lopend”.' }).waitFor();
  const seen = sec.locator(`ol.actielijst li[data-action="${id}"] select`);
  await seen.and(sec.locator('select:has(option[value="lopend"]:checked)')).waitFor();
  assert.ok(text.length > 0);
  for (const p of [sec, police]) assert.deepEqual(p.errors, []);
});

test('the agenda of the previous meeting is taken over once, and a member sees it arrive live', async () => {
  // A meeting planned without the standing items: it starts empty.
  await go(sec, `${body}/vergaderingen`);
  await sec.getByRole('button', { name: 'Vergadering plannen' }).click();
  const dlg = sec.getByRole('dialog');
  const date = await serverYmd(310);
  await dlg.getByLabel('Datum').fill(date);
  await dlg.getByLabel('Begintijd').fill('10:00');
  await dlg.getByLabel('Eindtijd').fill('11:00');
  await dlg.getByLabel('Begin met de vaste agendapunten (en de actielijst) van de vorige vergadering').uncheck();
  await dlg.getByRole('button', { name: 'Plannen' }).click();
  await dlg.waitFor({ state: 'detached' });
  const row = sec.locator('.meeting-row', { hasText: `${dutchDay(date)}, 10:00–11:00` });
  await row.waitFor();
  const next = await row.getByRole('link').first().getAttribute('href');
  for (const p of [sec, police]) {
    await go(p, next);
    await p.getByText('Er staan nog geen punten op deze agenda.').waitFor();
  }
  // It takes over the agenda of the meeting before it (the one of the first test).
  await sec.getByRole('button', { name: 'Agenda van vorige vergadering overnemen' }).click();
  const confirm = sec.getByRole('dialog', { name: 'Agenda overnemen' });
  assert.match(await confirm.textContent(), /De punten van de vergadering van \w+dag \d+ \w+ \d{4} onderaan deze agenda zetten\?/);
  await confirm.getByRole('button', { name: 'Overnemen' }).click();
  await sec.locator('#toasts .toast', { hasText: `${STANDING.length} punten overgenomen.` }).waitFor();
  await police.waitForFunction((want) => document.querySelectorAll('.agenda-item').length === want, STANDING.length);
  assert.deepEqual(await agendaTitles(police), STANDING);
  // a second time adds nothing
  await sec.getByRole('button', { name: 'Agenda van vorige vergadering overnemen' }).click();
  await sec.getByRole('dialog', { name: 'Agenda overnemen' }).getByRole('button', { name: 'Overnemen' }).click();
  await sec.locator('#toasts .toast', { hasText: 'Alle punten stonden er al.' }).waitFor();
  assert.deepEqual(await agendaTitles(sec), STANDING);
  for (const p of [sec, police]) assert.deepEqual(p.errors, []);
});

for (const [label, size] of [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]]) {
  test(`the meeting with its standing items and actielijst passes axe (${label})`, async () => {
    const problems = [];
    const page = await userPage(browser, 'police', size);
    await go(page, href);
    const list = page.locator('ol.actielijst');
    await list.waitFor();
    await reveal(list);
    await axeCheck(page, `${label}-vergadering-actielijst`, problems);
    assert.deepEqual(problems, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
