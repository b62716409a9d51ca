// test_admin_flow.mjs — the pages for publishers in Chromium at 360 px, on a database that starts
// as one account and no layer, with a third-party file (SACMEX's wells of Mexico City,
// tests/data/cdmx-agua/SOURCE.md): sign in with the keyboard only; "tus capas"; upload the
// file, which is refused for a personal field (CALLE) with the reason in words and a way back;
// upload again leaving CALLE out: published, the quality report in words, the layer served
// without CALLE; a second version without COLONIA; roll back to the first from the history (its
// COLONIA is served again); sign out. axe-core finds no serious or critical violation on any of
// the pages, none scrolls sideways at 360 px, and no page makes a request to another origin or
// logs an error. The wall time of the flow is printed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { CHROMIUM, CHROMIUM_ARGS, TESELAS, axeSerious, jobEnded, loadPlaywright, shot, startServer, tabTo, watch }
  from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const FILE = join(DATA, 'cdmx-agua/Pozos_Sacmex2.geojson');
const PASSWORD = `clave-de-agua-${process.pid}-${Date.now()}`;

let server;
let browser;
let dbPath;

before(async () => {
  server = await startServer((db) => {
    dbPath = db;
    execFileSync(TESELAS, ['users', 'add', 'agua', '--db', db, '--role', 'publisher',
      '--department', 'Sistema de Aguas', '--layers', 'pozos', '--password'],
    { input: `${PASSWORD}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    execFileSync(TESELAS, ['users', 'add', 'transparencia', '--db', db, '--role', 'reviewer',
      '--department', 'Unidad de Transparencia', '--password'],
    { input: `${PASSWORD}-t\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  });
  const { chromium } = loadPlaywright();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The transparency unit approves review N (a decision about personal data waits for it).
function approve(n) {
  execFileSync(TESELAS, ['review', 'approve', String(n), '--reason', 'campos personales fuera',
    '--db', dbPath, '--user', 'transparencia'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

// What every page must be: axe clean, no sideways scroll at 360 px.
async function checkPage(page, name, seen) {
  const violations = await axeSerious(page);
  assert.deepEqual(violations, [], `axe on ${name}`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `${name} is ${wide} px wide at 360 px`);
  seen.push(name);
}

async function upload(page, drop) {
  await page.goto(`${server.base}/admin/capas/pozos`);
  await page.setInputFiles('#archivo', FILE);
  await page.fill('#drop', drop);
  await Promise.all([page.waitForURL(/\/admin\/trabajos\/\d+$/), page.click('button:has-text("Subir")')]);
  await jobEnded(page);
}

async function items() {
  const r = await fetch(`${server.base}/collections/pozos/items?limit=1`);
  assert.equal(r.status, 200);
  return r.json();
}

// The first page of items once OK(doc) holds: the server sees a version the CLI approved within
// a second or two (it checks its catalogue each second).
async function itemsOnce(ok) {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${server.base}/collections/pozos/items?limit=1`);
    if (r.status === 200) {
      const doc = await r.json();
      if (ok(doc)) return doc;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  return items();
}

test('a publisher signs in, uploads, fixes, publishes and rolls back', async () => {
  try {
    await flow();
  } catch (err) {
    console.log(`# server log:\n${server.log().replace(/^/gm, '# ')}`);
    throw err;
  }
});

async function flow() {
  const source = JSON.parse(readFileSync(FILE, 'utf8')).features.length;
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'es-MX' });
  const page = await context.newPage();
  const problems = watch(page, [server.base]);
  // 401/403 answers the flow asks for are not problems; every other 4xx/5xx is
  const seen = [];
  const t0 = Date.now();

  // sign in, keyboard only
  await page.goto(`${server.base}/admin`);
  assert.match(page.url(), /\/admin\/entrar$/, 'an anonymous visit goes to the sign-in page');
  await checkPage(page, 'entrar', seen);
  await tabTo(page, '#usuario');
  await page.keyboard.type('agua');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'contrasena');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForURL(/\/admin$/), page.keyboard.press('Enter')]);
  await page.waitForSelector('h1:has-text("Tus capas")');
  assert.match(await page.textContent('main'), /sin publicar todavía/);
  await checkPage(page, 'tus capas', seen);
  await Promise.all([page.waitForURL(/\/admin\/capas\/pozos$/), page.click('a[href="/admin/capas/pozos"]')]);
  await checkPage(page, 'capa', seen);

  // the file as it comes: refused for a personal field, said in words, with a way back
  await upload(page, '');
  const refused = await page.textContent('main');
  assert.match(refused, /El archivo no se publicó/);
  assert.match(refused, /CALLE/);
  assert.match(refused, /Corrige el archivo y vuelve a subirlo/);
  await checkPage(page, 'subida rechazada', seen);
  assert.equal((await fetch(`${server.base}/collections/pozos`)).status, 404, 'nothing published');

  // again without CALLE: a decision about personal data, so it waits for review, said in words
  await upload(page, 'CALLE');
  const done = await page.textContent('main');
  assert.match(done, /Versión 1 pendiente de revisión/);
  const report = await page.textContent('#informe');
  assert.match(report, new RegExp(`${source} registros publicados de ${source}`), report);
  await checkPage(page, 'subida en revisión', seen);
  assert.equal((await fetch(`${server.base}/collections/pozos`)).status, 404, 'nothing published yet');
  approve(1);
  let doc = await itemsOnce(() => true);
  assert.equal(doc.numberMatched, source);
  assert.ok(!('CALLE' in doc.features[0].properties) && 'COLONIA' in doc.features[0].properties);

  // a second version without COLONIA either, then back to the first from the history
  await upload(page, 'CALLE, COLONIA');
  assert.match(await page.textContent('main'), /Versión 2 pendiente de revisión/);
  approve(2);
  doc = await itemsOnce((d) => !('COLONIA' in d.features[0].properties));
  assert.ok(!('COLONIA' in doc.features[0].properties), 'version 2 has no COLONIA');
  await page.goto(`${server.base}/admin/capas/pozos`);
  assert.match(await page.textContent('main'), /publicada/);
  await checkPage(page, 'historial', seen);
  await Promise.all([page.waitForURL(/\/admin\/capas\/pozos$/),
    page.click('button:has-text("Volver a publicar la versión 1")')]);
  assert.match(await page.textContent('main'), /Versión 3/);
  doc = await items();
  assert.ok('COLONIA' in doc.features[0].properties, 'the rollback published version 1 again');
  const versions = await (await fetch(`${server.base}/api/layers/pozos/versions`)).json();
  assert.equal(versions.versions.at(-1).rollback_of, 1);
  const wall = (Date.now() - t0) / 1000;
  await shot(page, 'admin-historial-360');

  // sign out: the pages ask to sign in again
  await Promise.all([page.waitForURL(/\/admin\/entrar$/), page.click('button:has-text("Salir")')]);
  await page.goto(`${server.base}/admin`);
  assert.match(page.url(), /\/admin\/entrar$/);

  assert.deepEqual(problems, [], 'problems on the pages');
  assert.deepEqual(seen.length, 6);
  console.log(`# flow wall time (sign-in to rollback, 3 uploads of ${source} wells): ${wall.toFixed(1)} s`);
  await context.close();
}
