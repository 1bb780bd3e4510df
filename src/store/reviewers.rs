//! Reviewers (registry staff) and their sessions. Passwords and session
//! tokens are stored as argon2id hashes only.

use diesel::prelude::*;
use uuid::Uuid;

use super::schema::*;
use super::types::{as_day, as_key, InstantValue, KeyValue};
use super::{today, Connection, StoreError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reviewers)]
pub struct Reviewer {
    pub id: String,
    pub name: String,
    pub password_hash: String,
    pub created_on: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reviewer_sessions)]
pub struct ReviewerSession {
    #[diesel(serialize_as = KeyValue)]
    pub id: String,
    #[diesel(serialize_as = KeyValue)]
    pub reviewer_id: String,
    pub token_hash: String,
    #[diesel(serialize_as = InstantValue)]
    pub expires_at: i64,
}

pub fn add_reviewer(
    conn: &mut Connection,
    name: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    if name.contains('\0') {
        return Err(StoreError::Conflict(
            "a reviewer name cannot contain a NUL character".into(),
        ));
    }
    let exists = reviewers::table
        .filter(reviewers::name.eq(name))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        return Err(StoreError::Conflict(format!(
            "reviewer {name} already exists"
        )));
    }
    diesel::insert_into(reviewers::table)
        .values((
            reviewers::id.eq(as_key(Uuid::new_v4().to_string())),
            reviewers::name.eq(name),
            reviewers::password_hash.eq(password_hash),
            reviewers::created_on.eq(as_day(today())),
        ))
        .execute(conn)?;
    Ok(())
}

/// `name` comes from a login as sent. No reviewer's name holds a NUL (and
/// PostgreSQL text cannot), so such a name finds nobody.
pub fn reviewer_by_name(conn: &mut Connection, name: &str) -> Result<Option<Reviewer>, StoreError> {
    if name.contains('\0') {
        return Ok(None);
    }
    Ok(reviewers::table
        .filter(reviewers::name.eq(name))
        .select(Reviewer::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn create_session(conn: &mut Connection, session: &ReviewerSession) -> Result<(), StoreError> {
    // Expired sessions are cleared whenever a new one starts.
    let now = chrono::Utc::now().timestamp();
    diesel::delete(
        reviewer_sessions::table.filter(reviewer_sessions::expires_at.lt(InstantValue(now))),
    )
    .execute(conn)?;
    diesel::insert_into(reviewer_sessions::table)
        .values(session.clone())
        .execute(conn)?;
    Ok(())
}

/// The session and its reviewer's name. `id` comes from a token as sent:
/// anything but a UUID names no session.
pub fn session(
    conn: &mut Connection,
    id: &str,
) -> Result<Option<(ReviewerSession, String)>, StoreError> {
    if Uuid::parse_str(id).is_err() {
        return Ok(None);
    }
    Ok(reviewer_sessions::table
        .inner_join(reviewers::table)
        .filter(reviewer_sessions::id.eq(as_key(id)))
        .select((ReviewerSession::as_select(), reviewers::name))
        .get_result(conn)
        .optional()?)
}

pub fn delete_session(conn: &mut Connection, id: &str) -> Result<(), StoreError> {
    diesel::delete(reviewer_sessions::table.find(as_key(id))).execute(conn)?;
    Ok(())
}
