// Small helpers for run.mjs: the host-rewriting fetch, call counting, steps and assertions.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DropboxResponseError } from 'dropbox';

// Every host the SDK talks to; all of them are served by the one emulator origin (reference §1.1).
const DROPBOX_HOSTS = new Set([
  'api.dropboxapi.com', 'content.dropboxapi.com', 'notify.dropboxapi.com',
  'api.dropbox.com', 'www.dropbox.com', 'dropbox.com',
]);

export const httpLog = [];

/** A fetch for `new Dropbox({fetch})` that sends every Dropbox host to the emulator origin. */
export function rewritingFetch(initialOrigin) {
  let origin = initialOrigin;
  const rewriting = async (url, init = {}) => {
    const u = new URL(url);
    if (!DROPBOX_HOSTS.has(u.host)) {
      throw new Error(`the SDK asked for an unexpected host: ${u.host}`);
    }
    const target = new URL(u.pathname + u.search, origin).href;
    const headers = init.headers ?? {};
    httpLog.push({
      method: init.method ?? 'GET',
      path: u.pathname,
      auth: Object.keys(headers).some((h) => h.toLowerCase() === 'authorization'),
    });
    const res = await fetch(target, init);
    await inspectResponse(u.pathname, res);
    return res;
  };
  // After an emulator restart on a new random port, the same SDK clients follow it here.
  rewriting.setOrigin = (o) => { origin = o; };
  return rewriting;
}

// Every response the SDK receives is also checked against the rules the strictest SDK (Python)
// enforces when it decodes: exact Content-Type, no nulls for unset fields, field formats (§1.5).
export const wireViolations = [];
export const wireStats = { inspected: 0 };
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const TIMESTAMP_KEYS = new Set(['client_modified', 'server_modified', 'server_deleted', 'expires', 'created']);
const FORMATS = {
  rev: /^[0-9a-f]{9,}$/,
  content_hash: /^[0-9a-f]{64}$/,
  account_id: /^dbid:.{35}$/,
};

function walk(value, where, route) {
  if (value === null) {
    wireViolations.push(`${route}: null at ${where} (unset optional fields are omitted)`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${where}[${i}]`, route));
    return;
  }
  if (typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const at = `${where}.${k}`;
    if (k === '.tag' && typeof v !== 'string') wireViolations.push(`${route}: non-string .tag at ${at}`);
    if (TIMESTAMP_KEYS.has(k) && typeof v === 'string' && !TIMESTAMP.test(v)) wireViolations.push(`${route}: timestamp ${at}='${v}'`);
    if (FORMATS[k] && typeof v === 'string' && !FORMATS[k].test(v)) wireViolations.push(`${route}: ${at}='${v}' does not match ${FORMATS[k]}`);
    walk(v, at, route);
  }
}

async function inspectResponse(route, res) {
  const type = res.headers.get('content-type');
  const result = res.headers.get('dropbox-api-result');
  if (result !== null) {
    wireStats.inspected += 1;
    if (!/^[\x20-\x7e]*$/.test(result)) wireViolations.push(`${route}: Dropbox-API-Result is not printable ASCII`);
    walk(JSON.parse(result), '$result', route);
  }
  if (route.startsWith('/2/') && (res.status === 200 || res.status === 401 || res.status === 409) && result === null) {
    if (type !== 'application/json') wireViolations.push(`${route}: HTTP ${res.status} Content-Type '${type}'`);
  }
  if (type === 'application/json') {
    wireStats.inspected += 1;
    const text = await res.clone().text();
    if (text === '') wireViolations.push(`${route}: empty JSON body (a Void result is 'null')`);
    else if (text !== 'null') walk(JSON.parse(text), '$', route);
  }
}

/** Wraps a Dropbox client so that every route call (filesUpload, usersGet…, …) is counted. */
export function counted(client, counter) {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value === 'function' && /^(files|users|sharing|check|auth)[A-Z]/.test(String(prop))) {
        return (...args) => { counter.calls += 1; return value.apply(target, args); };
      }
      return value;
    },
  });
}

export const results = [];

/** Runs one step, prints one line, and never throws (later steps still run and report). */
export async function step(name, fn, counter) {
  const before = counter.calls;
  const t0 = performance.now();
  try {
    await fn();
    const ms = Math.round(performance.now() - t0);
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${counter.calls - before} SDK calls, ${ms} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${describe(e)}`);
  }
}

export function describe(e) {
  if (e instanceof DropboxResponseError) {
    const body = typeof e.error === 'string' ? e.error : JSON.stringify(e.error);
    return `HTTP ${e.status} ${body}`;
  }
  if (e && e.code === 'ERR_ASSERTION') return e.message.split('\n').slice(0, 6).join(' | ');
  return e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : String(e);
}

/** Awaits a promise that must fail with a Dropbox API error of this status and summary prefix. */
export async function expectApiError(promise, status, summaryPrefix) {
  let error;
  try {
    const r = await promise;
    assert.fail(`expected HTTP ${status} ${summaryPrefix ?? ''}, got success ${JSON.stringify(r && r.result)}`);
  } catch (e) {
    if (!(e instanceof DropboxResponseError)) throw e;
    error = e;
  }
  assert.equal(error.status, status, `status; body: ${JSON.stringify(error.error)}`);
  if (summaryPrefix !== undefined) {
    assert.equal(typeof error.error, 'object', `expected a JSON error body, got ${JSON.stringify(error.error)}`);
    assert.ok(
      typeof error.error.error_summary === 'string' && error.error.error_summary.startsWith(summaryPrefix),
      `error_summary '${error.error.error_summary}' should start with '${summaryPrefix}'`,
    );
    assert.match(error.error.error_summary, /^([a-z_]+\/)+\.*$/, 'error_summary is tags/ plus dots');
  }
  return error;
}

/** Dropbox content_hash: SHA-256 over the concatenated SHA-256 of each 4 MiB block (reference §4). */
export function contentHash(buf) {
  const outer = createHash('sha256');
  for (let off = 0; off < buf.length; off += 4 * 1024 * 1024) {
    outer.update(createHash('sha256').update(buf.subarray(off, off + 4 * 1024 * 1024)).digest());
  }
  return outer.digest('hex');
}

/** Deterministic pseudo-random bytes, so a failure is reproducible. */
export function bytes(n, seed) {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i += 1) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Checks the FileMetadata shape that every SDK validates (reference §1.5, §3.1). */
export function assertFileMetadata(m, { tagged }) {
  if (tagged) assert.equal(m['.tag'], 'file');
  else assert.equal(m['.tag'], undefined, 'a statically typed FileMetadata has no .tag');
  assert.match(m.id, /^id:.+/);
  assert.match(m.rev, /^[0-9a-f]{9,}$/);
  assert.match(m.content_hash, /^[0-9a-f]{64}$/);
  assert.match(m.client_modified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(m.server_modified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(typeof m.size, 'number');
  assert.equal(m.path_lower, m.path_lower.toLowerCase());
  assert.equal(m.path_display.split('/').pop(), m.name);
}

export const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
