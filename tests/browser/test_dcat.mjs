// test_dcat.mjs — the DCAT-AP 3.0 catalogue (/catalog.jsonld, /catalog.ttl, and by content
// negotiation on / and /collections/{id}) checked by independent libraries:
//  - the JSON-LD is read by npm `jsonld` (toRDF), the Turtle by npm `n3`; both graphs are
//    canonicalised with URDNA2015 (jsonld's canonize) and must be the same graph;
//  - the graph validates against the official DCAT-AP 3.0.0 SHACL shapes (tests/data/dcat-ap-3.0.0)
//    with npm `rdf-validate-shacl`: any sh:Violation fails, warnings are printed;
//  - a crawler dereferences every IRI of the server in the graph (fragment removed) and checks
//    200, and for each distribution that its URL answers with the media type it declares;
//  - Hydra paging with a small page size visits every dataset exactly once;
//  - each dataset's dct:issued is its first version's date and dct:modified its current one's
//    (`teselas versions --json`).
// On the demo database, and on one made only from third-party files (INEGI localities, the CDMX
// crime sample under a generalising privacy policy, the libpysal states).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import jsonld from 'jsonld';
import N3 from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import rdf from '@zazuko/env-node';

import { TESELAS, startServer } from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));
const SHAPES = join(DATA, 'dcat-ap-3.0.0/dcat-ap-SHACL.ttl');
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const DCAT = 'http://www.w3.org/ns/dcat#';
const HYDRA = 'http://www.w3.org/ns/hydra/core#';
const SH = 'http://www.w3.org/ns/shacl#';

function parseTurtle(text, baseIRI) {
  return new N3.Parser({ baseIRI }).parse(text);
}

async function fetchText(url, accept) {
  const r = await fetch(url, accept ? { headers: { Accept: accept } } : {});
  assert.equal(r.status, 200, `${url}: ${r.status}`);
  return { type: r.headers.get('content-type'), text: await r.text() };
}

// Both documents as canonical N-Quads (URDNA2015), so blank node labels do not matter.
async function sameGraph(jsonText, ttlText, base) {
  const fromJson = await jsonld.canonize(JSON.parse(jsonText), { algorithm: 'URDNA2015', format: 'application/n-quads' });
  const quads = parseTurtle(ttlText, base);
  const nq = new N3.Writer({ format: 'N-Quads' }).quadsToString(quads);
  const fromTtl = await jsonld.canonize(nq, { algorithm: 'URDNA2015', inputFormat: 'application/n-quads', format: 'application/n-quads' });
  assert.ok(quads.length > 10, `only ${quads.length} triples`);
  assert.equal(fromJson, fromTtl, 'the JSON-LD and the Turtle describe different graphs');
  return quads;
}

let shapesCache;
function shapes() {
  if (!shapesCache) {
    shapesCache = rdf.dataset(parseTurtle(readFileSync(SHAPES, 'utf8')));
  }
  return shapesCache;
}

// Fails on any violation; returns the warnings (printed by the caller).
async function validate(quads, what) {
  const validator = new SHACLValidator(shapes(), { factory: rdf });
  const report = await validator.validate(rdf.dataset(quads));
  const violations = [], warnings = [];
  for (const r of report.results) {
    const line = `${r.severity?.value?.replace(SH, 'sh:')} ${r.focusNode?.value} ${r.path?.value ?? ''}: ${r.message.map((m) => m.value).join('; ')}`;
    (r.severity?.value === `${SH}Violation` ? violations : warnings).push(line);
  }
  for (const w of warnings) console.log(`${what}: ${w}`);
  assert.deepEqual(violations, [], `${what}: ${violations.length} SHACL violations`);
  return { warnings, conforms: report.conforms };
}

function objects(quads, s, p) {
  return quads.filter((q) => (!s || q.subject.value === s) && q.predicate.value === p).map((q) => q.object);
}

function subjectsOfType(quads, cls) {
  return quads.filter((q) => q.predicate.value === RDF_TYPE && q.object.value === cls).map((q) => q.subject.value);
}

// Every IRI of the server: 200; the access and download URLs of a distribution answer with its
// declared media type (the IANA IRI's type/subtype).
async function crawl(quads, base) {
  const declared = new Map();
  for (const d of subjectsOfType(quads, `${DCAT}Distribution`)) {
    const media = objects(quads, d, `${DCAT}mediaType`)[0]?.value.replace('https://www.iana.org/assignments/media-types/', '');
    assert.ok(media, `${d} has no media type`);
    for (const p of ['accessURL', 'downloadURL'])
      for (const u of objects(quads, d, DCAT + p)) declared.set(u.value, media);
  }
  const urls = new Set();
  for (const q of quads)
    for (const t of [q.subject, q.object])
      if (t.termType === 'NamedNode' && t.value.startsWith(base)) urls.add(t.value.replace(/#.*$/, ''));
  assert.ok(urls.size > 5, [...urls].join(' '));
  for (const u of urls) {
    const r = await fetch(u);
    assert.equal(r.status, 200, `${u}: ${r.status}`);
    await r.arrayBuffer();
    if (declared.has(u)) {
      const type = (r.headers.get('content-type') || '').split(';')[0].trim();
      assert.equal(type, declared.get(u), `${u} declares ${declared.get(u)}, answers ${type}`);
    }
  }
  return urls.size;
}

// Follows hydra:nextPage from page 1 with page_size=size; every dataset exactly once.
async function pages(base, ext, size) {
  const seen = [];
  let url = `${base}/catalog.${ext}?page=1&page_size=${size}`;
  for (let n = 0; url && n < 100; n++) {
    const { text } = await fetchText(url);
    const quads = ext === 'ttl' ? parseTurtle(text, base) : await jsonld.toRDF(JSON.parse(text));
    const datasets = subjectsOfType(quads, `${DCAT}Dataset`);
    assert.ok(datasets.length <= size, `${url}: ${datasets.length} datasets`);
    seen.push(...datasets);
    url = objects(quads, null, `${HYDRA}nextPage`)[0]?.value;
  }
  return seen;
}

// The server computes each download's byteSize and checksum in the background: until every
// GeoJSON and CSV distribution has them, two fetches may describe different graphs. Waits for
// them (so the SHACL shapes also see dcat:byteSize and spdx:checksum), at most 3 minutes.
async function waitDigests(base) {
  for (let i = 0; i < 360; i++) {
    const quads = await jsonld.toRDF(JSON.parse((await fetchText(`${base}/catalog.jsonld`)).text));
    const dists = subjectsOfType(quads, `${DCAT}Distribution`).filter((d) => /#dist-(geojson|csv)$/.test(d));
    if (dists.length && dists.every((d) => objects(quads, d, `${DCAT}byteSize`).length === 1)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail('the downloads have no byteSize after 3 minutes');
}

async function checkServer(server, what) {
  const base = server.base;
  await waitDigests(base);
  const j = await fetchText(`${base}/catalog.jsonld`);
  const t = await fetchText(`${base}/catalog.ttl`);
  assert.match(j.type, /^application\/ld\+json/);
  assert.match(t.type, /^text\/turtle/);
  const quads = await sameGraph(j.text, t.text, base);
  const { warnings } = await validate(quads, what);
  console.log(`${what}: ${quads.length} triples, no SHACL violation, ${warnings.length} warnings`);
  const n = await crawl(quads, base);
  console.log(`${what}: ${n} URLs of the catalogue answered 200`);
  const datasets = subjectsOfType(quads, `${DCAT}Dataset`).sort();
  const ids = (await (await fetch(`${base}/collections?f=json`)).json()).collections.map((c) => c.id);
  assert.equal(datasets.length, ids.length, 'one dataset per layer');
  // content negotiation: the same catalogue on /, one dataset on /collections/{id}
  const root = await fetchText(`${base}/`, 'text/turtle');
  assert.match(root.type, /^text\/turtle/);
  await sameGraph(j.text, root.text, base);
  const one = await fetchText(`${base}/collections/${ids[0]}`, 'application/ld+json');
  assert.match(one.type, /^application\/ld\+json/);
  // through N-Quads text: the shapes' sh:datatype checks need N3's terms (jsonld's have no equals)
  const oneQuads = new N3.Parser({ format: 'N-Quads' }).parse(
    await jsonld.toRDF(JSON.parse(one.text), { format: 'application/n-quads' }));
  assert.deepEqual(subjectsOfType(oneQuads, `${DCAT}Dataset`), [`${base}/collections/${ids[0]}#dataset`]);
  await validate(oneQuads, `${what} /collections/${ids[0]}`);
  // paging, both syntaxes
  for (const ext of ['jsonld', 'ttl']) {
    const seen = await pages(base, ext, 2);
    assert.deepEqual([...seen].sort(), datasets, `paging ${ext} visits every dataset once`);
  }
  const bad = await fetch(`${base}/catalog.jsonld?page=abc`);
  assert.equal(bad.status, 400);
  assert.ok((await bad.json()).code);
  const past = await fetch(`${base}/catalog.ttl?page=99&page_size=2`);
  assert.equal(past.status, 404);
  return quads;
}

test('the validator and the comparison can fail', async () => {
  const broken = parseTurtle(`@prefix dcat: <${DCAT}> . <http://x/d> a dcat:Dataset .`);
  await assert.rejects(validate(broken, 'a dataset without title'));
  await assert.rejects(sameGraph('{"@id":"http://x/a","http://x/p":"1"}',
    '<http://x/a> <http://x/p> "2" , "3", "4", "5", "6", "7", "8", "9", "10", "11", "12" .', 'http://x/'));
});

test('the demo catalogue: one graph in both syntaxes, DCAT-AP valid, every URL answers', async () => {
  const server = await startServer();
  try {
    const quads = await checkServer(server, 'demo');
    const freq = objects(quads, `${server.base}/collections/incidentes#dataset`, 'http://purl.org/dc/terms/accrualPeriodicity');
    assert.deepEqual(freq.map((f) => f.value), ['http://publications.europa.eu/resource/authority/frequency/MONTHLY']);
  } finally {
    await server.stop();
  }
});

function buildThirdParty(db) {
  const run = (args) => execFileSync(TESELAS, args, { stdio: 'ignore' });
  run(['import', join(DATA, 'inegi/AGLOC_11020_localidades.csv'), '--db', db, '--layer', 'localidades',
    '--title', 'Localidades de León', '--license', 'Licencia de libre uso MX', '--publisher', 'INEGI',
    '--frequency', 'anual', '--keywords', 'localidades, población']);
  run(['import', join(DATA, 'cdmx-ssp/crime-lat-long-2000.csv'), '--db', db, '--layer', 'delitos',
    '--title', 'Delitos "CDMX" \\ muestra', '--license', 'CC-BY-4.0', '--frequency', 'mensual',
    '--date-field', 'date', '--privacy', 'generalize:grid=500,month,k=5']);
  run(['import', join(DATA, 'libpysal-mexico/mexicojoin.shp'), '--db', db, '--layer', 'estados',
    '--source-srs', 'EPSG:4326', '--description', 'Estados de México\nsegunda línea']);
  // a second version of the states, a second later (the history's times are in seconds)
  execFileSync('sleep', ['1.1']);
  run(['import', join(DATA, 'libpysal-mexico/mexicojoin.shp'), '--db', db, '--layer', 'estados',
    '--source-srs', 'EPSG:4326', '--fields', 'POLY_ID,CODE,NAME', '--description', 'Estados de México\nsegunda línea']);
}

test('a catalogue of third-party layers, with a privacy layer', async () => {
  const server = await startServer(buildThirdParty);
  try {
    const quads = await checkServer(server, 'third-party');
    const ds = `${server.base}/collections/delitos#dataset`;
    const prov = objects(quads, ds, 'http://purl.org/dc/terms/provenance')[0];
    const text = objects(quads, prov.value, 'http://www.w3.org/2000/01/rdf-schema#label')[0];
    assert.equal(text.language, 'es');
    assert.match(text.value, /500 m/, text.value);
    const temporal = objects(quads, ds, 'http://purl.org/dc/terms/temporal')[0];
    const start = objects(quads, temporal.value, `${DCAT}startDate`)[0];
    assert.match(start.value, /^2013-01/, start.value);
    // a second version: issued stays the first one's date, modified is the new one's
    const versions = JSON.parse(execFileSync(TESELAS, ['versions', 'estados', '--db', server.db, '--json']).toString());
    const dates = versions.versions.filter((v) => !v.removal).map((v) => v.time);
    const est = `${server.base}/collections/estados#dataset`;
    assert.deepEqual(objects(quads, est, 'http://purl.org/dc/terms/issued').map((o) => o.value), [dates[0]]);
    assert.deepEqual(objects(quads, est, 'http://purl.org/dc/terms/modified').map((o) => o.value), [dates[dates.length - 1]]);
    assert.ok(dates.length >= 2 && dates[0] <= dates[dates.length - 1], JSON.stringify(dates));
    const lic = objects(quads, `${server.base}/collections/localidades#dist-csv`, 'http://purl.org/dc/terms/license');
    assert.deepEqual(lic.map((l) => l.value), ['https://datos.gob.mx/libreusomx']);
  } finally {
    await server.stop();
  }
});
