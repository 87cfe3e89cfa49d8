//! Messages as a log type and its variables (the encoding of CLP, "Compressed Log
//! Processor"): the numbers of a message are cut out and stored as varints, long hex
//! tokens and numbers with leading zeros as texts, and what remains, the log type
//! (`"Accepted password for \x12 from \x11.\x11.\x11.\x11 port \x11"`), goes through the
//! block's dictionary. Messages of one template then share one dictionary entry, and the
//! variables compress as numbers instead of text.
//!
//! The encoding is exact: [`join`] gives back the message byte for byte. A message that
//! itself contains one of the placeholder characters is stored whole as the log type
//! [`WHOLE`] plus one text.
use super::bytes::{put_text, put_varint, Reader};
use crate::Error;

/// A number cut out of the message, in the ints column.
const INT: char = '\u{11}';
/// A text cut out of the message, in the strs column.
const STR: char = '\u{12}';
/// The log type of a message stored whole in the strs column.
pub(crate) const WHOLE: &str = "\u{13}";

/// Splits `m`: appends its log type to `logtype`, its numbers to `ints` and its other
/// variables to `strs`.
pub(crate) fn split(m: &str, logtype: &mut String, ints: &mut Vec<u8>, strs: &mut Vec<u8>) {
    if m.contains([INT, STR, '\u{13}']) {
        logtype.push_str(WHOLE);
        put_text(m, strs);
        return;
    }
    for (i, tok) in m.split(' ').enumerate() {
        if i > 0 {
            logtype.push(' ');
        }
        let hexish = tok.len() >= 8
            && tok.bytes().all(|b| b.is_ascii_hexdigit())
            && tok.bytes().any(|b| b.is_ascii_alphabetic());
        if hexish {
            logtype.push(STR);
            put_text(tok, strs);
            continue;
        }
        let b = tok.as_bytes();
        let mut j = 0;
        while j < b.len() {
            let start = j;
            if b[j].is_ascii_digit() {
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                let run = &tok[start..j];
                match run.parse::<u64>() {
                    Ok(v) if run.len() <= 18 && (run.len() == 1 || !run.starts_with('0')) => {
                        logtype.push(INT);
                        put_varint(v, ints);
                    }
                    _ => {
                        logtype.push(STR);
                        put_text(run, strs);
                    }
                }
            } else {
                while j < b.len() && !b[j].is_ascii_digit() {
                    j += 1;
                }
                logtype.push_str(&tok[start..j]);
            }
        }
    }
}

/// Appends the message of `logtype` to `out`, reading its variables from `ints` and
/// `strs`.
pub(crate) fn join(
    logtype: &str,
    ints: &mut Reader<'_>,
    strs: &mut Reader<'_>,
    out: &mut String,
) -> Result<(), Error> {
    if logtype == WHOLE {
        out.push_str(strs.text()?);
        return Ok(());
    }
    // The placeholders are ASCII, so the text between them is whole UTF-8.
    let mut rest = logtype;
    while let Some(at) = rest.find([INT, STR]) {
        out.push_str(&rest[..at]);
        if rest.as_bytes()[at] == INT as u8 {
            out.push_str(itoa::Buffer::new().format(ints.varint()?));
        } else {
            out.push_str(strs.text()?);
        }
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Moves `ints` and `strs` past the variables of `logtype` without building the message.
pub(crate) fn skip(
    logtype: &str,
    ints: &mut Reader<'_>,
    strs: &mut Reader<'_>,
) -> Result<(), Error> {
    if logtype == WHOLE {
        strs.text()?;
        return Ok(());
    }
    for b in logtype.bytes() {
        if b == INT as u8 {
            ints.varint()?;
        } else if b == STR as u8 {
            strs.text()?;
        }
    }
    Ok(())
}

/// Whether a message of this log type may hold `word` (a folded word of a query, as
/// [`crate::text`] makes them; `prefix` when it matches as a prefix): `false` only when no
/// message of the log type can. A word with a digit may be in the cut-out numbers, an
/// all-hex one in the cut-out texts; for those, and for a message stored whole, the answer
/// is `true`.
pub(crate) fn may_hold(logtype: &str, word: &str, prefix: bool) -> bool {
    let hexish = word.bytes().all(|b| b.is_ascii_hexdigit()) && (prefix || word.len() >= 8);
    if logtype == WHOLE || word.bytes().any(|b| b.is_ascii_digit()) || hexish {
        return true;
    }
    if logtype.is_ascii() && word.is_ascii() {
        return crate::text::contains_ignore_case(logtype.as_bytes(), word.as_bytes());
    }
    crate::text::words(logtype).iter().any(|w| w.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(m: &str) -> String {
        let (mut lt, mut ints, mut strs) = (String::new(), Vec::new(), Vec::new());
        split(m, &mut lt, &mut ints, &mut strs);
        let mut out = String::from("prefix:");
        let (mut ir, mut sr) = (Reader::new(&ints), Reader::new(&strs));
        join(&lt, &mut ir, &mut sr, &mut out).unwrap();
        assert!(ir.is_empty() && sr.is_empty(), "{m:?}");
        out.strip_prefix("prefix:").unwrap().to_string()
    }

    #[test]
    fn messages_come_back_byte_for_byte() {
        for m in [
            "PacketResponder 1 for block blk_-6952295868487656571 terminating",
            "Invalid user webmaster from 173.234.31.186 port 007 id deadbeef00 x 0 00",
            "",
            " two  spaces ",
            "ünïcode 12ab34 99999999999999999999999 ١٢٣",
            "tab\tand\nnewline 12\u{0}nul",
            "already \u{11} has \u{12} markers \u{13} 12",
            "\u{13}",
            "18446744073709551615 1844674407370955161 000",
        ] {
            assert_eq!(round_trip(m), m);
        }
    }

    #[test]
    fn random_texts_come_back() {
        let alphabet: Vec<char> = "ab 0123456789fF\t\u{11}\u{13}é日-.:".chars().collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2_000 {
            let mut m = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for k in 0..(x % 40) {
                m.push(alphabet[((x >> (k % 50)) as usize + k as usize * 7) % alphabet.len()]);
            }
            assert_eq!(round_trip(&m), m);
        }
    }

    #[test]
    fn log_types_rule_out_words() {
        let lt = |m: &str| {
            let (mut lt, mut ints, mut strs) = (String::new(), Vec::new(), Vec::new());
            split(m, &mut lt, &mut ints, &mut strs);
            lt
        };
        let a = lt("Accepted password for root from 10.0.0.1 port 22 id deadbeef00");
        assert!(may_hold(&a, "password", false));
        assert!(may_hold(&a, "PASS".to_lowercase().as_str(), true));
        assert!(!may_hold(&a, "failed", false));
        assert!(may_hold(&a, "22", false), "numbers are cut out");
        assert!(may_hold(&a, "deadbeef00", false));
        assert!(
            may_hold(&a, "dead", true),
            "a prefix of a cut-out hex token"
        );
        assert!(may_hold(&lt("Grüße aus Köln"), "koln", false));
        assert!(!may_hold(&lt("Grüße aus Köln"), "berlin", false));
        assert!(may_hold(WHOLE, "anything", false));
    }

    #[test]
    fn one_template_one_log_type() {
        let (mut a, mut b) = (String::new(), String::new());
        let (mut ints, mut strs) = (Vec::new(), Vec::new());
        split("port 22 from 10.0.0.1", &mut a, &mut ints, &mut strs);
        split("port 2222 from 192.168.7.200", &mut b, &mut ints, &mut strs);
        assert_eq!(a, b);
        let mut out = String::new();
        assert!(join(
            "\u{11}",
            &mut Reader::new(&[]),
            &mut Reader::new(&[]),
            &mut out
        )
        .is_err());
    }
}
