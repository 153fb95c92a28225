// The emulator's scripted faults (/_emulator/faults, enabled by --enable-control) met by the SDK's
// own recovery logic: 429 + Retry-After, a lost append ack (incorrect_offset with the chunk stored),
// 503, and a connection reset in the middle of a download body. The SDK must end with the exact bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { uploadFile, downloadFile, bytesUpload } from 'dropbox';
import { contentHash, bytes } from './harness.mjs';

const MiB = 1024 * 1024;

async function withFaults(ctx, rules, body) {
  await ctx.control('POST', '_emulator/counters/reset');
  for (const rule of rules) {
    // eslint-disable-next-line no-await-in-loop
    await ctx.control('POST', '_emulator/faults', rule);
  }
  try {
    await body();
  } finally {
    await ctx.control('DELETE', '_emulator/faults');
  }
  return (await ctx.control('GET', '_emulator/counters')).routes;
}

export const faultSteps = [
  ['faults: SDK uploadFile survives a 429 (Retry-After) and a lost append ack', async (ctx) => {
    const data = bytes(3 * MiB + 17, 61);
    let metadata;
    const counts = await withFaults(ctx, [
      { route: 'files/upload_session/append_v2', kind: 'too_many_requests', times: 1, retry_after: 1 },
      { route: 'files/upload_session/append_v2', kind: 'incorrect_offset', times: 1, skip: 1 },
    ], async () => {
      ({ metadata } = await uploadFile(ctx.dbx, bytesUpload(data), { path: '/SDK/Faults/up.bin' },
        { chunkSize: MiB, retryDelay: 50 }));
    });
    assert.equal(metadata.content_hash, contentHash(data));
    // 3 full chunks are appended (the 4th, partial one rides on finish) plus the one 429 retry.
    assert.equal(counts['files/upload_session/append_v2'], 4, JSON.stringify(counts));
  }],

  ['faults: SDK downloadFile survives a 503 and a connection reset mid-body (resumes with Range)', async (ctx) => {
    const { path, data } = ctx.state.big;
    const local = join(ctx.tempRoot, 'faulted.bin');
    const counts = await withFaults(ctx, [
      { route: 'files/download', kind: 'service_unavailable', times: 1, retry_after: 1 },
      { route: 'files/download', kind: 'reset_connection', times: 1, after_bytes: 1048576 },
    ], async () => {
      await downloadFile(ctx.dbx, path, local, { maxAttempts: 4, retryDelay: 50 });
    });
    assert.ok(readFileSync(local).equals(data), 'exact bytes after the faults');
    assert.equal(counts['files/download'], 3, `503, reset, then a resumed Range request: ${JSON.stringify(counts)}`);
  }],
];
