// Issue 6: a mention and an assignment light up the other user's bell live, without a reload,
// and reading them in the list puts the bell out again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, bodyHref, shot, until, serverYmd, T } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const unread = (page) => page.locator('#bell').getAttribute('aria-label');

test('a mention and an assignment light up the other user\'s bell live', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(chair, 'Regiegroep Ondermijning');
  await go(police, '#/');
  // Start from a quiet bell: read whatever is there.
  await go(police, '#/meldingen');
  // (the page draws the button after the route changed: wait for it, never skip it)
  const readAll = police.getByRole('button', { name: 'Alles als gelezen markeren' });
  await readAll.click();
  await until(() => unread(police), 'Meldingen, geen ongelezen');
  await go(police, '#/');

  // A mention in the chat...
  await go(chair, `${body}/chat`);
  const stamp = Date.now().toString(36);
  const box = chair.getByRole('combobox', { name: 'Bericht' });
  await box.fill(`@Marco Veenstra graag even kijken naar het ondermijningsbeeld (${stamp})`);
  await box.press('Enter');
  await until(() => unread(police), 'Meldingen 1 ongelezen', { message: 'the bell after the mention' });
  assert.equal((await police.locator('#bell .bell-count').textContent()).trim(), '1');

  // ...and an action assigned to the police member, through the chair's own form.
  await go(chair, `${body}/acties`);
  await chair.getByRole('button', { name: 'Toevoegen' }).click();
  const dialog = chair.getByRole('dialog');
  await dialog.getByLabel('Omschrijving').fill(`Cijfers aanleveren voor het ondermijningsbeeld (${stamp})`);
  const owner = dialog.getByLabel('Eigenaar (persoon)');
  const value = await owner.evaluate((sel) => [...sel.options].find((o) => o.text.startsWith('Marco Veenstra')).value);
  await owner.selectOption(value);
  await dialog.getByRole('button', { name: 'Toevoegen' }).click();
  await until(() => unread(police), 'Meldingen 2 ongelezen', { timeout: T, message: 'the bell after the assignment' });
  await shot(police, 'bel-ongelezen');

  // The list shows both; reading them puts the bell out.
  await go(police, '#/meldingen');
  await police.getByText(/noemde u in Regiegroep Ondermijning/).first().waitFor();
  await police.getByText(/Actiepunt voor u/).first().waitFor();
  await police.getByRole('button', { name: 'Alles als gelezen markeren' }).click();
  await until(() => unread(police), 'Meldingen, geen ongelezen');
  assert.deepEqual(chair.errors, []);
  assert.deepEqual(police.errors, []);
});

// Issue 11: a burst of changes by one person to one meeting is one melding that says what
// changed, counted once on the bell.
test('a burst of changes to a meeting lights the bell once', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(chair, 'Regiegroep Ondermijning');
  await go(police, '#/meldingen');
  // (the page draws the button after the route changed: wait for it, never skip it)
  const readAll = police.getByRole('button', { name: 'Alles als gelezen markeren' });
  await readAll.click();
  await until(() => unread(police), 'Meldingen, geen ongelezen');

  const stamp = Date.now().toString(36);
  await go(chair, `${body}/vergaderingen`);
  await chair.getByRole('button', { name: 'Vergadering plannen' }).click();
  let dlg = chair.getByRole('dialog');
  await dlg.getByLabel('Datum').fill(await serverYmd(93));
  await dlg.getByLabel('Begintijd').fill('10:00');
  await dlg.getByLabel('Eindtijd').fill('11:00');
  await dlg.getByLabel('Plaats').fill(`Zaal A (${stamp})`);
  await dlg.getByRole('button', { name: 'Plannen' }).click();
  await dlg.waitFor({ state: 'detached' });
  await until(() => unread(police), 'Meldingen 1 ongelezen', { message: 'the new meeting' });
  for (const zaal of ['B', 'C']) {
    const row = chair.locator('.meeting-row', { hasText: `(${stamp})` });
    await row.getByRole('button', { name: /wijzigen$/ }).click();
    dlg = chair.getByRole('dialog', { name: 'Vergadering wijzigen' });
    await dlg.getByLabel('Plaats').fill(`Zaal ${zaal} (${stamp})`);
    await dlg.getByRole('button', { name: 'Opslaan' }).click();
    await dlg.waitFor({ state: 'detached' });
  }
  const burst = police.locator('.note.unread', { hasText: `Gewijzigd: locatie. Locatie: Zaal C (${stamp})` });
  await burst.waitFor({ timeout: T });
  await until(() => unread(police), 'Meldingen 2 ongelezen', { message: 'one for the new meeting, one for the burst' });
  // the list draws from the same live events as the bell, in its own time
  await until(() => police.locator('.note.unread').count(), 2, { message: 'unread notes listed:' });
  assert.deepEqual(chair.errors, []);
  assert.deepEqual(police.errors, []);
});
