//! The queue, a case, a status change, the evidence file's pictures (blurred until asked for,
//! never for child abuse), the CSV export.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use sentinelle::report::{verify_bundle, ArtefactKind};

use super::session::csrf_ok;
use super::text::label;
use super::{failed, page, Ctx, LangQuery};
use crate::auth::Role;
use crate::cases::{self, Change, Filter, STATUSES};
use crate::report::SITUATIONS;
use crate::state::Shared;
use crate::{audit, export};

#[derive(serde::Deserialize, Default)]
pub struct QueueQuery {
    lang: Option<String>,
    status: Option<String>,
    situation: Option<String>,
}

pub async fn queue(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, q.lang.as_deref());
    let session = match ctx.require(Role::Caseworker) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let filter = Filter {
        status: nonempty(&q.status),
        situation: nonempty(&q.situation),
        limit: Some(500),
        offset: None,
    };
    let list = match cases::list(&state, &filter).await {
        Ok(l) => l,
        Err(e) => return failed(&ctx, e),
    };
    let _ = audit::record(
        &state.db.pool,
        &format!("user:{}", session.user),
        "queue-viewed",
        None,
        None,
    )
    .await;
    let t = ctx.t();
    page(
        StatusCode::OK,
        &ctx,
        t.queue,
        html! {
            h1 { (t.queue) }
            form method="get" action="/queue" {
                input type="hidden" name="lang" value=(ctx.lang.code());
                label for="status" { (t.status) }
                select id="status" name="status" {
                    option value="" { (t.all) }
                    @for s in STATUSES {
                        option value=(s) selected[filter.status.as_deref() == Some(*s)] { (label(&t.statuses, s)) }
                    }
                }
                label for="situation" { (t.situation) }
                select id="situation" name="situation" {
                    option value="" { (t.all) }
                    @for s in SITUATIONS {
                        option value=(s) selected[filter.situation.as_deref() == Some(*s)] { (label(&t.situations, s)) }
                    }
                }
                p { button type="submit" { (t.filter) } }
            }
            p.muted { (t.address_not_link) }
            @if list.is_empty() {
                p { (t.empty_queue) }
            } @else {
                table {
                    caption.muted { (list.len()) }
                    thead { tr {
                        th scope="col" { (t.urgency) } th scope="col" { (t.case) } th scope="col" { (t.received) }
                        th scope="col" { (t.situation) } th scope="col" { (t.page) } th scope="col" { (t.status) }
                        th scope="col" { (t.evidence) }
                    } }
                    tbody {
                        @for c in &list {
                            tr data-case=(c.id) {
                                td { (t.urgent.get(usize::try_from(c.priority).unwrap_or(3)).copied().unwrap_or("")) }
                                td { a href={ "/cases/" (c.id) "?lang=" (ctx.lang.code()) } { (c.id) } }
                                td { (c.received_at) }
                                td { (label(&t.situations, c.situation.as_deref().unwrap_or("-")))
                                     @if c.minor { " · " (t.minor) } }
                                td.address { (c.page_url) }
                                td { (label(&t.statuses, &c.status)) }
                                td { (c.evidence.as_deref().map(|v| label(&t.verdicts, v)).unwrap_or("-")) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The pictures a case worker may open: screenshots and images of a verified, kept bundle.
fn pictures(bundle: &[u8]) -> Vec<String> {
    verify_bundle(bundle)
        .ok()
        .filter(|v| v.valid)
        .map(|v| {
            v.files
                .into_iter()
                .filter(|f| matches!(f.kind, Some(ArtefactKind::Screenshot | ArtefactKind::Image)))
                .filter(|f| {
                    f.media_type
                        .as_deref()
                        .is_some_and(|m| m == "image/png" || m == "image/jpeg")
                })
                .map(|f| f.path)
                .collect()
        })
        .unwrap_or_default()
}

pub async fn case(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, q.lang.as_deref());
    let session = match ctx.require(Role::Caseworker) {
        Ok(s) => s.clone(),
        Err(r) => return r,
    };
    let v = match cases::view(&state, &id).await {
        Ok(v) => v,
        Err(e) => return failed(&ctx, e),
    };
    let _ = audit::record(&state.db.pool, &ctx.actor(), "case-viewed", Some(&id), None).await;
    let child_abuse = v.summary.situation.as_deref() == Some("child-abuse");
    let picture_paths = if child_abuse {
        Vec::new()
    } else {
        match cases::evidence_bundle(&state, v.seq).await {
            Ok(Some(bundle)) => tokio::task::spawn_blocking(move || pictures(&bundle))
                .await
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    };
    let t = ctx.t();
    let lang = ctx.lang.code();
    let s = &v.summary;
    page(
        StatusCode::OK,
        &ctx,
        &format!("{} {}", t.case, s.id),
        html! {
            h1 { (t.case) " " (s.id) }
            dl {
                dt { (t.urgency) } dd { (t.urgent.get(usize::try_from(s.priority).unwrap_or(3)).copied().unwrap_or("")) }
                dt { (t.received) } dd { (s.received_at) }
                dt { (t.situation) } dd { (label(&t.situations, s.situation.as_deref().unwrap_or("-"))) }
                dt { (t.minor) } dd { (if s.minor { t.yes } else { t.no }) }
                dt { (t.page) } dd.address { (s.page_url) }
                @if let Some(title) = &s.page_title { dt { (t.page_title) } dd { (title) } }
                dt { (t.helpline) } dd { (s.helpline) }
                dt { (t.country) } dd { (s.country.as_deref().unwrap_or("-")) }
                dt { (t.status) } dd { (label(&t.statuses, &s.status)) }
                @if let Some(c) = &s.hosting_country { dt { (t.hosting_country) } dd { (c) } }
                @if let Some(c) = &s.site_type { dt { (t.site_type) } dd { (c) } }
            }
            h2 { (t.duplicates) }
            @if v.duplicates.is_empty() {
                p { (t.no_duplicates) }
            } @else {
                ul #duplicates {
                    @for d in &v.duplicates {
                        li data-reason=(d.reason) {
                            @if d.reason == "hashlist" {
                                (d.id)
                                @if let Some(l) = &d.label { " (" (l) ")" }
                            } @else {
                                a href={ "/cases/" (d.id) "?lang=" (lang) } { (d.id) }
                            }
                            " — " (label(&t.reasons, &d.reason))
                            @if d.reason == "pdq" || d.reason == "hashlist" { ", " (d.distance) " " (t.bits) }
                        }
                    }
                }
            }
            h2 { (t.evidence) }
            @match &v.evidence {
                None => p { (t.no_evidence) },
                Some(e) => p #evidence data-verdict=(e.verdict) {
                    (label(&t.verdicts, &e.verdict)) " (" (e.received_at) ")"
                    @if let Some(problems) = e.problems.as_array() {
                        @if !problems.is_empty() { " — " (problems.iter().filter_map(|p| p.as_str()).collect::<Vec<_>>().join(", ")) }
                    }
                },
            }
            @if child_abuse {
                p.notice { (t.no_pictures_child) }
            } @else if !picture_paths.is_empty() {
                h2 { (t.pictures) }
                ul {
                    @for (n, path) in picture_paths.iter().enumerate() {
                        li {
                            img.blurred src={ "/cases/" (s.id) "/pictures/" (n) "/blurred" } alt={ (t.picture_hidden) " " (path) };
                            " "
                            a href={ "/cases/" (s.id) "/pictures/" (n) "?lang=" (lang) } { (t.show_picture) " (" (path) ")" }
                        }
                    }
                }
            }
            h2 { (t.history) }
            ol #history {
                @for step in &v.history {
                    li { (step.at) " — " (label(&t.statuses, &step.status)) " — " (step.actor)
                         @if let Some(n) = &step.note { br; span.note { (n) } } }
                }
            }
            h2 { (t.change_status) }
            form method="post" action={ "/cases/" (s.id) "/status?lang=" (lang) } {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="new-status" { (t.status) }
                select id="new-status" name="status" {
                    @for st in STATUSES {
                        option value=(st) selected[*st == s.status] { (label(&t.statuses, st)) }
                    }
                }
                label for="note" { (t.note) }
                textarea id="note" name="note" rows="3" cols="60" {}
                label for="hosting_country" { (t.hosting_country) }
                input id="hosting_country" name="hosting_country" maxlength="2" size="3" value=(s.hosting_country.as_deref().unwrap_or(""));
                label for="site_type" { (t.site_type) }
                input id="site_type" name="site_type" maxlength="100" value=(s.site_type.as_deref().unwrap_or(""));
                p { button type="submit" { (t.save) } }
            }
        },
    )
}

#[derive(serde::Deserialize)]
pub struct StatusForm {
    csrf: String,
    status: String,
    note: Option<String>,
    hosting_country: Option<String>,
    site_type: Option<String>,
}

pub async fn status(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    Form(f): Form<StatusForm>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, q.lang.as_deref());
    let session = match ctx.require(Role::Caseworker) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !csrf_ok(session, &f.csrf) {
        return ctx.message(StatusCode::FORBIDDEN, ctx.t().form_expired);
    }
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let change = Change {
        status: f.status,
        note: blank(f.note),
        hosting_country: blank(f.hosting_country).map(|c| c.to_ascii_uppercase()),
        site_type: blank(f.site_type),
    };
    match cases::change_status(&state, &id, &change, &ctx.actor()).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}?lang={}", ctx.lang.code())).into_response(),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            ctx.message(StatusCode::BAD_REQUEST, &e.message)
        }
        Err(e) => failed(&ctx, e),
    }
}

/// The `n`th picture of a case's kept, verified bundle, after the role check; never for child abuse.
async fn picture_bytes(
    state: &Shared,
    ctx: &Ctx,
    id: &str,
    n: usize,
) -> Result<(Vec<u8>, String), Response> {
    ctx.require(Role::Caseworker)?;
    // Only the row: a picture request needs no duplicate search or history.
    let (seq, summary) = cases::brief(state, id).await.map_err(|e| failed(ctx, e))?;
    if summary.situation.as_deref() == Some("child-abuse") {
        return Err(ctx.message(StatusCode::NOT_FOUND, ctx.t().not_found));
    }
    let bundle = cases::evidence_bundle(state, seq)
        .await
        .map_err(|e| failed(ctx, e))?
        .ok_or_else(|| ctx.message(StatusCode::NOT_FOUND, ctx.t().not_found))?;
    tokio::task::spawn_blocking(move || {
        let path = pictures(&bundle).into_iter().nth(n)?;
        let bytes = sentinelle::report::bundle_file(&bundle, &path).ok()?;
        Some((bytes, path))
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| ctx.message(StatusCode::NOT_FOUND, ctx.t().not_found))
}

pub async fn picture_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, usize)>,
    Query(q): Query<LangQuery>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, q.lang.as_deref());
    let (_, path) = match picture_bytes(&state, &ctx, &id, n).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let t = ctx.t();
    page(
        StatusCode::OK,
        &ctx,
        t.pictures,
        html! {
            h1 { (t.case) " " (id) " — " (path) }
            p { a href={ "/cases/" (id) "?lang=" (ctx.lang.code()) } { (t.case) " " (id) } }
            img.picture src={ "/cases/" (id) "/pictures/" (n) "/full" } alt=(path);
        },
    )
}

pub async fn picture_full(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, None);
    match picture_bytes(&state, &ctx, &id, n).await {
        Ok((bytes, path)) => {
            let _ = audit::record(
                &state.db.pool,
                &ctx.actor(),
                "picture-shown",
                Some(&id),
                Some(&path),
            )
            .await;
            let kind = match sentinelle::media::sniff::sniff(&bytes) {
                sentinelle::media::sniff::Container::Png => "image/png",
                sentinelle::media::sniff::Container::Jpeg => "image/jpeg",
                _ => return ctx.message(StatusCode::NOT_FOUND, ctx.t().not_found),
            };
            (
                [
                    (header::CONTENT_TYPE, kind),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                bytes,
            )
                .into_response()
        }
        Err(r) => r,
    }
}

/// A picture made unrecognisable: shrunk to 12 pixels across (the page draws it large and
/// blurred). None of the original bytes reach the page.
fn blurred(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let small = reader.decode().ok()?.thumbnail(12, 12);
    let mut out = std::io::Cursor::new(Vec::new());
    small
        .to_rgb8()
        .write_to(&mut out, image::ImageFormat::Png)
        .ok()?;
    Some(out.into_inner())
}

pub async fn picture_blurred(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    let ctx = ctx_or_return!(state, headers, None);
    match picture_bytes(&state, &ctx, &id, n).await {
        Ok((bytes, _)) => match tokio::task::spawn_blocking(move || blurred(&bytes))
            .await
            .ok()
            .flatten()
        {
            Some(png) => (
                [
                    (header::CONTENT_TYPE, "image/png"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                png,
            )
                .into_response(),
            None => ctx.message(StatusCode::NOT_FOUND, ctx.t().not_found),
        },
        Err(r) => r,
    }
}

pub async fn export_csv(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let ctx = ctx_or_return!(state, headers, None);
    if let Err(r) = ctx.require(Role::Caseworker) {
        return r;
    }
    let csv = match export::lines(&state).await.and_then(|l| export::to_csv(&l)) {
        Ok(c) => c,
        Err(e) => return failed(&ctx, e),
    };
    let _ = audit::record(&state.db.pool, &ctx.actor(), "exported", None, Some("csv")).await;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"sentinelle-intake-export.csv\"",
            ),
        ],
        csv,
    )
        .into_response()
}
