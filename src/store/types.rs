//! Column types that differ between the two backends. On SQLite every one
//! of them is stored as it always was (text, or an integer for instants),
//! so an existing registry file needs no migration; on PostgreSQL each is
//! the type made for it: `uuid`, `date`, `jsonb` and `timestamptz`. The
//! Rust side keeps one representation for both (a `String`, or seconds
//! since the epoch), so the queries are written once.
//!
//! PostgreSQL is spoken in its binary wire format here: a uuid is its 16
//! bytes, a date the days since 2000-01-01, a timestamptz the microseconds
//! since then, and jsonb a version byte before the JSON text.

use std::io::Write;

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, HasSqlType, SqlType, Text};
use diesel::sqlite::Sqlite;

use super::backend::MultiBackend;

/// A report, amendment, question, reviewer or session id: a UUID.
#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Key;

/// A registry day, `YYYY-MM-DD`: the only precision registry dates carry.
#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 1082, array_oid = 1182))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Day;

/// A JSON document (report content, findings, flags, placeholder maps).
#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 3802, array_oid = 3807))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Document;

/// An instant, as seconds since the Unix epoch in Rust. Only reviewer
/// sessions carry one (their expiry); nothing about a submitter does.
#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Long"))]
pub struct Instant;

fn pg_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date")
}

/// Seconds between the Unix epoch and PostgreSQL's (2000-01-01).
const PG_EPOCH_OFFSET: i64 = 946_684_800;

/// The per-backend conversions of one SQL type: `$value` (a wrapper that
/// binds) to SQL, SQL to `$rust`. `$to_pg`/`$from_pg` turn the Rust value
/// into PostgreSQL's binary form and back; SQLite stores `$sqlite` as it is.
///
/// Why a wrapper: a filter or insert needs `AsExpression<Key>`, which
/// cannot be implemented for `String` outside diesel (diesel may one day
/// make `String` an expression), so values are bound as `KeyValue(..)`
/// etc.; reading needs no wrapper, rows come back as `String`.
macro_rules! both_backends {
    ($sql:ident, $value:ident, $rust:ty, $sqlite:ty, $to_pg:expr, $from_pg:expr) => {
        #[derive(Debug, Clone, PartialEq, Eq, diesel::AsExpression)]
        #[diesel(sql_type = $sql)]
        pub struct $value(pub $rust);

        impl From<$rust> for $value {
            fn from(v: $rust) -> $value {
                $value(v)
            }
        }

        impl ToSql<$sql, Sqlite> for $value {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <$rust as ToSql<$sqlite, Sqlite>>::to_sql(&self.0, out)
            }
        }

        impl FromSql<$sql, Sqlite> for $rust {
            fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <$rust as FromSql<$sqlite, Sqlite>>::from_sql(value)
            }
        }

        impl ToSql<$sql, Pg> for $value {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                let to_pg: fn(&$rust, &mut Output<'_, '_, Pg>) -> serialize::Result = $to_pg;
                to_pg(&self.0, out)
            }
        }

        impl FromSql<$sql, Pg> for $rust {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                let from_pg: fn(&[u8]) -> deserialize::Result<$rust> = $from_pg;
                from_pg(value.as_bytes())
            }
        }

        impl HasSqlType<$sql> for MultiBackend {
            fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                MultiBackend::lookup_sql_type::<$sql>(lookup)
            }
        }

        impl ToSql<$sql, MultiBackend> for $value {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value(($sql, self));
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, MultiBackend> for $rust {
            fn from_sql(
                value: <MultiBackend as Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                value.from_sql::<$rust, $sql>()
            }
        }
    };
}

/// The value is left out of the message: it may come from a request
/// (a session token's id), and errors are logged.
fn invalid(what: &str) -> Box<dyn std::error::Error + Send + Sync> {
    format!("not a valid {what}").into()
}

both_backends!(
    Key,
    KeyValue,
    String,
    Text,
    |v, out| {
        let id = uuid::Uuid::parse_str(v).map_err(|_| invalid("id"))?;
        out.write_all(id.as_bytes())?;
        Ok(IsNull::No)
    },
    |bytes| Ok(uuid::Uuid::from_slice(bytes)?.to_string())
);

both_backends!(
    Day,
    DayValue,
    String,
    Text,
    |v, out| {
        let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| invalid("day"))?;
        let days = (day - pg_epoch()).num_days() as i32;
        out.write_all(&days.to_be_bytes())?;
        Ok(IsNull::No)
    },
    |bytes| {
        let days = i32::from_be_bytes(bytes.try_into()?);
        let day = pg_epoch() + chrono::Duration::days(days as i64);
        Ok(day.format("%Y-%m-%d").to_string())
    }
);

both_backends!(
    Document,
    DocumentValue,
    String,
    Text,
    |v, out| {
        out.write_all(&[1])?;
        out.write_all(v.as_bytes())?;
        Ok(IsNull::No)
    },
    |bytes| match bytes.split_first() {
        Some((1, json)) => Ok(std::str::from_utf8(json)?.to_string()),
        _ => Err("unsupported jsonb format".into()),
    }
);

both_backends!(
    Instant,
    InstantValue,
    i64,
    BigInt,
    |v, out| {
        let micros = (*v - PG_EPOCH_OFFSET).saturating_mul(1_000_000);
        out.write_all(&micros.to_be_bytes())?;
        Ok(IsNull::No)
    },
    |bytes| {
        let micros = i64::from_be_bytes(bytes.try_into()?);
        Ok(micros.div_euclid(1_000_000) + PG_EPOCH_OFFSET)
    }
);

/// Binds a report (or other) id.
pub fn as_key(v: impl Into<String>) -> KeyValue {
    KeyValue(v.into())
}

/// Binds a registry day.
pub fn as_day(v: impl Into<String>) -> DayValue {
    DayValue(v.into())
}

/// Binds a JSON document.
pub fn as_document(v: impl Into<String>) -> DocumentValue {
    DocumentValue(v.into())
}
