// OAuth 2 with PKCE exactly as the SDK performs it, expiry of the short-lived access token, the
// SDK's DropboxAuth refreshing it, and revocation.
import assert from 'node:assert/strict';
import { Dropbox, DropboxAuth, DropboxResponseError } from 'dropbox';
import { expectApiError, httpLog, sleep } from './harness.mjs';

const CLIENT_ID = 'sdkconformanceapp';
const REDIRECT_URI = 'http://127.0.0.1:53682/callback';
// The emulator's non-interactive approval switch for /oauth2/authorize (src/DropboxFs.Emulator/README.md).
const AUTO_APPROVE = process.env.DROPBOXFS_AUTO_APPROVE_QUERY ?? 'emulator_auto_approve=1';

export const oauthSteps = [
  ['oauth2/authorize (PKCE S256, auto-approve) + oauth2/token code exchange', async ({ fetch, state, lifetimeS, counter }) => {
    const auth = new DropboxAuth({ clientId: CLIENT_ID, fetch });
    const url = await auth.getAuthenticationUrl(REDIRECT_URI, 'st4te', 'code', 'offline', null, 'none', true);
    assert.match(url, /code_challenge_method=S256&code_challenge=[A-Za-z0-9_-]{43}$/);
    // The browser's part: the emulator approves without a page and redirects with the code.
    const page = await fetch(`${url}&${AUTO_APPROVE}`, { redirect: 'manual' });
    assert.ok([302, 303].includes(page.status), `authorize answered ${page.status}: ${await page.text()}`);
    const location = new URL(page.headers.get('location'));
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT_URI);
    assert.equal(location.searchParams.get('state'), 'st4te');
    const code = location.searchParams.get('code');
    assert.ok(code, `no code in ${location}`);
    counter.calls += 1;
    const issuedAt = Date.now();
    const { result } = await auth.getAccessTokenFromCode(REDIRECT_URI, code);
    assert.equal(typeof result.access_token, 'string');
    assert.equal(typeof result.refresh_token, 'string');
    assert.equal(result.token_type, 'bearer');
    assert.equal(result.expires_in, lifetimeS);
    assert.equal(typeof result.uid, 'string');
    assert.equal(result.account_id, state.accountId);
    state.oauth = { ...result, issuedAt };
    // A code is single-use.
    counter.calls += 1;
    await expectApiError(auth.getAccessTokenFromCode(REDIRECT_URI, code), 400);
    // A wrong verifier is refused too.
    const other = new DropboxAuth({ clientId: CLIENT_ID, fetch });
    const url2 = await other.getAuthenticationUrl(REDIRECT_URI, 's2', 'code', 'offline', null, 'none', true);
    const code2 = new URL((await fetch(`${url2}&${AUTO_APPROVE}`, { redirect: 'manual' })).headers.get('location')).searchParams.get('code');
    other.setCodeVerifier('x'.repeat(64));
    counter.calls += 1;
    await expectApiError(other.getAccessTokenFromCode(REDIRECT_URI, code2), 400);
  }],

  ['the OAuth access token works, then expires with 401 expired_access_token', async ({ fetch, wrap, state }) => {
    const plain = wrap(new Dropbox({ accessToken: state.oauth.access_token, fetch }));
    const { result } = await plain.usersGetCurrentAccount();
    assert.equal(result.account_id, state.accountId);
    const wait = state.oauth.issuedAt + state.oauth.expires_in * 1000 + 1500 - Date.now();
    if (wait > 0) await sleep(wait);
    const err = await expectApiError(plain.filesListFolder({ path: '' }), 401, 'expired_access_token');
    assert.equal(err.error.error['.tag'], 'expired_access_token');
    assert.equal(err.headers.get('content-type'), 'application/json');
  }],

  ['DropboxAuth refreshes the expired token (refresh_token grant) and the call succeeds', async ({ fetch, wrap, state }) => {
    const auth = new DropboxAuth({
      clientId: CLIENT_ID,
      fetch,
      accessToken: state.oauth.access_token,
      accessTokenExpiresAt: new Date(state.oauth.issuedAt + state.oauth.expires_in * 1000),
      refreshToken: state.oauth.refresh_token,
    });
    const client = wrap(new Dropbox({ auth }));
    const tokenCallsBefore = httpLog.filter((r) => r.path === '/oauth2/token').length;
    const { result } = await client.filesListFolder({ path: '/SDK/Paging' });
    assert.ok(result.entries.length > 0);
    assert.equal(httpLog.filter((r) => r.path === '/oauth2/token').length, tokenCallsBefore + 1, 'one refresh request');
    assert.notEqual(auth.getAccessToken(), state.oauth.access_token, 'a new access token');
    assert.ok(auth.getAccessTokenExpiresAt() > new Date(), 'with a future expiry');
    state.refreshed = { auth, client, accessToken: auth.getAccessToken() };
  }],

  ['auth/token/revoke: null result, then the token and its refresh token are dead', async ({ fetch, wrap, state }) => {
    const plain = wrap(new Dropbox({ accessToken: state.refreshed.accessToken, fetch }));
    const { result } = await plain.authTokenRevoke();
    assert.equal(result, null, 'Void result is null');
    await expectApiError(plain.usersGetCurrentAccount(), 401, 'invalid_access_token');
    let refreshError;
    try {
      await state.refreshed.auth.refreshAccessToken();
    } catch (e) {
      refreshError = e;
    }
    assert.ok(refreshError instanceof DropboxResponseError, `refresh after revoke should fail, got ${refreshError}`);
    assert.equal(refreshError.status, 400);
    assert.equal(refreshError.error.error, 'invalid_grant');
  }],

  ['a bad static token gets 401 invalid_access_token (JSON)', async ({ fetch, wrap }) => {
    const bad = wrap(new Dropbox({ accessToken: 'not-a-token', fetch }));
    const err = await expectApiError(bad.usersGetSpaceUsage(), 401, 'invalid_access_token');
    assert.equal(err.headers.get('content-type'), 'application/json');
  }],
];
