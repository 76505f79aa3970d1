// A secretary plans in the browser: a meeting (moved, then cancelled), a series from the body's
// cadence, a backlog item put on an agenda that is then published, and an action with a due
// date. The chair and the police member see each change arrive without reloading.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, bodyHref, agendaTitles, shot, serverYmd } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ymd = serverYmd;

function dutchDay(date) {
  return new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
    .format(new Date(`${date}T12:00:00Z`));
}

test('meetings, a series, the backlog and actions, planned in the browser and seen live', async () => {
  const [sec, chair, police] = await Promise.all([userPage(browser, 'secretary'), userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(sec, 'Regiegroep Ondermijning');
  await go(sec, `${body}/vergaderingen`);
  await sec.getByRole('heading', { name: /Komende vergaderingen/ }).waitFor();

  // A form error is explained in Dutch and nothing is saved.
  await sec.getByRole('button', { name: 'Vergadering plannen' }).click();
  let dlg = sec.getByRole('dialog');
  await dlg.getByLabel('Datum').fill(await ymd(70));
  await dlg.getByLabel('Begintijd').fill('16:00');
  await dlg.getByLabel('Eindtijd').fill('15:00');
  await dlg.getByRole('button', { name: 'Plannen' }).click();
  await dlg.getByRole('alert').filter({ hasText: 'De eindtijd moet na de begintijd liggen.' }).waitFor();

  // A meeting in 70 days, 14:00–16:00; the chair sees it in "Mijn overleggen" at once.
  const date = await ymd(70);
  const day = dutchDay(date);
  await dlg.getByLabel('Begintijd').fill('14:00');
  await dlg.getByLabel('Eindtijd').fill('16:00');
  await dlg.getByLabel('Plaats').fill('Stadhuis Dordrecht, zaal 3');
  await dlg.getByRole('button', { name: 'Plannen' }).click();
  await dlg.waitFor({ state: 'detached' });
  const row = sec.locator('.meeting-row', { hasText: `${day}, 14:00–16:00` });
  await row.waitFor();
  const chairRow = chair.locator('.day', { hasText: day }).locator('.meeting-row', { hasText: 'Regiegroep Ondermijning' });
  await chairRow.filter({ hasText: '14:00–16:00' }).waitFor();

  // Moved an hour later.
  await row.getByRole('button', { name: /wijzigen$/ }).click();
  dlg = sec.getByRole('dialog', { name: 'Vergadering wijzigen' });
  await dlg.getByLabel('Begintijd').fill('15:00');
  await dlg.getByLabel('Eindtijd').fill('17:00');
  await dlg.getByRole('button', { name: 'Opslaan' }).click();
  await dlg.waitFor({ state: 'detached' });
  const moved = sec.locator('.meeting-row', { hasText: `${day}, 15:00–17:00` });
  await moved.waitFor();
  await chairRow.filter({ hasText: '15:00–17:00' }).waitFor();
  const meetingHref = await moved.getByRole('link').first().getAttribute('href');

  // A backlog item goes onto that meeting's agenda, which is then published.
  const stamp = Date.now().toString(36);
  const title = `Evaluatie cameratoezicht Dordt West (${stamp})`;
  await go(sec, `${body}/agenderen`);
  await sec.getByRole('button', { name: 'Punt toevoegen aan te agenderen' }).click();
  dlg = sec.getByRole('dialog', { name: 'Agendapunt toevoegen' });
  await dlg.getByLabel('Titel').fill(title);
  await dlg.getByLabel('Duur (minuten)').fill('20');
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  const item = sec.locator('.agenda-item', { hasText: title });
  await item.getByRole('button', { name: /agenderen:/ }).click();
  dlg = sec.getByRole('dialog', { name: `“${title}” verplaatsen` });
  const option = await dlg.getByLabel('Naar').locator('option').filter({ hasText: '15:00' }).filter({ hasText: 'Concept' }).first().getAttribute('value');
  await dlg.getByLabel('Naar').selectOption(option);
  await dlg.getByRole('button', { name: 'Verplaatsen' }).click();
  await item.waitFor({ state: 'detached' });
  await go(sec, meetingHref);
  await sec.locator('.agenda-item', { hasText: title }).waitFor();
  await go(police, meetingHref);
  await police.locator('.agenda-item', { hasText: title }).waitFor();
  assert.ok((await agendaTitles(police)).includes(title));
  await sec.getByRole('button', { name: 'Agenda publiceren' }).click();
  await sec.getByRole('dialog', { name: 'Agenda publiceren' }).getByRole('button', { name: 'Publiceren' }).click();
  await police.locator('.meeting-status', { hasText: 'Agenda gepubliceerd' }).waitFor();
  // The member's page says who did it (the push's actor); the secretary's own page does not.
  await police.locator('.meeting-info .live-note', { hasText: /^Ilse de Wit heeft de agenda gepubliceerd\. \(\d\d:\d\d\)$/ }).waitFor();
  assert.equal(await sec.locator('.meeting-info .live-note').count(), 0);

  // Cancelled: struck through for the chair, marked for the police member on the meeting page.
  await sec.getByRole('button', { name: 'Vergadering annuleren' }).click();
  await sec.getByRole('dialog', { name: 'Vergadering annuleren' }).getByRole('button', { name: 'Vergadering annuleren' }).click();
  await police.getByText('Deze vergadering is geannuleerd.').waitFor();
  await police.locator('#toasts .toast', { hasText: 'Ilse de Wit heeft de vergadering geannuleerd.' }).waitFor();
  await chairRow.and(chair.locator('.cancelled')).waitFor();

  // A series of three from the cadence (every 6 weeks), previewed before it is made.
  await go(sec, `${body}/vergaderingen`);
  await sec.getByRole('button', { name: 'Reeks plannen volgens frequentie' }).click();
  dlg = sec.getByRole('dialog');
  const first = await ymd(100);
  await dlg.getByLabel('Eerste datum').fill(first);
  await dlg.getByLabel('Begintijd').fill('09:00');
  await dlg.getByLabel('Eindtijd').fill('10:30');
  await dlg.getByLabel('Aantal vergaderingen').fill('3');
  const preview = await dlg.locator('.series-preview li').allTextContents();
  assert.equal(preview.length, 3);
  const d = new Date(`${first}T12:00:00Z`);
  const third = new Date(d.getTime() + 12 * 7 * 86400000).toISOString().slice(0, 10);
  assert.match(preview[2], new RegExp(new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${third}T12:00:00Z`))));
  await shot(sec, 'reeks-plannen');
  await dlg.getByRole('button', { name: 'Reeks plannen' }).click();
  await dlg.waitFor({ state: 'detached' });
  for (const x of [first, third]) await sec.locator('.meeting-row', { hasText: `${dutchDay(x)}, 09:00–10:30` }).waitFor();

  // An overdue commitment for the police: it shows as late, and in the police's "Mijn acties".
  await go(police, '#/acties');
  await police.locator('.filters').waitFor();
  await go(sec, `${body}/acties`);
  await sec.getByRole('button', { name: 'Toevoegen' }).click();
  dlg = sec.getByRole('dialog');
  const text = `Politie levert cijfers woninginbraken aan (${stamp})`;
  await dlg.getByLabel('Soort').selectOption({ label: 'Toezegging' });
  await dlg.getByLabel('Omschrijving').fill(text);
  await dlg.getByLabel('Eigenaar (persoon)').selectOption({ label: 'Marco Veenstra (Politie Eenheid Rotterdam, district Zuid-Holland-Zuid)' });
  await dlg.getByLabel('Deadline').fill(await ymd(-3));
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  await sec.getByLabel('Alleen te laat').check();
  const late = sec.locator('tr', { hasText: text });
  await late.getByText('te laat').waitFor();
  const mine = police.locator('tr', { hasText: text });
  await mine.waitFor();
  await mine.getByRole('combobox').selectOption({ label: 'Afgerond' });
  await sec.getByLabel('Status', { exact: true }).selectOption({ label: 'Afgerond' });
  await sec.getByLabel('Alleen te laat').uncheck();
  await sec.locator('tr', { hasText: text }).getByText('te laat').waitFor({ state: 'detached' });
  await shot(sec, 'acties-overleg');
  for (const p of [sec, chair, police]) assert.deepEqual(p.errors, []);
});

test('a member whose role changes sees the page change with it, live', async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const body = await bodyHref(chair, 'Regiegroep Ondermijning');
  await go(police, `${body}/chat`);
  await police.getByRole('combobox', { name: 'Bericht' }).waitFor();
  await go(chair, `${body}/leden`);
  const setRole = async (role) => {
    await chair.getByRole('button', { name: 'Marco Veenstra wijzigen' }).click();
    const dlg = chair.getByRole('dialog', { name: 'Marco Veenstra wijzigen' });
    await dlg.getByLabel('Rol').selectOption({ label: role });
    await dlg.getByRole('button', { name: 'Opslaan' }).click();
    await dlg.waitFor({ state: 'detached' });
  };
  await setRole('Waarnemer');
  // The toast names who changed it (the push's actor).
  await police.getByText('Sanne Bakker heeft uw rol in dit overleg gewijzigd in: waarnemer.').waitFor();
  await police.getByText('Als waarnemer kunt u meelezen maar niet schrijven.').waitFor();
  assert.equal(await police.getByRole('combobox', { name: 'Bericht' }).count(), 0);
  await setRole('Lid');
  await police.getByRole('combobox', { name: 'Bericht' }).waitFor();
  for (const p of [chair, police]) assert.deepEqual(p.errors, []);
});
