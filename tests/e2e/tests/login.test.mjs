// Log in and out; the session survives a reload; wrong password and ended sessions are
// explained in Dutch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, BASE, USERS, shot, waitOnline } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a wrong password gets a clear Dutch message', async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/`);
  await page.getByLabel('E-mailadres').fill(USERS.police);
  await page.getByLabel('Wachtwoord', { exact: true }).fill('niet-het-goede-wachtwoord');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  const alert = page.locator('.form-error');
  await alert.waitFor();
  assert.equal((await alert.textContent()).trim(), 'Onbekend e-mailadres of onjuist wachtwoord.');
  assert.equal(await alert.getAttribute('role'), 'alert');
  await shot(page, 'login-fout');
  await page.context().close();
});

test('the session survives a reload, and logging out ends it', async () => {
  const page = await newPage(browser);
  await login(page, USERS.police);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Mijn overleggen' }).waitFor();
  await waitOnline(page);
  assert.match(await page.locator('#user').textContent(), /Marco Veenstra/);
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await page.getByText('U bent uitgelogd.').waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Inloggen bij Ketentafel' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a session ended elsewhere sends the user to the login page with a Dutch message and back afterwards', async () => {
  const page = await newPage(browser);
  await login(page, USERS.police);
  await page.evaluate(() => { location.hash = '#/acties'; });
  await page.getByRole('heading', { level: 1, name: 'Mijn acties' }).waitFor();
  // The same session logs out from another tab: the server closes this page's socket (4401).
  const r = await page.context().request.post(`${BASE}/api/logout`, { data: {}, headers: { Origin: BASE } });
  assert.equal(r.status(), 200);
  await page.getByText('U bent elders uitgelogd.').waitFor();
  await shot(page, 'login-sessie-beeindigd');
  await page.getByLabel('E-mailadres').fill(USERS.police);
  await page.getByLabel('Wachtwoord', { exact: true }).fill('welkom-ketentafel');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mijn acties' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
