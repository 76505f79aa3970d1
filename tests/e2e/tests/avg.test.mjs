// The AVG in the browser (issue 16): an administrator reads everything stored about a person and
// downloads it, erases a person who has left (after deactivating them, confirmed with their
// e-mail address), and finds the retention periods and both acts in the processing log under
// Beheer > Privacy (AVG). A person still active cannot be erased from the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, userPage, go, axeCheck } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an administrator exports and erases a person who left; retention and the processing log are visible', async () => {
  const stamp = Date.now().toString(36);
  const name = `Anouk Vermeer ${stamp}`;
  const email = `a.vermeer.${stamp}@dordrecht.example`;
  const admin = await userPage(browser, 'admin');

  await go(admin, '#/beheer/personen');
  await admin.getByRole('button', { name: 'Persoon toevoegen' }).click();
  let dlg = admin.getByRole('dialog', { name: 'Persoon toevoegen' });
  await dlg.getByLabel('Naam').fill(name);
  await dlg.getByLabel('E-mailadres').fill(email);
  await dlg.getByRole('combobox', { name: 'Organisatie', exact: true }).selectOption({ index: 1 });
  await dlg.getByLabel('Functie').fill('beleidsmedewerker veiligheid');
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await admin.getByRole('dialog', { name: 'Account aangemaakt' }).getByRole('button', { name: 'Sluiten' }).click();
  await admin.getByRole('cell', { name: email, exact: true }).waitFor();
  // Active: no erasure offered.
  assert.equal(await admin.getByRole('button', { name: `${name} wissen` }).count(), 0);

  // The right of access: the summary on screen, the JSON as a download.
  await admin.getByRole('button', { name: `Gegevens van ${name} inzien en exporteren` }).click();
  dlg = admin.getByRole('dialog', { name: `Gegevens van ${name}` });
  const summary = dlg.getByLabel('Samenvatting');
  await summary.waitFor();
  assert.match(await summary.textContent(), new RegExp(email.replace(/[.]/g, '\\.')));
  const [download] = await Promise.all([admin.waitForEvent('download'),
    dlg.getByRole('button', { name: 'Download als JSON' }).click()]);
  assert.match(download.suggestedFilename(), /^ketentafel-gegevens-\d+\.json$/);
  const data = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(data.person.name, name);
  assert.equal(data.person.email, email);
  assert.ok(Array.isArray(data.audit));
  await dlg.getByRole('button', { name: 'Sluiten' }).click();
  await dlg.waitFor({ state: 'detached' });

  // The person leaves: deactivated, then erased; a wrong address is refused in Dutch.
  await admin.getByRole('button', { name: `${name} bewerken` }).click();
  dlg = admin.getByRole('dialog', { name: `${name} bewerken` });
  await dlg.getByLabel('Actief (kan inloggen)').uncheck();
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.waitFor({ state: 'detached' });
  await admin.getByRole('button', { name: `${name} wissen` }).click();
  dlg = admin.getByRole('dialog', { name: `${name} wissen` });
  await dlg.getByLabel(/Typ ter bevestiging het e-mailadres/).fill('s.bakker@dordrecht.example');
  await dlg.getByRole('button', { name: 'Definitief wissen' }).click();
  await dlg.getByRole('alert').filter({ hasText: 'Bevestig met het e-mailadres van de persoon die u wilt wissen.' }).waitFor();
  await dlg.getByLabel(/Typ ter bevestiging het e-mailadres/).fill(email);
  await dlg.getByRole('button', { name: 'Definitief wissen' }).click();
  await dlg.waitFor({ state: 'detached' });
  const pseudonym = (await admin.getByText(/is gewist en heet nu "Oud-deelnemer \d+"/).textContent()).match(/Oud-deelnemer \d+/)[0];
  // The directory shows the pseudonym (person.updated, live), the old name and address are gone.
  await admin.getByRole('cell', { name: pseudonym }).first().waitFor();
  await admin.getByRole('cell', { name: email, exact: true }).waitFor({ state: 'detached' });
  assert.equal(await admin.getByText(name, { exact: true }).count(), 0);

  // Beheer > Privacy (AVG): the retention periods, and the export and erasure in the log.
  await admin.getByRole('link', { name: 'Privacy (AVG)' }).click();
  const periods = admin.getByRole('table', { name: 'Bewaartermijnen' });
  await periods.getByRole('rowheader', { name: 'Chatberichten' }).waitFor();
  for (const kind of ['Verslagen en notulen', 'Acties, toezeggingen en besluiten', 'Meldingen', 'Gebeurtenissenlog', 'Verwerkingslog (auditlog)']) {
    await periods.getByRole('rowheader', { name: kind }).waitFor();
  }
  const log = admin.getByRole('table', { name: 'Verwerkingslog' });
  const erased = log.getByRole('row').filter({ hasText: 'Persoon gewist' }).filter({ hasText: pseudonym });
  await erased.waitFor();
  assert.match(await erased.textContent(), /gegevens verwijderd/);
  await log.getByRole('row').filter({ hasText: 'Gegevens ingezien en geëxporteerd' }).filter({ hasText: pseudonym }).waitFor();
  assert.equal(await log.getByText(name).count(), 0);

  const problems = [];
  await axeCheck(admin, 'beheer-avg', problems);
  assert.deepEqual(problems, []);
  assert.deepEqual(admin.errors, []);
});
