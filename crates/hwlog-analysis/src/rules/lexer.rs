//! Tokens of the rule language, each with the column it starts at.
use super::ParseError;

/// A token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// `{level}`, `{fields.duration_ms}`: the path inside the braces.
    Field(String),
    Str(String),
    Num(f64),
    /// A duration in nanoseconds: `5m`, `30s`, `250ms`, `1h`, `2d`.
    Dur(i64),
    /// A rate threshold in events per second: `10/m`, `2/s`, `100/h`.
    Rate(f64),
    Ident(String),
    LParen,
    RParen,
    Op(&'static str),
    End,
}

/// A token and its 1-based column (in characters).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spanned {
    pub tok: Tok,
    pub col: usize,
}

const OPS: [&str; 8] = ["==", "!=", ">=", "<=", "=~", "!~", ">", "<"];

/// Splits `src` into tokens. The last token is [`Tok::End`].
pub(crate) fn lex(src: &str) -> Result<Vec<Spanned>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '{' => {
                let start = i + 1;
                let end = chars[start..]
                    .iter()
                    .position(|&c| c == '}')
                    .map(|p| start + p)
                    .ok_or_else(|| {
                        ParseError::new(col, "unclosed `{`: expected a field name and `}`")
                    })?;
                let name: String = chars[start..end]
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string();
                let valid = !name.is_empty()
                    && name.split('.').all(|part| {
                        !part.is_empty()
                            && part
                                .chars()
                                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                    });
                if !valid {
                    return Err(ParseError::new(
                        col,
                        format!(
                            "invalid field name {{{name}}}: use letters, digits, `_`, `-` and `.`"
                        ),
                    ));
                }
                i = end + 1;
                Tok::Field(name)
            }
            '"' | '\'' => {
                let (s, next) = string(&chars, i)?;
                i = next;
                Tok::Str(s)
            }
            c if c.is_ascii_digit() => {
                let (t, next) = number(&chars, i)?;
                i = next;
                t
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                Tok::Ident(chars[start..i].iter().collect())
            }
            _ => {
                let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
                match OPS.iter().find(|op| rest.starts_with(**op)) {
                    Some(op) => {
                        i += op.len();
                        Tok::Op(op)
                    }
                    None if c == '=' => {
                        return Err(ParseError::new(col, "`=` is not an operator: use `==`"))
                    }
                    None => {
                        return Err(ParseError::new(col, format!("unexpected character {c:?}")))
                    }
                }
            }
        };
        out.push(Spanned { tok, col });
    }
    out.push(Spanned {
        tok: Tok::End,
        col: chars.len() + 1,
    });
    Ok(out)
}

fn string(chars: &[char], open: usize) -> Result<(String, usize), ParseError> {
    let quote = chars[open];
    let mut s = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                s.push(match chars[i + 1] {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
                i += 2;
            }
            c if c == quote => return Ok((s, i + 1)),
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    Err(ParseError::new(open + 1, "unterminated string"))
}

/// A number, a duration (`5m`, `1h30m`, read by [`hwlog_core::units::parse_duration`]) or a
/// rate (`10/m`).
fn number(chars: &[char], start: usize) -> Result<(Tok, usize), ParseError> {
    let mut end = start;
    while end < chars.len()
        && (chars[end].is_alphanumeric() || chars[end] == '.' || chars[end] == '_')
    {
        end += 1;
    }
    if chars[start..end].iter().any(|c| c.is_alphabetic()) {
        let word: String = chars[start..end].iter().collect();
        let d = hwlog_core::units::parse_duration(&word).map_err(|e| {
            // Point at the unit when the unit is what is wrong.
            let unit = chars[start..end].iter().position(|c| c.is_alphabetic());
            let col = match e.kind() {
                hwlog_core::units::UnitErrorKind::UnknownUnit => start + unit.unwrap_or(0),
                _ => start,
            };
            ParseError::new(col + 1, e.to_string())
        })?;
        return Ok((
            Tok::Dur(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
            end,
        ));
    }
    let mut i = start;
    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_') {
        i += 1;
    }
    let text: String = chars[start..i].iter().filter(|&&c| c != '_').collect();
    let value: f64 = text
        .parse()
        .map_err(|_| ParseError::new(start + 1, format!("invalid number {text:?}")))?;
    if i < chars.len() && chars[i] == '/' {
        let per = chars.get(i + 1).copied();
        let secs = match per {
            Some('s') => 1.0,
            Some('m') => 60.0,
            Some('h') => 3600.0,
            _ => {
                return Err(ParseError::new(
                    i + 2,
                    "a rate needs a unit: `/s`, `/m` or `/h`",
                ))
            }
        };
        if chars.get(i + 2).is_some_and(|c| c.is_alphanumeric()) {
            return Err(ParseError::new(
                i + 2,
                "a rate needs a unit: `/s`, `/m` or `/h`",
            ));
        }
        return Ok((Tok::Rate(value / secs), i + 2));
    }
    Ok((Tok::Num(value), i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `within <duration>` reads every duration of the shared table as hwlog-core does.
    #[test]
    fn durations_are_the_shared_table() {
        for &(text, want) in hwlog_core::units::DURATION_CASES {
            let got = match lex(&format!("within {text}")) {
                Ok(t) => match t.get(1).map(|s| &s.tok) {
                    Some(Tok::Dur(ns)) if t.len() == 3 => Some(*ns as u64),
                    _ => None,
                },
                Err(_) => None,
            };
            assert_eq!(got, want, "within {text}");
        }
    }
}
