// Stukken and the verslag of a meeting (web/NEEDS.md 1 and 2, answered by the server): on the
// Regiegroep's last meeting the chair links a document to an agenda item, and a member sees the
// link arrive live (https, opening in a new tab without access to the page); a javascript: link
// is refused in the form. The secretary writes the verslag: a member reads it live with her name,
// has no editor; the chair, typing at the same time, keeps her text and is offered the new
// version. Text she has not saved survives a trip to another page. She sends the verslag ter
// vaststelling, a member proposes a change, the chair approves it (after a confirmation) taking
// the change; then it is read-only, its versions readable, and the next meeting's item "Verslag
// vorige vergadering" carries the approval as a besluit. The meeting
// view with stukken and verslag passes axe on a laptop and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { reveal, launch, userPage, go, bodyHref, axeCheck, shot, until, serverYmd, SHOTS } from '../lib.mjs';

const BODY = 'Regiegroep Ondermijning';
const STAMP = Date.now().toString(36);
const DOC = { title: `Raadsinformatiebrief PmG (${STAMP})`, url: `https://ris.dordrecht.example/stukken/rib-pmg-${STAMP}.pdf` };
const MINUTES = `Verslag van de Regiegroep (${STAMP})\n\n1. Opening: iedereen aanwezig.\n2. PmG: de regiegroep stemt af met de Stuurgroep NP Dordt West.`;

let browser;
let chair;
let sec;
let police;
let href;

before(async () => {
  browser = await launch();
  [chair, sec, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'secretary'), userPage(browser, 'police')]);
  // The Regiegroep's most recent meeting that took place (not the cancelled one).
  await go(chair, `${await bodyHref(chair, BODY)}/vergaderingen`);
  const past = chair.locator('section[aria-labelledby="h-past"] .meeting-row:not(.cancelled) a.meeting-link').first();
  await past.waitFor();
  href = await past.getAttribute('href');
  assert.match(href, /^#\/vergadering\/\d+$/);
  await Promise.all([chair, sec, police].map(async (p) => {
    await go(p, href);
    await p.locator('.agenda-item').first().waitFor();
    await p.getByRole('heading', { name: 'Verslag', exact: true }).waitFor();
  }));
});
after(async () => { await browser?.close(); });

const firstItem = (page) => page.locator('.agenda-item').first();

test('the chair links a document to an item; the member sees the link live, https and noopener', async () => {
  const title = (await firstItem(chair).locator('.item-title').textContent()).trim();
  await firstItem(chair).getByRole('button', { name: /^Punt 1 bewerken/ }).click();
  const dlg = chair.getByRole('dialog', { name: 'Agendapunt bewerken' });
  await dlg.getByRole('button', { name: 'Stuk toevoegen' }).click();
  // A pasted link gets a title from its file name; the chair gives it a better one.
  await dlg.getByLabel('Link van stuk 1').fill(DOC.url);
  await dlg.getByLabel('Link van stuk 1').press('Tab');
  assert.equal(await dlg.getByLabel('Titel van stuk 1').inputValue(), `rib pmg ${STAMP}.pdf`);
  await dlg.getByLabel('Titel van stuk 1').fill(DOC.title);
  await dlg.getByRole('button', { name: 'Opslaan', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });

  // Without a reload, on the member's page.
  const item = police.locator('.agenda-item', { has: police.locator('.item-title', { hasText: title }) });
  const link = item.getByRole('link', { name: new RegExp(`^${DOC.title.replace(/[()]/g, '\\$&')}`) });
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), DOC.url);
  assert.equal(new URL(await link.getAttribute('href')).protocol, 'https:');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('rel'), /\bnoopener\b/);
  assert.match(await link.getAttribute('rel'), /\bnoreferrer\b/);
  assert.match(await link.evaluate((a) => a.textContent), /opent in een nieuw tabblad/);
  assert.ok(await item.getByRole('list', { name: `Stukken bij ${title}` }).isVisible());
  assert.equal(await item.locator('.doc-host').textContent(), 'ris.dordrecht.example');
  // Who did it, on the member's page; the chair's own change is not announced to her.
  await police.locator('.agenda-note', { hasText: /^Sanne Bakker heeft de agenda aangepast\. \(\d\d:\d\d\)$/ }).waitFor();
  assert.equal(await chair.locator('.agenda-note').textContent(), '');
  assert.deepEqual(await chair.locator('#toasts .toast').allTextContents(), ['Het agendapunt is opgeslagen.']);
  await shot(police, 'vergadering-stukken');
  for (const p of [chair, police]) assert.deepEqual(p.errors, []);
});

test('a javascript: link typed in the form is refused with a Dutch message, and never sent', async () => {
  const sent = [];
  chair.on('websocket', (ws) => ws.on('framesent', ({ payload }) => sent.push(String(payload))));
  const item = chair.locator('.agenda-item').nth(1);
  await item.getByRole('button', { name: /^Punt 2 bewerken/ }).click();
  const dlg = chair.getByRole('dialog', { name: 'Agendapunt bewerken' });
  await dlg.getByRole('button', { name: 'Stuk toevoegen' }).click();
  await dlg.getByLabel('Titel van stuk 1').fill('Handig stuk');
  await dlg.getByLabel('Link van stuk 1').fill('javascript:alert(document.cookie)');
  await dlg.getByRole('button', { name: 'Opslaan', exact: true }).click();
  const err = dlg.getByRole('alert');
  await err.filter({ hasText: 'https://' }).waitFor();
  assert.equal(await err.textContent(), 'Stuk 1 (“Handig stuk”): alleen links die beginnen met https:// (of http://) zijn toegestaan.');
  // The cursor is in the field to correct, marked invalid; the dialog stays open.
  assert.equal(await chair.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Link van stuk 1');
  assert.equal(await dlg.getByLabel('Link van stuk 1').getAttribute('aria-invalid'), 'true');
  // Also data: and a link without a scheme.
  await dlg.getByLabel('Link van stuk 1').fill('www.dordrecht.nl/stukken');
  await dlg.getByRole('button', { name: 'Opslaan', exact: true }).click();
  await err.filter({ hasText: 'alleen links die beginnen met https://' }).waitFor();
  await dlg.getByRole('button', { name: 'Annuleren' }).click();
  await dlg.waitFor({ state: 'detached' });
  assert.ok(!sent.some((f) => /javascript:|www\.dordrecht\.nl/.test(f)), 'nothing of it reached the server');
  assert.equal(await police.locator('a[href^="javascript:"]').count(), 0);
  assert.deepEqual(chair.errors, []);
});

test('the secretary writes the verslag; a member reads it live with her name, and has no editor', async () => {
  // A member reads; there is no editor and no status button for them.
  const reader = police.getByRole('region', { name: 'Verslag' });
  assert.equal(await reader.getByRole('textbox').count(), 0, 'no editor for a member');
  assert.equal(await reader.getByRole('button').count(), 0);
  await police.evaluate(() => { window.ktNoReload = true; });

  // The chair is typing an addition at the same time.
  const chairBox = chair.getByLabel('Tekst van het verslag');
  const before = await chairBox.inputValue();
  await chairBox.fill(`${before}Aanvulling van de voorzitter (${STAMP})`);

  const box = sec.getByLabel('Tekst van het verslag');
  await box.fill(MINUTES);
  await sec.getByRole('button', { name: 'Verslag opslaan' }).click();
  await sec.getByText(/^Opgeslagen om \d\d:\d\d\.$/).waitFor();

  // The member: the text, and who wrote it, without a reload.
  await until(() => reader.locator('.minutes-text').textContent(), MINUTES, { message: 'the verslag on the member’s page:' });
  await reader.getByText(/^Bijgewerkt door Ilse de Wit om \d\d:\d\d\.$/).waitFor();
  assert.equal(await police.evaluate(() => window.ktNoReload), true, 'the page was not reloaded');
  // Someone else's verslag is no toast (the live note says it); the secretary's own save is one.
  assert.equal(await police.locator('#toasts .toast', { hasText: /verslag/i }).count(), 0);
  assert.deepEqual(await sec.locator('#toasts .toast').allTextContents(), ['Het verslag is opgeslagen.']);
  await reader.screenshot({ path: path.join(SHOTS, 'vergadering-verslag-lid.png') });

  // The chair's text is hers until she asks for the new version.
  const conflict = chair.locator('.minutes-conflict');
  await conflict.getByText(/Bijgewerkt door Ilse de Wit \(\d\d:\d\d\)/).waitFor();
  assert.match(await chairBox.inputValue(), new RegExp(`Aanvulling van de voorzitter \\(${STAMP}\\)$`));
  await chair.getByRole('region', { name: 'Verslag' }).screenshot({ path: path.join(SHOTS, 'vergadering-verslag-bijgewerkt-door.png') });
  await conflict.getByRole('button', { name: 'opnieuw laden' }).click();
  const confirm = chair.getByRole('dialog', { name: 'Nieuwe versie laden' });
  await confirm.getByRole('button', { name: 'Nieuwe versie laden' }).click();
  await until(() => chairBox.inputValue(), MINUTES, { message: 'the chair’s editor after reloading:' });
  assert.equal(await conflict.isVisible(), false);
  for (const p of [chair, sec, police]) assert.deepEqual(p.errors, []);
});

test('unsaved verslag text is still there after going to another page and back', async () => {
  const box = sec.getByLabel('Tekst van het verslag');
  const addition = `\n3. Rondvraag: geen punten (${STAMP}).`;
  await box.fill(`${await box.inputValue()}${addition}`);
  await go(sec, `${await sec.locator('.crumbs a', { hasText: BODY }).getAttribute('href')}/vergaderingen`);
  await sec.getByRole('heading', { name: /Komende vergaderingen/ }).waitFor();
  await go(sec, href);
  await sec.getByText('Uw tekst die nog niet was opgeslagen staat er weer.').waitFor();
  assert.ok((await sec.getByLabel('Tekst van het verslag').inputValue()).endsWith(addition));
  // Saved, it is the verslag everyone reads.
  await sec.getByRole('button', { name: 'Verslag opslaan' }).click();
  await until(() => police.locator('.minutes-text').textContent().then((t) => t.endsWith(addition)), true, { message: 'member sees the addition:' });
  for (const p of [sec, police]) assert.deepEqual(p.errors, []);
});

test('the verslag goes ter vaststelling, a member proposes a change, the chair approves it after confirming; then read-only with its versions', async () => {
  const region = sec.getByRole('region', { name: 'Verslag' });
  const reader = police.getByRole('region', { name: 'Verslag' });
  const statusBadge = () => police.locator('.meeting-status .badge').textContent();
  if (await region.getByRole('button', { name: 'Opslaan als conceptverslag' }).count()) {
    await region.getByRole('button', { name: 'Opslaan als conceptverslag' }).click();
    await until(statusBadge, 'Verslag in concept', { message: 'member’s status badge:' });
  }
  // The secretary sends it round with a deadline a week ahead (the dialog's default).
  await region.getByRole('button', { name: 'Ter vaststelling sturen…' }).click();
  const send = sec.getByRole('dialog', { name: 'Verslag ter vaststelling sturen' });
  const deadline = await send.getByLabel('Wijzigingen voorstellen tot en met').inputValue();
  assert.equal(deadline, await serverYmd(7));
  await send.getByRole('button', { name: 'Ter vaststelling sturen' }).click();
  await send.waitFor({ state: 'detached' });
  await until(statusBadge, 'Verslag ter vaststelling', { message: 'member’s status badge:' });
  await police.locator('.meeting-info .live-note', { hasText: 'Ilse de Wit heeft de status gewijzigd in “Verslag ter vaststelling”' }).waitFor();
  // The member proposes a change to the first item, live for the chair.
  await reader.getByText(/^Dit verslag ligt ter vaststelling\. Wijzigingen voorstellen kan tot en met /).waitFor();
  const form = reader.getByRole('form', { name: 'Wijziging voorstellen' });
  const firstTitle = (await firstItem(police).locator('.item-title').textContent()).trim();
  await form.getByLabel('Over').selectOption({ label: `1. ${firstTitle}` });
  await form.getByLabel('Uw voorstel').fill(`Bij de opening: ook de RIEC was aanwezig (${STAMP}).`);
  await form.getByRole('button', { name: 'Voorstel indienen' }).click();
  const chairRegion = chair.getByRole('region', { name: 'Verslag' });
  const proposal = chairRegion.locator('.amendments li', { hasText: `ook de RIEC was aanwezig (${STAMP})` });
  await proposal.waitFor();
  assert.match(await proposal.textContent(), /Marco Veenstra \(Politie[^)]*\) · over “/);
  await shot(chair, 'verslag-ter-vaststelling');
  // A second proposal, sent by mistake, the member withdraws after confirming; the chair sees it live.
  await form.getByLabel('Over').selectOption({ label: 'Het hele verslag' });
  await form.getByLabel('Uw voorstel').fill(`Dubbel ingediend (${STAMP}).`);
  await form.getByRole('button', { name: 'Voorstel indienen' }).click();
  const mine = reader.locator('.amendments li', { hasText: `Dubbel ingediend (${STAMP})` });
  await mine.waitFor();
  const pull = mine.getByRole('button', { name: /^Uw voorstel van .* intrekken$/ });
  await reveal(pull);
  await pull.click();
  const sure = police.getByRole('dialog', { name: 'Voorstel intrekken' });
  await sure.getByRole('button', { name: 'Intrekken' }).click();
  await sure.waitFor({ state: 'detached' });
  await chairRegion.locator('.amendments li', { hasText: `Dubbel ingediend (${STAMP})` }).filter({ hasText: 'Ingetrokken' }).waitFor();
  assert.equal(await chairRegion.locator('.amendments li', { hasText: `Dubbel ingediend (${STAMP})` }).getByRole('button', { name: /intrekken/ }).count(), 0);

  // Approving asks first; cancelling changes nothing.
  await chairRegion.getByRole('button', { name: 'Verslag vaststellen…' }).click();
  let dlg = chair.getByRole('dialog', { name: 'Verslag vaststellen' });
  await dlg.getByText(/Na vaststellen kan niemand het verslag/).waitFor();
  await dlg.getByRole('button', { name: 'Annuleren' }).click();
  await dlg.waitFor({ state: 'detached' });
  assert.equal(await statusBadge(), 'Verslag ter vaststelling');
  await chairRegion.getByRole('button', { name: 'Verslag vaststellen…' }).click();
  dlg = chair.getByRole('dialog', { name: 'Verslag vaststellen' });
  const take = dlg.getByRole('checkbox', { name: /^Marco Veenstra/ });
  assert.equal(await take.isChecked(), true);
  await dlg.getByRole('button', { name: 'Vaststellen' }).click();
  await dlg.waitFor({ state: 'detached' });

  // Everyone sees it vastgesteld, with whose changes were taken; the text is read-only.
  await until(statusBadge, 'Verslag vastgesteld', { message: 'member’s status badge:' });
  await reader.locator('.approval-stage', { hasText: /Tekstuele wijzigingen van Marco Veenstra \(Politie[^)]*\) zijn verwerkt\./ }).waitFor();
  await reader.locator('.amendments li', { hasText: 'Overgenomen' }).waitFor();
  assert.equal(await reader.getByRole('form', { name: 'Wijziging voorstellen' }).count(), 0);
  await until(() => sec.getByLabel('Tekst van het verslag').getAttribute('readonly'), '', { message: 'the secretary’s editor:' });
  assert.equal(await region.getByRole('button', { name: 'Verslag opslaan' }).count(), 0);
  await region.getByText('Het verslag is vastgesteld en kan niet meer worden gewijzigd.').waitFor();
  // Its versions stay readable: the one sent round has the secretary's text.
  await reader.getByRole('button', { name: 'Versie 1 bekijken' }).click();
  const v1 = police.getByRole('dialog', { name: /^Verslag, versie 1/ });
  await v1.getByText(`Verslag van de Regiegroep (${STAMP})`, { exact: false }).first().waitFor();
  await v1.getByRole('button', { name: 'Sluiten' }).click();
  await v1.waitFor({ state: 'detached' });
  await reader.getByRole('button', { name: 'Versie 2 bekijken' }).waitFor();
  await shot(police, 'verslag-vastgesteld');

  // The items keep the titles the verslag was approved with: in the chair's dialog the title is
  // disabled and says why; the rest of the item can still change.
  const editBtn = firstItem(chair).getByRole('button', { name: /^Punt 1 bewerken: / });
  await reveal(editBtn);
  await editBtn.click();
  const edit = chair.getByRole('dialog', { name: 'Agendapunt bewerken' });
  const titleField = edit.getByLabel('Titel', { exact: true });
  assert.equal(await titleField.isDisabled(), true, 'the title of an item of a vastgesteld verslag is not editable');
  assert.equal(await titleField.inputValue(), firstTitle);
  const why = edit.getByText(/^Het verslag van deze vergadering is vastgesteld: de titel blijft zoals hij in het verslag staat\./);
  await why.waitFor();
  assert.equal(await titleField.getAttribute('aria-describedby'), await why.getAttribute('id'));
  await shot(chair, 'verslag-vastgesteld-titel-vast');
  await edit.getByLabel('Duur (minuten)').fill('25');
  await edit.getByRole('button', { name: 'Opslaan' }).click();
  await edit.waitFor({ state: 'detached' });
  await chair.locator('#toasts .toast', { hasText: 'Het agendapunt is opgeslagen.' }).waitFor();
  assert.equal((await firstItem(chair).locator('.item-title').textContent()).trim(), firstTitle);

  // The next meeting has the item "Verslag vorige vergadering" with the approval as a besluit.
  await go(police, await police.locator('nav.prevnext a[rel="next"]').getAttribute('href'));
  const vitem = police.locator('.agenda-item', { has: police.locator('.item-title', { hasText: 'Verslag vorige vergadering' }) });
  await vitem.locator('.special-link a').waitFor();
  assert.equal(await vitem.locator('.special-link a').getAttribute('href'), href);
  await vitem.getByText(/Het verslag van de vergadering van .* wordt vastgesteld\. Tekstuele wijzigingen van Marco Veenstra/).waitFor();
  await go(police, href);
  await police.locator('.agenda-item').first().waitFor();
  for (const p of [chair, sec, police]) assert.deepEqual(p.errors, []);
});

for (const [label, size] of [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]]) {
  test(`the meeting view with stukken and verslag has no serious or critical axe violations (${label})`, async () => {
    const problems = [];
    for (const who of ['secretary', 'police']) {
      const page = await userPage(browser, who, size);
      await go(page, href);
      await page.locator('.doc-link').first().waitFor();
      await page.locator('.minutes').getByText(`Verslag van de Regiegroep (${STAMP})`).first().waitFor({ state: 'attached' });
      await axeCheck(page, `${label}-vergadering-verslag-${who === 'police' ? 'lid' : 'secretaris'}`, problems);
      if (label === 'telefoon') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${overflow}px wider than the screen`);
      }
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
    assert.deepEqual(problems, []);
  });
}
