//! People's public keys and repositories' deploy keys (the GitHub-shaped API), with the cache that
//! keeps the key listings fast. Writes `public_key` and `repository`.

mod cache;
mod owner;
mod repositories;
mod store;

pub use cache::KeyListCache;
pub use owner::KeyOwner;
pub use repositories::{
    RepoWithOwner, can_manage, create_repository, delete_repository, find_repository, list_all_repositories,
    list_owned_repositories, repository_view, require_repo_admin, validate_repository_name,
};
pub use store::{
    KeyPage, NewPublicKey, PageRequest, Paged, add_key, all_keys, delete_key, fetch_page, get_key, keys_of_username,
    list_keys, public_key_view,
};
