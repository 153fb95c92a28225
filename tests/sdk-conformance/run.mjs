// The official `dropbox` npm SDK, unmodified, against `dropboxfs emulator` in a separate process.
// One line per step, a summary, exit code 1 on any failure. See README.md for what each step proves.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dropbox } from 'dropbox';
import { startEmulator } from './emulator-process.mjs';
import {
  rewritingFetch, counted, step, results, httpLog, describe, wireViolations, wireStats,
} from './harness.mjs';
import { contentSteps } from './steps-content.mjs';
import { namespaceSteps } from './steps-namespace.mjs';
import { changeSteps } from './steps-changes.mjs';
import { sharingSteps } from './steps-sharing.mjs';
import { oauthSteps } from './steps-oauth.mjs';
import { restartSteps } from './steps-restart.mjs';
import { faultSteps } from './steps-faults.mjs';

// 6 s: long enough for the exchange plus one call with the fresh token on a loaded 2-core machine,
// short enough that waiting for expiry keeps the whole run near 15 s.
const ACCESS_TOKEN_LIFETIME_S = 6;
const STATIC_TOKEN = 'sdk-conformance-static-token';

const tempRoot = mkdtempSync(join(tmpdir(), 'dropboxfs-sdk-'));
let emulator;
let exitCode = 1;
try {
  const emulatorOptions = {
    dataDir: join(tempRoot, 'data'),
    token: STATIC_TOKEN,
    accessTokenLifetimeSeconds: ACCESS_TOKEN_LIFETIME_S,
    // The control API (/_emulator/*) scripts the faults that steps-faults.mjs meets with the SDK.
    extraArgs: ['--enable-control'],
    onSignal: () => rmSync(tempRoot, { recursive: true, force: true, maxRetries: 3 }),
  };
  emulator = await startEmulator(emulatorOptions);
  console.log(`emulator: ${emulator.origin} (${emulator.command})`);

  const fetch = rewritingFetch(emulator.origin);
  const counter = { calls: 0 };
  const ctx = {
    fetch,
    counter,
    tempRoot,
    lifetimeS: ACCESS_TOKEN_LIFETIME_S,
    dbx: counted(new Dropbox({ accessToken: STATIC_TOKEN, fetch }), counter),
    // A second, independent client: the writer that must wake the first client's long-poll.
    dbx2: counted(new Dropbox({ accessToken: STATIC_TOKEN, fetch }), counter),
    wrap: (client) => counted(client, counter),
    state: {},
    /** Calls the emulator's control API (not a Dropbox route, so no SDK and no rewriting). */
    async control(method, path, body) {
      const res = await globalThis.fetch(new URL(path, emulator.origin), {
        method,
        headers: body ? { 'Content-Type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`control ${method} ${path} -> ${res.status}: ${text}`);
      return text ? JSON.parse(text) : null;
    },
    // Stops the emulator and starts it again on the same --data dir (a new random port).
    async restart() {
      await emulator.stop();
      emulator = await startEmulator(emulatorOptions);
      fetch.setOrigin(emulator.origin);
      console.log(`emulator restarted: ${emulator.origin}`);
    },
  };
  const run = (name, fn) => step(name, () => fn(ctx), counter);

  for (const [name, fn] of [
    ...namespaceSteps, ...contentSteps, ...changeSteps, ...sharingSteps, ...oauthSteps, ...faultSteps, ...restartSteps,
  ]) {
    // eslint-disable-next-line no-await-in-loop
    await run(name, fn);
  }

  await run('every response obeyed the wire rules (Content-Type, no nulls, formats)', () => {
    if (wireViolations.length > 0) {
      throw new Error(`${wireViolations.length} violations:\n  ${[...new Set(wireViolations)].slice(0, 20).join('\n  ')}`);
    }
  });
  const failed = results.filter((r) => !r.ok);
  const noauthWithAuth = httpLog.filter((r) => r.path.endsWith('/longpoll') && r.auth);
  if (noauthWithAuth.length > 0) {
    failed.push({ name: 'the SDK sent Authorization to longpoll' });
  }
  console.log(`\nsummary: ${results.length - failed.length}/${results.length} steps passed, `
    + `${counter.calls} SDK route calls, ${httpLog.length} HTTP requests, ${wireStats.inspected} JSON results checked`);
  if (counter.calls < 30) {
    console.log(`FAIL fewer than 30 SDK calls were made (${counter.calls})`);
  }
  exitCode = failed.length === 0 && counter.calls >= 30 ? 0 : 1;
  if (failed.length > 0) {
    console.log(`failed steps: ${failed.map((f) => f.name).join('; ')}`);
    console.log(`--- emulator output (tail) ---\n${emulator.output().slice(-3000)}`);
  }
} catch (e) {
  console.log(`FAIL setup: ${describe(e)}`);
  exitCode = 1;
} finally {
  if (emulator) await emulator.stop();
  rmSync(tempRoot, { recursive: true, force: true });
}
process.exit(exitCode);
