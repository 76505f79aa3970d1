// Chat between two members of the Regiegroep arrives live; an @mention is highlighted for the
// person mentioned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, bodyHref, shot } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a chat message arrives live and an @mention is highlighted', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(chair, 'Regiegroep Ondermijning');
  assert.match(body, /^#\/overleg\/\d+$/);
  for (const p of [chair, police]) {
    await go(p, `${body}/chat`);
    await p.locator('.chat-msg').first().waitFor();
  }
  const stamp = Date.now().toString(36);
  const text = `@Marco Veenstra kun jij de cijfers voor donderdag aanleveren? (${stamp})`;
  const box = chair.getByRole('combobox', { name: 'Bericht' });
  await box.fill(text);
  await box.press('Enter');

  const msg = police.locator('.chat-msg', { hasText: stamp });
  await msg.waitFor();
  assert.equal(await msg.locator('mark.mention').textContent(), '@Marco Veenstra');
  assert.match(await msg.locator('mark.mention').getAttribute('class'), /mention-me/);
  assert.match(await msg.getAttribute('class'), /mentions-me/);
  assert.ok(await msg.getByText('noemt u').isVisible());
  await shot(police, 'chat-vermelding');

  // The reply comes back the other way, also live; the mention autocompletes from the members.
  const reply = police.getByRole('combobox', { name: 'Bericht' });
  await reply.click();
  await reply.pressSequentially('@Sann');
  const option = police.getByRole('option', { name: /Sanne Bakker/ });
  await option.waitFor();
  await reply.press('Enter');
  assert.match(await reply.inputValue(), /^@Sanne Bakker $/);
  await reply.pressSequentially(`komt goed (${stamp}-antwoord)`);
  await reply.press('Enter');
  const back = chair.locator('.chat-msg', { hasText: `${stamp}-antwoord` });
  await back.waitFor();
  assert.equal(await back.locator('mark.mention-me').textContent(), '@Sanne Bakker');
  assert.equal(await chair.locator('.chat-msg', { hasText: stamp }).count(), 2, 'each message once');
  await shot(chair, 'chat');
  assert.deepEqual(chair.errors, []);
  assert.deepEqual(police.errors, []);
});
