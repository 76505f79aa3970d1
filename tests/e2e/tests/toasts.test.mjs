// The user's own confirmation has a place of its own among the toasts (web/js/ui.js): a melding
// or a live message about someone else's change that arrives in the same burst never replaces
// "Het bericht is bewerkt.", whichever comes first. The member's clock is paused while it
// happens, so that everything is one burst however slow the machine is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, bodyHref, shot, axeCheck } from '../lib.mjs';

const BODY = 'Regiegroep Ondermijning';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function post(page, text) {
  const box = page.getByRole('combobox', { name: 'Bericht' });
  await box.fill(text);
  await box.press('Enter');
  const msg = page.locator('.chat-msg', { hasText: text });
  await msg.waitFor();
  return msg;
}

test('a melding arriving in the same burst does not replace the member’s own confirmation, before or after it', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(police, BODY);
  for (const p of [chair, police]) {
    await go(p, `${body}/chat`);
    await p.locator('.chat-msg').first().waitFor();
  }
  const stamp = Date.now().toString(36);
  const mine = await post(police, `Cijfers volgen donderdag (${stamp})`);
  const toasts = police.locator('#toasts .toast');

  // From here on the member's clock stands still: one burst.
  await police.clock.pauseAt(await police.evaluate(() => Date.now() + 50));

  // Her own change first, then someone else's melding.
  await mine.getByRole('button', { name: /^Uw bericht van \d\d:\d\d bewerken$/ }).click();
  const dlg = police.getByRole('dialog', { name: 'Bericht bewerken' });
  await dlg.getByLabel('Bericht').fill(`Cijfers volgen vrijdag (${stamp})`);
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.waitFor({ state: 'detached' });
  await toasts.filter({ hasText: 'Het bericht is bewerkt.' }).waitFor();
  await post(chair, `@Marco Veenstra dank, vrijdag is goed (${stamp}-1)`);
  await toasts.filter({ hasText: /^Nieuwe melding: / }).waitFor();
  assert.deepEqual(await toasts.allTextContents(), [
    'Het bericht is bewerkt.',
    await toasts.filter({ hasText: /^Nieuwe melding: / }).textContent(),
  ]);
  assert.match(await toasts.filter({ hasText: 'Het bericht is bewerkt.' }).getAttribute('class'), /toast-ok/);
  await shot(police, 'toast-eigen-bevestiging-blijft');

  // Someone else's melding first (the burst goes on), then her own change: both are shown.
  await post(chair, `@Marco Veenstra en graag ook de kaart (${stamp}-2)`);
  await toasts.filter({ hasText: /^2 nieuwe meldingen, waaronder: / }).waitFor();
  await police.locator('.chat-msg', { hasText: `Cijfers volgen vrijdag (${stamp})` })
    .getByRole('button', { name: /verwijderen$/ }).click();
  const sure = police.getByRole('dialog', { name: 'Bericht verwijderen' });
  await sure.getByRole('button', { name: 'Verwijderen' }).click();
  await sure.waitFor({ state: 'detached' });
  await toasts.filter({ hasText: 'Het bericht is verwijderd.' }).waitFor();
  const shown = await toasts.allTextContents();
  assert.equal(shown.length, 2, JSON.stringify(shown));
  assert.equal(shown[0], 'Het bericht is verwijderd.', 'her own confirmation keeps its place, now the newest');
  assert.match(shown[1], /^2 nieuwe meldingen, waaronder: /);
  await police.clock.resume();

  for (const [label, size] of [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]]) {
    await police.setViewportSize(size);
    const problems = [];
    await axeCheck(police, `${label}-toasts-eigen-en-anderen`, problems);
    assert.deepEqual(problems, []);
  }
  assert.deepEqual(chair.errors, []);
  assert.deepEqual(police.errors, []);
});
