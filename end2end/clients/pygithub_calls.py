"""PyGithub against Keyhaven with only the base URL changed (`<keyhaven>/api/v3`, as for GitHub
Enterprise). Reads KEYHAVEN_API, KEYHAVEN_TOKEN and KEYHAVEN_KEYS (a file of `.pub` lines); exits
non-zero with the reason on the first answer that differs from GitHub's."""

import json
import os

from github import Auth, Github, GithubException

api = os.environ["KEYHAVEN_API"]
keys = open(os.environ["KEYHAVEN_KEYS"], encoding="utf-8").read().split("\n")
keys = [k for k in keys if k.strip()]
gh = Github(base_url=api, auth=Auth.Token(os.environ["KEYHAVEN_TOKEN"]), per_page=10, retry=None,
            seconds_between_requests=None, seconds_between_writes=None)
anonymous = Github(base_url=api, retry=None)


def status_of(call):
    try:
        call()
    except GithubException as error:
        return error.status, (error.data or {}).get("message")
    return 200, None


me = gh.get_user()
assert me.login == "alice", me.login
assert "admin:public_key" in (gh.oauth_scopes or []), gh.oauth_scopes
assert anonymous.get_user("ALICE").login == "alice"

created = [me.create_key(f"key {i}", key).id for i, key in enumerate(keys)]
listed = list(me.get_keys())
assert len(listed) == len(keys), f"pages followed: {len(listed)} of {len(keys)}"
assert {k.id for k in listed} == set(created)
assert me.get_keys().totalCount == len(keys)
first = me.get_key(created[0])
assert first.key == " ".join(keys[0].split()[:2]), first.key
assert len(list(anonymous.get_user("alice").get_keys())) == len(keys)

assert status_of(lambda: me.create_key("again", keys[0])) == (422, "Validation Failed")
first.delete()
assert status_of(lambda: me.get_key(created[0]))[0] == 404

repo = me.create_repo("Vault")
assert repo.name == "Vault", repo.name
deploy = gh.get_repo("ALICE/vault").create_key("ci", keys[0], read_only=True)
assert deploy.read_only is True
assert [k.id for k in gh.get_repo("alice/Vault").get_keys()] == [deploy.id]
deploy.delete()
assert list(gh.get_repo("alice/vault").get_keys()) == []

wrong = Github(base_url=api, auth=Auth.Token("not-a-token"), retry=None)
assert status_of(lambda: wrong.get_user().login)[0] == 401
print(json.dumps({"ok": True, "keys": len(listed)}))
