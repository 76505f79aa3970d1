// Issue 13, part 7 in the browser: the verslag of the Regiegroep's last meeting as a page to print
// and as Markdown to download; the omgevingsdienst, a member outside the audience of the RIEC's
// confidential report on that agenda, gets "Besloten punt" in its place and none of its words,
// on the page and in the file. The besluitenlijst of the body on a phone. Axe-clean on a laptop
// and a phone; the print stylesheet leaves only the document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, userPage, go, bodyHref, axeCheck, shot } from '../lib.mjs';

const BODY = 'Regiegroep Ondermijning';
const SECRET = 'vastgoedportefeuille';

let browser;
let meetingHash;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function lastHeldMeeting(page) {
  await go(page, `${await bodyHref(page, BODY)}/vergaderingen`);
  const past = page.locator('section[aria-labelledby="h-past"] .meeting-row:not(.cancelled) a.meeting-link').first();
  await past.waitFor();
  return past.getAttribute('href');
}

async function downloadText(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Downloaden (Markdown)' }).click()]);
  return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
}

test('the chair prints the verslag and downloads it as Markdown; the confidential item is in it for her', async () => {
  const page = await userPage(browser, 'chair');
  meetingHash = await lastHeldMeeting(page);
  await go(page, meetingHash);
  await page.getByRole('link', { name: 'Verslag exporteren' }).click();
  await page.waitForURL(/#\/vergadering\/\d+\/verslag$/);
  await page.getByRole('heading', { level: 1, name: `Verslag ${BODY}` }).waitFor();
  const doc = page.locator('article.doc-page');
  await doc.getByText(new RegExp(SECRET)).first().waitFor();
  const problems = [];
  await axeCheck(page, 'laptop-verslag-export', problems);
  const file = await downloadText(page);
  assert.match(file.name, /^verslag-regiegroep-ondermijning-\d{4}-\d{2}-\d{2}\.md$/);
  assert.ok(file.text.startsWith('<!-- ketentafel-export v1 -->\n\n# Verslag Regiegroep Ondermijning\n'), file.text.slice(0, 80));
  assert.match(file.text, /\nDatum: \w+dag \d+ \w+ \d{4}/);
  assert.match(file.text, /\n## 8\. Bestuurlijke rapportage RIEC: vastgoedportefeuille Oud-Krispijn\n/);
  // on paper: the document only
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.topbar').isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'Afdrukken' }).isVisible(), false);
  assert.equal(await doc.isVisible(), true);
  await shot(page, 'laptop-verslag-afdruk', { fullPage: true });
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the omgevingsdienst gets "Besloten punt" in its place, on the page and in the file', async () => {
  const page = await userPage(browser, 'odzhz');
  await go(page, `${meetingHash}/verslag`);
  const doc = page.locator('article.doc-page');
  await doc.locator('.doc-item.is-placeholder').first().waitFor();
  assert.equal((await doc.locator('.doc-item.is-placeholder h3').first().textContent()).trim(), '8. Besloten punt');
  assert.doesNotMatch(await doc.textContent(), new RegExp(SECRET, 'i'));
  const file = await downloadText(page);
  assert.match(file.text, /\n## 8\. Besloten punt\n/);
  assert.doesNotMatch(file.text, new RegExp(`${SECRET}|Oud-Krispijn`, 'i'));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the besluitenlijst on a phone: by meeting, a period, axe-clean', async () => {
  const page = await userPage(browser, 'chair', { width: 390, height: 844 });
  await go(page, `${await bodyHref(page, BODY)}/vergaderingen`);
  await page.getByRole('link', { name: 'Besluitenlijst' }).click();
  await page.getByRole('heading', { level: 1, name: `Besluitenlijst ${BODY}` }).waitFor();
  await page.locator('article.doc-page [role="status"]').filter({ hasText: /\d+ besluit/ }).waitFor();
  const problems = [];
  await axeCheck(page, 'telefoon-besluitenlijst', problems);
  const file = await downloadText(page);
  assert.equal(file.name, 'besluitenlijst-regiegroep-ondermijning.md');
  assert.match(file.text, /^<!-- ketentafel-export v1 -->\n\n# Besluitenlijst Regiegroep Ondermijning\n/);
  // a period in the future holds none
  await page.getByLabel('Vanaf').fill('2099-01-01');
  await page.getByRole('button', { name: 'Periode tonen' }).click();
  await page.getByText('Er zijn (in deze periode) geen besluiten die u kunt zien.').waitFor();
  assert.match(page.url(), /besluitenlijst\?van=2099-01-01$/);
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
