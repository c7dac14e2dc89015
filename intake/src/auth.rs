//! Who may call what. Case workers and admins hold API tokens (`sit_<id>_<secret>`); people who
//! will use the pages have passwords. Both are stored only as Argon2id hashes; a token is
//! checked against its hash once, then remembered by its SHA-256 for a few minutes so each
//! request does not pay Argon2's cost (a disabled token is refused at once all the same: its row
//! is read on every request).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;

use crate::db::Db;
use crate::error::ApiError;

/// What a signed-in caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads cases, changes their status, exports.
    Caseworker,
    /// All of that, and tokens, users and hash lists.
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "caseworker" => Some(Role::Caseworker),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::Admin => "admin",
        }
    }
}

/// A caller that proved who it is.
#[derive(Debug, Clone)]
pub struct Caller {
    /// `token:<name>` or `user:<name>`, as the audit log writes it.
    pub actor: String,
    pub role: Role,
}

impl Caller {
    /// Refuses a caller whose role is below `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// An Argon2id hash (PHC string) of `secret`, with a fresh salt.
pub fn hash_secret(secret: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// [`hash_secret`] on a blocking thread (Argon2id takes tens of milliseconds on purpose).
async fn hash_off_thread(secret: &str) -> Result<String, String> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || hash_secret(&secret))
        .await
        .map_err(|e| e.to_string())?
}

/// Whether `secret` matches the stored Argon2 hash.
pub fn secret_matches(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// `bytes` random bytes as unpadded base64url (tokens, session ids, CSRF tokens).
pub fn random_text(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| e.to_string())?;
    Ok(B64URL.encode(buf))
}

/// Random lowercase hex (report and token ids).
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Makes an API token: stores its hash, returns `(id, token)`. The token is shown once.
pub async fn add_token(db: &Db, name: &str, role: Role) -> Result<(String, String), String> {
    if !crate::names::is_plain_name(name) {
        return Err("a token name is 1 to 100 characters".into());
    }
    let id = random_hex(6)?;
    let secret = random_text(32)?;
    let hash = hash_off_thread(&secret).await?;
    sqlx::query(
        "INSERT INTO tokens (id, name, role, secret_hash, disabled, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(&id)
    .bind(name)
    .bind(role.as_str())
    .bind(hash)
    .bind(crate::clock::now_ms())
    .execute(&db.pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok((id.clone(), format!("sit_{id}_{secret}")))
}

/// Adds a user for the pages, or refuses a name that exists.
pub async fn add_user(db: &Db, name: &str, role: Role, password: &str) -> Result<(), String> {
    if password.chars().count() < 12 {
        return Err("a password has at least 12 characters".into());
    }
    if !crate::names::is_plain_name(name) {
        return Err("a user name is 1 to 100 characters".into());
    }
    let hash = hash_off_thread(password).await?;
    let added = sqlx::query(
        "INSERT INTO users (name, role, password_hash, disabled, created_at) VALUES ($1, $2, $3, 0, $4) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(role.as_str())
    .bind(hash)
    .bind(crate::clock::now_ms())
    .execute(&db.pool)
    .await
    .map_err(|e| e.to_string())?;
    if added.rows_affected() == 0 {
        return Err(format!("there is already a user called {name:?}"));
    }
    Ok(())
}

/// Tokens already checked against their Argon2 hash: SHA-256 of the token → (id, when).
#[derive(Default)]
pub struct TokenCache {
    seen: Mutex<HashMap<[u8; 32], (String, Instant)>>,
}

const REMEMBERED: Duration = Duration::from_secs(300);

impl TokenCache {
    fn knows(&self, digest: &[u8; 32], id: &str) -> bool {
        self.seen
            .lock()
            .map(|seen| {
                seen.get(digest)
                    .is_some_and(|(known, at)| known == id && at.elapsed() < REMEMBERED)
            })
            .unwrap_or(false)
    }

    fn remember(&self, digest: [u8; 32], id: &str) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() > 10_000 {
                seen.retain(|_, (_, at)| at.elapsed() < REMEMBERED);
            }
            seen.insert(digest, (id.to_owned(), Instant::now()));
        }
    }
}

/// The caller named by an `Authorization: Bearer` header, or 401.
pub async fn caller_from_bearer(
    db: &Db,
    cache: &TokenCache,
    header: Option<&str>,
) -> Result<Caller, ApiError> {
    let token = header
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(ApiError::unauthorized)?;
    let rest = token
        .strip_prefix("sit_")
        .ok_or_else(ApiError::unauthorized)?;
    let (id, secret) = rest.split_once('_').ok_or_else(ApiError::unauthorized)?;
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_hexdigit()) || secret.len() > 100 {
        return Err(ApiError::unauthorized());
    }
    let row = sqlx::query("SELECT name, role, secret_hash, disabled FROM tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let disabled: i64 = row.try_get("disabled")?;
    let name: String = row.try_get("name")?;
    let role =
        Role::parse(&row.try_get::<String, _>("role")?).ok_or_else(ApiError::unauthorized)?;
    if disabled != 0 {
        return Err(ApiError::unauthorized());
    }
    let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    if !cache.knows(&digest, id) {
        let stored: String = row.try_get("secret_hash")?;
        let secret = secret.to_owned();
        let ok = tokio::task::spawn_blocking(move || secret_matches(&secret, &stored))
            .await
            .unwrap_or(false);
        if !ok {
            return Err(ApiError::unauthorized());
        }
        cache.remember(digest, id);
    }
    Ok(Caller {
        actor: format!("token:{name}"),
        role,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_check() {
        let h = hash_secret("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(secret_matches("correct horse battery", &h));
        assert!(!secret_matches("correct horse batterz", &h));
        assert!(!secret_matches("x", "not a hash"));
        assert_ne!(h, hash_secret("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn roles_order() {
        let c = Caller {
            actor: "t".into(),
            role: Role::Caseworker,
        };
        assert!(c.require(Role::Caseworker).is_ok());
        assert!(c.require(Role::Admin).is_err());
        assert_eq!(Role::parse("admin"), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }
}
