// The main screens pass an automated accessibility check (axe-core: no serious or critical
// violations), on a 1280×800 laptop and a 390-wide phone; screenshots of each go to
// $KT_TEST_OUTPUT/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, login, userPage, go, axeCheck as check, BASE, USERS, bodyHref, firstMeetingHref,
} from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const SIZES = [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]];

for (const [label, size] of SIZES) {
  test(`main screens have no serious or critical axe violations (${label})`, async () => {
    const problems = [];
    const anon = await newPage(browser, size);
    await anon.goto(`${BASE}/`);
    await anon.getByRole('heading', { name: 'Inloggen bij Ketentafel' }).waitFor();
    await check(anon, `${label}-inloggen`, problems);
    await anon.goto(`${BASE}/#/wachtwoord/ongeldige-link-voor-de-test`);
    await anon.getByRole('heading', { name: 'Wachtwoord instellen' }).waitFor();
    await check(anon, `${label}-wachtwoord-instellen`, problems);
    await anon.context().close();

    const chair = await userPage(browser, 'chair', size);
    await chair.locator('.meeting-row').first().waitFor();
    await check(chair, `${label}-mijn-overleggen`, problems);
    const body = await bodyHref(chair, 'Regiegroep Ondermijning');
    const meeting = await firstMeetingHref(chair, 'Regiegroep Ondermijning');
    const screens = [
      ['overleg', body, '#h-mandate'],
      ['vergaderingen', `${body}/vergaderingen`, '#h-up'],
      ['te-agenderen', `${body}/agenderen`, '#h-backlog'],
      ['acties', `${body}/acties`, '#h-actions'],
      ['chat', `${body}/chat`, '.chat-msg'],
      ['leden', `${body}/leden`, '.members-table'],
      ['signaleringen', `${body}/signaleringen`, '#h-flags'],
      ['vergadering', meeting, '.agenda-item'],
      ['mijn-acties', '#/acties', '.filters'],
      ['meldingen', '#/meldingen', '.prefs-form'],
    ];
    for (const [name, hash, ready] of screens) {
      await go(chair, hash);
      await chair.locator(ready).first().waitFor();
      await check(chair, `${label}-${name}`, problems);
    }
    // A dialog: adding an agenda item.
    await go(chair, meeting);
    await chair.locator('.agenda-item').first().waitFor();
    await chair.getByRole('button', { name: 'Agendapunt toevoegen' }).click();
    await chair.getByRole('dialog').waitFor();
    await check(chair, `${label}-agendapunt-dialoog`, problems);
    await chair.getByRole('dialog').getByRole('button', { name: 'Annuleren' }).click();
    assert.deepEqual(chair.errors, []);
    await chair.context().close();

    const admin = await newPage(browser, size);
    await login(admin, USERS.admin);
    for (const tab of ['organisaties', 'personen', 'overleggen', 'gebieden', 'afkortingen']) {
      await go(admin, `#/beheer/${tab}`);
      await admin.locator('table.table tbody tr').first().waitFor();
      await check(admin, `${label}-beheer-${tab}`, problems);
    }
    await admin.context().close();
    assert.deepEqual(problems, []);
  });
}

test('the page does not overflow sideways on a 390-wide phone', async () => {
  const page = await userPage(browser, 'chair', { width: 390, height: 844 });
  const meeting = await firstMeetingHref(page, 'Regiegroep Ondermijning');
  for (const [hash, title] of [['#/', 'Mijn overleggen'], [meeting, /^Regiegroep Ondermijning: /], ['#/acties', 'Mijn acties']]) {
    await go(page, hash);
    // the view is drawn (its own heading), and laid out
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${hash} is ${overflow}px wider than the screen`);
  }
  await page.context().close();
});
