//! Whose public key it is. Its own file, below both the store and the cache, which key by it.

/// Whose key it is: a user's own, or a repository's deploy key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyOwner {
    User(i32),
    Repository(i32),
}
