//! Case workers' pages (server-rendered, no JavaScript, English and French): sign in, the queue,
//! a case with its duplicates, evidence and history, status changes, the audit log, users and
//! tokens. Every value is escaped (maud), every form carries the session's CSRF token, and the
//! pages' Content-Security-Policy allows no script at all.

/// The request's [`Ctx`], or the answer to give when it cannot be read (a page handler's first
/// line). Defined before the modules so each can use it.
macro_rules! ctx_or_return {
    ($state:expr, $headers:expr, $lang:expr) => {
        match $crate::pages::Ctx::new(&$state, &$headers, $lang).await {
            Ok(c) => c,
            Err(e) => return axum::response::IntoResponse::into_response(e),
        }
    };
}

mod admin;
mod cases;
mod session;
mod signin;
mod text;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, DOCTYPE};

use crate::auth::Role;
use crate::error::ApiError;
use crate::state::Shared;
pub use session::{current as current_session, Session};
use text::{Lang, Text};

/// The pages' style sheet (served from the intake itself: the CSP allows nothing else).
const CSS: &str = include_str!("intake.css");

/// No script, no plugin, no framing; styles and pictures from the intake only; forms post back
/// to it only.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/queue") }))
        .route("/static/intake.css", get(css))
        // Browsers ask for it on every page; nothing to show, and no 404 in their console.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/login", get(signin::form).post(signin::submit))
        .route("/logout", post(signin::logout))
        .route("/queue", get(cases::queue))
        .route("/cases/{id}", get(cases::case))
        .route("/cases/{id}/status", post(cases::status))
        .route("/cases/{id}/pictures/{n}", get(cases::picture_page))
        .route(
            "/cases/{id}/pictures/{n}/blurred",
            get(cases::picture_blurred),
        )
        .route("/cases/{id}/pictures/{n}/full", get(cases::picture_full))
        .route("/export.csv", get(cases::export_csv))
        .route("/audit", get(admin::audit))
        .route("/admin", get(admin::users_and_tokens))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/disable", post(admin::disable_user))
        .route("/admin/tokens", post(admin::add_token))
        .route("/admin/tokens/disable", post(admin::disable_token))
        .layer(DefaultBodyLimit::max(64 * 1024))
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

/// What every page handler starts from: the language and, when signed in, the session.
pub struct Ctx {
    pub lang: Lang,
    pub session: Option<Session>,
}

impl Ctx {
    pub async fn new(
        state: &Shared,
        headers: &HeaderMap,
        lang: Option<&str>,
    ) -> Result<Ctx, ApiError> {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
        Ok(Ctx {
            lang: Lang::choose(lang, accept),
            session: session::current(state, cookies).await?,
        })
    }

    pub fn t(&self) -> &'static Text {
        self.lang.text()
    }

    /// The session if its role is at least `role`; otherwise the answer to give.
    pub fn require(&self, role: Role) -> Result<&Session, Response> {
        match &self.session {
            None => Err(Redirect::to(&format!("/login?lang={}", self.lang.code())).into_response()),
            Some(s) if s.role >= role => Ok(s),
            Some(_) => Err(self.message(StatusCode::FORBIDDEN, self.t().not_allowed)),
        }
    }

    /// A page with one message.
    pub fn message(&self, status: StatusCode, text: &str) -> Response {
        page(status, self, text, html! { h1 { (text) } })
    }

    pub fn actor(&self) -> String {
        self.session
            .as_ref()
            .map_or_else(|| "anonymous".into(), |s| format!("user:{}", s.user))
    }
}

/// A whole page: the layout around `body`.
pub fn page(status: StatusCode, ctx: &Ctx, title: &str, body: Markup) -> Response {
    let t = ctx.t();
    let other = match ctx.lang {
        Lang::En => ("fr", "Français"),
        Lang::Fr => ("en", "English"),
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " — " (t.title) }
                link rel="stylesheet" href="/static/intake.css";
            }
            body {
                a.skip href="#main" { (t.skip) }
                header {
                    p.brand { (t.title) }
                    @if let Some(s) = &ctx.session {
                        nav aria-label=(t.title) {
                            ul {
                                li { a href={ "/queue?lang=" (ctx.lang.code()) } { (t.queue) } }
                                li { a href="/export.csv" { (t.export) } }
                                @if s.role == Role::Admin {
                                    li { a href={ "/audit?lang=" (ctx.lang.code()) } { (t.audit) } }
                                    li { a href={ "/admin?lang=" (ctx.lang.code()) } { (t.admin) } }
                                }
                            }
                        }
                        form method="post" action={ "/logout?lang=" (ctx.lang.code()) } {
                            input type="hidden" name="csrf" value=(s.csrf);
                            span.user { (s.user) }
                            " "
                            button type="submit" { (t.sign_out) }
                        }
                    }
                    a lang=(other.0) href={ "?lang=" (other.0) } { (other.1) }
                }
                main id="main" tabindex="-1" { (body) }
            }
        }
    };
    let mut response = (status, markup.into_string()).into_response();
    let h = response.headers_mut();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The answer for a handler's error: a page, not JSON.
pub fn failed(ctx: &Ctx, e: ApiError) -> Response {
    let t = ctx.t();
    let text = match e.status {
        StatusCode::NOT_FOUND => t.not_found,
        StatusCode::FORBIDDEN => t.not_allowed,
        _ => t.unavailable,
    };
    ctx.message(e.status, text)
}

#[derive(serde::Deserialize, Default)]
pub struct LangQuery {
    pub lang: Option<String>,
}
