// Functional administration in the browser: an administrator adds an organisation, a person
// (who sets their own password from the setup link) and a body, makes the new person its chair;
// the new chair sees the body appear without reloading. Server errors show in Dutch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, userPage, go, shot, BASE } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an administrator sets up an organisation, a person and a body; the person takes it from there', async () => {
  const stamp = Date.now().toString(36);
  const org = `Stichting Buurtbemiddeling Dordrecht ${stamp}`;
  const email = `k.dekker.${stamp}@buurtbemiddeling.example`;
  const bodyName = `Werkgroep Buurtbemiddeling ${stamp}`;
  const name = `Kees Dekker ${stamp}`;
  const admin = await userPage(browser, 'admin');

  await go(admin, '#/beheer/organisaties');
  await admin.getByRole('button', { name: 'Organisatie toevoegen' }).click();
  let dlg = admin.getByRole('dialog', { name: 'Organisatie toevoegen' });
  await dlg.getByLabel('Naam').fill(org);
  await dlg.getByLabel('Soort').selectOption({ label: 'Overig' });
  await dlg.getByLabel('Gebied').selectOption({ value: 'Dordrecht' });
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.waitFor({ state: 'detached' });
  await admin.getByRole('cell', { name: org, exact: true }).waitFor();

  // A person: the first attempt reuses an existing e-mail address and gets the server's error.
  await go(admin, '#/beheer/personen');
  await admin.getByRole('button', { name: 'Persoon toevoegen' }).click();
  dlg = admin.getByRole('dialog', { name: 'Persoon toevoegen' });
  await dlg.getByLabel('Naam').fill(name);
  await dlg.getByLabel('E-mailadres').fill('s.bakker@dordrecht.example');
  await dlg.getByRole('combobox', { name: 'Organisatie', exact: true }).selectOption({ label: org });
  await dlg.getByLabel('Functie').fill('coördinator buurtbemiddeling');
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.getByRole('alert').filter({ hasText: 'Er is al een persoon met dit e-mailadres.' }).waitFor();
  await shot(admin, 'beheer-fout-in-formulier');
  await dlg.getByLabel('E-mailadres').fill(email);
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  const linkDlg = admin.getByRole('dialog', { name: 'Account aangemaakt' });
  const setupUrl = await linkDlg.getByLabel('Link om het wachtwoord in te stellen').inputValue();
  assert.match(setupUrl, /#\/wachtwoord\/[A-Za-z0-9_-]+$/);
  await linkDlg.getByRole('button', { name: 'Sluiten' }).click();

  // The new person sets a password from the link and logs in.
  const person = await newPage(browser);
  await person.goto(`${BASE}/${setupUrl.slice(setupUrl.indexOf('#'))}`);
  await person.getByLabel('Nieuw wachtwoord').fill('kort');
  await person.getByLabel('Herhaal het wachtwoord').fill('kort');
  await person.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await person.getByText('Het wachtwoord moet minstens 10 tekens lang zijn.').waitFor();
  await person.getByLabel('Nieuw wachtwoord').fill('buurt-bemiddeling-2027');
  await person.getByLabel('Herhaal het wachtwoord').fill('buurt-bemiddeling-2027');
  await person.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await person.getByText('Uw wachtwoord is opgeslagen.').waitFor();
  await login(person, email, 'buurt-bemiddeling-2027');
  await person.getByText('U bent nog geen lid van een overleg.').waitFor();

  // A body under the Stuurgroep NP Dordt West.
  await go(admin, '#/beheer/overleggen');
  await admin.getByRole('button', { name: 'Overleg toevoegen' }).click();
  dlg = admin.getByRole('dialog', { name: 'Overleg toevoegen' });
  await dlg.getByLabel('Naam').fill(bodyName);
  await dlg.getByLabel('Soort').selectOption({ label: 'Werkgroep' });
  await dlg.getByLabel('Niveau').selectOption({ label: 'Operationeel' });
  await dlg.getByLabel('Gebied').selectOption({ value: 'Dordrecht' });
  await dlg.getByLabel('Frequentie').selectOption({ label: 'Elke 4 weken' });
  await dlg.getByLabel('Valt onder').selectOption({ label: 'Stuurgroep NP Dordt West' });
  await dlg.getByLabel('Mandaat').fill('Stemt buurtbemiddeling af met wijkteams en politie.\nBesluit over de inzet van vrijwilligers.');
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.waitFor({ state: 'detached' });
  await admin.getByRole('link', { name: `Leden van ${bodyName} beheren` }).click();

  // The administrator makes the new person its chair; the person sees the body appear live.
  await admin.getByRole('button', { name: 'Lid toevoegen' }).click();
  dlg = admin.getByRole('dialog', { name: `Lid toevoegen aan ${bodyName}` });
  await dlg.getByLabel('Zoek persoon').fill(name);
  await dlg.getByRole('option', { name: new RegExp(name) }).waitFor();
  await dlg.getByRole('listbox', { name: 'Persoon', exact: true }).selectOption({ label: `${name} – ${org} (coördinator buurtbemiddeling)` });
  await dlg.getByLabel('Rol').selectOption({ label: 'Voorzitter' });
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  await admin.getByRole('button', { name: `${name} wijzigen` }).waitFor();
  await shot(admin, 'beheer-leden');

  await person.locator('.body-list a', { hasText: bodyName }).waitFor();
  await person.locator('.body-list a', { hasText: bodyName }).click();
  await person.getByRole('heading', { level: 1, name: bodyName }).waitFor();
  assert.match(await person.locator('.page-sub').textContent(), /Voorzitter/);
  assert.match(await person.locator('.facts').textContent(), /Stuurgroep NP Dordt West/);
  assert.match(await person.locator('.facts').textContent(), /elke 4 weken/);
  for (const p of [admin, person]) assert.deepEqual(p.errors, []);
});
