//! English stemming, remembered per word.
//!
//! Snowball stemming was about an eighth of the indexing time, spent again
//! on every occurrence of the same few thousand words. This filter stems
//! each distinct word once per thread with tantivy's own English stemmer
//! and remembers the stem, so its output is exactly that stemmer's. The
//! memo is bounded: it starts afresh when it holds `MEMO_WORDS` words.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use foldhash::{HashMap, HashMapExt};

use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Words remembered per thread before the memo starts again: a report
/// collection's vocabulary beyond this is mostly names and typos, seen once.
const MEMO_WORDS: usize = 1 << 16;

/// The longest word remembered, in bytes; longer ones (rare in English
/// prose) are stemmed every time.
const INLINE_BYTES: usize = 23;

/// A word or stem of at most `INLINE_BYTES`, held in the memo's table
/// itself: its length, then its bytes, zero-padded to three machine words.
/// With `String`s, each lookup followed a pointer to the key's bytes and
/// another to the stem's, each elsewhere in memory: in a table of tens of
/// thousands of words, two cache misses per token.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Inline([u8; INLINE_BYTES + 1]);

impl Inline {
    fn new(text: &str) -> Option<Inline> {
        let mut bytes = [0; INLINE_BYTES + 1];
        bytes
            .get_mut(1..text.len() + 1)?
            .copy_from_slice(text.as_bytes());
        bytes[0] = text.len() as u8;
        Some(Inline(bytes))
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0[1..1 + self.0[0] as usize]).expect("copied from a str")
    }

    fn word(&self, i: usize) -> u64 {
        u64::from_ne_bytes(self.0[i * 8..i * 8 + 8].try_into().expect("8 bytes"))
    }
}

/// Three words into the hasher, where the derived `Hash` fed it the length,
/// the array's length and a 23-byte slice, which foldhash hashes as a long
/// string. All three go in, so the random seed still decides every
/// collision.
impl Hash for Inline {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.word(0));
        state.write_u64(self.word(1));
        state.write_u64(self.word(2));
    }
}

struct Memo {
    /// foldhash, not the default SipHash: hashing was a visible part of
    /// every lookup. Its seed is still random per process, so a submitter
    /// cannot pick words that all collide and make indexing quadratic.
    stems: HashMap<Inline, Inline>,
    /// The whole text as one token, stemmed: tantivy's stemmer on one word.
    stemmer: TextAnalyzer,
}

impl Memo {
    fn new() -> Memo {
        Memo {
            // Grown as words come, not sized for `MEMO_WORDS` at once: the
            // few thousand words most text is made of then sit in a table
            // small enough for the processor's cache, not spread over 3 MB.
            // With the hashing above, tantivy's CPU per imported report
            // fell 3 to 5 % (paired 300,000-report imports).
            stems: HashMap::new(),
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }

    /// Replaces the word in `text` by its stem.
    fn stem_in_place(&mut self, text: &mut String) {
        let word = Inline::new(text);
        if let Some(stem) = word.and_then(|w| self.stems.get(&w)) {
            text.clear();
            text.push_str(stem.as_str());
            return;
        }
        let mut stream = self.stemmer.token_stream(text);
        if !stream.advance() {
            return;
        }
        let stem = std::mem::take(&mut stream.token_mut().text);
        drop(stream);
        if let (Some(word), Some(stemmed)) = (word, Inline::new(&stem)) {
            if self.stems.len() >= MEMO_WORDS {
                self.stems.clear();
            }
            self.stems.insert(word, stemmed);
        }
        *text = stem;
    }
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::new());
}

/// Tantivy's English `Stemmer`, remembering each word's stem.
#[derive(Clone, Copy)]
pub struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter(tokenizer)
    }
}

#[derive(Clone)]
pub struct MemoStemmerFilter<T>(T);

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream {
            tail: self.0.token_stream(text),
        }
    }
}

pub struct MemoStemmerStream<S> {
    tail: S,
}

impl<S: TokenStream> TokenStream for MemoStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        // A common word (a quarter of all words) is its own stem: one
        // multiply tells, where the memo would hash and compare.
        if !crate::grams::is_common(text) {
            MEMO.with(|memo| memo.borrow_mut().stem_in_place(text));
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer};

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn stems_exactly_as_the_stemmer_does_before_and_after_the_memo_starts_again() {
        let plain = || {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(Stemmer::new(Language::English))
                .build()
        };
        let memo = || {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(MemoStemmer)
                .build()
        };
        let text = "Replicas were resyncing; the primary's latency spiked as connections \
                    pooled and retried. Certificates expired, renewals failed, caches \
                    thrashed: on-call engineers paged twice. Résumé naïve Ünïcödé 12ms";
        let (mut a, mut b) = (plain(), memo());
        // Twice: the second time every word comes from the memo.
        for _ in 0..2 {
            assert_eq!(tokens(&mut a, text), tokens(&mut b, text));
        }
        // More distinct words than the memo holds: it starts again and
        // stays exact.
        let many: String = (0..MEMO_WORDS + 500)
            .map(|i| format!("word{i}ing "))
            .collect();
        assert_eq!(tokens(&mut a, &many), tokens(&mut b, &many));
        // Words too long to remember, and words whose stem is as long as
        // the longest remembered, are stemmed alike.
        let long = "internationalisationing decentralizationalisms \
                    counterrevolutionariesy abcdefghijklmnopqrstuvw abcdefghijklmnopqrstuvwx";
        for _ in 0..2 {
            assert_eq!(tokens(&mut a, long), tokens(&mut b, long));
        }
        assert_eq!(tokens(&mut a, text), tokens(&mut b, text));
    }
}
