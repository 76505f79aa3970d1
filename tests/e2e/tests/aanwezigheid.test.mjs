// Issue 13, part 2: attendance as a verslag records it. A member reports that she is replaced,
// standing (vast), by a colleague; the secretary sees who substitutes whom, live. The secretary
// notes a member who joins later, one who is absent without notice, and someone who is not in
// Ketentafel as the meeting's minute-taker; the member sees it all arrive. Laptop and phone pass
// axe; screenshots of each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { reveal, launch, userPage, go, firstMeetingHref, axeCheck, shot } from '../lib.mjs';

const BODY = 'Casusoverleg Ondermijning';
const POLICE = 'Politie Eenheid Rotterdam, district Zuid-Holland-Zuid';

let browser;
let sec;
let police;
let href;

before(async () => {
  browser = await launch();
  [sec, police] = await Promise.all([userPage(browser, 'secretary'), userPage(browser, 'police')]);
  href = await firstMeetingHref(sec, BODY, 1);
  for (const p of [sec, police]) {
    await go(p, href);
    await p.getByRole('heading', { name: 'Aanwezigheid' }).waitFor();
  }
});
after(async () => { await browser?.close(); });

const away = (page) => page.getByRole('list', { name: 'Afwezig' });
const here = (page) => page.getByRole('list', { name: 'Aanwezig' });

test('a member is replaced, standing, by a colleague; the secretary sees who substitutes whom', async () => {
  await police.getByLabel('Ik ben').selectOption('vervangen');
  const sub = police.getByLabel('Vervanger');
  const options = await sub.locator('option').allTextContents();
  const choice = options.find((o) => o.startsWith('Erik Stam'));
  assert.ok(choice, `Erik Stam among ${options.join(', ')}`);
  await sub.selectOption({ label: choice });
  await police.getByLabel('Vaste vervanging (ook de volgende vergaderingen)').check();
  await police.getByRole('button', { name: 'Opgeven' }).click();
  await police.locator('#toasts .toast', { hasText: 'Uw aanwezigheid is opgegeven.' }).waitFor();

  const line = away(sec).locator('li', { hasText: 'Marco Veenstra' });
  await line.waitFor();
  assert.match(await line.textContent(), new RegExp(`^Marco Veenstra \\(${POLICE.replace(/[()]/g, '\\$&')}\\)\\s+met bericht — langdurig afwezig, vast vervangen door Erik Stam`));
  await here(sec).locator('li', { hasText: 'vervangt Marco Veenstra (vast)' }).waitFor();
  for (const p of [sec, police]) assert.deepEqual(p.errors, []);
});

test('the secretary notes who joins later, who is absent without notice, and a minute-taker who is not in Ketentafel', async () => {
  // Jeroen Vlasblom has not said anything yet: one choice
  await sec.locator('details.att-details > summary').click();
  await sec.getByLabel('Aanwezigheid van Jeroen Vlasblom').selectOption('later');
  await here(police).locator('li', { hasText: 'Jeroen Vlasblom' }).getByText('schuift later aan').waitFor();

  // Thijs Bosman: absent, without notice
  await sec.getByLabel('Aanwezigheid van Thijs Bosman').selectOption('afwezig');
  const bosman = away(sec).locator('li', { hasText: 'Thijs Bosman' });
  await bosman.getByRole('button', { name: 'Wijzigen: aanwezigheid van Thijs Bosman' }).click();
  let dlg = sec.getByRole('dialog', { name: 'Aanwezigheid van Thijs Bosman' });
  await dlg.getByLabel('Afgemeld').selectOption({ label: 'Zonder bericht' });
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.waitFor({ state: 'detached' });
  await away(police).locator('li', { hasText: 'Thijs Bosman' }).getByText('zonder bericht').waitFor();

  // Someone who is not in Ketentafel takes the minutes
  await sec.getByRole('button', { name: 'Iemand toevoegen' }).click();
  dlg = sec.getByRole('dialog', { name: 'Iemand toevoegen aan de presentielijst' });
  await dlg.getByLabel('Naam').fill('Stef Fleischeuer');
  await dlg.getByLabel('Organisatie of functie').fill('programmadirecteur');
  await dlg.getByLabel('Rol in deze vergadering').selectOption('notulist');
  await dlg.getByLabel('Vertrekt eerder').check();
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.waitFor({ state: 'detached' });
  const stef = here(police).locator('li', { hasText: 'Stef Fleischeuer (programmadirecteur)' });
  await stef.getByText('notulist').waitFor();
  await stef.getByText('vertrekt eerder').waitFor();
  await police.locator('.att-roles', { hasText: 'Notulist: Stef Fleischeuer' }).waitFor();
  // a member sees the list, not the tools
  assert.equal(await police.getByRole('button', { name: /^Wijzigen: aanwezigheid/ }).count(), 0);
  await reveal(police.getByRole('heading', { name: 'Aanwezigheid' }));
  await shot(police, 'vergadering-aanwezigheid-lid');
  await reveal(sec.getByRole('heading', { name: 'Aanwezigheid' }));
  await shot(sec, 'vergadering-aanwezigheid-secretaris');
  for (const p of [sec, police]) assert.deepEqual(p.errors, []);
});

for (const [label, size] of [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]]) {
  test(`the attendance of a meeting passes axe (${label})`, async () => {
    const problems = [];
    const page = await userPage(browser, 'secretary', size);
    await go(page, href);
    await here(page).locator('li', { hasText: 'Stef Fleischeuer' }).waitFor();
    await reveal(page.getByRole('heading', { name: 'Aanwezigheid' }));
    await axeCheck(page, `${label}-vergadering-aanwezigheid`, problems);
    assert.deepEqual(problems, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
