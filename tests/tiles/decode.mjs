// decode.mjs — decodes a vector tile with third-party code (npm @mapbox/vector-tile + pbf) and
// checks it against MVT 2.1, printing one JSON document on stdout for the shell tests.
//
//   node tests/tiles/decode.mjs TILE.pbf [--no-geometry]
//
// The tile may be gzip-compressed. Two independent readings are made and compared:
//   - @mapbox/vector-tile (what MapLibre uses): layers, ids, properties, loadGeometry();
//   - a strict reading of the raw protobuf with pbf alone: the value type tags (so an int is told
//     from a double, and a bool from 0/1), duplicate keys/values, and the command stream of every
//     geometry (MoveTo/LineTo/ClosePath counts per geometry type, MVT 2.1 §4.3).
// For each feature the output has `problems`, a list of strings; an empty list everywhere means the
// tile passed every check below:
//   - §4.3.4.2 points: one MoveTo with count >= 1 and nothing else;
//   - §4.3.4.3 lines: MoveTo(1) LineTo(n >= 1) per part, >= 2 distinct points;
//   - §4.3.4.4 polygons: MoveTo(1) LineTo(n >= 2) ClosePath(1) per ring, >= 3 distinct points,
//     non-zero area, the first ring exterior (positive area by the surveyor's formula in tile
//     coordinates, y down: clockwise on screen), and no ring that crosses itself;
//   - §4.2 keys/values: no duplicates in a layer, every tag index in range, even tag count;
//   - §4.4 values: exactly one field set per value.
// The node_modules come from tests/browser (where `npm ci` installs every node test dependency),
// or from $TESELAS_NODE_MODULES.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = process.env.TESELAS_NODE_MODULES || join(here, '..', 'browser', 'node_modules');

async function load(name) {
  const require = createRequire(join(nodeModules, 'package.json'));
  let path;
  try {
    path = require.resolve(name);
  } catch {
    console.error(`decode.mjs: ${name} not found in ${nodeModules}: run (cd tests/browser && npm ci)`);
    process.exit(3);
  }
  return import(pathToFileURL(path).href);
}

const { VectorTile } = await load('@mapbox/vector-tile');
const { PbfReader: Pbf } = await load('pbf');

const VALUE_KINDS = { 1: 'string', 2: 'float', 3: 'double', 4: 'int', 5: 'uint', 6: 'sint', 7: 'bool' };

// ---- strict raw reading ------------------------------------------------------------------------

function readValue(pbf, end) {
  const kinds = [];
  let v = null;
  while (pbf.pos < end) {
    const tag = pbf.readVarint();
    const field = tag >> 3;
    kinds.push(VALUE_KINDS[field] || `unknown-field-${field}`);
    switch (field) {
      case 1: v = pbf.readString(); break;
      case 2: v = pbf.readFloat(); break;
      case 3: v = pbf.readDouble(); break;
      case 4: v = pbf.readVarint(true); break;
      case 5: v = pbf.readVarint(); break;
      case 6: v = pbf.readSVarint(); break;
      case 7: v = pbf.readBoolean(); break;
      default: pbf.skip(tag);
    }
  }
  return { kind: kinds.length === 1 ? kinds[0] : `invalid(${kinds.join('+')})`, v };
}

function readFeatureRaw(pbf, end) {
  const f = { id: undefined, type: 0, tags: [], cmds: [] };
  while (pbf.pos < end) {
    const tag = pbf.readVarint();
    const field = tag >> 3;
    if (field === 1) f.id = pbf.readVarint();
    else if (field === 2) {
      const e = pbf.readVarint() + pbf.pos;
      while (pbf.pos < e) f.tags.push(pbf.readVarint());
    } else if (field === 3) f.type = pbf.readVarint();
    else if (field === 4) {
      const e = pbf.readVarint() + pbf.pos;
      while (pbf.pos < e) f.cmds.push(pbf.readVarint());
    } else pbf.skip(tag);
  }
  return f;
}

function readLayerRaw(pbf, end) {
  const l = { name: '', version: 1, extent: 4096, keys: [], values: [], features: [] };
  while (pbf.pos < end) {
    const tag = pbf.readVarint();
    const field = tag >> 3;
    if (field === 1) l.name = pbf.readString();
    else if (field === 2) l.features.push(readFeatureRaw(pbf, pbf.readVarint() + pbf.pos));
    else if (field === 3) l.keys.push(pbf.readString());
    else if (field === 4) l.values.push(readValue(pbf, pbf.readVarint() + pbf.pos));
    else if (field === 5) l.extent = pbf.readVarint();
    else if (field === 15) l.version = pbf.readVarint();
    else pbf.skip(tag);
  }
  return l;
}

function readTileRaw(bytes) {
  const pbf = new Pbf(bytes);
  const layers = [];
  while (pbf.pos < pbf.length) {
    const tag = pbf.readVarint();
    if (tag >> 3 === 3) layers.push(readLayerRaw(pbf, pbf.readVarint() + pbf.pos));
    else pbf.skip(tag);
  }
  return layers;
}

// The command stream as a list of {cmd, pts}: cmd 1 MoveTo, 2 LineTo, 7 ClosePath (§4.3.2-4.3.3).
function parseCommands(ints, problems) {
  const out = [];
  let i = 0, x = 0, y = 0;
  while (i < ints.length) {
    const cmd = ints[i] & 7, count = ints[i] >> 3;
    i++;
    if (cmd !== 1 && cmd !== 2 && cmd !== 7) {
      problems.push(`unknown command ${cmd}`);
      return out;
    }
    if (count === 0) problems.push(`command ${cmd} with count 0`);
    if (cmd === 7) {
      if (count !== 1) problems.push(`ClosePath with count ${count}`);
      out.push({ cmd, pts: [] });
      continue;
    }
    const pts = [];
    for (let k = 0; k < count; k++) {
      if (i + 1 >= ints.length) {
        problems.push('truncated parameters');
        return out;
      }
      const dx = (ints[i] >>> 1) ^ -(ints[i] & 1), dy = (ints[i + 1] >>> 1) ^ -(ints[i + 1] & 1);
      i += 2;
      x += dx;
      y += dy;
      pts.push([x, y]);
    }
    out.push({ cmd, pts });
  }
  return out;
}

// ---- geometry checks ---------------------------------------------------------------------------

const key = (p) => `${p[0]},${p[1]}`;
function distinct(pts) {
  return new Set(pts.map(key)).size;
}

// Surveyor's formula in tile coordinates (MVT 2.1 §4.3.4.4); ring open (closing point implied).
function area(ring) {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i], b = ring[(i + 1) % ring.length];
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

function orient(a, b, c) {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}
function onSeg(a, b, p) {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) &&
         Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}
function segsIntersect(a, b, c, d) {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSeg(a, b, c)) || (o2 === 0 && onSeg(a, b, d)) ||
         (o3 === 0 && onSeg(c, d, a)) || (o4 === 0 && onSeg(c, d, b));
}

// True when two non-adjacent edges of the closed ring touch or cross (a ring that is not simple:
// GEOS calls it a self-intersection). Sweep over x so large rings stay fast.
function selfIntersects(ring) {
  const n = ring.length;
  if (n < 4) return false;
  const edges = [];
  for (let i = 0; i < n; i++) {
    const a = ring[i], b = ring[(i + 1) % n];
    edges.push({ i, a, b, lo: Math.min(a[0], b[0]), hi: Math.max(a[0], b[0]) });
  }
  edges.sort((p, q) => p.lo - q.lo);
  const active = [];
  for (const e of edges) {
    for (let k = active.length - 1; k >= 0; k--) if (active[k].hi < e.lo) active.splice(k, 1);
    for (const o of active) {
      const d = Math.abs(o.i - e.i);
      if (d === 1 || d === n - 1) {
        // adjacent edges share one vertex; they may not overlap beyond it (a spike folding back)
        const shared = d === 1 ? (o.i < e.i ? o.b : e.b) : (o.i > e.i ? o.b : e.b);
        const p = key(o.a) === key(shared) ? o.b : o.a, q = key(e.a) === key(shared) ? e.b : e.a;
        if (orient(shared, p, q) === 0 &&
            (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (q[1] - shared[1]) > 0)
          return true;
        continue;
      }
      if (segsIntersect(o.a, o.b, e.a, e.b)) return true;
    }
    active.push(e);
  }
  return false;
}

function checkGeometry(type, cmds, problems) {
  const parts = [];
  if (type === 1) {
    if (cmds.length !== 1 || cmds[0].cmd !== 1) problems.push('point: not exactly one MoveTo');
    for (const c of cmds) for (const p of c.pts) parts.push([p]);
  } else if (type === 2) {
    for (let i = 0; i < cmds.length; i += 2) {
      const m = cmds[i], l = cmds[i + 1];
      if (m.cmd !== 1 || m.pts.length !== 1 || !l || l.cmd !== 2 || l.pts.length < 1) {
        problems.push('line: expected MoveTo(1) LineTo(n>=1)');
        break;
      }
      const line = [m.pts[0], ...l.pts];
      if (distinct(line) < 2) problems.push('line: fewer than 2 distinct points');
      parts.push(line);
    }
  } else if (type === 3) {
    for (let i = 0; i < cmds.length; i += 3) {
      const m = cmds[i], l = cmds[i + 1], c = cmds[i + 2];
      if (m.cmd !== 1 || m.pts.length !== 1 || !l || l.cmd !== 2 || l.pts.length < 2 || !c ||
          c.cmd !== 7) {
        problems.push('polygon: expected MoveTo(1) LineTo(n>=2) ClosePath');
        break;
      }
      parts.push([m.pts[0], ...l.pts]);
    }
  } else {
    problems.push(`geometry type ${type}`);
  }
  return parts;
}

function checkRings(rings, problems) {
  const out = [];
  rings.forEach((r, i) => {
    const a = area(r);
    if (distinct(r) < 3) problems.push(`ring ${i}: fewer than 3 distinct points`);
    if (key(r[0]) === key(r[r.length - 1]))
      problems.push(`ring ${i}: closing point repeated (ClosePath implies it)`);
    if (a === 0) problems.push(`ring ${i}: zero area`);
    if (i === 0 && a < 0) problems.push('ring 0 is not an exterior ring (negative area)');
    if (selfIntersects(r)) problems.push(`ring ${i}: self-intersection`);
    out.push({ area: a, n: r.length, exterior: a > 0 });
  });
  return out;
}

// ---- main --------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node decode.mjs TILE [--no-geometry]');
  process.exit(2);
}
const withGeometry = !args.includes('--no-geometry');
let bytes = readFileSync(file);
const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
if (gzipped) bytes = gunzipSync(bytes);

const raw = readTileRaw(bytes);
const vt = new VectorTile(new Pbf(bytes));
const result = { gzipped, bytes: bytes.length, layers: {} };
const problems = [];
if (Object.keys(vt.layers).length !== raw.length) problems.push('layer count differs between decoders');

for (const rl of raw) {
  const lp = [];
  const layer = vt.layers[rl.name];
  if (result.layers[rl.name]) lp.push('duplicate layer name');
  if (!layer) {
    problems.push(`layer ${rl.name} missing in @mapbox/vector-tile`);
    continue;
  }
  if (new Set(rl.keys).size !== rl.keys.length) lp.push('duplicate keys');
  const valueIds = rl.values.map((v) => `${v.kind}:${String(v.v)}`);
  if (new Set(valueIds).size !== valueIds.length) lp.push('duplicate values');
  for (const v of rl.values) if (v.kind.startsWith('invalid')) lp.push(`value with ${v.kind}`);
  const out = { name: rl.name, version: layer.version, extent: layer.extent,
                n_keys: rl.keys.length, n_values: rl.values.length, length: layer.length,
                problems: lp, features: [] };
  if (layer.length !== rl.features.length) lp.push('feature count differs between decoders');
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i), rf = rl.features[i];
    const fp = [];
    if (rf.tags.length % 2) fp.push('odd tag count');
    const kinds = {};
    for (let t = 0; t + 1 < rf.tags.length; t += 2) {
      const k = rl.keys[rf.tags[t]], v = rl.values[rf.tags[t + 1]];
      if (k === undefined || v === undefined) { fp.push('tag index out of range'); continue; }
      if (k in kinds) fp.push(`key ${k} twice in one feature`);
      kinds[k] = v.kind;
    }
    const cmds = parseCommands(rf.cmds, fp);
    const parts = checkGeometry(rf.type, cmds, fp);
    const feat = { id: f.id === undefined ? null : f.id, type: f.type, props: f.properties, kinds,
                   problems: fp };
    if (f.type !== rf.type) fp.push('type differs between decoders');
    if ((rf.id === undefined) !== (f.id === undefined) || (rf.id !== undefined && rf.id !== f.id))
      fp.push('id differs between decoders');
    // @mapbox/vector-tile's geometry must equal the strict reading (its rings come back closed)
    const lg = f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y]));
    const lgOpen = f.type === 3 ? lg.map((r) => r.slice(0, -1)) : lg;
    const flat = (a) => JSON.stringify(f.type === 1 ? a.flat() : a);
    if (flat(lgOpen) !== flat(parts)) fp.push('geometry differs between decoders');
    if (f.type === 3) {
      for (const r of lg) if (key(r[0]) !== key(r[r.length - 1])) fp.push('ring not closed');
      feat.rings = checkRings(parts, fp);
    }
    feat.n_points = parts.reduce((s, p) => s + p.length, 0);
    let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
    for (const p of parts) for (const [x, y] of p) {
      minx = Math.min(minx, x); maxx = Math.max(maxx, x);
      miny = Math.min(miny, y); maxy = Math.max(maxy, y);
    }
    feat.bbox = [minx, miny, maxx, maxy];
    if (withGeometry) feat.geometry = parts;
    out.features.push(feat);
  }
  result.layers[rl.name] = out;
}
result.problems = problems;
process.stdout.write(JSON.stringify(result));
process.stdout.write('\n');
