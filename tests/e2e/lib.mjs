// Shared helpers for the end-to-end tests: the browser, logged-in users, screenshots, axe.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import path from 'node:path';

export const BASE = process.env.KT_E2E_URL || 'http://127.0.0.1:8090';
export const OPS = process.env.KT_E2E_OPS_URL || 'http://127.0.0.1:9464';
export const PASSWORD = 'welkom-ketentafel';
export const OUT = path.resolve(process.env.KT_TEST_OUTPUT || path.join(import.meta.dirname, '..', '..', 'test-output'));
export const SHOTS = path.join(OUT, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

// The server under test may be built with AddressSanitizer: give it time.
export const T = 20000;

export const USERS = {
  chair: 's.bakker@dordrecht.example',       // voorzitter Regiegroep Ondermijning
  secretary: 'i.dewit@dordrecht.example',    // secretaris Regiegroep and Casusoverleg
  police: 'm.veenstra@politie.example',      // politie, lid Regiegroep
  odzhz: 'j.vanrijn@odzhz.example',          // omgevingsdienst, lid Regiegroep
  admin: 'beheer@ketentafel.example',
};

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The server's clock now (it is fixed for the tests with --test-now), as a Date. */
export async function serverNow() {
  const r = await fetch(`${OPS}/healthz`); // the operators' listener tells the server's time
  const h = await r.json();
  if (!h.time || !h.test_clock) throw new Error('the server under test runs on the real clock (no --test-now)');
  return new Date(h.time);
}

/** YYYY-MM-DD in Amsterdam, daysAhead days after the server's today. */
export async function serverYmd(daysAhead = 0) {
  const now = await serverNow();
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' })
    .format(new Date(now.getTime() + daysAhead * 86400000));
}

/** A fresh browser context (own cookies) with one page; errors on the page fail loudly. */
export async function newPage(browser, { width = 1280, height = 800, timezoneId = 'Europe/Amsterdam' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'nl-NL', timezoneId });
  context.setDefaultTimeout(T);
  // The server's clock is fixed for the tests (--test-now): the browser's runs with it.
  const now = await serverNow();
  await context.clock.setSystemTime(now);
  const page = await context.newPage();
  const skew = (await page.evaluate(() => Date.now())) - now.getTime();
  if (skew < -2000 || skew > 60000) throw new Error(`the browser's clock is ${skew} ms off the server's`);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('dialog', (d) => { page.errors.push(`dialog: ${d.message()}`); d.dismiss().catch(() => {}); });
  checkProtocol(page);
  countReplies(page);
  // every frame received, from the first WebSocket on, goes to each recordFrames(page) list
  page.frameSinks = new Set();
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    for (const sink of page.frameSinks) sink.push(String(f.payload));
  }));
  return page;
}

/** Logs the successful replies the page receives (page.replyLog: {op, req, result}), so a test
 *  can wait until a request the page makes by itself (a timer's chat.read, say) was answered:
 *  `const n = replies(page, 'chat.read'); ...; await untilReplied(page, 'chat.read', n)`. */
function countReplies(page) {
  page.replyLog = [];
  page.on('websocket', (ws) => {
    const sent = new Map();
    ws.on('framesent', ({ payload }) => {
      try { const f = JSON.parse(payload); sent.set(f.id, f); } catch { /* checkProtocol says so */ }
    });
    ws.on('framereceived', ({ payload }) => {
      let f;
      try { f = JSON.parse(payload); } catch { return; }
      if (f.event || !sent.has(f.id)) return;
      const req = sent.get(f.id);
      sent.delete(f.id);
      if (f.ok) page.replyLog.push({ op: req.op, req, result: f.result });
    });
  });
}

/** How many successful replies to op (whose request matches match) the page has had. */
export function replies(page, op, match = () => true) {
  return (page.replyLog || []).filter((r) => r.op === op && match(r.req)).length;
}

/** Waits until the page has had more than `seen` successful replies to op (matching match). */
export async function untilReplied(page, op, seen, { match = () => true, timeout = T } = {}) {
  const end = Date.now() + timeout;
  while (replies(page, op, match) <= seen) {
    if (Date.now() > end) throw new Error(`no reply to ${op} within ${timeout} ms`);
    await sleep(100);
  }
  // the page's own handler of that reply runs, and draws, before the next frames
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

// ---- every frame on the wire against protocol/schemas ----

const SCHEMAS = path.resolve(import.meta.dirname, '..', '..', 'protocol', 'schemas');
const ajv = new Ajv2020({ allErrors: false, strict: false });
function loadSchemas(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) loadSchemas(p);
    else if (e.name.endsWith('.json')) ajv.addSchema(JSON.parse(readFileSync(p, 'utf8')));
  }
}
const haveSchemas = existsSync(SCHEMAS);
if (haveSchemas) loadSchemas(SCHEMAS);
const BASE_ID = 'https://ketentafel.example/schemas/';

export function validate(id, value) {
  const v = ajv.getSchema(BASE_ID + id);
  if (!v) return `no schema ${id}`;
  return v(value) ? null : `${id}: ${ajv.errorsText(v.errors)}`;
}

/** Validates what the page sends (request/<op>.json) and receives (envelope, result/<op>.json,
 *  event/<event>.json); a mismatch is a page error, so every test that checks page.errors
 *  also checks that the client speaks the documented protocol. */
export function checkProtocol(page) {
  if (!haveSchemas) return;
  page.on('websocket', (ws) => {
    const ops = new Map();
    const fail = (msg, frame) => page.errors.push(`protocol: ${msg} in ${String(frame).slice(0, 300)}`);
    ws.on('framesent', ({ payload }) => {
      let f;
      try { f = JSON.parse(payload); } catch { fail('not JSON', payload); return; }
      ops.set(f.id, f.op);
      const err = validate(`request/${f.op}.json`, f);
      if (err) fail(err, payload);
    });
    ws.on('framereceived', ({ payload }) => {
      let f;
      try { f = JSON.parse(payload); } catch { fail('not JSON', payload); return; }
      let err = validate('envelope.json', f);
      if (!err && f.event) err = validate(`event/${f.event}.json`, f.data);
      else if (!err && f.ok) err = validate(`result/${ops.get(f.id)}.json`, f.result);
      if (err) fail(err, payload);
    });
  });
}

export async function login(page, email, password = PASSWORD) {
  await page.goto(`${BASE}/`);
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mijn overleggen' }).waitFor();
  await waitOnline(page);
}

export async function userPage(browser, who, opts) {
  const page = await newPage(browser, opts);
  await login(page, USERS[who] || who);
  return page;
}

export async function waitOnline(page, timeout = T) {
  await page.locator('#conn[data-status="online"]').waitFor({ timeout });
}

export async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
}

export async function shot(page, name, { fullPage = false } = {}) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** The href of the first link with this accessible name, e.g. the id of a body or meeting. */
export async function hrefOf(page, name) {
  return page.getByRole('link', { name, exact: true }).first().getAttribute('href');
}

/** Titles of the agenda items shown, in order. */
export async function agendaTitles(page) {
  return page.locator('.agenda-item .item-title').allTextContents();
}

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const axeSource = readFileSync(axePath, 'utf8');

/** Runs axe-core in the page (evaluated over CDP, so the page's CSP does not apply). */
export async function axe(page) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

/** Runs axe once the page has settled and adds every serious or critical violation to problems
 *  (so one test can report all screens at once); saves a screenshot named name. */
export async function axeCheck(page, name, problems) {
  await page.waitForTimeout(300); // let live regions and late lists settle
  const v = (await axe(page)).filter((x) => x.impact === 'serious' || x.impact === 'critical');
  for (const x of v) problems.push(`${name}: ${x.id} (${x.impact}) ${x.help} @ ${x.nodes.join(' | ')}`);
  await shot(page, name);
}

export function serverPid() {
  const f = process.env.KT_E2E_PIDFILE;
  if (!f || !existsSync(f)) return null;
  return Number(readFileSync(f, 'utf8').trim());
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until its value deep-equals expected (JSON), or throws with the last value. */
export async function until(fn, expected, { timeout = T, message = '' } = {}) {
  const want = JSON.stringify(expected);
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (JSON.stringify(last) === want) return last;
    if (Date.now() > end) throw new Error(`${message} expected ${want}, got ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

/** Records every WebSocket frame the page receives from now on (to prove what never reached
 *  it), also on the WebSocket it already has (a page from newPage: its socket opened at login,
 *  before any test could listen for new ones). */
export function recordFrames(page) {
  const frames = [];
  if (page.frameSinks) page.frameSinks.add(frames);
  else page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  return frames;
}

/** The first upcoming meeting of a body, from the chair's "Mijn overleggen" list. */
export async function firstMeetingHref(page, bodyName, nth = 0) {
  const link = page.locator('.meeting-list a.meeting-link', { hasText: bodyName }).nth(nth);
  await link.waitFor();
  return link.getAttribute('href');
}

/** The address of one of my bodies, from "Overleggen waarin ik zit". */
export async function bodyHref(page, name) {
  const link = page.locator('.body-list a.body-link', { hasText: name }).first();
  await link.waitFor();
  return link.getAttribute('href');
}

// Scrolls the element into view. Views redraw when live events arrive, so the
// element found a moment ago may be replaced: look it up again until it holds.
export async function reveal(locator, timeout = T) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      await locator.evaluate((el) => el.scrollIntoView({ block: 'center' }), null, { timeout: 2000 });
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await sleep(100);
    }
  }
}
