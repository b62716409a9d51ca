// test_openapi.mjs — the OpenAPI document the server publishes at /api, validated against the
// OpenAPI 3.0 schema by an independent validator (npm @apidevtools/swagger-parser: JSON Schema of
// the specification, plus the rules a schema cannot say, such as unique operationIds and path
// parameters declared by every operation of their path). Checked on the demo database and on one
// made from a third-party file, since the document lists each layer's collection.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import SwaggerParser from '@apidevtools/swagger-parser';

import { TESELAS, startServer } from './lib.mjs';

const DATA = process.env.TESELAS_TEST_DATA || fileURLToPath(new URL('../data/', import.meta.url));

async function validateApi(server) {
  const r = await fetch(`${server.base}/api`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/vnd\.oai\.openapi\+json;version=3\.0/);
  const doc = await r.json();
  assert.match(doc.openapi, /^3\.0\./);
  // validate() dereferences in place: give it a copy, keep the document to inspect
  await SwaggerParser.validate(structuredClone(doc));
  return doc;
}

test('/api of the demo database is a valid OpenAPI 3.0 document', async () => {
  const server = await startServer();
  try {
    const doc = await validateApi(server);
    assert.ok(doc.paths['/collections/incidentes/items'] || doc.paths['/collections/{collectionId}/items'],
      Object.keys(doc.paths).join(' '));
  } finally {
    await server.stop();
  }
});

test('/api of a database made from a third-party file is valid too', async () => {
  const server = await startServer((db) => execFileSync(TESELAS, ['import',
    join(DATA, 'inegi/AGLOC_11020_localidades.csv'), '--db', db, '--layer', 'localidades'], { stdio: 'ignore' }));
  try {
    await validateApi(server);
  } finally {
    await server.stop();
  }
});

test('the validator refuses a broken document (the check can fail)', async () => {
  const broken = { openapi: '3.0.3', info: { title: 'x' }, paths: { '/a/{id}': { get: { responses: {} } } } };
  await assert.rejects(SwaggerParser.validate(broken));
});

test('the write API says its bodies, its credentials and its answers', async () => {
  const server = await startServer();
  try {
    const doc = await validateApi(server);
    const up = doc.paths['/api/layers/{id}/versions'].post;
    assert.deepEqual(Object.keys(up.requestBody.content).sort(), ['application/geo+json',
      'application/octet-stream', 'application/zip', 'multipart/form-data', 'text/csv']);
    assert.equal(up.requestBody.content['multipart/form-data'].schema.properties.archivo.format, 'binary');
    assert.deepEqual(up.requestBody.content['multipart/form-data'].schema.required, ['archivo']);
    for (const verb of ['approve', 'reject']) {
      const op = doc.paths[`/api/reviews/{n}/${verb}`].post;
      assert.deepEqual(op.requestBody.content['application/json'].schema.required, ['reason']);
    }
    const decision = doc.paths['/admin/revision/{n}/decision'].post;
    assert.deepEqual(decision.requestBody.content['application/x-www-form-urlencoded'].schema
      .properties.decision.enum, ['approve', 'reject']);
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['session', 'token']);
    // every /api route: its path parameters, its answers with a JSON error, who may call it
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/') || path.startsWith('/api/3/')) continue;
      for (const [method, op] of Object.entries(item)) {
        const captures = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters || []).filter((p) => p.in === 'path').map((p) => p.name);
        assert.deepEqual(declared, captures, `${method} ${path} path parameters`);
        assert.ok(Object.keys(op.responses).some((s) => /^2/.test(s)), `${method} ${path} success`);
        assert.ok(op.responses['400'], `${method} ${path} 400`);
        // the history and the diff are public; every write, job and review needs a credential
        if (method !== 'get' || /^\/api\/(jobs|reviews)/.test(path))
          assert.ok(op.security && op.responses['401'], `${method} ${path} credentials`);
        if (method === 'post' && path !== '/api/layers/{id}/rollback')
          assert.ok(op.requestBody, `${method} ${path} requestBody`);
      }
    }
  } finally {
    await server.stop();
  }
});
