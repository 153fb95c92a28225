// Change tracking: get_latest_cursor, a long-poll woken by a second client, deltas with deletes and
// moves, a garbage cursor, and search with paging.
import assert from 'node:assert/strict';
import { DropboxResponseError } from 'dropbox';
import { expectApiError, bytes } from './harness.mjs';

// 30 s is the smallest timeout the API allows; a long-poll that is not woken returns only after it.
const LONGPOLL_TIMEOUT_S = 30;

async function drain(dbx, cursor) {
  const entries = [];
  let page = (await dbx.filesListFolderContinue({ cursor })).result;
  entries.push(...page.entries);
  while (page.has_more) {
    // eslint-disable-next-line no-await-in-loop
    page = (await dbx.filesListFolderContinue({ cursor: page.cursor })).result;
    entries.push(...page.entries);
  }
  return { entries, cursor: page.cursor };
}

export const changeSteps = [
  ['list_folder/longpoll wakes when a second client uploads', async ({ dbx, dbx2, state }) => {
    const { cursor } = (await dbx.filesListFolderGetLatestCursor({ path: '/SDK', recursive: true })).result;
    assert.equal(typeof cursor, 'string');
    const t0 = performance.now();
    const poll = dbx.filesListFolderLongpoll({ cursor, timeout: LONGPOLL_TIMEOUT_S });
    // Give the poll time to register before the write, so "wakes on a change" is what is tested.
    await new Promise((r) => { setTimeout(r, 500); });
    await dbx2.filesUpload({ path: '/SDK/Watched/new.txt', contents: Buffer.from('wake up\n') });
    const { result } = await poll;
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(result.changes, true);
    assert.ok(seconds < LONGPOLL_TIMEOUT_S - 5, `long-poll returned after ${seconds.toFixed(1)} s, not on the change`);
    const delta = await drain(dbx, cursor);
    const lower = delta.entries.map((e) => `${e['.tag']}:${e.path_lower}`);
    assert.ok(lower.includes('file:/sdk/watched/new.txt'), `delta: ${lower.join(', ')}`);
    state.watchCursor = delta.cursor;
  }],

  ['list_folder/continue reports a delete and a move as deleted + file', async ({ dbx, state }) => {
    await dbx.filesDeleteV2({ path: '/SDK/Watched/new.txt' });
    await dbx.filesMoveV2({ from_path: '/SDK/Moved/f2-moved.txt', to_path: '/SDK/Moved/f2-renamed.txt' });
    const delta = await drain(dbx, state.watchCursor);
    const got = delta.entries.map((e) => `${e['.tag']}:${e.path_lower}`);
    for (const want of ['deleted:/sdk/watched/new.txt', 'deleted:/sdk/moved/f2-moved.txt', 'file:/sdk/moved/f2-renamed.txt']) {
      assert.ok(got.includes(want), `missing ${want} in ${got.join(', ')}`);
    }
    const empty = await drain(dbx, delta.cursor);
    assert.deepEqual(empty.entries, [], 'a caught-up cursor yields nothing');
  }],

  ['list_folder/continue and longpoll reject a garbage cursor (400, not 500)', async ({ dbx }) => {
    for (const call of [
      () => dbx.filesListFolderContinue({ cursor: 'this-is-not-a-cursor' }),
      () => dbx.filesListFolderLongpoll({ cursor: 'this-is-not-a-cursor', timeout: 30 }),
    ]) {
      let status;
      try {
        // eslint-disable-next-line no-await-in-loop
        await call();
      } catch (e) {
        assert.ok(e instanceof DropboxResponseError, String(e));
        status = e.status;
        if (status === 409) assert.ok(e.error.error_summary.startsWith('reset'), JSON.stringify(e.error));
      }
      assert.ok(status === 400 || status === 409, `expected 400 or 409 reset, got ${status}`);
    }
  }],

  ['files/search_v2 + search/continue_v2', async ({ dbx }) => {
    for (const n of ['a', 'b', 'c']) {
      // eslint-disable-next-line no-await-in-loop
      await dbx.filesUpload({ path: `/SDK/Search/needle-${n}.txt`, contents: bytes(50, n.charCodeAt(0)) });
    }
    await dbx.filesUpload({ path: '/SDK/Search/haystack.txt', contents: Buffer.from('hay') });
    const first = (await dbx.filesSearchV2({ query: 'needle', options: { path: '/SDK/Search', max_results: 2 } })).result;
    assert.equal(first.matches.length, 2);
    assert.equal(first.has_more, true);
    assert.equal(typeof first.cursor, 'string');
    const rest = (await dbx.filesSearchContinueV2({ cursor: first.cursor })).result;
    const matches = [...first.matches, ...rest.matches];
    for (const m of matches) {
      assert.equal(m.metadata['.tag'], 'metadata');
      assert.equal(m.metadata.metadata['.tag'], 'file');
    }
    const names = matches.map((m) => m.metadata.metadata.name).sort();
    assert.deepEqual(names, ['needle-a.txt', 'needle-b.txt', 'needle-c.txt']);
    assert.equal(rest.has_more, false);
  }],

  ['files/search_v2 with no match', async ({ dbx }) => {
    const { result } = await dbx.filesSearchV2({ query: 'zzqqxx-nothing' });
    assert.deepEqual(result.matches, []);
    assert.equal(result.has_more, false);
    await expectApiError(dbx.filesSearchV2({ query: 'x', options: { path: '/SDK/NoSuchFolder' } }), 409, 'path/not_found');
  }],
];
