//! Accounts: users, their passwords and roles, sign-in, and API tokens. Writes `user` and
//! `api_token`; the session table belongs to the web layer's session store.

mod login;
mod passwords;
mod tokens;
mod users;

pub use login::password_login;
pub use passwords::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN, hash_password, validate_new_password, verify_password};
pub use tokens::{
    KIND_LOGIN, KIND_PERSONAL, TokenGrant, TokenRequest, authenticate_token, create_login_token, create_token,
    hash_token, list_tokens, open_flash, parse_scopes, purge_expired, revoke_all_of, revoke_token, seal_flash,
    token_view,
};
pub use users::{
    MAX_USERNAME_LEN, UserChanges, authenticate, create_first_admin, create_user, delete_user, find_by_username,
    get_user, list_users, normalize_username, role_of, setup_done, update_user, user_view,
};
