//! The user's query text: alias expansion, strict parsing, and syntax errors
//! that say where and what to do, never a panic.
//!
//! Strict parsing was chosen over lenient parsing: a query that silently
//! drops a misplaced quote finds the wrong incidents, and the engineer never
//! learns why. The API answers 400 with the position and a hint instead.

use tantivy::query::{Query, QueryParser, QueryParserError};
use tantivy::query_grammar::{self, UserInputAst, UserInputLeaf};
use tantivy::Index;

use crate::aliases::Aliases;
use crate::error::SearchError;
use crate::schema::{self, Fields};

/// Deepest nesting of parentheses a query may have. The grammar recurses
/// once per level, so an unbounded depth would overflow the stack of the
/// thread parsing it (a few hundred `(` were enough); real queries nest two
/// or three levels.
pub const MAX_NESTING: usize = 32;

const FIELD_HINT: &str =
    "searchable fields: title, summary, narrative, root_causes, lessons, timeline, amendments";

/// The fields `field:` may name: the text a reader sees. Every other schema
/// field (ids, facets, numbers) is reached through the filters, where it is
/// validated; letting the parser address it would expose queries those
/// fields cannot answer (`id:*` needs a fast field it does not have).
const SEARCHABLE: [&str; 7] = [
    "title",
    "summary",
    "narrative",
    "root_causes",
    "lessons",
    "timeline",
    "amendments",
];

pub struct TextParser {
    parser: QueryParser,
    /// The same without common grams, for phrase prefixes (see
    /// `schema::word_tokenizers`).
    words: QueryParser,
    aliases: Aliases,
}

impl TextParser {
    pub fn new(index: &Index, fields: &Fields, aliases: Aliases) -> TextParser {
        let build = |tokenizers| {
            let defaults = fields.default_text_fields();
            let mut parser = QueryParser::new(
                index.schema(),
                defaults.iter().map(|(f, _)| *f).collect(),
                tokenizers,
            );
            parser.set_conjunction_by_default();
            for (field, boost) in defaults {
                if boost != 1.0 {
                    parser.set_field_boost(field, boost);
                }
            }
            parser
        };
        TextParser {
            parser: build(schema::query_tokenizers()),
            words: build(schema::word_tokenizers()),
            aliases,
        }
    }

    /// `None` for blank text, which matches every report.
    pub fn parse(&self, text: &str) -> Result<Option<Box<dyn Query>>, SearchError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        if let Some(position) = too_deep(text) {
            return Err(SearchError::Syntax {
                position: Some(position),
                message: format!("parentheses nest more than {MAX_NESTING} levels deep"),
                hint: "remove some parentheses".into(),
            });
        }
        let expanded = self.aliases.expand(text);
        if let Ok(ast) = query_grammar::parse_query(&expanded) {
            check_leaves(&ast, text)?;
        }
        let err = match self.parser.parse_query(&expanded) {
            Ok(query) => return Ok(Some(query)),
            // `"on ca"*`: the grams left one term where a phrase prefix
            // needs two.
            Err(QueryParserError::PhrasePrefixRequiresAtLeastTwoTerms { .. }) => {
                match self.words.parse_query(&expanded) {
                    Ok(query) => return Ok(Some(query)),
                    Err(err) => err,
                }
            }
            Err(err) => err,
        };
        // Expansion only touches plain words, so this should not happen; if it
        // does, the user's own words still deserve an answer.
        if expanded != text {
            if let Ok(query) = self.parser.parse_query(text) {
                return Ok(Some(query));
            }
        }
        Err(syntax_error(text, err))
    }
}

/// Refuses fields outside `SEARCHABLE`, `field:*`, and regular expressions
/// (a pathological pattern could occupy a core for a long time).
fn check_leaves(ast: &UserInputAst, text: &str) -> Result<(), SearchError> {
    match ast {
        UserInputAst::Clause(clauses) => clauses
            .iter()
            .try_for_each(|(_, clause)| check_leaves(clause, text)),
        UserInputAst::Boost(inner, _) => check_leaves(inner, text),
        UserInputAst::Leaf(leaf) => {
            let field = match leaf.as_ref() {
                UserInputLeaf::Literal(l) => l.field_name.as_deref(),
                UserInputLeaf::Range { field, .. } | UserInputLeaf::Set { field, .. } => {
                    field.as_deref()
                }
                // `title:*` asks which reports have the field at all: an
                // exists query, which needs a fast field the text fields do
                // not have (it failed as an index error, a 500).
                UserInputLeaf::Exists { field } => {
                    return Err(SearchError::Syntax {
                        position: text.find(&format!("{field}:")),
                        message: format!("`{field}:*` (any value) is not supported"),
                        hint: "search for words in the field, e.g. `title:replica`".into(),
                    })
                }
                UserInputLeaf::Regex { .. } => {
                    return Err(SearchError::Syntax {
                        position: text.find('/'),
                        message: "regular expressions are not supported".into(),
                        hint: "search for the words, or a prefix such as `replic*`".into(),
                    })
                }
                UserInputLeaf::All => None,
            };
            match field {
                Some(name) if !SEARCHABLE.contains(&name) => Err(SearchError::Syntax {
                    position: text.find(&format!("{name}:")),
                    message: format!("unknown field {name:?}"),
                    hint: format!("{FIELD_HINT}; use the filters for the rest"),
                }),
                _ => Ok(()),
            }
        }
    }
}

/// Explains `err` in terms of the text the user typed (not the expanded one,
/// whose offsets they never saw).
fn syntax_error(text: &str, err: QueryParserError) -> SearchError {
    let (position, message, hint) = match err {
        QueryParserError::SyntaxError(_) => match unbalanced(text) {
            Some((pos, message, hint)) => (Some(pos), message.to_string(), hint.to_string()),
            None => {
                let (_, errors) = query_grammar::parse_query_lenient(text);
                let first = errors.into_iter().next();
                (
                    first.as_ref().map(|e| e.pos),
                    first.map_or_else(|| "the query does not parse".to_string(), |e| e.message),
                    "put words with special characters (: ^ [ ] { } ~ \\) in double quotes"
                        .to_string(),
                )
            }
        },
        QueryParserError::FieldDoesNotExist(name) => (
            text.find(&format!("{name}:")),
            format!("unknown field {name:?}"),
            FIELD_HINT.to_string(),
        ),
        QueryParserError::AllButQueryForbidden => (
            text.find('-'),
            "the query only excludes words".to_string(),
            "add a word to search for, e.g. `redis -sentinel`".to_string(),
        ),
        other => (None, other.to_string(), FIELD_HINT.to_string()),
    };
    SearchError::Syntax {
        position,
        message,
        hint,
    }
}

/// The offset of the first `(` past `MAX_NESTING` levels. Quotes and
/// escapes are not considered: a reading that disagreed with the grammar's
/// could let a deep nesting through, and no real phrase holds 33 `(`.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Finds an unclosed quote or an unmatched parenthesis: the mistakes people
/// make, for which the grammar's own error has no position.
fn unbalanced(text: &str) -> Option<(usize, &'static str, &'static str)> {
    let mut open_parens = Vec::new();
    let mut quote_at = None;
    for (i, c) in text.char_indices() {
        match (c, quote_at) {
            ('"', None) => quote_at = Some(i),
            ('"', Some(_)) => quote_at = None,
            (_, Some(_)) => {}
            ('(', None) => open_parens.push(i),
            (')', None) => {
                let Some(_) = open_parens.pop() else {
                    return Some((
                        i,
                        "unmatched closing parenthesis",
                        "remove it or add a `(` before it",
                    ));
                };
            }
            _ => {}
        }
    }
    if let Some(i) = quote_at {
        return Some((
            i,
            "unclosed quote",
            "close the phrase with a `\"`, or remove the quote",
        ));
    }
    open_parens.first().map(|&i| {
        (
            i,
            "unclosed parenthesis",
            "close it with a `)`, or remove it",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{too_deep, unbalanced, MAX_NESTING};

    #[test]
    fn finds_nesting_past_the_limit() {
        let ok = format!("{}x{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert_eq!(too_deep(&ok), None);
        let deep = format!("a {}x", "(".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep(&deep), Some(2 + MAX_NESTING));
        assert!(too_deep(&format!("\\\"{}x", "(".repeat(100))).is_some());
        assert_eq!(too_deep(&"()".repeat(400)), None);
    }

    #[test]
    fn finds_unbalanced_quotes_and_parens() {
        assert_eq!(unbalanced("\"unbalanced").map(|u| u.0), Some(0));
        assert_eq!(unbalanced("title:(foo").map(|u| u.0), Some(6));
        assert_eq!(unbalanced("a) b").map(|u| u.0), Some(1));
        assert_eq!(unbalanced("\"a (b\" (c)"), None);
    }
}
