// Text from users is shown as text: an agenda item titled like an HTML element, and the same in
// chat, render literally and run nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, firstMeetingHref, bodyHref, agendaTitles, until } from '../lib.mjs';

const XSS = '<img src=x onerror=alert(1)>';
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an agenda item titled <img src=x onerror=alert(1)> shows as text, for its author and live for others', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const bodyLink = await bodyHref(chair, 'Regiegroep Ondermijning');
  // The Regiegroep's second coming meeting (the first is the agenda test's).
  const href = await firstMeetingHref(chair, 'Regiegroep Ondermijning', 1);
  for (const p of [chair, police]) {
    await go(p, href);
    await p.getByRole('heading', { name: 'Agenda', exact: true }).waitFor();
  }
  const before = await agendaTitles(police);
  await chair.getByRole('button', { name: 'Agendapunt toevoegen' }).click();
  const dlg = chair.getByRole('dialog', { name: 'Agendapunt toevoegen' });
  await dlg.getByLabel('Titel').fill(XSS);
  await dlg.getByLabel('Toelichting').fill(`<script>alert(2)</script> en ${XSS}`);
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  await until(() => agendaTitles(police), [...before, XSS]);
  for (const p of [chair, police]) {
    const item = p.locator('.agenda-item', { hasText: XSS }).last();
    assert.equal(await item.locator('.item-title').textContent(), XSS);
    assert.equal(await p.locator('.agenda img, .agenda script').count(), 0, 'no element was made from the title');
    assert.match(await item.locator('.item-desc').textContent(), /<script>alert\(2\)<\/script>/);
    assert.deepEqual(p.errors, [], 'no alert, no page error');
  }
  // The same text in chat.
  for (const p of [chair, police]) {
    await go(p, `${bodyLink}/chat`);
    await p.locator('.chat-msg').first().waitFor();
  }
  const box = chair.getByRole('combobox', { name: 'Bericht' });
  await box.fill(XSS);
  await box.press('Enter');
  const msg = police.locator('.chat-msg', { hasText: XSS });
  await msg.waitFor();
  assert.equal(await msg.locator('.chat-text').textContent(), XSS);
  assert.equal(await police.locator('.chat img').count(), 0);
  assert.deepEqual(police.errors, []);
  assert.deepEqual(chair.errors, []);
});
