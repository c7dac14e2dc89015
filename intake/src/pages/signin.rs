//! Signing in and out. Sign-in attempts are limited per address (10 a minute); the form carries
//! a CSRF token in a cookie of its own (double submit), as no session exists yet.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;

use super::session::{self, cookie, csrf_ok, random_token, COOKIE};
use super::{page, Ctx, LangQuery};
use crate::audit;
use crate::state::{limit_key, Shared};

const LOGIN_CSRF: &str = "sentinelle_login";

/// `Secure` unless the intake is reached on loopback (a browser drops a Secure cookie sent over
/// plain http elsewhere; behind a TLS proxy the Host is the public name).
fn secure(headers: &HeaderMap) -> &'static str {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let name = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    if matches!(name, "localhost" | "127.0.0.1" | "[::1]") {
        ""
    } else {
        "; Secure"
    }
}

fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        secure(headers)
    )
}

fn login_page(ctx: &Ctx, status: StatusCode, token: &str, problem: Option<&str>) -> Response {
    let t = ctx.t();
    page(
        status,
        ctx,
        t.sign_in,
        html! {
            h1 { (t.sign_in) }
            @if let Some(p) = problem {
                p.bad role="alert" { (p) }
            }
            form method="post" action={ "/login?lang=" (ctx.lang.code()) } {
                input type="hidden" name="csrf" value=(token);
                label for="name" { (t.name) }
                input id="name" name="name" autocomplete="username" required;
                label for="password" { (t.password) }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                p { button type="submit" { (t.sign_in) } }
            }
        },
    )
}

pub async fn form(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, q.lang.as_deref());
    if ctx.session.is_some() {
        return Redirect::to(&format!("/queue?lang={}", ctx.lang.code())).into_response();
    }
    let Ok(token) = random_token() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let mut response = login_page(&ctx, StatusCode::OK, &token, None);
    if let Ok(v) = set_cookie(&headers, LOGIN_CSRF, &token, 3600).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(serde::Deserialize)]
pub struct Credentials {
    name: String,
    password: String,
    csrf: String,
}

pub async fn submit(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(c): Form<Credentials>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, q.lang.as_deref());
    let t = ctx.t();
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let expected = cookie(cookies, LOGIN_CSRF).unwrap_or_default();
    let Ok(token) = random_token() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let fresh_form = |status, problem| {
        let mut r = login_page(&ctx, status, &token, Some(problem));
        if let Ok(v) = set_cookie(&headers, LOGIN_CSRF, &token, 3600).parse() {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r
    };
    if expected.is_empty() || expected != c.csrf {
        return fresh_form(StatusCode::FORBIDDEN, t.form_expired);
    }
    if state
        .sign_in_limiter
        .check_key(&limit_key(peer.ip()))
        .is_err()
    {
        return fresh_form(StatusCode::TOO_MANY_REQUESTS, t.slow_down);
    }
    match session::sign_in(&state, &c.name, &c.password).await {
        Ok(Some(session_token)) => {
            let _ = audit::record(
                &state.db.pool,
                &format!("user:{}", c.name),
                "signed-in",
                None,
                None,
            )
            .await;
            let mut r = Redirect::to(&format!("/queue?lang={}", ctx.lang.code())).into_response();
            let h = r.headers_mut();
            if let Ok(v) = set_cookie(
                &headers,
                COOKIE,
                &session_token,
                session::LIFETIME_MS / 1000,
            )
            .parse()
            {
                h.append(header::SET_COOKIE, v);
            }
            if let Ok(v) = set_cookie(&headers, LOGIN_CSRF, "", 0).parse() {
                h.append(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => {
            let name: String = c.name.chars().take(100).collect();
            let _ = audit::record(
                &state.db.pool,
                "anonymous",
                "sign-in-failed",
                None,
                Some(&name),
            )
            .await;
            fresh_form(StatusCode::UNAUTHORIZED, t.wrong)
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn logout(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, q.lang.as_deref());
    if let Some(s) = &ctx.session {
        if !csrf_ok(s, &f.csrf) {
            return ctx.message(StatusCode::FORBIDDEN, ctx.t().form_expired);
        }
        let _ = session::sign_out(&state, s).await;
        let _ = audit::record(&state.db.pool, &ctx.actor(), "signed-out", None, None).await;
    }
    let mut r = Redirect::to(&format!("/login?lang={}", ctx.lang.code())).into_response();
    if let Ok(v) = set_cookie(&headers, COOKIE, "", 0).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
