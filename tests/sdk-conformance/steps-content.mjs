// Content routes: non-ASCII names, upload sessions (sequential, concurrent, batch), downloads with
// Range, and the SDK's own transfer helpers (uploadFile / downloadFile), which check Content-Range
// and content_hash themselves.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { uploadFile, downloadFile, bytesUpload } from 'dropbox';
import {
  expectApiError, contentHash, bytes, assertFileMetadata,
} from './harness.mjs';

const MiB = 1024 * 1024;

export const contentSteps = [
  ['non-ASCII name: upload, then download decodes Dropbox-API-Result', async ({ dbx }) => {
    const name = 'Café 日本 ñ.txt';
    const data = Buffer.from('non-ascii name\n');
    const up = (await dbx.filesUpload({ path: `/SDK/${name}`, contents: data })).result;
    assert.equal(up.name, name);
    const dl = (await dbx.filesDownload({ path: `/sdk/${name.toUpperCase()}` })).result;
    assert.equal(dl.name, name, 'Dropbox-API-Result must be ASCII with \\u escapes (Node reads headers as Latin-1)');
    assert.equal(dl.path_display, `/SDK/${name}`);
    assert.deepEqual(Buffer.from(dl.fileBinary), data);
  }],

  ['files/upload with a streamed (chunked) body', async ({ dbx }) => {
    const data = bytes(300 * 1024, 7);
    // A Node Readable has no length, so fetch sends Transfer-Encoding: chunked; no content_hash either.
    const { result } = await dbx.filesUpload({ path: '/SDK/chunked.bin', contents: Readable.from([data.subarray(0, 1000), data.subarray(1000)]) });
    assert.equal(result.size, data.length);
    assert.equal(result.content_hash, contentHash(data));
  }],

  ['upload_session start/append_v2/finish', async ({ dbx, state }) => {
    const data = bytes(3 * MiB + 12345, 11);
    const a = data.subarray(0, MiB);
    const b = data.subarray(MiB, 2 * MiB + 5);
    const c = data.subarray(2 * MiB + 5);
    const { session_id: sid } = (await dbx.filesUploadSessionStart({ contents: a })).result;
    assert.equal(typeof sid, 'string');
    const appended = await dbx.filesUploadSessionAppendV2({ cursor: { session_id: sid, offset: a.length }, contents: b });
    assert.equal(appended.result, null, 'a Void result is the JSON body null');
    const meta = (await dbx.filesUploadSessionFinish({
      cursor: { session_id: sid, offset: a.length + b.length },
      commit: { path: '/SDK/Big/session.bin', mode: 'add', client_modified: '2021-05-06T07:08:09Z' },
      contents: c,
    })).result;
    assertFileMetadata(meta, { tagged: false });
    assert.equal(meta.size, data.length);
    assert.equal(meta.content_hash, contentHash(data));
    state.big = { path: '/SDK/Big/session.bin', data, meta };
    await expectApiError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: sid, offset: data.length }, contents: Buffer.alloc(1) }), 409, 'not_found');
  }],

  ['upload_session/append_v2 wrong offset -> incorrect_offset{correct_offset}', async ({ dbx }) => {
    const { session_id: sid } = (await dbx.filesUploadSessionStart({ contents: Buffer.alloc(100, 1) })).result;
    const err = await expectApiError(dbx.filesUploadSessionAppendV2({ cursor: { session_id: sid, offset: 50 }, contents: Buffer.alloc(10) }), 409, 'incorrect_offset');
    assert.deepEqual(err.error.error, { '.tag': 'incorrect_offset', correct_offset: 100 });
  }],

  ['start_batch + append_v2(close) + finish_batch_v2 (+ not_closed entry)', async ({ dbx }) => {
    const { session_ids: ids } = (await dbx.filesUploadSessionStartBatch({ num_sessions: 3 })).result;
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3);
    const datas = [bytes(4000, 21), bytes(5000, 22), bytes(10, 23)];
    for (let i = 0; i < 3; i += 1) {
      // The third session is left open, so its finish entry must fail with lookup_failed/not_closed.
      // eslint-disable-next-line no-await-in-loop
      await dbx.filesUploadSessionAppendV2({ cursor: { session_id: ids[i], offset: 0 }, close: i < 2, contents: datas[i] });
    }
    const { result } = await dbx.filesUploadSessionFinishBatchV2({
      entries: ids.map((id, i) => ({
        cursor: { session_id: id, offset: datas[i].length },
        commit: { path: `/SDK/Batch/b${i}.bin`, mode: 'add' },
      })),
    });
    assert.equal(result.entries.length, 3);
    for (let i = 0; i < 2; i += 1) {
      assert.equal(result.entries[i]['.tag'], 'success');
      assert.equal(result.entries[i].name, `b${i}.bin`, 'success inlines FileMetadata');
      assert.equal(result.entries[i].content_hash, contentHash(datas[i]));
    }
    assert.equal(result.entries[2]['.tag'], 'failure');
    assert.equal(result.entries[2].failure['.tag'], 'lookup_failed');
    assert.equal(result.entries[2].failure.lookup_failed['.tag'], 'not_closed');
  }],

  ['upload_session/append_batch: two sessions in one body, then finish_batch_v2', async ({ dbx }) => {
    const { session_ids: ids } = (await dbx.filesUploadSessionStartBatch({ num_sessions: 2 })).result;
    const a = bytes(3000, 51);
    const b = bytes(7000, 52);
    const { result } = await dbx.filesUploadSessionAppendBatch({
      entries: [
        { cursor: { session_id: ids[0], offset: 0 }, length: a.length, close: true },
        { cursor: { session_id: ids[1], offset: 0 }, length: b.length, close: true },
      ],
      contents: Buffer.concat([a, b]),
    });
    assert.deepEqual(result.entries.map((e) => e['.tag']), ['success', 'success']);
    const done = (await dbx.filesUploadSessionFinishBatchV2({
      entries: [
        { cursor: { session_id: ids[0], offset: a.length }, commit: { path: '/SDK/AppendBatch/a.bin' } },
        { cursor: { session_id: ids[1], offset: b.length }, commit: { path: '/SDK/AppendBatch/b.bin' } },
      ],
    })).result;
    assert.deepEqual(done.entries.map((e) => e.content_hash), [contentHash(a), contentHash(b)]);
  }],

  ['SDK uploadFile, 3 parallel workers on a concurrent session', async ({ dbx }) => {
    const data = bytes(9 * MiB + 321, 31);
    const { metadata } = await uploadFile(dbx, bytesUpload(data), { path: '/SDK/Big/parallel.bin', mode: 'add' },
      { parallelUploads: 3, chunkSize: 4 * MiB });
    assert.equal(metadata.size, data.length);
    assert.equal(metadata.content_hash, contentHash(data));
  }],

  ['files/download whole file (POST, arg header)', async ({ dbx, state }) => {
    const { path, data, meta } = state.big;
    const res = await dbx.filesDownload({ path });
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(res.result.fileBinary), data);
    assert.equal(res.result.rev, meta.rev);
    assert.equal(res.result['.tag'], undefined);
    await expectApiError(dbx.filesDownload({ path: '/SDK/Big' }), 409, 'path/not_file');
  }],

  ['files/download with Range -> 206 + Content-Range', async ({ dbx, state }) => {
    const { path, data } = state.big;
    const res = await dbx.filesDownload({ path }, { extraHeaders: { Range: 'bytes=1048570-1048579' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 1048570-1048579/${data.length}`);
    assert.deepEqual(Buffer.from(res.result.fileBinary), data.subarray(1048570, 1048580));
    assert.equal(res.result.size, data.length, 'Dropbox-API-Result describes the whole file');
    const tail = await dbx.filesDownload({ path }, { extraHeaders: { Range: 'bytes=-7' } });
    assert.equal(tail.status, 206);
    assert.deepEqual(Buffer.from(tail.result.fileBinary), data.subarray(data.length - 7));
  }],

  ['SDK downloadFile, 4 parallel Range requests (checks Content-Range and content_hash)', async ({ dbx, state, tempRoot }) => {
    const { path, data } = state.big;
    const local = join(tempRoot, 'parallel.bin');
    const { metadata } = await downloadFile(dbx, path, local, { parallelDownloads: 4, maxAttempts: 1 });
    assert.equal(metadata.size, data.length);
    assert.ok(readFileSync(local).equals(data));
  }],

  ['SDK downloadFile resumes a .part file with an open-ended Range', async ({ dbx, state, tempRoot }) => {
    const { path, data } = state.big;
    const local = join(tempRoot, 'resumed.bin');
    writeFileSync(`${local}.part`, data.subarray(0, 777777));
    const { resumedFrom } = await downloadFile(dbx, path, local, { maxAttempts: 1 });
    assert.equal(resumedFrom, 777777);
    assert.ok(readFileSync(local).equals(data));
  }],

  ['empty files: upload, session upload, download, SDK helpers', async ({ dbx, tempRoot }) => {
    const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const up = (await dbx.filesUpload({ path: '/SDK/Empty/a.txt', contents: Buffer.alloc(0) })).result;
    assert.equal(up.size, 0);
    assert.equal(up.content_hash, EMPTY_HASH);
    const viaSession = await uploadFile(dbx, bytesUpload(Buffer.alloc(0)), { path: '/SDK/Empty/b.txt' });
    assert.equal(viaSession.metadata.content_hash, EMPTY_HASH);
    const dl = (await dbx.filesDownload({ path: '/SDK/Empty/a.txt' })).result;
    assert.equal(dl.fileBinary.length, 0);
    const local = join(tempRoot, 'empty.bin');
    const { metadata } = await downloadFile(dbx, '/SDK/Empty/b.txt', local, { parallelDownloads: 4, maxAttempts: 1 });
    assert.equal(metadata.size, 0);
    assert.equal(readFileSync(local).length, 0);
    await expectApiError(dbx.filesDownload({ path: '/SDK/Empty/a.txt' }, { extraHeaders: { Range: 'bytes=0-0' } }), 409, 'range/not_satisfiable');
  }],
];
