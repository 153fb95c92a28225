// `dropboxfs emulator --data DIR` stopped and started again: files, revisions, cursors, upload
// sessions, shared links and revocations must all survive, as they would on the real service.
import assert from 'node:assert/strict';
import { DropboxResponseError } from 'dropbox';
import { contentHash, bytes } from './harness.mjs';

export const restartSteps = [
  ['restart: stop and start on the same --data dir; files, revs, cursor, session, links survive', async (ctx) => {
    const { dbx, state } = ctx;
    const before = (await dbx.filesGetMetadata({ path: state.big.path })).result;
    const { cursor } = (await dbx.filesListFolderGetLatestCursor({ path: '/SDK', recursive: true })).result;
    const revsBefore = (await dbx.filesListRevisions({ path: '/SDK/rev.txt' })).result.entries.map((e) => e.rev);
    const part1 = bytes(4096, 41);
    const part2 = bytes(5000, 42);
    const { session_id: sid } = (await dbx.filesUploadSessionStart({ contents: part1 })).result;

    await ctx.restart();

    const after = (await dbx.filesGetMetadata({ path: state.big.path })).result;
    assert.deepEqual(after, before, 'metadata identical after restart');
    const dl = (await dbx.filesDownload({ path: state.big.path })).result;
    assert.ok(Buffer.from(dl.fileBinary).equals(state.big.data), 'content identical after restart');
    const revsAfter = (await dbx.filesListRevisions({ path: '/SDK/rev.txt' })).result.entries.map((e) => e.rev);
    assert.deepEqual(revsAfter, revsBefore, 'revision history identical after restart');

    await dbx.filesUploadSessionAppendV2({ cursor: { session_id: sid, offset: part1.length }, contents: part2 });
    const finished = (await dbx.filesUploadSessionFinish({
      cursor: { session_id: sid, offset: part1.length + part2.length },
      commit: { path: '/SDK/after-restart.bin' },
      contents: Buffer.alloc(0),
    })).result;
    assert.equal(finished.content_hash, contentHash(Buffer.concat([part1, part2])), 'an upload session spans the restart');

    const delta = (await dbx.filesListFolderContinue({ cursor })).result;
    assert.deepEqual(delta.entries.map((e) => `${e['.tag']}:${e.path_lower}`), ['file:/sdk/after-restart.bin'],
      'a cursor from before the restart still works and sees exactly the new file');

    const links = (await dbx.sharingListSharedLinks({})).result.links.map((l) => l.url);
    assert.ok(links.includes(state.folderLinkUrl), 'shared links survive');
    assert.ok(!links.includes(state.linkUrl), 'revoked links stay revoked');

    let refreshError;
    try {
      await state.refreshed.auth.refreshAccessToken();
    } catch (e) {
      refreshError = e;
    }
    assert.ok(refreshError instanceof DropboxResponseError && refreshError.status === 400,
      `a revoked refresh token stays revoked, got ${refreshError}`);
  }],
];
