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

/// A number, a duration (`5m`) or a rate (`10/m`).
fn number(chars: &[char], start: usize) -> Result<(Tok, usize), ParseError> {
    let mut i = start;
    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_') {
        i += 1;
    }
    let text: String = chars[start..i].iter().filter(|&&c| c != '_').collect();
    let value: f64 = text
        .parse()
        .map_err(|_| ParseError::new(start + 1, format!("invalid number {text:?}")))?;
    let unit_start = i;
    while i < chars.len() && chars[i].is_ascii_alphabetic() {
        i += 1;
    }
    let unit: String = chars[unit_start..i].iter().collect();
    if !unit.is_empty() {
        let ns = match unit.as_str() {
            "ns" => 1.0,
            "us" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "d" => 86_400e9,
            _ => {
                return Err(ParseError::new(
                    unit_start + 1,
                    format!("unknown duration unit {unit:?}: use ms, s, m, h or d"),
                ))
            }
        };
        return Ok((Tok::Dur((value * ns) as i64), i));
    }
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
