//! The sync dashboard (`GET /admin`, `GET /admin/live` for the in-place refresh)
//! and the dead-letter actions (`POST /admin/dead-letters/{id}/retry|discard`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::pages::NoFields;
use super::session::{AdminRejection, AdminSession, CsrfForm};
use super::view::DashboardView;
use crate::edges::SyncStatus;
use crate::{Hub, HubError};

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage<'a> {
    view: &'a DashboardView,
    refresh_seconds: u32,
}

#[derive(Template)]
#[template(path = "admin/dashboard_live.html")]
struct LivePart<'a> {
    view: &'a DashboardView,
}

/// `?notice=` after an action; only these fixed messages are ever shown.
#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

fn notice_text(q: &NoticeQuery) -> Option<&'static str> {
    match q.notice.as_deref()? {
        "retried" => Some("Put back in the queue: the worker is sending it to Lightspeed again."),
        "discarded" => Some("Discarded. A later change to that consignment queues it again."),
        "gone" => Some("That dead letter was already retried or discarded."),
        _ => None,
    }
}

async fn view(
    hub: &Hub,
    who: &AdminSession,
    notice: Option<&'static str>,
) -> Result<DashboardView, AdminRejection> {
    let status = SyncStatus::read(hub).await?;
    Ok(DashboardView::new(
        &status,
        &who.account,
        &who.session.csrf_token,
        notice,
    ))
}

fn html(rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(h) => Html(h).into_response(),
        Err(e) => AdminRejection::Hub(HubError::Task(format!("template: {e}"))).into_response(),
    }
}

/// `GET /admin`.
pub async fn dashboard(
    State(hub): State<Hub>,
    who: AdminSession,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AdminRejection> {
    let v = view(&hub, &who, notice_text(&q)).await?;
    Ok(html(
        DashboardPage {
            view: &v,
            refresh_seconds: hub.config().admin.refresh_seconds.max(2),
        }
        .render(),
    ))
}

/// `GET /admin/live`: the part of the dashboard that refreshes.
pub async fn live(State(hub): State<Hub>, who: AdminSession) -> Result<Response, AdminRejection> {
    let v = view(&hub, &who, None).await?;
    Ok(html(LivePart { view: &v }.render()))
}

/// What an operator does with a dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Retry,
    Discard,
}

async fn act(
    hub: Hub,
    id: String,
    form: CsrfForm<NoFields>,
    action: Action,
) -> Result<Response, AdminRejection> {
    let who = &form.session.account;
    if !who.role.may_act() {
        tracing::warn!(account_id = %who.id, "dead-letter action refused: view-only role");
        return Err(AdminRejection::forbidden(
            "NOT_ALLOWED",
            "your role may look at the dashboard but not change it",
        ));
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return Err(AdminRejection::forbidden(
            "NOT_FOUND",
            "no such dead letter",
        ));
    };
    let done = match action {
        Action::Retry => hub.retry_dead_letter(id).await,
        Action::Discard => hub.discard_dead_letter(id).await,
    };
    match done {
        Ok(()) => {
            tracing::info!(account_id = %who.id, consignment_id = %id, action = ?action, "dead letter handled by an operator");
            let notice = match action {
                Action::Retry => "retried",
                Action::Discard => "discarded",
            };
            Ok(Redirect::to(&format!("/admin?notice={notice}")).into_response())
        }
        Err(HubError::NotFound { .. }) => Ok(Redirect::to("/admin?notice=gone").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/dead-letters/{id}/retry`: re-queues the saga.
pub async fn retry(
    State(hub): State<Hub>,
    Path(id): Path<String>,
    form: CsrfForm<NoFields>,
) -> Result<Response, AdminRejection> {
    act(hub, id, form, Action::Retry).await
}

/// `POST /admin/dead-letters/{id}/discard`.
pub async fn discard(
    State(hub): State<Hub>,
    Path(id): Path<String>,
    form: CsrfForm<NoFields>,
) -> Result<Response, AdminRejection> {
    act(hub, id, form, Action::Discard).await
}
