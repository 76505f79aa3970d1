// Issue 13, part 6 in the browser: the secretary of the Stuurgroep Stadspartners takes seed 004
// (a real verslag of that stuurgroep) in. She uploads the file, sees what was recognised (6
// agendapunten, 19 aanwezig, 6 afwezig, 4 besluiten, 1 toezegging, 3 acties), maps the chair's
// name to a person, drops one proposed action, confirms, and lands on the new meeting with its
// items, notes, outcomes and the attendance as the verslag has it. On a phone the review screen
// works too. Both screens axe-clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { launch, userPage, go, bodyHref, axeCheck, shot } from '../lib.mjs';

const BODY = 'Stuurgroep Stadspartners';
const SECRETARY = 'r.bergsma@schiedam.example';
const SEEDS = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'seeds');
const SEED = path.join(SEEDS, readdirSync(SEEDS).find((f) => f.startsWith('004_')));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openImport(page, href) {
  href ||= await bodyHref(page, BODY);
  await go(page, `${href}/vergaderingen`);
  await page.getByRole('link', { name: 'Verslag importeren' }).click();
  await page.getByRole('heading', { level: 1, name: 'Verslag importeren' }).waitFor();
}

async function count(page, key) {
  return Number(await page.locator(`.import-counts li[data-count="${key}"] strong`).textContent());
}

test('the secretary imports seed 004: recognised, corrected, confirmed, saved as a meeting', async () => {
  const page = await userPage(browser, SECRETARY);
  await openImport(page);
  await page.getByLabel('Of kies een bestand').setInputFiles(SEED);
  await page.waitForFunction(() => document.querySelector('.import-text')?.value.includes('Stuurgroep Stadspartners'));
  await page.getByRole('button', { name: 'Verslag lezen' }).click();
  await page.getByRole('heading', { name: 'Herkend in het verslag' }).waitFor();
  const seen = {};
  for (const k of ['agendapunten', 'aanwezig', 'afwezig', 'besluiten', 'toezeggingen', 'acties', 'gekoppeld']) seen[k] = await count(page, k);
  assert.deepEqual(seen, { agendapunten: 6, aanwezig: 19, afwezig: 6, besluiten: 4, toezeggingen: 1, acties: 3, gekoppeld: 0 });
  // the meeting's facts as read from the text
  assert.equal(await page.getByLabel('Datum').inputValue(), '2023-05-24');
  assert.equal(await page.getByLabel('Begin').inputValue(), '13:30');
  assert.equal(await page.getByLabel('Einde').inputValue(), '14:45');
  // substitutions and late arrivals are shown as the text has them
  const theo = page.locator('.import-line', { hasText: 'Theo Schilthuizen' });
  await theo.getByText('vervangen door Daphne Meijer (vast)').waitFor();
  assert.equal(await page.getByLabel('Aanwezigheid van Antoinette Laan').inputValue(), 'later');
  // the chair's name is mapped to the body's chair; Woonplus's toezegging gets its organisation
  await page.getByLabel('Persoon voor Cor Lamers').selectOption({ label: 'Jan-Pieter Akkerman (Gemeente Schiedam) – voorzitter' });
  assert.equal(await count(page, 'gekoppeld'), 1);
  const woon = page.locator('.import-outcome', { hasText: 'Woonplus' }).first();
  assert.equal(await woon.getByLabel('Soort').inputValue(), 'toezegging');
  await woon.getByLabel('Organisatie').selectOption({ label: 'Woonplus Schiedam' });
  await shot(page, 'laptop-import-controleren', { fullPage: true });
  const problems = [];
  await axeCheck(page, 'laptop-import', problems);
  // one proposed action is not taken over
  await page.getByLabel(/^Overnemen \(actiepunt/).first().uncheck();
  assert.equal(await count(page, 'acties'), 2);
  await page.getByRole('button', { name: 'Bevestigen en opslaan' }).click();
  const dlg = page.getByRole('dialog', { name: 'Verslag opslaan' });
  await dlg.getByText(/6 agendapunten, 7 uitkomsten en 25 regels aanwezigheid/).waitFor();
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await page.waitForURL(/#\/vergadering\/\d+$/);
  await page.locator('.agenda-item').first().waitFor();
  const titles = await page.locator('.agenda-item .item-title').allTextContents();
  assert.deepEqual(titles.map((t) => t.trim()), ['Opening en welkom', 'Verslag vorige keer', 'Presentatie Preventie met Gezag',
    'Stand van zake werkgroepen', 'Uitvoeringsprogramma 2023-2026', 'Afscheid voorzitter Cor Lammers']);
  await page.getByText('Verslag in concept').first().waitFor();
  // the attendance as the verslag had it: a substitute who is not in Ketentafel by name, guests none
  const away = page.getByRole('list', { name: 'Afwezig' });
  await away.locator('li', { hasText: 'Theo Schilthuizen' }).getByText('langdurig afwezig, vast vervangen door Daphne Meijer').waitFor();
  await page.locator('.att-roles', { hasText: 'Voorzitter: Jan-Pieter Akkerman' }).waitFor();
  await shot(page, 'laptop-import-vergadering', { fullPage: true });
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('seed 004 a second time: ketentafel says it is imported already, links to it and saves nothing twice', async () => {
  // (the test above took seed 004 in; on its own, this test takes it in first)
  const page = await userPage(browser, SECRETARY);
  const href = await bodyHref(page, BODY);
  await openImport(page, href);
  await page.getByLabel('Of kies een bestand').setInputFiles(SEED);
  await page.waitForFunction(() => document.querySelector('.import-text')?.value.includes('Stuurgroep Stadspartners'));
  await page.getByRole('button', { name: 'Verslag lezen' }).click();
  await page.getByRole('heading', { name: 'Herkend in het verslag' }).waitFor();
  if (!(await page.locator('.import-duplicate').count())) {
    await page.getByRole('button', { name: 'Bevestigen en opslaan' }).click();
    await page.getByRole('dialog', { name: 'Verslag opslaan' }).getByRole('button', { name: 'Opslaan' }).click();
    await page.waitForURL(/#\/vergadering\/\d+$/);
    await openImport(page, href);
    await page.getByLabel('Of kies een bestand').setInputFiles(SEED);
    await page.waitForFunction(() => document.querySelector('.import-text')?.value.includes('Stuurgroep Stadspartners'));
    await page.getByRole('button', { name: 'Verslag lezen' }).click();
  }
  const dup = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Dit verslag is al geïmporteerd' }) });
  await dup.waitFor();
  await dup.getByText(/^Dit verslag is al geïmporteerd op \w+ \d+ \w+ \d{4} door Rianne Bergsma in de vergadering van woensdag 24 mei 2023, 13:30\. Het wordt niet nog eens opgeslagen\./).waitFor();
  // saving is not offered; the existing meeting on that day is marked and cannot be chosen
  assert.equal(await page.getByRole('button', { name: 'Bevestigen en opslaan' }).isDisabled(), true);
  const into = page.getByLabel('Opslaan bij').locator('option', { hasText: '(verslag al geïmporteerd)' });
  assert.equal(await into.count(), 1);
  assert.equal(await into.isDisabled(), true);
  const problems = [];
  await axeCheck(page, 'laptop-import-dubbel', problems);
  await shot(page, 'laptop-import-al-geimporteerd');
  // the link leads to the meeting, which has the seed's six items once
  await dup.getByRole('link', { name: 'de vergadering van woensdag 24 mei 2023, 13:30' }).click();
  await page.waitForURL(/#\/vergadering\/\d+$/);
  await page.locator('.agenda-item').first().waitFor();
  assert.equal(await page.locator('.agenda-item').count(), 6);
  // to import it again, the secretary cancels that meeting first: then the seed reads as new
  await page.getByRole('button', { name: 'Vergadering annuleren' }).click();
  await page.getByRole('dialog', { name: 'Vergadering annuleren' }).getByRole('button', { name: 'Vergadering annuleren' }).click();
  await page.getByText('De vergadering is geannuleerd.').waitFor();
  await openImport(page, href);
  await page.getByLabel('Of kies een bestand').setInputFiles(SEED);
  await page.waitForFunction(() => document.querySelector('.import-text')?.value.includes('Stuurgroep Stadspartners'));
  await page.getByRole('button', { name: 'Verslag lezen' }).click();
  await page.getByRole('heading', { name: 'Herkend in het verslag' }).waitFor();
  assert.equal(await page.locator('.import-duplicate').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Bevestigen en opslaan' }).isDisabled(), false);
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('on a phone the review screen works and is axe-clean; nothing is saved without confirming', async () => {
  const page = await userPage(browser, SECRETARY, { width: 390, height: 844 });
  await openImport(page);
  const text = `# Verslag Stuurgroep Stadspartners\n\nDatum: 7 juni 2023\nAanvang: 13.30 uur Eind: 15.00 uur\n\n## Aanwezig\n\nVoorzitter: Cor Lamers\n\nEmile Klep (Woonplus), Olga Boot (gemeente)\n\n## 1. Opening\n\n- Besloten wordt het onderwerp te agenderen.\n`;
  await page.getByLabel('Tekst van het verslag').fill(text);
  await page.getByRole('button', { name: 'Verslag lezen' }).click();
  await page.getByRole('heading', { name: 'Herkend in het verslag' }).waitFor();
  assert.equal(await count(page, 'agendapunten'), 1);
  assert.equal(await count(page, 'besluiten'), 1);
  const problems = [];
  await axeCheck(page, 'telefoon-import', problems);
  await shot(page, 'telefoon-import-controleren', { fullPage: true });
  await page.getByRole('button', { name: 'Bevestigen en opslaan' }).click();
  await page.getByRole('dialog', { name: 'Verslag opslaan' }).getByRole('button', { name: 'Annuleren' }).click();
  await page.getByRole('link', { name: 'Annuleren' }).click();
  await page.waitForURL(/#\/overleg\/\d+\/vergaderingen$/);
  assert.equal(await page.locator('.meeting-link', { hasText: '7 juni 2023' }).count(), 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
