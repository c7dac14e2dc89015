//! The audit log: who did what to which case, and when. Append-only: the code has no path
//! that changes or deletes a row of it.

use sqlx::{Any, Executor};

/// Appends one line.
pub async fn record<'e, E>(
    executor: E,
    actor: &str,
    action: &str,
    report_id: Option<&str>,
    detail: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, report_id, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(crate::clock::now_ms())
    .bind(actor)
    .bind(action)
    .bind(report_id)
    .bind(detail)
    .execute(executor)
    .await?;
    Ok(())
}
