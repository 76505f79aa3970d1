// The server is restarted in the middle of a session (same port, same database). The pages say
// they are offline, reconnect by themselves with back-off, resume from the last seq they saw,
// and end with exactly the agenda the server has: nothing missing, nothing twice, no reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, unlinkSync, existsSync } from 'node:fs';
import {
  launch, userPage, go, firstMeetingHref, agendaTitles, until, waitOnline, serverPid, shot, BASE, sleep,
} from '../lib.mjs';

const HOLD = process.env.KT_E2E_HOLD;
let browser;
before(async () => { browser = await launch(); });
after(async () => { if (HOLD) try { unlinkSync(HOLD); } catch { /* gone */ } await browser?.close(); });

async function serverUp(timeout = 180000) { // the sanitizers on a loaded machine
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    try {
      const r = await fetch(`${BASE}/healthz`);
      if (r.ok) return;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error('the server did not come back');
}

test('after a server restart the page reconnects and the agenda is exactly right', { skip: !HOLD && 'needs tests/e2e/run (it supervises the server)' }, async () => {
  const [chair, police] = await Promise.all([userPage(browser, 'chair'), userPage(browser, 'police')]);
  const href = await firstMeetingHref(chair, 'Regiegroep Ondermijning');
  for (const p of [chair, police]) {
    await go(p, href);
    await p.locator('.agenda-item').first().waitFor();
  }
  await police.evaluate(() => { window.__sameDocument = 'ja'; });
  const startChair = await agendaTitles(chair);

  // Stop the server and keep it down until the page has said so.
  writeFileSync(HOLD, 'restart test\n');
  process.kill(serverPid(), 'SIGTERM');
  await police.locator('#conn[data-status="offline"]').waitFor({ timeout: 60000 });
  const banner = police.locator('#banner');
  assert.match(await banner.textContent(), /Geen verbinding met de server/);
  assert.equal(await police.locator('#conn').getAttribute('aria-live'), 'polite');
  assert.match(await police.locator('#conn').textContent(), /Offline/);
  await shot(police, 'offline');

  // The server is down (its exit may take a while after the sockets closed: the sanitizers'
  // checks) and the supervisor waits for the hold to go: only then may it go.
  const down = Date.now() + 180000;
  while (!existsSync(`${HOLD}.down`)) {
    if (Date.now() > down) throw new Error('the server did not stop');
    await sleep(100);
  }

  // Start it again; the chair reconnects at once (button in the banner) and changes the agenda
  // while the police page is still waiting for its next attempt.
  unlinkSync(HOLD);
  await serverUp();
  const again = chair.getByRole('button', { name: 'Nu opnieuw verbinden' });
  // The page may reconnect by itself meanwhile and take the banner away: then there is no click.
  if (await again.isVisible()) await again.click({ timeout: 5000 }).catch(() => null);
  await waitOnline(chair, 60000);
  // The page may redraw the agenda as it resumes: a focus on a row that is then replaced takes
  // the key press nowhere. Press again only while nothing moved (no move twice).
  const reordered = [startChair[1], startChair[0], ...startChair.slice(2)];
  for (let attempt = 1; ; attempt++) {
    await until(() => agendaTitles(chair), startChair, { message: 'chair after reconnect:' });
    await chair.locator('.agenda-item').nth(0).focus();
    await chair.keyboard.press('Alt+ArrowDown');
    try {
      await until(() => agendaTitles(chair), reordered, { timeout: 10000, message: 'chair after reconnect:' });
      break;
    } catch (e) {
      const now = JSON.stringify(await agendaTitles(chair));
      if (now === JSON.stringify(reordered)) break; // it came just after the wait
      if (attempt === 3 || now !== JSON.stringify(startChair)) throw e;
    }
  }
  const added = `Na de herstart toegevoegd (${Date.now().toString(36)})`;
  await chair.getByRole('button', { name: 'Agendapunt toevoegen' }).click();
  const dlg = chair.getByRole('dialog', { name: 'Agendapunt toevoegen' });
  await dlg.getByLabel('Titel').fill(added);
  await dlg.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  const truth = await until(() => agendaTitles(chair), [...reordered, added]);

  // The police page comes back by itself and catches up from its last seq.
  await waitOnline(police, 60000);
  await until(() => agendaTitles(police), truth, { message: 'police after resume:' });
  assert.equal(new Set(await agendaTitles(police)).size, truth.length, 'no row twice');
  const nums = await police.locator('.agenda-item .item-num').allTextContents();
  assert.deepEqual(nums, truth.map((_, i) => `${i + 1}.`));
  assert.equal(await police.evaluate(() => window.__sameDocument), 'ja', 'the page was not reloaded');
  assert.equal(await police.locator('#banner').isVisible(), false);

  // A freshly loaded page agrees with the resumed one.
  const fresh = await userPage(browser, 'police');
  await go(fresh, href);
  await fresh.locator('.agenda-item').first().waitFor();
  assert.deepEqual(await agendaTitles(fresh), truth);
  await shot(police, 'na-herstel');
  for (const p of [chair, police, fresh]) assert.deepEqual(p.errors, []);
});
