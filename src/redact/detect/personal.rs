//! Other personal data: phone numbers in international formats, payment
//! card numbers (Luhn-checked) and IBANs (mod-97-checked).

use std::sync::OnceLock;

use regex::Regex;

use super::stretches::{find_in, Stretch, Stretches, DIGIT, UPPER};
use super::{is_word_byte, regex, Span};
use crate::redact::FindingKind;

fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = (*d - b'0') as u32;
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn iban_valid(iban: &str) -> bool {
    let compact: Vec<u8> = iban.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let rearranged = compact[4..].iter().chain(compact[..4].iter());
    let mut rem: u32 = 0;
    for &b in rearranged {
        let v = match b {
            b'0'..=b'9' => (b - b'0') as u32,
            b'A'..=b'Z' => (b - b'A') as u32 + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Two capitals, then two digits: how an IBAN starts. Kept out of line,
/// so the gate that calls it stays small enough to inline.
#[inline(never)]
fn country_then_check(stretch: &[u8]) -> bool {
    stretch.windows(4).any(|w| {
        w[0].is_ascii_uppercase()
            && w[1].is_ascii_uppercase()
            && w[2].is_ascii_digit()
            && w[3].is_ascii_digit()
    })
}

pub fn personal(text: &str, stretches: &Stretches, out: &mut Vec<Span>) {
    static PHONE: OnceLock<Regex> = OnceLock::new();
    static CARD: OnceLock<Regex> = OnceLock::new();
    static IBAN: OnceLock<Regex> = OnceLock::new();
    let bytes = text.as_bytes();
    let phone = regex(
        &PHONE,
        r"(?:\+[1-9][0-9]{0,2}[\s.-]?(?:\(0?[0-9]{1,4}\)[\s.-]?)?[0-9]{1,4}(?:[\s.-]?[0-9]{2,4}){1,4}|\([0-9]{3}\)\s?[0-9]{3}[\s.-][0-9]{4}|(?-u:\b)[0-9]{3}[.-][0-9]{3}[.-][0-9]{4}(?-u:\b)|(?-u:\b)0[0-9]{2,4}[\s-][0-9]{3,4}[\s-][0-9]{3,4}(?-u:\b))",
    );
    // Every piece of a phone or card number between spaces holds a digit:
    // they are found in runs of such stretches with seven digits at least
    // (a phone's fewest; a card has thirteen).
    let numbers: Vec<(usize, usize, usize)> = stretches
        .ranges(|s| s.has(DIGIT))
        .filter(|(a, b)| b - a >= 7)
        .map(|(a, b)| {
            (
                a,
                b,
                bytes[a..b].iter().filter(|c| c.is_ascii_digit()).count(),
            )
        })
        .filter(|&(_, _, digits)| digits >= 7)
        .collect();
    let phones = numbers.iter().map(|&(a, b, _)| (a, b));
    for (start, end) in find_in(text, phone, phones) {
        let found = &text[start..end];
        let digits = found.bytes().filter(u8::is_ascii_digit).count();
        if !(7..=15).contains(&digits) || start > 0 && is_word_byte(bytes[start - 1]) {
            continue;
        }
        let key: String = found.chars().filter(char::is_ascii_digit).collect();
        out.push(Span::new(start, end, FindingKind::Phone, key));
    }
    let card = regex(&CARD, r"(?-u:\b)[0-9](?:[ -]?[0-9]){12,18}(?-u:\b)");
    let cards = numbers
        .iter()
        .filter(|n| n.2 >= 13)
        .map(|&(a, b, _)| (a, b));
    for (start, end) in find_in(text, card, cards) {
        let digits: Vec<u8> = text[start..end]
            .bytes()
            .filter(u8::is_ascii_digit)
            .collect();
        if luhn(&digits) && !digits.iter().all(|d| *d == digits[0]) {
            out.push(Span::new(
                start,
                end,
                FindingKind::Card,
                String::from_utf8_lossy(&digits).into_owned(),
            ));
        }
    }
    let iban = regex(
        &IBAN,
        r"(?-u:\b)[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?-u:\b)",
    );
    // An IBAN starts with two capitals and two digits, in one stretch; its
    // groups follow in at most eight more.
    let country_and_check = |s: &Stretch| {
        s.has(UPPER | DIGIT) && country_then_check(&bytes[s.start as usize..s.end as usize])
    };
    for (start, end) in find_in(text, iban, stretches.ranges_around(country_and_check, 0, 8)) {
        let found = &text[start..end];
        if iban_valid(found) {
            let key: String = found.chars().filter(|c| !c.is_whitespace()).collect();
            out.push(Span::new(start, end, FindingKind::Iban, key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_phones_cards_and_ibans() {
        let text = "call +44 20 7946 0958 or (415) 555-0132 or +1-212-555-0199; card 4111 1111 1111 1111 and 5555555555554444 \
                    but not 1234567812345678; IBAN GB82 WEST 1234 5698 7654 32 and DE89370400440532013000; port 5432, v1.27.3, 2024-03-14";
        let mut out = Vec::new();
        personal(text, &Stretches::new(text), &mut out);
        let found: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(
            found,
            [
                "+44 20 7946 0958",
                "(415) 555-0132",
                "+1-212-555-0199",
                "4111 1111 1111 1111",
                "5555555555554444",
                "GB82 WEST 1234 5698 7654 32",
                "DE89370400440532013000"
            ]
        );
    }
}
