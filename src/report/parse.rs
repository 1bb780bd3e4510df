//! Strict JSON parsing of submissions with the path of the offending field
//! in the error, and without the offending value: errors are shown to the
//! sender and may be logged, and the value may be identifying.

use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// Not JSON at all.
    #[error("the body is not valid JSON: {0}")]
    Syntax(String),
    /// JSON, but not of the expected shape (unknown field, wrong type,
    /// missing field).
    #[error("{0}")]
    Field(String),
}

pub fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    // Tracking the path made parsing and validating a submission about a
    // sixth dearer (callgrind), and a well-formed one (nearly every line of
    // an import) never needs it: parse plainly, and only a failure again,
    // for the path. serde_json's `from_str` also refuses anything after the
    // value.
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(_) => parse_tracking_path(text),
    }
}

/// `parse_json` with the path of the offending field in the error.
fn parse_tracking_path<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ParseError::Syntax(inner.to_string())
            }
            Category::Data => {
                let message = without_value(&inner.to_string());
                if path == "." {
                    ParseError::Field(message)
                } else {
                    ParseError::Field(format!("`{path}`: {message}"))
                }
            }
        }
    })?;
    // Anything after the value (`{…} x`) is an error, not ignored.
    de.end().map_err(|e| ParseError::Syntax(e.to_string()))?;
    Ok(value)
}

/// serde's message without the position and without the offending value
/// (`invalid type: string "…", expected u32` quotes the submitted text).
fn without_value(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid length")
    {
        // `invalid type: string "…", expected u32` loses what lies between
        // the colon and `, expected`; `invalid length 1, expected …` quotes
        // nothing and has no colon before it, so it stays whole.
        if let (Some((head, _)), Some(i)) = (message.split_once(':'), message.find(", expected")) {
            if head.len() < i {
                return format!("{head}{}", &message[i..]);
            }
        }
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Submission;

    #[test]
    fn a_message_without_a_quoted_value_is_given_whole_and_once() {
        let Err(ParseError::Field(message)) = parse_json::<Submission>(r#"["a title"]"#) else {
            panic!("an array is not a submission");
        };
        assert_eq!(message.matches("expected").count(), 1, "{message}");
        assert!(
            message.starts_with("invalid length 1, expected"),
            "{message}"
        );
        let Err(ParseError::Field(message)) =
            parse_json::<Submission>(r#"{"title": 7, "summary": "s", "narrative": "n"}"#)
        else {
            panic!("a number is not a title");
        };
        assert_eq!(message, "`title`: invalid type, expected a string");
    }

    #[test]
    fn the_plain_parse_reads_what_the_tracking_one_reads() {
        let text = r#"{"title":"t","summary":"s","narrative":"n",
            "incident":{"time_to_detect_minutes":5}}"#;
        assert!(parse_json::<Submission>(text).is_ok());
        let plain: serde_json::Value = parse_json(text).unwrap();
        let tracked: serde_json::Value = parse_tracking_path(text).unwrap();
        assert_eq!(plain, tracked);
        assert_eq!(
            format!("{:?}", parse_json::<Submission>(text)),
            format!("{:?}", parse_tracking_path::<Submission>(text))
        );
    }

    #[test]
    fn anything_after_the_value_is_refused() {
        for text in [
            r#"{"title":"t","summary":"s","narrative":"n"} x"#,
            r#"{"title":"t","summary":"s","narrative":"n"}{}"#,
        ] {
            assert!(matches!(
                parse_json::<Submission>(text),
                Err(ParseError::Syntax(_))
            ));
        }
        assert!(parse_json::<Submission>(
            "{\"title\":\"t\",\"summary\":\"s\",\"narrative\":\"n\"}\n "
        )
        .is_ok());
    }

    #[test]
    fn errors_name_the_field_but_not_the_value() {
        let e = parse_json::<Submission>(r#"{"title":"t","summary":"s","narrative":"n","incident":{"time_to_detect_minutes":"Acme secret"}}"#)
            .unwrap_err();
        let ParseError::Field(m) = e else { panic!() };
        assert!(m.contains("incident.time_to_detect_minutes"), "{m}");
        assert!(!m.contains("Acme"), "{m}");
        assert!(matches!(
            parse_json::<Submission>("{"),
            Err(ParseError::Syntax(_))
        ));
        let ParseError::Field(m) =
            parse_json::<Submission>(r#"{"title":"t","summary":"s","narrative":"n","colour":1}"#)
                .unwrap_err()
        else {
            panic!()
        };
        assert!(m.contains("unknown field `colour`"), "{m}");
        let ParseError::Field(m) =
            parse_json::<Submission>(r#"{"summary":"s","narrative":"n"}"#).unwrap_err()
        else {
            panic!()
        };
        assert!(m.contains("missing field `title`"), "{m}");
    }
}
