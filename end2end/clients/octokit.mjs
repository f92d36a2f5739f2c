// GitHub's own JavaScript client, @octokit/rest, against Keyhaven with only the base URL changed
// (`<keyhaven>/api/v3`, as for GitHub Enterprise). Reads KEYHAVEN_API, KEYHAVEN_TOKEN and
// KEYHAVEN_KEYS (a file of `.pub` lines, one per key); exits non-zero with the reason on the first
// answer that differs from GitHub's.
import { Octokit } from '@octokit/rest';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

const baseUrl = process.env.KEYHAVEN_API;
const keys = readFileSync(process.env.KEYHAVEN_KEYS, 'utf8').trim().split('\n');
const octokit = new Octokit({ baseUrl, auth: process.env.KEYHAVEN_TOKEN });
const anonymous = new Octokit({ baseUrl });

async function status(call) {
  try {
    await call();
  } catch (error) {
    return { status: error.status, message: error.response?.data?.message };
  }
  return { status: 200 };
}

const { data: me, headers } = await octokit.rest.users.getAuthenticated();
assert.equal(me.login, 'alice');
assert.match(headers['x-oauth-scopes'] ?? '', /admin:public_key/);
assert.equal((await anonymous.rest.users.getByUsername({ username: 'ALICE' })).data.login, 'alice');

const created = [];
for (const [i, key] of keys.entries()) {
  const { data } = await octokit.rest.users.createPublicSshKeyForAuthenticatedUser({ title: `key ${i}`, key });
  created.push(data.id);
}
const listed = await octokit.paginate(octokit.rest.users.listPublicSshKeysForAuthenticatedUser, { per_page: 10 });
assert.equal(listed.length, keys.length, 'paginate follows Link across every page');
assert.deepEqual(new Set(listed.map((k) => k.id)), new Set(created));
const one = await octokit.rest.users.getPublicSshKeyForAuthenticatedUser({ key_id: created[0] });
assert.equal(one.data.key, keys[0].split(' ').slice(0, 2).join(' '));
const publicKeys = await anonymous.paginate(anonymous.rest.users.listPublicKeysForUser, { username: 'alice' });
assert.equal(publicKeys.length, keys.length);

const again = await status(() =>
  octokit.rest.users.createPublicSshKeyForAuthenticatedUser({ title: 'again', key: keys[0] }),
);
assert.deepEqual(again, { status: 422, message: 'Validation Failed' });
await octokit.rest.users.deletePublicSshKeyForAuthenticatedUser({ key_id: created[0] });
const gone = await status(() => octokit.rest.users.getPublicSshKeyForAuthenticatedUser({ key_id: created[0] }));
assert.equal(gone.status, 404);

await octokit.rest.repos.createForAuthenticatedUser({ name: 'Vault' });
const deploy = await octokit.rest.repos.createDeployKey({
  owner: 'alice', repo: 'vault', title: 'ci', key: keys[0], read_only: true,
});
assert.equal(deploy.data.read_only, true);
const deployKeys = await octokit.rest.repos.listDeployKeys({ owner: 'ALICE', repo: 'Vault' });
assert.deepEqual(deployKeys.data.map((k) => k.id), [deploy.data.id]);
await octokit.rest.repos.deleteDeployKey({ owner: 'alice', repo: 'vault', key_id: deploy.data.id });
assert.equal((await octokit.rest.repos.listDeployKeys({ owner: 'alice', repo: 'vault' })).data.length, 0);

const wrongToken = new Octokit({ baseUrl, auth: 'not-a-token' });
assert.equal((await status(() => wrongToken.rest.users.getAuthenticated())).status, 401);
console.log(JSON.stringify({ ok: true, keys: listed.length }));
