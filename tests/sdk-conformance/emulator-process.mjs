// Starts `dropboxfs emulator` as a separate process on a random loopback port and stops it again.
// The process is killed on every exit path (normal end, thrown error, SIGINT/SIGTERM), so a failed
// scenario never leaves a server behind.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
// 60 s: a cold `dotnet` start on a loaded 2-core machine takes 2-10 s; more means it is stuck.
const START_TIMEOUT_MS = 60_000;
const LISTENING = /Emulator listening on (http:\/\/127\.0\.0\.1:\d+\/) \(token: ([^)]*)\)/;

function resolveCommand() {
  const bin = process.env.DROPBOXFS_BIN;
  if (bin && existsSync(bin)) {
    return { cmd: bin, prefix: [] };
  }
  const dll = join(repoRoot, 'src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs.dll');
  if (existsSync(dll)) {
    return { cmd: 'dotnet', prefix: [dll] };
  }
  throw new Error(
    `no dropboxfs executable: DROPBOXFS_BIN=${bin ?? '(unset)'} does not exist and ${dll} is missing; `
    + 'run `dotnet build DropboxFs.sln -c Release` first',
  );
}

export async function startEmulator({
  dataDir, token, accessTokenLifetimeSeconds, extraArgs = [], onSignal,
}) {
  const { cmd, prefix } = resolveCommand();
  const args = [...prefix, 'emulator', '--port', '0', '--data', dataDir, '--token', token,
    '--access-token-lifetime', String(accessTokenLifetimeSeconds), ...extraArgs];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const killNow = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  process.once('exit', killNow);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      killNow();
      try { onSignal?.(); } finally { process.exit(130); }
    });
  }

  const origin = await new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      rejectStart(new Error(`emulator did not print its listening line within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      const m = LISTENING.exec(output);
      if (m) {
        clearTimeout(timer);
        if (m[2] !== token) {
          rejectStart(new Error(`emulator announced token '${m[2]}', expected the --token value`));
          return;
        }
        resolveStart(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk.toString('utf8'); });
    child.on('error', (e) => { clearTimeout(timer); rejectStart(e); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      rejectStart(new Error(`emulator exited early (code ${code}, signal ${signal})`));
    });
  }).catch((e) => {
    killNow();
    e.message += `\n--- emulator output ---\n${output.slice(-4000)}`;
    throw e;
  });

  return {
    origin,
    command: [cmd, ...args].join(' '),
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // 5 s for a graceful shutdown (SQLite checkpoint), then no more patience.
      const timer = setTimeout(killNow, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
