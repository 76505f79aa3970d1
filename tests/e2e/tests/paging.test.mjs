// A body whose backlog is larger than one page (body.get sends 200 items at a time, issue 12):
// "Te agenderen" shows the first page and "Meer laden" brings the rest, each item once; the
// button goes when everything is there. The body and its secretary are new (made here over the
// protocol), so the demo that the other tests read stays as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, userPage, go, agendaTitles, until, reveal, BASE } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ITEMS = 230;
const PASSWORD = 'paginering-wachtwoord-1';

/** Sends requests over a WebSocket of the page's own session; returns the replies in order. */
async function calls(page, reqs) {
  return page.evaluate(async (reqs) => {
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws`);
    await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
    const replies = new Map();
    const done = new Promise((ok) => {
      ws.onmessage = (e) => {
        const f = JSON.parse(e.data);
        if (f.event || f.id == null) return;
        replies.set(f.id, f);
        if (replies.size === reqs.length) ok();
      };
    });
    reqs.forEach((r, i) => ws.send(JSON.stringify({ id: i + 1, ...r })));
    await done;
    ws.close();
    return reqs.map((_, i) => replies.get(i + 1));
  }, reqs);
}

async function one(page, req) {
  const [r] = await calls(page, [req]);
  assert.ok(r.ok, JSON.stringify(r));
  return r.result;
}

test('a backlog beyond one page: the first 200, then "Meer laden" brings the rest', async () => {
  const admin = await userPage(browser, 'admin');
  const org = (await one(admin, { op: 'org.list' })).organisations[0].id;
  const scope = (await one(admin, { op: 'scope.list' })).scopes[0].name;
  const made = await one(admin, { op: 'person.create', name: 'Paula Paginering', email: 'p.paginering@test.example', org, function: 'secretaris' });
  const token = made.setup_url.split('/').pop();
  const r = await fetch(`${BASE}/api/password`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, password: PASSWORD }) });
  assert.equal(r.status, 200);
  const body = (await one(admin, { op: 'body.create', name: 'Proefoverleg paginering', kind: 'regiegroep', scope, level: 'tactisch' })).body.id;
  await one(admin, { op: 'membership.add', body, person: made.person.id, role: 'secretaris' });
  await admin.context().close();

  const sec = await newPage(browser);
  await login(sec, 'p.paginering@test.example', PASSWORD);
  // Titles of one word each, unlike anything else: no overlap signals with other bodies.
  const replies = await calls(sec, Array.from({ length: ITEMS }, (_, i) => ({ op: 'agenda.add', body, title: `Qpag${String(i).padStart(3, '0')}x` })));
  assert.ok(replies.every((x) => x.ok), JSON.stringify(replies.find((x) => !x.ok)));

  await go(sec, `#/overleg/${body}/agenderen`);
  await sec.getByRole('heading', { name: 'Te agenderen' }).waitFor();
  await until(async () => (await agendaTitles(sec)).length, 200);
  const more = sec.getByRole('button', { name: 'Meer laden' });
  await more.click();
  await until(async () => (await agendaTitles(sec)).length, ITEMS);
  const titles = await agendaTitles(sec);
  assert.equal(new Set(titles).size, ITEMS);
  assert.deepEqual(titles, [...titles].sort());
  await more.waitFor({ state: 'detached' });
  assert.deepEqual(sec.errors, []);

  // Reordering with only the first page loaded (issue 12): the client moves one item next to
  // its neighbour (agenda.reorder item + before/after), not the loaded page as the whole list
  // (which the server refused: 200 of 230 items).
  await sec.reload();
  await sec.getByRole('heading', { name: 'Te agenderen' }).waitFor();
  await until(async () => (await agendaTitles(sec)).length, 200);
  await reveal(sec.getByRole('button', { name: 'Punt 2 omhoog: Qpag001x' }));
  await sec.getByRole('button', { name: 'Punt 2 omhoog: Qpag001x' }).click();
  await until(async () => (await agendaTitles(sec)).slice(0, 2).join(' '), 'Qpag001x Qpag000x');
  const snap = await one(sec, { op: 'body.get', body, backlog_limit: 3 });
  assert.deepEqual(snap.backlog.map((it) => it.title), ['Qpag001x', 'Qpag000x', 'Qpag002x']);
  // and down to the end of the loaded page: placed after the last loaded item (the items after
  // it, not loaded, stay after it)
  await reveal(sec.getByRole('button', { name: 'Punt 199 omlaag: Qpag198x' }));
  await sec.getByRole('button', { name: 'Punt 199 omlaag: Qpag198x' }).click();
  await until(async () => (await agendaTitles(sec)).slice(197).join(' '), 'Qpag197x Qpag199x Qpag198x');
  const tail = await one(sec, { op: 'body.get', body, backlog_from: 197, backlog_limit: 4 });
  assert.deepEqual(tail.backlog.map((it) => it.title), ['Qpag197x', 'Qpag199x', 'Qpag198x', 'Qpag200x']);
  assert.deepEqual(sec.errors, []);
  await sec.context().close();
});
