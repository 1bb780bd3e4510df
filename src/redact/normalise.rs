//! Text normalisation before detection. Two views:
//!
//! * the *clean* text — NFKC, with format characters (zero-width spaces and
//!   joiners, bidi overrides, soft hyphens) removed — is what detectors scan
//!   and what is published: `Acme` split by a zero-width space or written in
//!   full-width letters must not slip through, and an RTL override must not
//!   make a published report display something else than it stores;
//! * the *skeleton* — the clean text lowercased with look-alike letters from
//!   other scripts folded to Latin, and hyphens, underscores, tabs and line
//!   breaks written as spaces — is what declared terms are matched against,
//!   with a map back to clean-text offsets. It is never published, so
//!   Cyrillic prose stays Cyrillic in the report. One needle with spaces
//!   finds a term however its words are separated (`long-distance network`,
//!   `acme_pay gateway`, a name broken across lines).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Unicode format characters (general category Cf) and other invisible
/// separators that can split a word without showing.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}' | '\u{E0000}'..='\u{E007F}')
}

/// NFKC without invisible characters. ASCII text is returned as it is (NFKC
/// is the identity on it), which keeps the common case fast.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    // NFKC is the identity on ASCII and on text that passes the quick check.
    if text.is_ascii()
        || !text.chars().any(is_invisible)
            && unicode_normalization::is_nfkc_quick(text.chars())
                == unicode_normalization::IsNormalized::Yes
    {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.nfkc().filter(|c| !is_invisible(*c)).collect())
}

/// A letter from Cyrillic, Greek or other scripts that renders like a Latin
/// letter, folded to that Latin letter (lowercase).
fn fold_lookalike(c: char) -> char {
    match c {
        'а' | 'А' | 'α' | 'Α' | 'ɑ' => 'a',
        'в' | 'В' | 'β' | 'Β' => 'b',
        'с' | 'С' | 'ϲ' | 'Ϲ' => 'c',
        'ԁ' | 'Ԁ' => 'd',
        'е' | 'Е' | 'ё' | 'Ё' | 'ε' | 'Ε' => 'e',
        'ɡ' => 'g',
        'һ' | 'Һ' | 'Η' => 'h',
        'і' | 'І' | 'ι' | 'Ι' | 'ӏ' | 'Ӏ' | 'ı' | 'ɩ' => 'i',
        'ј' | 'Ј' => 'j',
        'к' | 'К' | 'κ' | 'Κ' => 'k',
        'м' | 'М' | 'Μ' => 'm',
        'п' | 'η' | 'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' | 'σ' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'ԛ' | 'Ԛ' => 'q',
        'г' => 'r',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'Т' | 'τ' | 'Τ' => 't',
        'υ' | 'Υ' => 'u',
        'ν' => 'v',
        'ԝ' | 'Ԝ' => 'w',
        'х' | 'Х' | 'χ' | 'Χ' => 'x',
        'у' | 'У' | 'γ' => 'y',
        'Ζ' => 'z',
        other => other,
    }
}

/// The matching view of `clean` text, and for each byte of it the byte
/// offset in `clean` of the character it came from.
pub struct Skeleton {
    pub text: String,
    /// `None` when every byte maps to itself (ASCII text).
    origin: Option<Vec<usize>>,
    clean_len: usize,
}

impl Skeleton {
    pub fn new(clean: &str) -> Skeleton {
        // Built as bytes: every byte pushed is ASCII or a whole character's
        // UTF-8, so the text is checked once at the end.
        let mut text = Vec::with_capacity(clean.len());
        if clean.is_ascii() {
            push_ascii_folded(&mut text, clean);
            return Skeleton {
                text: String::from_utf8(text).expect("ASCII is UTF-8"),
                origin: None,
                clean_len: clean.len(),
            };
        }
        let mut origin = Vec::with_capacity(clean.len());
        let mut rest = clean;
        let mut at = 0;
        // Mostly ASCII with a few curly quotes or accents: the ASCII runs
        // are folded whole, only the other characters one by one.
        while let Some(run) = rest.find(|c: char| !c.is_ascii()) {
            push_ascii_folded(&mut text, &rest[..run]);
            origin.extend(at..at + run);
            let c = rest[run..].chars().next().expect("a character starts here");
            Self::push_folded(&mut text, &mut origin, at + run, c);
            let used = run + c.len_utf8();
            rest = &rest[used..];
            at += used;
        }
        push_ascii_folded(&mut text, rest);
        origin.extend(at..at + rest.len());
        Skeleton {
            text: String::from_utf8(text).expect("whole characters of UTF-8"),
            origin: Some(origin),
            clean_len: clean.len(),
        }
    }

    /// The skeleton of one non-ASCII character at clean offset `i`.
    fn push_folded(text: &mut Vec<u8>, origin: &mut Vec<usize>, i: usize, c: char) {
        // Hyphens and dashes of other kinds separate words as `-` does
        // (`acme‑pay` with a non-breaking hyphen).
        if matches!(
            c,
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}'
        ) {
            text.push(b' ');
            origin.push(i);
            return;
        }
        // Accents are dropped too: `Qúillfeather` is the declared
        // `Quillfeather` with a combining mark on it.
        decompose_canonical(c, |base| {
            if is_combining_mark(base) {
                return;
            }
            for lc in fold_lookalike(base).to_lowercase() {
                let mut utf8 = [0u8; 4];
                let bytes = lc.encode_utf8(&mut utf8).as_bytes();
                text.extend_from_slice(bytes);
                origin.extend(std::iter::repeat_n(i, bytes.len()));
            }
        });
    }

    /// The clean-text byte range of a skeleton byte range.
    pub fn to_clean(&self, start: usize, end: usize, clean: &str) -> (usize, usize) {
        let Some(origin) = &self.origin else {
            return (start.min(self.clean_len), end.min(self.clean_len));
        };
        let s = origin.get(start).copied().unwrap_or(self.clean_len);
        let e = if end == 0 {
            0
        } else {
            let last = origin.get(end - 1).copied().unwrap_or(self.clean_len);
            last + clean[last..].chars().next().map_or(0, char::len_utf8)
        };
        (s, e.max(s))
    }
}

/// What each ASCII byte becomes in the skeleton: lowercase letters, and a
/// space for every separator a term's words may be written with.
const FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = match b {
            b'-' | b'_' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => b' ',
            _ => b.to_ascii_lowercase(),
        };
        i += 1;
    }
    t
};

/// Append `ascii` folded (see `FOLD`), byte for byte: offsets stay as
/// they were.
fn push_ascii_folded(text: &mut Vec<u8>, ascii: &str) {
    text.extend(ascii.bytes().map(|b| FOLD[b as usize]));
}

/// `f` of the lowercase of `word`, without a copy on the heap when the word
/// is short and ASCII (nearly every word the redactor looks up in a list).
pub fn with_ascii_lowercase<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buffer = [0u8; 64];
    match buffer.get_mut(..word.len()) {
        Some(lower) if word.is_ascii() => {
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            f(std::str::from_utf8(lower).expect("ASCII is UTF-8"))
        }
        _ => f(&word.to_lowercase()),
    }
}

/// The skeleton of a short string (a declared term).
pub fn skeleton_of(term: &str) -> String {
    Skeleton::new(&clean(term)).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_and_compatibility_forms_are_removed() {
        assert_eq!(clean("Ac\u{200B}me\u{202E} Ｐａｙ"), "Acme Pay");
        assert!(matches!(
            clean("plain ascii"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn lookalikes_fold_and_offsets_map_back() {
        let clean_text = "Ask Quіllfeather now"; // Cyrillic і
        let s = Skeleton::new(clean_text);
        assert_eq!(s.text, "ask quillfeather now");
        let start = s.text.find("quillfeather").unwrap();
        let (a, b) = s.to_clean(start, start + "quillfeather".len(), clean_text);
        assert_eq!(&clean_text[a..b], "Quіllfeather");
    }

    #[test]
    fn accents_and_latin_lookalikes_fold_too() {
        assert_eq!(skeleton_of("Qu\u{301}illfe\u{251}ther"), "quillfeather");
        let clean_text = "Zoë was paged";
        let s = Skeleton::new(clean_text);
        assert_eq!(s.text, "zoe was paged");
        let (a, b) = s.to_clean(0, 3, clean_text);
        assert_eq!(&clean_text[a..b], "Zoë");
    }
}
