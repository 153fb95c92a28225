// Shared links, temporary links (fetched and compared), and space usage after the uploads.
import assert from 'node:assert/strict';
import { expectApiError } from './harness.mjs';

const LINK_PERMISSION_FLAGS = ['can_revoke', 'can_set_expiry', 'can_remove_expiry', 'allow_download',
  'can_allow_download', 'can_disallow_download', 'allow_comments', 'team_restricts_comments'];

export const sharingSteps = [
  ['sharing/create_shared_link_with_settings, then shared_link_already_exists', async ({ dbx, state }) => {
    const { result } = await dbx.sharingCreateSharedLinkWithSettings({ path: '/SDK/Paging/f1.txt' });
    assert.equal(result['.tag'], 'file');
    assert.equal(result.name, 'f1.txt');
    assert.equal(result.path_lower, '/sdk/paging/f1.txt');
    assert.match(result.url, /^https?:\/\//);
    for (const flag of LINK_PERMISSION_FLAGS) {
      assert.equal(typeof result.link_permissions[flag], 'boolean', `link_permissions.${flag}`);
    }
    assert.ok(Array.isArray(result.link_permissions.visibility_policies));
    assert.match(result.rev, /^[0-9a-f]{9,}$/);
    state.linkUrl = result.url;
    await expectApiError(dbx.sharingCreateSharedLinkWithSettings({ path: '/SDK/Paging/f1.txt' }), 409, 'shared_link_already_exists');
    const folder = (await dbx.sharingCreateSharedLinkWithSettings({ path: '/SDK/Paging' })).result;
    assert.equal(folder['.tag'], 'folder');
    state.folderLinkUrl = folder.url;
  }],

  ['sharing/list_shared_links (by path, all), revoke, list again', async ({ dbx, state }) => {
    const byPath = (await dbx.sharingListSharedLinks({ path: '/SDK/Paging/f1.txt', direct_only: true })).result;
    assert.deepEqual(byPath.links.map((l) => l.url), [state.linkUrl]);
    const all = (await dbx.sharingListSharedLinks({})).result;
    const urls = all.links.map((l) => l.url);
    assert.ok(urls.includes(state.linkUrl) && urls.includes(state.folderLinkUrl), urls.join(', '));
    const revoked = await dbx.sharingRevokeSharedLink({ url: state.linkUrl });
    assert.equal(revoked.result, null, 'Void result is null');
    const after = (await dbx.sharingListSharedLinks({ path: '/SDK/Paging/f1.txt', direct_only: true })).result;
    assert.deepEqual(after.links, []);
    // Without direct_only, links to the path's parent folders are listed too.
    const withParents = (await dbx.sharingListSharedLinks({ path: '/SDK/Paging/f1.txt' })).result;
    assert.deepEqual(withParents.links.map((l) => l.url), [state.folderLinkUrl]);
    await expectApiError(dbx.sharingRevokeSharedLink({ url: state.linkUrl }), 409, 'shared_link_not_found');
  }],

  ['sharing: link settings (password, expiry) are echoed and resolved', async ({ dbx }) => {
    const expires = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { result } = await dbx.sharingCreateSharedLinkWithSettings({
      path: '/SDK/rev.txt',
      settings: { requested_visibility: 'password', link_password: 'pw-123', expires },
    });
    assert.equal(result.expires, expires);
    assert.equal(result.link_permissions.resolved_visibility['.tag'], 'password');
    await expectApiError(dbx.sharingCreateSharedLinkWithSettings({
      path: '/SDK/Paging/f3.txt', settings: { expires: '2001-01-01T00:00:00Z' },
    }), 409, 'settings_error/');
  }],

  ['files/get_temporary_link: fetch the link, compare bytes, Range too', async ({ dbx, state }) => {
    const { path, data, meta } = state.big;
    const { result } = await dbx.filesGetTemporaryLink({ path });
    assert.equal(result.metadata.id, meta.id);
    assert.equal(result.metadata['.tag'], undefined);
    // The link must work for a plain HTTP client with no Dropbox knowledge: no auth, no rewriting.
    const whole = await fetch(result.link);
    assert.equal(whole.status, 200);
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(data));
    const part = await fetch(result.link, { headers: { Range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(data.subarray(10, 20)));
    await expectApiError(dbx.filesGetTemporaryLink({ path: '/SDK/Paging' }), 409, 'path/not_file');
  }],

  ['users/get_space_usage grew by the uploads', async ({ dbx, state }) => {
    const { result } = await dbx.usersGetSpaceUsage();
    assert.ok(result.used >= state.usedBefore + state.big.data.length,
      `used ${result.used} should have grown by at least ${state.big.data.length}`);
  }],
];
