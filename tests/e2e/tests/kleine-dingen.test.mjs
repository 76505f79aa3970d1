// Issue 13, part 9, the smaller things: "Mijn acties: N openstaand, waarvan M te laat" on the
// home page lists all N (the late ones marked, each a link to where it was recorded), and the
// notification mode "digest" says that it means the daily e-mail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, shot } from '../lib.mjs';

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
  const options = await page.locator('select option[value="digest"]').allTextContents();
  assert.ok(options.length > 0);
  for (const o of options) assert.equal(o, 'Alleen in het dagelijkse overzicht per e-mail');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
