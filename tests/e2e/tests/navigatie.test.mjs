// Moving on before a page has loaded: the page the reader left may get its data later (a slow
// server, a busy connection), and must then not draw over the page the reader is on. The test
// holds the server's answer to the meeting page's first request on the wire until the reader
// has gone back to her search results, then lets it through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, go, USERS } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, cond, ms = 20000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`waited in vain for ${what}`);
    await sleep(50);
  }
}

test('a meeting page whose data comes after the reader went back does not cover her search results', async () => {
  const page = await newPage(browser);
  // Between page and server: requests are logged; answers to the held op wait in `held`.
  const sent = new Map(); // request id -> op
  const answered = [];    // ops whose answers reached the page, in order
  let holdOp = null;
  const held = [];
  let client = null;
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    client = ws;
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      try { const f = JSON.parse(m); if (f.id !== undefined) sent.set(f.id, f.op); } catch { /* not ours */ }
      server.send(m);
    });
    server.onMessage((m) => {
      let op;
      try { const f = JSON.parse(m); if (!f.event) op = sent.get(f.id); } catch { /* passed on as is */ }
      if (op && op === holdOp) { held.push(m); return; }
      ws.send(m);
      if (op) answered.push(op);
    });
  });
  await login(page, USERS.police);

  await go(page, '#/zoeken?q=vastgoedportefeuille');
  const hit = page.locator('.search-hit-title').first();
  await hit.waitFor();
  assert.match(await hit.getAttribute('href'), /^#\/vergadering\/\d+$/);

  holdOp = 'meeting.get';
  await hit.click();
  await page.waitForURL(/#\/vergadering\/\d+$/);
  await page.getByText('Vergadering laden…').waitFor();
  await until('the meeting page to ask for its meeting', () => held.length > 0);
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'Zoeken' }).waitFor();
  await page.locator('.search-hit').first().waitFor();

  // The meeting's answer arrives now: the left page goes on to read its body, and draws.
  holdOp = null;
  const from = answered.length;
  for (const m of held.splice(0)) client.send(m);
  await until('the left meeting page to read its body', () => answered.slice(from).includes('body.get'));
  for (let i = 0; i < 10; i++) {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await sleep(50);
  }
  assert.deepEqual(await page.getByRole('heading', { level: 1 }).allTextContents(), ['Zoeken']);
  assert.ok(await page.locator('.search-hit').count() > 0);
  assert.match(page.url(), /#\/zoeken\?q=vastgoedportefeuille$/);
  assert.deepEqual(page.errors, []);
});
