// Account, folders, simple uploads, paging, metadata, copy/move/delete, revisions and restore.
import assert from 'node:assert/strict';
import {
  expectApiError, contentHash, bytes, assertFileMetadata,
} from './harness.mjs';

const PAGING_FILES = 5;

export const namespaceSteps = [
  ['users/get_current_account', async ({ dbx, state }) => {
    const { result } = await dbx.usersGetCurrentAccount();
    assert.match(result.account_id, /^dbid:.{35}$/, 'account_id is 40 characters');
    assert.equal(typeof result.email, 'string');
    assert.equal(typeof result.name.display_name, 'string');
    assert.ok(['basic', 'pro', 'business'].includes(result.account_type['.tag']));
    assert.ok(['user', 'team'].includes(result.root_info['.tag']));
    assert.equal(typeof result.root_info.root_namespace_id, 'string');
    state.accountId = result.account_id;
  }],

  ['users/get_space_usage', async ({ dbx, state }) => {
    const { result } = await dbx.usersGetSpaceUsage();
    assert.equal(typeof result.used, 'number');
    assert.equal(result.allocation['.tag'], 'individual');
    assert.ok(result.allocation.allocated > 0, 'allocated > 0');
    state.usedBefore = result.used;
  }],

  ['check/user echoes the query', async ({ dbx }) => {
    const { result } = await dbx.checkUser({ query: 'ping é' });
    assert.deepEqual(result, { result: 'ping é' });
  }],

  ['files/create_folder_v2, then conflict on repeat', async ({ dbx, state }) => {
    const { result } = await dbx.filesCreateFolderV2({ path: '/SDK/Paging' });
    assert.equal(result.metadata.name, 'Paging');
    assert.equal(result.metadata.path_lower, '/sdk/paging');
    assert.match(result.metadata.id, /^id:/);
    assert.equal(result.metadata['.tag'], undefined, 'CreateFolderResult.metadata has no .tag');
    state.pagingFolderId = result.metadata.id;
    await expectApiError(dbx.filesCreateFolderV2({ path: '/sdk/PAGING' }), 409, 'path/conflict/folder');
  }],

  [`files/upload x${PAGING_FILES} (Buffer, client_modified, auto content_hash)`, async ({ dbx, state }) => {
    state.paging = [];
    for (let i = 1; i <= PAGING_FILES; i += 1) {
      const data = bytes(1000 + i, i);
      // eslint-disable-next-line no-await-in-loop
      const { result } = await dbx.filesUpload({
        path: `/SDK/Paging/f${i}.txt`, contents: data, client_modified: '2020-01-02T03:04:05Z',
      });
      assertFileMetadata(result, { tagged: false });
      assert.equal(result.size, data.length);
      assert.equal(result.content_hash, contentHash(data));
      assert.equal(result.client_modified, '2020-01-02T03:04:05Z');
      state.paging.push({ ...result, data });
    }
  }],

  ['files/upload mode add + autorename to a free name', async ({ dbx, state }) => {
    const data = bytes(77, 99);
    await expectApiError(dbx.filesUpload({ path: '/SDK/Paging/f1.txt', contents: data }), 409, 'path/conflict/file');
    const { result } = await dbx.filesUpload({ path: '/SDK/Paging/f1.txt', contents: data, autorename: true });
    assert.notEqual(result.name, 'f1.txt');
    assert.match(result.name, /^f1 \(\d+\)\.txt$/);
    state.autorenamed = result;
  }],

  ['files/list_folder limit=2 + list_folder/continue pages', async ({ dbx, state }) => {
    let page = await dbx.filesListFolder({ path: '/sdk/paging', limit: 2 });
    assert.equal(page.result.has_more, true, 'limit 2 on 6 entries leaves more');
    const names = [];
    let pages = 1;
    for (;;) {
      for (const e of page.result.entries) {
        assert.equal(e['.tag'], 'file');
        names.push(e.name);
      }
      if (!page.result.has_more) break;
      // eslint-disable-next-line no-await-in-loop
      page = await dbx.filesListFolderContinue({ cursor: page.result.cursor });
      pages += 1;
    }
    assert.ok(pages >= 3, `expected >= 3 pages, got ${pages}`);
    const expected = [...state.paging.map((p) => p.name), state.autorenamed.name].sort();
    assert.deepEqual(names.sort(), expected);
    state.pagingCursor = page.result.cursor;
  }],

  ['files/list_folder "" recursive sees the tree', async ({ dbx }) => {
    const all = [];
    let page = await dbx.filesListFolder({ path: '', recursive: true });
    all.push(...page.result.entries);
    while (page.result.has_more) {
      // eslint-disable-next-line no-await-in-loop
      page = await dbx.filesListFolderContinue({ cursor: page.result.cursor });
      all.push(...page.result.entries);
    }
    const lower = all.map((e) => e.path_lower);
    for (const p of ['/sdk', '/sdk/paging', '/sdk/paging/f3.txt']) assert.ok(lower.includes(p), `missing ${p}`);
    assert.equal(all.find((e) => e.path_lower === '/sdk').name, 'SDK', 'case preserved for implicit parent');
  }],

  ['files/get_metadata by other-case path and by id; not_found', async ({ dbx, state }) => {
    const f1 = state.paging[0];
    const byPath = (await dbx.filesGetMetadata({ path: '/sdk/PAGING/F1.TXT' })).result;
    assertFileMetadata(byPath, { tagged: true });
    assert.equal(byPath.name, 'f1.txt', 'case preserved');
    assert.equal(byPath.id, f1.id);
    const byId = (await dbx.filesGetMetadata({ path: f1.id })).result;
    assert.equal(byId.path_lower, '/sdk/paging/f1.txt');
    assert.equal(byId.rev, f1.rev);
    await expectApiError(dbx.filesGetMetadata({ path: '/SDK/nope.txt' }), 409, 'path/not_found');
  }],

  ['files/copy_v2 (new id, parents created)', async ({ dbx, state }) => {
    const f1 = state.paging[0];
    const { result } = await dbx.filesCopyV2({ from_path: '/SDK/Paging/f1.txt', to_path: '/SDK/Copy/Deep/f1-copy.txt' });
    assert.equal(result.metadata['.tag'], 'file');
    assert.equal(result.metadata.path_lower, '/sdk/copy/deep/f1-copy.txt');
    assert.notEqual(result.metadata.id, f1.id);
    assert.equal(result.metadata.content_hash, f1.content_hash);
    await expectApiError(dbx.filesCopyV2({ from_path: '/SDK/Paging/f1.txt', to_path: '/SDK/Copy/Deep/f1-copy.txt' }), 409, 'to/conflict');
  }],

  ['files/move_v2 (id kept) and from_lookup/not_found', async ({ dbx, state }) => {
    const f2 = state.paging[1];
    const { result } = await dbx.filesMoveV2({ from_path: '/SDK/Paging/f2.txt', to_path: '/SDK/Moved/f2-moved.txt' });
    assert.equal(result.metadata['.tag'], 'file');
    assert.equal(result.metadata.id, f2.id, 'a move keeps the id');
    assert.equal(result.metadata.name, 'f2-moved.txt');
    await expectApiError(dbx.filesMoveV2({ from_path: '/SDK/Paging/f2.txt', to_path: '/SDK/x.txt' }), 409, 'from_lookup/not_found');
  }],

  ['files/delete_v2 (returns tagged metadata), include_deleted', async ({ dbx }) => {
    const { result } = await dbx.filesDeleteV2({ path: '/SDK/Copy' });
    assert.equal(result.metadata['.tag'], 'folder');
    assert.equal(result.metadata.path_lower, '/sdk/copy');
    await expectApiError(dbx.filesGetMetadata({ path: '/SDK/Copy/Deep/f1-copy.txt' }), 409, 'path/not_found');
    const deleted = (await dbx.filesGetMetadata({ path: '/SDK/Copy/Deep/f1-copy.txt', include_deleted: true })).result;
    assert.equal(deleted['.tag'], 'deleted');
    assert.equal(deleted.name, 'f1-copy.txt');
    await expectApiError(dbx.filesDeleteV2({ path: '/SDK/Copy' }), 409, 'path_lookup/not_found');
  }],

  ['revisions: overwrite, identical upload keeps rev, update conflict', async ({ dbx, state }) => {
    const v1 = Buffer.from('version one\n');
    const v2 = Buffer.from('version two, longer\n');
    const r1 = (await dbx.filesUpload({ path: '/SDK/rev.txt', contents: v1 })).result;
    const r2 = (await dbx.filesUpload({ path: '/SDK/rev.txt', contents: v2, mode: 'overwrite' })).result;
    assert.notEqual(r2.rev, r1.rev);
    assert.equal(r2.id, r1.id, 'overwrite keeps the id');
    const same = (await dbx.filesUpload({ path: '/SDK/rev.txt', contents: v2, mode: 'overwrite' })).result;
    assert.equal(same.rev, r2.rev, 'identical content makes no new rev');
    await expectApiError(dbx.filesUpload({
      path: '/SDK/rev.txt', contents: Buffer.from('v3'), mode: { '.tag': 'update', update: r1.rev },
    }), 409, 'path/conflict');
    Object.assign(state, { v1, v2, r1, r2 });
  }],

  ['files/list_revisions + files/restore', async ({ dbx, state }) => {
    const { v1, r1, r2 } = state;
    const revs = (await dbx.filesListRevisions({ path: '/SDK/rev.txt', limit: 10 })).result;
    assert.equal(revs.is_deleted, false);
    assert.deepEqual(revs.entries.map((e) => e.rev), [r2.rev, r1.rev], 'newest first, one per content change');
    revs.entries.forEach((e) => assertFileMetadata(e, { tagged: false }));
    const byId = (await dbx.filesListRevisions({ path: r1.id, mode: 'id' })).result;
    assert.ok(byId.entries.some((e) => e.rev === r1.rev), 'mode id finds the old rev');
    const restored = (await dbx.filesRestore({ path: '/SDK/rev.txt', rev: r1.rev })).result;
    assertFileMetadata(restored, { tagged: false });
    assert.equal(restored.content_hash, contentHash(v1));
    const dl = (await dbx.filesDownload({ path: '/SDK/rev.txt' })).result;
    assert.deepEqual(Buffer.from(dl.fileBinary), v1);
    const old = (await dbx.filesDownload({ path: `rev:${r2.rev}` })).result;
    assert.equal(old.rev, r2.rev);
    await expectApiError(dbx.filesRestore({ path: '/SDK/rev.txt', rev: 'abcdef0123456789' }), 409, 'invalid_revision');
  }],

  ['a deleted file: list_revisions is_deleted + restore brings it back', async ({ dbx }) => {
    const data = Buffer.from('soon deleted\n');
    const up = (await dbx.filesUpload({ path: '/SDK/gone.txt', contents: data })).result;
    await dbx.filesDeleteV2({ path: '/SDK/gone.txt' });
    const revs = (await dbx.filesListRevisions({ path: '/SDK/gone.txt' })).result;
    assert.equal(revs.is_deleted, true);
    assert.match(revs.server_deleted, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(revs.entries.map((e) => e.rev), [up.rev]);
    const restored = (await dbx.filesRestore({ path: '/SDK/gone.txt', rev: up.rev })).result;
    assert.equal(restored.id, up.id, 'restore at the same path keeps the id');
    const dl = (await dbx.filesDownload({ path: '/SDK/gone.txt' })).result;
    assert.deepEqual(Buffer.from(dl.fileBinary), data);
  }],
];
