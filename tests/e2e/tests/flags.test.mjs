// Signaleringen where the chair works (issue 5): the chair of the Regiegroep adds an item on the
// subject the Stuurgroep NP Dordt West has on its agenda (PmG); the Stuurgroep's chair sees the
// flag appear on that agenda item live, resolves it "afgestemd" there, and the Regiegroep's
// chair sees the new state on her own item, also live. A member who is not chair or secretary
// sees nothing of it, not on the page and not on the wire. Clashes between meetings show at the
// top of the meeting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, userPage, go, firstMeetingHref, recordFrames, axeCheck, shot, until,
} from '../lib.mjs';

const REGIE = 'Regiegroep Ondermijning';
const NP = 'Stuurgroep NP Dordt West';
const NP_ITEM = 'Preventie met Gezag: aanpak risicojongeren Dordt West';
const TITLE = `Verlenging PmG-inzet Dordt West in 2027 (e2e ${Date.now().toString(36)})`;
const DESCRIPTION = 'Besluit over het voortzetten van de PmG-boa’s, de PmG-wijkagent en extra jongerenwerk in 2027.';

let browser;
let bakker;   // voorzitter Regiegroep
let hoekstra; // voorzitter Stuurgroep NP Dordt West
let police;   // lid Regiegroep
let policeFrames;
let regieHref;
let npHref;

before(async () => {
  browser = await launch();
  [bakker, hoekstra, police] = await Promise.all([
    userPage(browser, 'chair'), userPage(browser, 'm.hoekstra@dordrecht.example'), userPage(browser, 'police')]);
  policeFrames = recordFrames(police);
  regieHref = await firstMeetingHref(bakker, REGIE);
  npHref = await firstMeetingHref(hoekstra, NP);
  await Promise.all([[bakker, regieHref], [police, regieHref], [hoekstra, npHref]].map(async ([p, href]) => {
    await go(p, href);
    await p.locator('.agenda-item').first().waitFor();
  }));
});
after(async () => { await browser?.close(); });

const itemRow = (page, title) => page.locator('.agenda-item', { has: page.locator('.item-title', { hasText: title }) });

/** Waits for a flag row on an agenda item (state: open, afgestemd, ...), opening the item's
 *  "Nog n mogelijke overlappen" when its flags are partly folded away. */
async function flagOn(row, text, state = null) {
  const loc = row.locator(`.flag-line${state ? `.state-${state}` : ''}`, { hasText: text });
  await until(async () => {
    const more = row.getByRole('button', { name: /^Nog \d+ mogelijke overlap/ });
    if (await more.count()) await more.click().catch(() => {});
    return (await loc.count()) > 0;
  }, true, { message: `flag "${text}" (${state || 'any'}):` });
  return loc;
}

test('a duplicate added by one chair appears live on the other chair’s agenda item; "afgestemd" there shows live on the first', async () => {
  const npItem = itemRow(hoekstra, NP_ITEM);
  await npItem.waitFor();
  // The demo's own PmG overlap is already flagged on this item, inline.
  await (await flagOn(npItem, 'Mogelijk hetzelfde onderwerp als bij Regiegroep Ondermijning')).first().waitFor();
  const before = await npItem.locator('.flag-line').count();

  // The Regiegroep's chair adds the same subject to her next meeting.
  await bakker.getByRole('button', { name: 'Agendapunt toevoegen' }).click();
  const dlg = bakker.getByRole('dialog', { name: 'Agendapunt toevoegen' });
  await dlg.getByLabel('Titel').fill(TITLE);
  await dlg.getByLabel('Toelichting').fill(DESCRIPTION);
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });

  // Without a reload, the Stuurgroep's chair sees it on the matching item, with the other item's
  // title, the shared words and whom to contact.
  const flag = npItem.locator('.flag-line', { hasText: TITLE });
  await flag.waitFor();
  // Ranked by strength: a strong duplicate is among the ones shown inline, not folded away.
  assert.ok(await flag.isVisible(), 'a strong signal is shown inline');
  assert.ok((await npItem.locator('.flag-line').count()) > before);
  const text = await flag.textContent();
  assert.match(text, new RegExp(`Mogelijk hetzelfde onderwerp als bij ${REGIE}: “`));
  assert.match(text, /Beide over: .*PmG/);
  assert.doesNotMatch(text, / ~ /); // plain words, no stem lists
  assert.match(text, /(Sterke|Gedeeltelijke) overeenkomst/); // graded by the score
  assert.match(text, /Sanne Bakker \(voorzitter\)/);
  assert.ok(await flag.locator('.badge-warn', { hasText: 'Signalering' }).isVisible());
  await hoekstra.locator('.meeting-agenda [aria-live="polite"]').filter({ hasText: 'Nieuwe signalering' }).waitFor({ state: 'attached' });
  await shot(hoekstra, 'vergadering-signalering-inline', { fullPage: true });

  // Bakker sees it on her own new item too, from her side.
  const mine = await flagOn(itemRow(bakker, TITLE), `Mogelijk hetzelfde onderwerp als bij ${NP}: “${NP_ITEM}”`);
  assert.ok(await mine.locator('.badge-warn').isVisible());

  // Hoekstra: afgestemd, the Stuurgroep leads.
  await flag.getByRole('button', { name: /^Afgestemd…/ }).click();
  const res = hoekstra.getByRole('dialog', { name: 'Afgestemd met het andere overleg' });
  await res.getByLabel('Wat is afgesproken?').fill('De stuurgroep besluit over de verlenging; de regiegroep over de aanpak van drugsrunners.');
  await res.getByLabel('Welk overleg neemt het onderwerp voor zijn rekening?').selectOption({ label: `${NP} (dit overleg)` });
  await res.getByRole('button', { name: 'Vastleggen' }).click();
  await res.waitFor({ state: 'detached' });
  await flagOn(npItem, TITLE, 'afgestemd');
  assert.ok(await npItem.locator('.flag-line', { hasText: TITLE }).getByRole('button', { name: /^Heropenen/ }).isVisible());

  // Bakker sees the new state arrive on her item: who leads and what was agreed.
  const done = await flagOn(itemRow(bakker, TITLE), NP, 'afgestemd');
  const doneText = await done.textContent();
  assert.match(doneText, /Afgestemd/);
  assert.match(doneText, new RegExp(`Leidend: ${NP}`));
  assert.match(doneText, /Afspraak: De stuurgroep besluit over de verlenging/);
  await shot(bakker, 'vergadering-signalering-afgestemd', { fullPage: true });

  // And she reopens it; Hoekstra sees it open again.
  await done.getByRole('button', { name: /^Heropenen/ }).click();
  const re = bakker.getByRole('dialog', { name: 'Signalering heropenen' });
  await re.getByLabel('Waarom opnieuw open?').fill('De regiegroep wil ook over de inzet van de boa’s spreken.');
  await re.getByRole('button', { name: 'Vastleggen' }).click();
  await re.waitFor({ state: 'detached' });
  await flagOn(npItem, TITLE, 'open');
  for (const p of [bakker, hoekstra]) assert.deepEqual(p.errors, []);
});

test('a member who is not chair or secretary sees no signalering, on the page or on the wire', async () => {
  // By now the police member's page has received the new item (the same meeting) ...
  await itemRow(police, TITLE).waitFor();
  // ... but no flag: no rows, no meeting box, no flag events or flag.list.
  assert.equal(await police.locator('.flag-line, .panel-flags').count(), 0);
  assert.ok(!policeFrames.some((f) => /"flag\.(raised|updated)"|"flags"/.test(f)), 'no flag reached a non-chair');
  assert.deepEqual(police.errors, []);
});

test('a clash with another meeting shows at the top of the meeting for its secretary', async () => {
  // The demo's planted clash: the Casusoverleg and the Afstemmingsoverleg Integrale Controles
  // share Jeroen Vlasblom on the same afternoon.
  const sec = await userPage(browser, 'secretary');
  await go(sec, await firstMeetingHref(sec, 'Casusoverleg Ondermijning'));
  const box = sec.getByRole('region', { name: /Signaleringen bij deze vergadering/ });
  await box.waitFor();
  const row = box.locator('.flag-line', { hasText: 'Afstemmingsoverleg Integrale Controles' });
  assert.match(await row.textContent(), /Deze vergadering valt tegelijk met Afstemmingsoverleg Integrale Controles/);
  assert.match(await row.textContent(), /Nodig bij beide: Jeroen Vlasblom/);
  assert.ok(await row.getByRole('button', { name: /^Bewust dubbel…/ }).isVisible());
  const problems = [];
  await axeCheck(sec, 'laptop-vergadering-signaleringen', problems);
  assert.deepEqual(problems, []);
  assert.deepEqual(sec.errors, []);
  await sec.context().close();
});

test('the chair cleans up: removing the item closes its signaleringen', async () => {
  const row = itemRow(bakker, TITLE);
  await row.getByRole('button', { name: /^Punt \d+ verwijderen/ }).click();
  const dlg = bakker.getByRole('dialog', { name: 'Agendapunt verwijderen' });
  await dlg.getByRole('button', { name: 'Verwijderen' }).click();
  await row.waitFor({ state: 'detached' });
  // On the other side the flag disappears live (it is vervallen).
  await itemRow(hoekstra, NP_ITEM).locator('.flag-line', { hasText: TITLE }).waitFor({ state: 'detached' });
  for (const p of [bakker, hoekstra, police]) assert.deepEqual(p.errors, []);
});
