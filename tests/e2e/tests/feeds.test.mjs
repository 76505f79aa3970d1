// A member makes a secret calendar link for their meetings, it serves iCalendar, and after
// revoking it in the browser the same link gives nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, userPage, go, BASE, shot } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a calendar link is shown once, serves my meetings, and can be revoked', async () => {
  const page = await userPage(browser, 'police');
  await go(page, '#/meldingen');
  await page.getByRole('button', { name: 'Link voor mijn agenda maken' }).click();
  const dlg = page.getByRole('dialog', { name: 'Uw persoonlijke link' });
  const url = await dlg.getByLabel('Mijn vergaderingen (iCalendar)').inputValue();
  assert.match(url, /\/feeds\/ical\/[A-Za-z0-9_-]+\.ics$/);
  await shot(page, 'agenda-link');
  await dlg.getByRole('button', { name: 'Sluiten' }).click();
  const local = `${BASE}${new URL(url).pathname}`;
  let r = await fetch(local);
  assert.equal(r.status, 200);
  const ics = await r.text();
  assert.match(ics, /BEGIN:VCALENDAR/);
  assert.match(ics, /Regiegroep Ondermijning/);

  await page.getByRole('button', { name: /^Intrekken: Mijn vergaderingen \(iCalendar\)/ }).last().click();
  await page.getByRole('dialog', { name: 'Link intrekken' }).getByRole('button', { name: 'Intrekken' }).click();
  await page.getByText('De link is ingetrokken.').waitFor();
  r = await fetch(local);
  assert.equal(r.status, 404);
  assert.deepEqual(page.errors, []);
});
