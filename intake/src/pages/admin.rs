//! Admins' pages: users (add, disable), API tokens (add, shown once; disable), the audit log.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use sqlx::Row as _;

use super::session::csrf_ok;
use super::text::Text;
use super::{failed, page, Ctx, LangQuery};
use crate::audit;
use crate::auth::{self, Role};
use crate::clock;
use crate::error::ApiError;
use crate::state::Shared;

macro_rules! admin_or_return {
    ($state:expr, $headers:expr, $lang:expr) => {{
        let ctx = ctx_or_return!($state, $headers, $lang);
        let session = match ctx.require(Role::Admin) {
            Ok(s) => s.clone(),
            Err(r) => return r,
        };
        (ctx, session)
    }};
}

struct Row3 {
    a: String,
    b: String,
    disabled: bool,
    created: String,
}

async fn rows(state: &Shared, sql: &str) -> Result<Vec<Row3>, ApiError> {
    let rows = sqlx::query(sql).fetch_all(&state.db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(Row3 {
                a: r.try_get(0)?,
                b: r.try_get(1)?,
                disabled: r.try_get::<i64, _>(2)? != 0,
                created: clock::utc(r.try_get(3)?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(ApiError::from)
}

/// "disabled", or the button that disables the user or token `row`.
fn disable_cell(t: &Text, lang: &str, csrf: &str, what: &str, field: &str, row: &Row3) -> Markup {
    html! {
        @if row.disabled { (t.disabled) } @else {
            form method="post" action={ "/admin/" (what) "/disable?lang=" (lang) } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name=(field) value=(row.a);
                button type="submit" aria-label={ (t.disable) " " (row.a) } { (t.disable) }
            }
        }
    }
}

async fn render(
    state: &Shared,
    ctx: &Ctx,
    csrf: &str,
    new_token: Option<&str>,
    problem: Option<&str>,
) -> Response {
    let users = match rows(
        state,
        "SELECT name, role, disabled, created_at FROM users ORDER BY name",
    )
    .await
    {
        Ok(u) => u,
        Err(e) => return failed(ctx, e),
    };
    let tokens = match rows(state, "SELECT id, name || ' (' || role || ')', disabled, created_at FROM tokens ORDER BY created_at").await {
        Ok(t) => t,
        Err(e) => return failed(ctx, e),
    };
    let t = ctx.t();
    let lang = ctx.lang.code();
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(
        status,
        ctx,
        t.admin,
        html! {
            h1 { (t.admin) }
            @if let Some(p) = problem { p.bad role="alert" { (p) } }
            @if let Some(token) = new_token {
                p.notice role="status" { (t.token_once) br; code #new-token { (token) } }
            }
            h2 { (t.users) }
            table {
                thead { tr { th scope="col" { (t.name) } th scope="col" { (t.role) } th scope="col" { (t.when) } th scope="col" { (t.status) } } }
                tbody {
                    @for u in &users {
                        tr data-user=(u.a) {
                            td { (u.a) } td { (u.b) } td { (u.created) }
                            td {
                                (disable_cell(t, lang, csrf, "users", "name", u))
                            }
                        }
                    }
                }
            }
            form method="post" action={ "/admin/users?lang=" (lang) } {
                input type="hidden" name="csrf" value=(csrf);
                label for="user-name" { (t.name) }
                input id="user-name" name="name" required maxlength="100";
                label for="user-role" { (t.role) }
                select id="user-role" name="role" { option value="caseworker" { "caseworker" } option value="admin" { "admin" } }
                label for="user-password" { (t.password) " (12+)" }
                input id="user-password" name="password" type="password" autocomplete="new-password" required minlength="12";
                p { button type="submit" { (t.add) } }
            }
            h2 { (t.tokens) }
            table {
                thead { tr { th scope="col" { "id" } th scope="col" { (t.name) } th scope="col" { (t.when) } th scope="col" { (t.status) } } }
                tbody {
                    @for k in &tokens {
                        tr data-token=(k.a) {
                            td { code { (k.a) } } td { (k.b) } td { (k.created) }
                            td {
                                (disable_cell(t, lang, csrf, "tokens", "id", k))
                            }
                        }
                    }
                }
            }
            form method="post" action={ "/admin/tokens?lang=" (lang) } {
                input type="hidden" name="csrf" value=(csrf);
                label for="token-name" { (t.name) }
                input id="token-name" name="name" required maxlength="100";
                label for="token-role" { (t.role) }
                select id="token-role" name="role" { option value="caseworker" { "caseworker" } option value="admin" { "admin" } }
                p { button type="submit" { (t.add) } }
            }
        },
    )
}

pub async fn users_and_tokens(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let (ctx, session) = admin_or_return!(state, headers, q.lang.as_deref());
    render(&state, &ctx, &session.csrf, None, None).await
}

#[derive(serde::Deserialize)]
pub struct NewUser {
    csrf: String,
    name: String,
    role: String,
    password: String,
}

pub async fn add_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(f): Form<NewUser>,
) -> Response {
    let (ctx, session) = admin_or_return!(state, headers, q.lang.as_deref());
    if !csrf_ok(&session, &f.csrf) {
        return ctx.message(StatusCode::FORBIDDEN, ctx.t().form_expired);
    }
    let Some(role) = Role::parse(&f.role) else {
        return render(
            &state,
            &ctx,
            &session.csrf,
            None,
            Some("caseworker / admin"),
        )
        .await;
    };
    if let Err(e) = auth::add_user(&state.db, f.name.trim(), role, &f.password).await {
        return render(&state, &ctx, &session.csrf, None, Some(&e)).await;
    }
    let _ = audit::record(
        &state.db.pool,
        &ctx.actor(),
        "user-added",
        None,
        Some(f.name.trim()),
    )
    .await;
    Redirect::to(&format!("/admin?lang={}", ctx.lang.code())).into_response()
}

#[derive(serde::Deserialize)]
pub struct Named {
    csrf: String,
    name: Option<String>,
    id: Option<String>,
    role: Option<String>,
}

pub async fn disable_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(f): Form<Named>,
) -> Response {
    let (ctx, session) = admin_or_return!(state, headers, q.lang.as_deref());
    if !csrf_ok(&session, &f.csrf) {
        return ctx.message(StatusCode::FORBIDDEN, ctx.t().form_expired);
    }
    let name = f.name.unwrap_or_default();
    let done = sqlx::query("UPDATE users SET disabled = 1 WHERE name = $1")
        .bind(&name)
        .execute(&state.db.pool)
        .await;
    if let Err(e) = done {
        return failed(&ctx, e.into());
    }
    let _ = sqlx::query("DELETE FROM sessions WHERE user_name = $1")
        .bind(&name)
        .execute(&state.db.pool)
        .await;
    let _ = audit::record(
        &state.db.pool,
        &ctx.actor(),
        "user-disabled",
        None,
        Some(&name),
    )
    .await;
    Redirect::to(&format!("/admin?lang={}", ctx.lang.code())).into_response()
}

pub async fn add_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(f): Form<Named>,
) -> Response {
    let (ctx, session) = admin_or_return!(state, headers, q.lang.as_deref());
    if !csrf_ok(&session, &f.csrf) {
        return ctx.message(StatusCode::FORBIDDEN, ctx.t().form_expired);
    }
    let name = f.name.unwrap_or_default();
    let role = f.role.as_deref().and_then(Role::parse);
    let (Some(role), true) = (role, crate::names::is_plain_name(name.trim())) else {
        return render(
            &state,
            &ctx,
            &session.csrf,
            None,
            Some("name: 1 to 100 characters; role: caseworker / admin"),
        )
        .await;
    };
    match auth::add_token(&state.db, name.trim(), role).await {
        Ok((id, token)) => {
            let _ =
                audit::record(&state.db.pool, &ctx.actor(), "token-added", None, Some(&id)).await;
            // Shown once, in this answer only (the page is never cached: Cache-Control no-store).
            render(&state, &ctx, &session.csrf, Some(&token), None).await
        }
        Err(e) => failed(&ctx, ApiError::storage(&e)),
    }
}

pub async fn disable_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(f): Form<Named>,
) -> Response {
    let (ctx, session) = admin_or_return!(state, headers, q.lang.as_deref());
    if !csrf_ok(&session, &f.csrf) {
        return ctx.message(StatusCode::FORBIDDEN, ctx.t().form_expired);
    }
    let id = f.id.unwrap_or_default();
    if let Err(e) = sqlx::query("UPDATE tokens SET disabled = 1 WHERE id = $1")
        .bind(&id)
        .execute(&state.db.pool)
        .await
    {
        return failed(&ctx, e.into());
    }
    let _ = audit::record(
        &state.db.pool,
        &ctx.actor(),
        "token-disabled",
        None,
        Some(&id),
    )
    .await;
    Redirect::to(&format!("/admin?lang={}", ctx.lang.code())).into_response()
}

pub async fn audit(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let (ctx, _) = admin_or_return!(state, headers, q.lang.as_deref());
    let rows = match sqlx::query(
        "SELECT at, actor, action, report_id, detail FROM audit_log ORDER BY seq DESC LIMIT 500",
    )
    .fetch_all(&state.db.pool)
    .await
    {
        Ok(r) => r,
        Err(e) => return failed(&ctx, e.into()),
    };
    let t = ctx.t();
    let lines: Vec<(String, String, String, String)> = rows
        .iter()
        .filter_map(|r| {
            Some((
                clock::utc(r.try_get("at").ok()?),
                r.try_get::<String, _>("actor").ok()?,
                r.try_get::<String, _>("action").ok()?,
                format!(
                    "{} {}",
                    r.try_get::<Option<String>, _>("report_id")
                        .ok()?
                        .unwrap_or_default(),
                    r.try_get::<Option<String>, _>("detail")
                        .ok()?
                        .unwrap_or_default()
                ),
            ))
        })
        .collect();
    page(
        StatusCode::OK,
        &ctx,
        t.audit,
        html! {
            h1 { (t.audit) }
            table #audit {
                thead { tr { th scope="col" { (t.when) } th scope="col" { (t.who) } th scope="col" { (t.what) } th scope="col" { (t.case) } } }
                tbody { @for (at, who, what, about) in &lines { tr { td { (at) } td { (who) } td { (what) } td { (about) } } } }
            }
        },
    )
}
