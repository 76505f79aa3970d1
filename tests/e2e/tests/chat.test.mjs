// Chat between two members of the Regiegroep arrives live; an @mention is highlighted for the
// person mentioned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, bodyHref, firstMeetingHref, shot, axeCheck, until, replies, untilReplied } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Both pages on the body's chat, its messages shown. */
async function openChat(pages, body) {
  for (const p of pages) {
    await go(p, `${body}/chat`);
    await p.locator('.chat-msg').first().waitFor();
  }
}

/** Posts text in the body's chat (the Bericht box, Enter). */
async function post(page, text) {
  const box = page.getByRole('combobox', { name: 'Bericht' });
  await box.fill(text);
  await box.press('Enter');
}

/** Opens the reactions under the agenda item titled title; the item's locator. */
async function openThread(page, title) {
  const item = page.locator('.agenda-item', { has: page.locator('.item-title', { hasText: title }) });
  await item.getByRole('button', { name: /^Reacties/ }).click();
  await item.locator('.thread-list li').first().waitFor();
  return item;
}

/** Both pages on the meeting, its agenda shown. */
async function openMeeting(pages, meeting) {
  for (const p of pages) {
    await go(p, meeting);
    await p.locator('.agenda-item').first().waitFor();
  }
}

/** The author changes her message or reaction: its edit button, then the dialog (name) with its
 *  text field (label), saved. */
async function edit(page, button, dialog, label, text) {
  await button.click();
  const dlg = page.getByRole('dialog', { name: dialog });
  await dlg.getByRole('textbox', { name: label }).fill(text);
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.waitFor({ state: 'detached' });
}

test('a chat message arrives live and an @mention is highlighted', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(chair, 'Regiegroep Ondermijning');
  assert.match(body, /^#\/overleg\/\d+$/);
  await openChat([chair, police], body);
  const stamp = Date.now().toString(36);
  await post(chair, `@Marco Veenstra kun jij de cijfers voor donderdag aanleveren? (${stamp})`);

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

test('a discussion under an agenda item arrives live for the other member', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  await openMeeting([chair, police], await firstMeetingHref(chair, 'Regiegroep Ondermijning'));
  const title = (await police.locator('.agenda-item .item-title').nth(2).textContent()).trim();
  const policeItem = await openThread(police, title);
  const chairItem = await openThread(chair, title);
  const stamp = Date.now().toString(36);
  await chairItem.getByRole('textbox', { name: `Reactie op ${title}` }).fill(`@Marco Veenstra graag de cijfers vooraf rondsturen (${stamp})`);
  await chairItem.getByRole('button', { name: 'Reageren' }).click();
  const msg = policeItem.locator('.thread-msg', { hasText: stamp });
  await msg.waitFor();
  assert.equal(await msg.locator('mark.mention-me').textContent(), '@Marco Veenstra');
  assert.match(await policeItem.getByRole('button', { name: /^Reacties verbergen \(\d+\)$/ }).getAttribute('aria-expanded'), /true/);
  await shot(police, 'reacties-bij-agendapunt');
  assert.deepEqual(chair.errors, []);
  assert.deepEqual(police.errors, []);
});

test('the author edits and deletes her own message, after confirming; the other member sees both live and may not change it', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  await openChat([chair, police], await bodyHref(chair, 'Regiegroep Ondermijning'));
  const stamp = Date.now().toString(36);
  await post(chair, `Overleg om 10 uur (${stamp})`);
  const mine = chair.locator('.chat-msg', { hasText: stamp });
  await mine.waitFor();
  const theirs = police.locator('.chat-msg', { hasText: stamp });
  await theirs.waitFor();
  // Only the author has the buttons.
  assert.equal(await theirs.getByRole('button').count(), 0);

  await edit(chair, mine.getByRole('button', { name: /^Uw bericht van \d\d:\d\d bewerken$/ }), 'Bericht bewerken', 'Bericht',
    `Overleg om 11 uur (${stamp})`);
  await theirs.getByText(`Overleg om 11 uur (${stamp})`).waitFor();
  await theirs.locator('.chat-edited', { hasText: '(bewerkt)' }).waitFor();
  await shot(police, 'chat-bewerkt');

  // Deleting asks first; cancelled, nothing changes.
  await mine.getByRole('button', { name: /verwijderen$/ }).click();
  let confirm = chair.getByRole('dialog', { name: 'Bericht verwijderen' });
  await confirm.getByRole('button', { name: 'Annuleren' }).click();
  await confirm.waitFor({ state: 'detached' });
  assert.match(await theirs.textContent(), /Overleg om 11 uur/);
  await mine.getByRole('button', { name: /verwijderen$/ }).click();
  confirm = chair.getByRole('dialog', { name: 'Bericht verwijderen' });
  await confirm.getByRole('button', { name: 'Verwijderen' }).click();
  await confirm.waitFor({ state: 'detached' });
  // (other messages of this chat may have been deleted before: wait for this one's text to go)
  await until(() => police.locator('.chat-msg', { hasText: stamp }).count(), 0, { message: 'the text is gone live:' });
  await police.locator('.chat-msg .chat-deleted', { hasText: 'Dit bericht is verwijderd.' }).first().waitFor();
  // the chair's own page hears of the delete on its own socket, maybe after the police's
  await until(() => chair.locator('.chat-msg', { hasText: stamp }).count(), 0, { message: 'the chair:' });
  for (const [label, size] of [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]]) {
    await chair.setViewportSize(size);
    const problems = [];
    await axeCheck(chair, `${label}-chat-eigen-berichten`, problems);
    assert.deepEqual(problems, []);
  }
  assert.deepEqual(chair.errors, []);
  assert.deepEqual(police.errors, []);
});

test('the Chat tab of a body shows how many messages one has not read, live, and none once read', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(chair, 'Regiegroep Ondermijning');
  let read = replies(chair, 'chat.read');
  await go(chair, `${body}/chat`);
  await chair.locator('.chat-msg').first().waitFor();
  await untilReplied(chair, 'chat.read', read); // shown is read (chat.read after a moment)
  await go(chair, `${body}/vergaderingen`);
  const tab = chair.getByRole('link', { name: /^Chat/ });
  await tab.waitFor();
  assert.equal((await tab.textContent()).trim(), 'Chat');
  await go(police, `${body}/chat`);
  await post(police, `Ongelezen voor de voorzitter (${Date.now().toString(36)})`);
  await chair.getByRole('link', { name: 'Chat (1 ongelezen)' }).waitFor();
  await shot(chair, 'chat-ongelezen-tab');
  read = replies(chair, 'chat.read');
  await chair.getByRole('link', { name: 'Chat (1 ongelezen)' }).click();
  await chair.locator('.chat-msg', { hasText: 'Ongelezen voor de voorzitter' }).waitFor();
  await untilReplied(chair, 'chat.read', read);
  await go(chair, `${body}/vergaderingen`);
  await until(async () => (await chair.getByRole('link', { name: /^Chat/ }).textContent()).trim(), 'Chat');
  assert.deepEqual(chair.errors, []);
  assert.deepEqual(police.errors, []);
});

test('a member edits and deletes her own reaction under an agenda item, like in the chat; the other sees it live', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  await openMeeting([chair, police], await firstMeetingHref(chair, 'Regiegroep Ondermijning'));
  const title = (await police.locator('.agenda-item .item-title').nth(1).textContent()).trim();
  const policeItem = await openThread(police, title);
  const chairItem = await openThread(chair, title);
  const stamp = Date.now().toString(36);
  await chairItem.getByRole('textbox', { name: `Reactie op ${title}` }).fill(`Eerste versie (${stamp})`);
  await chairItem.getByRole('button', { name: 'Reageren' }).click();
  const mine = chairItem.locator('.thread-msg', { hasText: stamp });
  await mine.waitFor();
  await policeItem.locator('.thread-msg', { hasText: `Eerste versie (${stamp})` }).waitFor();
  assert.equal(await policeItem.locator('.thread-msg', { hasText: stamp }).getByRole('button', { name: /bewerken/ }).count(), 0);
  await edit(chair, mine.getByRole('button', { name: /^Uw reactie van .* bewerken$/ }), 'Reactie bewerken', 'Reactie',
    `Tweede versie (${stamp})`);
  const theirs = policeItem.locator('.thread-msg', { hasText: `Tweede versie (${stamp})` });
  await theirs.waitFor();
  assert.match(await theirs.textContent(), /\(bewerkt\)/);
  await shot(police, 'reactie-bewerkt');
  await chairItem.locator('.thread-msg', { hasText: stamp }).getByRole('button', { name: /^Uw reactie van .* verwijderen$/ }).click();
  const sure = chair.getByRole('dialog', { name: 'Reactie verwijderen' });
  await sure.getByRole('button', { name: 'Verwijderen' }).click();
  await until(async () => policeItem.locator('.thread-msg', { hasText: stamp }).count(), 0);
  assert.deepEqual(chair.errors, []);
  assert.deepEqual(police.errors, []);
});
