//! Signed-in case workers: a session is a random token in an HttpOnly, SameSite=Strict cookie
//! (Secure unless the intake is reached on loopback), stored only as its SHA-256 with the user,
//! a CSRF token and an expiry. A disabled user's sessions stop at once (every request reads the
//! user's row).

use sqlx::Row as _;

use crate::auth::{random_text, secret_matches, Role};
use crate::clock;
use crate::error::ApiError;
use crate::state::State;

/// The session cookie's name.
pub const COOKIE: &str = "sentinelle_session";
/// How long a session lasts (a working day).
pub const LIFETIME_MS: i64 = 8 * 3600 * 1000;

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Role,
    pub csrf: String,
    pub id_hash: String,
}

/// 32 random bytes as base64url: a session id, a CSRF token.
pub fn random_token() -> Result<String, ApiError> {
    random_text(32).map_err(|e| ApiError::storage(&e))
}

fn digest(token: &str) -> String {
    sentinelle::sha256_hex(token.as_bytes())
}

/// A cookie's value from a `Cookie` header.
pub fn cookie<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A fixed Argon2id hash checked when the user does not exist, so a wrong name takes as long as a
/// wrong password (no telling which names exist by timing).
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2VudGluZWxsZWRlY295$0v6rBZ3zKqKqL8Bq0tQ2m6m1WbS6W3c6Yd8m3b5o2Zk";

/// Checks a name and password; on success opens a session and returns its cookie token.
pub async fn sign_in(
    state: &State,
    name: &str,
    password: &str,
) -> Result<Option<String>, ApiError> {
    if name.len() > 100 || password.len() > 1024 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT password_hash, disabled FROM users WHERE name = $1")
        .bind(name)
        .fetch_optional(&state.db.pool)
        .await?;
    let (stored, usable) = match &row {
        Some(r) => (
            r.try_get::<String, _>("password_hash")?,
            r.try_get::<i64, _>("disabled")? == 0,
        ),
        None => (DECOY_HASH.to_owned(), false),
    };
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || secret_matches(&password, &stored))
        .await
        .unwrap_or(false);
    if !(matches && usable) {
        return Ok(None);
    }
    let token = random_token()?;
    let now = clock::now_ms();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(digest(&token))
    .bind(name)
    .bind(random_token()?)
    .bind(now)
    .bind(now + LIFETIME_MS)
    .execute(&state.db.pool)
    .await?;
    // Expired sessions of everyone are cleared now and then (here: at each sign-in).
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&state.db.pool)
        .await?;
    Ok(Some(token))
}

/// The session named by the request's cookie, if it is open and its user still enabled.
pub async fn current(
    state: &State,
    cookie_header: Option<&str>,
) -> Result<Option<Session>, ApiError> {
    let Some(token) = cookie(cookie_header, COOKIE) else {
        return Ok(None);
    };
    if token.len() > 100 {
        return Ok(None);
    }
    let id_hash = digest(token);
    let row = sqlx::query(
        "SELECT s.user_name, s.csrf, u.role FROM sessions s JOIN users u ON u.name = s.user_name \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
    )
    .bind(&id_hash)
    .bind(clock::now_ms())
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let Some(role) = Role::parse(&row.try_get::<String, _>("role")?) else {
        return Ok(None);
    };
    Ok(Some(Session {
        user: row.try_get("user_name")?,
        role,
        csrf: row.try_get("csrf")?,
        id_hash,
    }))
}

/// Ends a session.
pub async fn sign_out(state: &State, session: &Session) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(&session.id_hash)
        .execute(&state.db.pool)
        .await?;
    Ok(())
}

/// Whether a form's CSRF token is the session's (constant time).
pub fn csrf_ok(session: &Session, sent: &str) -> bool {
    let (a, b) = (session.csrf.as_bytes(), sent.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let h = Some("a=1; sentinelle_session=tok; b=2");
        assert_eq!(cookie(h, COOKIE), Some("tok"));
        assert_eq!(cookie(h, "c"), None);
        assert_eq!(cookie(None, COOKIE), None);
    }

    #[test]
    fn the_decoy_hash_is_a_real_argon2id_hash() {
        assert!(argon2::password_hash::PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!secret_matches("anything", DECOY_HASH));
    }
}
