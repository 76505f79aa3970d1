// Issue 13, part 5: agenderingsverzoeken and referrals. A member asks to put a topic on the
// Regiegroep's agenda and sees its status; the chair sees the count on the tab, agendeert it
// (the member sees it change live) or declines with a reason. The secretary refers the new item
// to the Casusoverleg ("Agenderen bij…"), where she declines it with a reason; the Regiegroep's
// list keeps the link with the outcome. Laptop and phone pass axe; screenshots of each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { reveal, launch, userPage, go, bodyHref, axeCheck, shot } from '../lib.mjs';

const SIZES = [['laptop', { width: 1280, height: 800 }], ['telefoon', { width: 390, height: 844 }]];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const row = (page, title) => page.locator('.request-row', { has: page.locator('.request-title', { hasText: title }) });

for (const [size, viewport] of SIZES) {
  test(`a member asks, the chair agendeert or declines, the member sees it live (${size})`, async () => {
    const problems = [];
    const [police, chair] = await Promise.all([userPage(browser, 'police', viewport), userPage(browser, 'chair', viewport)]);
    const body = await bodyHref(police, 'Regiegroep Ondermijning');
    await go(police, `${body}/verzoeken`);
    await police.getByRole('heading', { name: 'Onderwerp aanmelden' }).waitFor();
    const stamp = `${size}-${Date.now().toString(36)}`;
    const asked = `Cameratoezicht Wielwijk ${stamp}`;
    const refused = `Jeugdoverlast De Staart ${stamp}`;
    for (const [title, why] of [[asked, 'Drie incidenten in een maand'], [refused, 'Bewoners klagen']]) {
      await police.getByRole('textbox', { name: 'Onderwerp', exact: true }).fill(title);
      await police.getByRole('textbox', { name: 'Toelichting', exact: true }).fill(why);
      await police.getByRole('button', { name: 'Verzoek indienen' }).click();
      await row(police, title).waitFor();
    }
    assert.match(await row(police, asked).textContent(), /Wacht op besluit/);
    await axeCheck(police, `verzoeken-lid-${size}`, problems);

    await go(chair, `${body}/verzoeken`);
    await row(chair, refused).waitFor();
    assert.match(await chair.getByRole('link', { name: /^Verzoeken \(\d+\)$/ }).textContent(), /Verzoeken \((\d+)\)/);
    const accept = row(chair, asked).getByRole('button', { name: `Agenderen: ${asked}` });
    await reveal(accept);
    await accept.click();
    const dlg = chair.getByRole('dialog', { name: `“${asked}” agenderen` });
    await dlg.getByRole('combobox', { name: 'Op', exact: true }).selectOption({ label: 'Te agenderen (nog geen vergadering)' });
    await axeCheck(chair, `verzoek-agenderen-${size}`, problems);
    await dlg.getByRole('button', { name: 'Agenderen' }).click();
    await until(async () => /Geagendeerd/.test(await row(chair, asked).textContent()));
    const decline = row(chair, refused).getByRole('button', { name: `Afwijzen: ${refused}` });
    await reveal(decline);
    await decline.click();
    const no = chair.getByRole('dialog', { name: `“${refused}” afwijzen` });
    await no.getByRole('button', { name: 'Afwijzen' }).click();
    await no.getByText('Reden: vul dit veld in.').waitFor();
    await no.getByRole('textbox', { name: 'Reden', exact: true }).fill('Hoort bij het casusoverleg');
    await no.getByRole('button', { name: 'Afwijzen' }).click();
    await until(async () => /Reden: Hoort bij het casusoverleg/.test(await row(chair, refused).textContent()));
    await axeCheck(chair, `verzoeken-voorzitter-${size}`, problems);

    // The member's page follows both decisions live.
    await until(async () => /Geagendeerd/.test(await row(police, asked).textContent()));
    await until(async () => /Reden: Hoort bij het casusoverleg/.test(await row(police, refused).textContent()));
    await row(police, asked).getByRole('link', { name: 'Staat bij te agenderen' }).waitFor();
    await shot(police, `verzoeken-lid-besloten-${size}`);
    assert.deepEqual(problems, []);
    assert.deepEqual(police.errors, []);
    assert.deepEqual(chair.errors, []);
  });
}

test('the secretary refers an item to another body, which declines it; both keep the link', async () => {
  const problems = [];
  const sec = await userPage(browser, 'secretary');
  const regie = await bodyHref(sec, 'Regiegroep Ondermijning');
  const casus = await bodyHref(sec, 'Casusoverleg Ondermijning');
  const stamp = Date.now().toString(36);
  const title = `Subsidie buurtpreventie ${stamp}`;
  await go(sec, `${regie}/agenderen`);
  await sec.getByRole('button', { name: 'Punt toevoegen aan te agenderen' }).click();
  const add = sec.getByRole('dialog', { name: 'Agendapunt toevoegen' });
  await add.getByLabel('Titel').fill(title);
  await add.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await add.waitFor({ state: 'detached' });
  const item = sec.locator('.agenda-item', { has: sec.locator('.item-title', { hasText: title }) });
  await item.waitFor();
  const refer = item.getByRole('button', { name: /agenderen bij ander overleg/ });
  await reveal(refer);
  await refer.click();
  const dlg = sec.getByRole('dialog', { name: `“${title}” agenderen bij ander overleg` });
  await dlg.getByRole('combobox', { name: 'Overleg', exact: true }).selectOption({ label: 'Casusoverleg Ondermijning' });
  await dlg.getByLabel('Toelichting voor het andere overleg').fill('Graag een besluit over de financiering');
  await axeCheck(sec, 'agenderen-bij-ander-overleg', problems);
  await dlg.getByRole('button', { name: 'Verwijzen' }).click();
  await dlg.waitFor({ state: 'detached' });

  await go(sec, `${casus}/verzoeken`);
  const incoming = row(sec, title);
  await incoming.waitFor();
  assert.match(await incoming.textContent(), /Verwezen vanuit Regiegroep Ondermijning/);
  assert.match(await incoming.textContent(), /Graag een besluit over de financiering/);
  const decline = incoming.getByRole('button', { name: `Afwijzen: ${title}` });
  await reveal(decline);
  await decline.click();
  const no = sec.getByRole('dialog', { name: `“${title}” afwijzen` });
  await no.getByRole('textbox', { name: 'Reden', exact: true }).fill('Past niet in ons mandaat');
  await no.getByRole('button', { name: 'Afwijzen' }).click();
  await until(async () => /Past niet in ons mandaat/.test(await row(sec, title).textContent()));
  await axeCheck(sec, 'verzoeken-verwezen', problems);

  await go(sec, `${regie}/verzoeken`);
  await sec.getByRole('heading', { name: 'Verwezen naar andere overleggen' }).waitFor();
  const out = sec.locator('[data-referral]', { hasText: title });
  await out.waitFor();
  assert.match(await out.textContent(), /naar Casusoverleg Ondermijning/);
  assert.match(await out.textContent(), /Reden: Past niet in ons mandaat/);
  await shot(sec, 'verzoeken-verwijzing-terug');
  assert.deepEqual(problems, []);
  assert.deepEqual(sec.errors, []);
});

async function until(fn, timeout = 20000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      if (await fn()) return;
    } catch { /* redrawn meanwhile: look again */ }
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
