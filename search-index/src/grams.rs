//! Common grams: phrases that hold a very common word, found by one term.
//!
//! A phrase such as "on call" or "out of memory" is matched by reading the
//! positions of `on` or `of` in almost every report, which made `on-call
//! paged` the slowest search of the benchmark by far. The remedy is the one
//! Lucene and Elasticsearch ship as common grams:
//! - when indexing, every common word and the word after it are also
//!   indexed as one term, `on_call`, at the common word's position, beside
//!   the words themselves;
//! - when parsing a query, a phrase's words are replaced by those pairs
//!   wherever a pair exists, so `"on call"` is one term lookup and `"out of
//!   memory"` a phrase of two rarer terms (`out`, `of_memory`).
//!
//! Only pairs that start with a common word are indexed. Pairing a common
//! word with the word before it too (as Lucene does) added 45 % to the
//! terms a report indexes, against 25 % for these; what it would speed up
//! is a phrase that ends in a common word (`"failed to"`), which is rare,
//! and still found, by the common word's own positions.
//!
//! The matches are exactly the phrase's: a pair at position p pins both of
//! its words, and every word of the phrase is pinned by a pair or kept as
//! itself. Grams are formed after stemming, so `"on calls"` still finds
//! "on-call". The tokenizer never emits `_`, so a gram cannot collide with a
//! word. A phrase with slop (`"on call"~2`) made of one gram becomes that
//! gram, matched adjacent only.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The words that form grams: English function words frequent enough that
/// reading their positions dominates a phrase search. Stemming leaves each
/// unchanged (a test checks), so they are compared after stemming.
pub const COMMON: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The longest common word, in bytes.
const COMMON_MAX_BYTES: usize = 5;

/// A word of at most 8 bytes as one integer, its bytes big-endian. Words
/// hold no NUL byte, so two words pack alike only if they are equal.
const fn pack(word: &[u8]) -> u64 {
    let mut packed = 0u64;
    let mut i = 0;
    while i < word.len() {
        packed = (packed << 8) | word[i] as u64;
        i += 1;
    }
    packed
}

/// `COMMON` as a perfect hash table of packed words: a word's slot is the
/// top bits of its packed form times `COMMON_MULTIPLIER`, and a word is
/// common if its slot holds it. The test runs on every indexed token: as
/// string comparisons inside a binary search it was an eighth of the
/// indexing CPU; one multiply and one compare are lost in the noise. (The
/// `phf` crate's sets hash the whole string with SipHash, which costs about
/// what the binary search did.)
const COMMON_SLOTS: [u64; 64] = {
    let mut slots = [EMPTY_SLOT; 64];
    let mut i = 0;
    while i < COMMON.len() {
        assert!(COMMON[i].len() <= COMMON_MAX_BYTES);
        let packed = pack(COMMON[i].as_bytes());
        let slot = slot_of(packed);
        // Changing `COMMON` may make two words share a slot: then pick
        // another odd multiplier (a random one works within a few thousand
        // tries for 33 words in 64 slots).
        assert!(slots[slot] == EMPTY_SLOT, "two common words share a slot");
        slots[slot] = packed;
        i += 1;
    }
    slots
};

/// Found by trying random odd multipliers until `COMMON` had no collision.
const COMMON_MULTIPLIER: u64 = 0xcb95_eb79_ea0c_21e1;

/// No word of at most `COMMON_MAX_BYTES` bytes packs to this.
const EMPTY_SLOT: u64 = u64::MAX;

const fn slot_of(packed: u64) -> usize {
    (packed.wrapping_mul(COMMON_MULTIPLIER) >> 58) as usize
}

pub(crate) fn is_common(word: &str) -> bool {
    if word.len() > COMMON_MAX_BYTES {
        return false;
    }
    let packed = pack(word.as_bytes());
    COMMON_SLOTS[slot_of(packed)] == packed
}

/// Whether two consecutive words form a gram: adjacent (a removed long
/// word leaves a gap), the first one common.
fn pairs(first: &Token, first_common: bool, second: &Token) -> bool {
    first_common && second.position == first.position + 1
}

fn gram(first: &Token, second: &Token, into: &mut Token) {
    into.text.clear();
    into.text.push_str(&first.text);
    into.text.push('_');
    into.text.push_str(&second.text);
    into.offset_from = first.offset_from;
    into.offset_to = second.offset_to;
    into.position = first.position;
    into.position_length = 2;
}

/// Index side: every word, plus a gram after each word that pairs with the
/// common word before it.
#[derive(Clone, Copy)]
pub struct IndexGrams;

impl TokenFilter for IndexGrams {
    type Tokenizer<T: Tokenizer> = IndexGramsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> IndexGramsFilter<T> {
        IndexGramsFilter(tokenizer)
    }
}

#[derive(Clone)]
pub struct IndexGramsFilter<T>(T);

impl<T: Tokenizer> Tokenizer for IndexGramsFilter<T> {
    type TokenStream<'a> = IndexGramsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        IndexGramsStream {
            tail: self.0.token_stream(text),
            previous: None,
            previous_common: false,
            gram: Token::default(),
            on_gram: false,
        }
    }
}

pub struct IndexGramsStream<S> {
    tail: S,
    /// The word before the tail's current one.
    previous: Option<Token>,
    /// Whether `previous` is a common word, so each word is tested once.
    previous_common: bool,
    gram: Token,
    /// Whether the current token is `gram` (the tail's word comes next).
    on_gram: bool,
}

impl<S: TokenStream> TokenStream for IndexGramsStream<S> {
    fn advance(&mut self) -> bool {
        if self.on_gram {
            self.on_gram = false;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let word = self.tail.token();
        let word_common = is_common(&word.text);
        if let Some(previous) = &self.previous {
            self.on_gram = pairs(previous, self.previous_common, word);
            if self.on_gram {
                gram(previous, word, &mut self.gram);
            }
        }
        self.previous_common = word_common;
        // Kept for the next pair; its buffer is reused.
        let previous = self.previous.get_or_insert_with(Token::default);
        previous.text.clear();
        previous.text.push_str(&word.text);
        previous.position = word.position;
        previous.offset_from = word.offset_from;
        previous.offset_to = word.offset_to;
        true
    }

    fn token(&self) -> &Token {
        if self.on_gram {
            &self.gram
        } else {
            self.tail.token()
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.on_gram {
            &mut self.gram
        } else {
            self.tail.token_mut()
        }
    }
}

/// Query side: a word that pairs with a neighbour is replaced by the
/// gram(s); a word that pairs with neither stays.
#[derive(Clone, Copy)]
pub struct QueryGrams;

impl TokenFilter for QueryGrams {
    type Tokenizer<T: Tokenizer> = QueryGramsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> QueryGramsFilter<T> {
        QueryGramsFilter(tokenizer)
    }
}

#[derive(Clone)]
pub struct QueryGramsFilter<T>(T);

impl<T: Tokenizer> Tokenizer for QueryGramsFilter<T> {
    type TokenStream<'a> = QueryGramsStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> QueryGramsStream {
        // A query's words are few: gather them, then decide.
        let mut words = Vec::new();
        let mut tail = self.0.token_stream(text);
        while tail.advance() {
            words.push(tail.token().clone());
        }
        let common: Vec<bool> = words.iter().map(|w| is_common(&w.text)).collect();
        let pair = |i: usize| i + 1 < words.len() && pairs(&words[i], common[i], &words[i + 1]);
        let mut out = Vec::with_capacity(words.len());
        for i in 0..words.len() {
            let in_a_pair = pair(i) || (i > 0 && pair(i - 1));
            if !in_a_pair {
                out.push(words[i].clone());
            }
            if pair(i) {
                let mut t = Token::default();
                gram(&words[i], &words[i + 1], &mut t);
                out.push(t);
            }
        }
        QueryGramsStream {
            tokens: out,
            next: 0,
        }
    }
}

pub struct QueryGramsStream {
    tokens: Vec<Token>,
    /// One past the current token.
    next: usize,
}

impl TokenStream for QueryGramsStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{
        Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, TokenFilter,
    };

    use super::{IndexGrams, QueryGrams, COMMON};

    fn analyze<F: TokenFilter>(filter: F, text: &str) -> Vec<(String, usize)> {
        let mut analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .filter(filter)
            .build();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |t| out.push((t.text.clone(), t.position)));
        out
    }

    fn owned(v: &[(&str, usize)]) -> Vec<(String, usize)> {
        v.iter().map(|(t, p)| (t.to_string(), *p)).collect()
    }

    #[test]
    fn exactly_the_common_words_are_common() {
        assert!(COMMON.windows(2).all(|w| w[0] < w[1]), "{COMMON:?}");
        for word in COMMON {
            assert!(super::is_common(word), "{word}");
        }
        // Near misses: prefixes, extensions, other lengths, bytes that pack
        // to a common word's neighbours.
        for word in [
            "", "b", "then_", "tho", "zzz", "with0", "ano", "aa", "th", "thes", "wit", "withs",
            "`", "{", "inton", "é",
        ] {
            assert!(!super::is_common(word), "{word}");
        }
    }

    #[test]
    fn common_words_are_their_own_stems() {
        for word in COMMON {
            assert_eq!(analyze(QueryGrams, word), owned(&[(word, 0)]), "{word}");
        }
    }

    #[test]
    fn the_index_keeps_every_word_and_adds_the_pairs() {
        assert_eq!(
            analyze(IndexGrams, "Paged the on-call engineers"),
            owned(&[
                ("page", 0),
                ("the", 1),
                ("the_on", 1),
                ("on", 2),
                ("on_call", 2),
                ("call", 3),
                ("engin", 4),
            ])
        );
        assert_eq!(
            analyze(IndexGrams, "split brain"),
            owned(&[("split", 0), ("brain", 1)])
        );
    }

    #[test]
    fn a_query_phrase_becomes_its_pairs_and_lone_words() {
        let cases: [(&str, &[(&str, usize)]); 8] = [
            ("on-call", &[("on_call", 0)]),
            ("on", &[("on", 0)]),
            ("out of memory", &[("out", 0), ("of_memori", 1)]),
            (
                "split brain in redis",
                &[("split", 0), ("brain", 1), ("in_redi", 2)],
            ),
            ("split brain", &[("split", 0), ("brain", 1)]),
            (
                "the on call rota",
                &[("the_on", 0), ("on_call", 1), ("rota", 3)],
            ),
            // A common word at the end pairs with nothing: kept as itself.
            ("failed to", &[("fail", 0), ("to", 1)]),
            ("to be", &[("to_be", 0)]),
        ];
        for (text, want) in cases {
            assert_eq!(analyze(QueryGrams, text), owned(want), "{text}");
        }
    }
}
