//! A format-neutral configuration tree with source positions, built from TOML or YAML, so that
//! validation can report every error with its line and column.
use std::fmt;

/// Where a value stands in its source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    /// Source name (file path or `<builtin>`).
    pub source: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub col: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.source)
        } else {
            write!(f, "{}:{}:{}", self.source, self.line, self.col)
        }
    }
}

/// A value in the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// Text.
    Str(String),
    /// Integer.
    Int(i64),
    /// Float.
    Float(f64),
    /// Boolean.
    Bool(bool),
    /// List.
    Seq(Vec<Node>),
    /// Table / mapping, in source order.
    Map(Vec<(String, Node)>),
}

/// A value and where it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub val: Val,
    /// Its position.
    pub loc: Loc,
}

impl Node {
    /// What kind of value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self.val {
            Val::Str(_) => "a string",
            Val::Int(_) => "an integer",
            Val::Float(_) => "a number",
            Val::Bool(_) => "a boolean",
            Val::Seq(_) => "a list",
            Val::Map(_) => "a table",
        }
    }
}

/// Byte offset → (line, column), both 1-based.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let upto = &src[..offset.min(src.len())];
    let line = upto.bytes().filter(|&b| b == b'\n').count() + 1;
    let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses TOML. A syntax error is returned with its position.
pub fn parse_toml(src: &str, source: &str) -> Result<Node, (Loc, String)> {
    let mut root = toml_span::parse(src).map_err(|e| {
        let (line, col) = match e.line_info {
            Some((l, c)) => (l + 1, c + 1),
            None => line_col(src, e.span.start),
        };
        let loc = Loc {
            source: source.to_string(),
            line,
            col,
        };
        (loc, e.kind.to_string())
    })?;
    Ok(from_toml(&mut root, src, source))
}

fn from_toml(v: &mut toml_span::Value<'_>, src: &str, source: &str) -> Node {
    use toml_span::value::ValueInner;
    let (line, col) = line_col(src, v.span.start);
    let loc = Loc {
        source: source.to_string(),
        line,
        col,
    };
    let val = match v.take() {
        ValueInner::String(s) => Val::Str(s.into_owned()),
        ValueInner::Integer(i) => Val::Int(i),
        ValueInner::Float(f) => Val::Float(f),
        ValueInner::Boolean(b) => Val::Bool(b),
        ValueInner::Array(mut a) => {
            Val::Seq(a.iter_mut().map(|x| from_toml(x, src, source)).collect())
        }
        ValueInner::Table(t) => {
            let mut entries: Vec<(String, Node)> = t
                .into_iter()
                .map(|(k, mut x)| {
                    let mut n = from_toml(&mut x, src, source);
                    // Point at the key, which is where a reader looks.
                    let (kl, kc) = line_col(src, k.span.start);
                    if !matches!(n.val, Val::Map(_) | Val::Seq(_)) || n.loc.line == 0 {
                        n.loc.line = kl;
                        n.loc.col = kc;
                    }
                    (k.name.into_owned(), n)
                })
                .collect();
            entries.sort_by_key(|(_, n)| (n.loc.line, n.loc.col));
            Val::Map(entries)
        }
    };
    Node { val, loc }
}

/// Parses YAML (the top level must be a mapping). Unquoted scalars are typed as YAML 1.2's
/// core schema does (`true`, `12`, `1.5`); quoted ones stay strings.
pub fn parse_yaml(src: &str, source: &str) -> Result<Node, (Loc, String)> {
    let node = marked_yaml::parse_yaml(0, src).map_err(|e| {
        let text = e.to_string();
        (
            Loc {
                source: source.to_string(),
                line: 0,
                col: 0,
            },
            text,
        )
    })?;
    Ok(from_yaml(&node, source))
}

fn from_yaml(n: &marked_yaml::Node, source: &str) -> Node {
    use marked_yaml::Node as Y;
    let (line, col) = n.span().start().map_or((0, 0), |m| (m.line(), m.column()));
    let loc = Loc {
        source: source.to_string(),
        line,
        col,
    };
    let val = match n {
        Y::Scalar(s) => {
            let text = s.as_str();
            if !s.may_coerce() {
                Val::Str(text.to_string())
            } else if let Some(b) = s.as_bool() {
                Val::Bool(b)
            } else if let Ok(i) = text.parse::<i64>() {
                Val::Int(i)
            } else if let Ok(f) = text.parse::<f64>() {
                Val::Float(f)
            } else {
                Val::Str(text.to_string())
            }
        }
        Y::Sequence(seq) => Val::Seq(seq.iter().map(|x| from_yaml(x, source)).collect()),
        Y::Mapping(map) => Val::Map(
            map.iter()
                .map(|(k, v)| (k.as_str().to_string(), from_yaml(v, source)))
                .collect(),
        ),
    };
    Node { val, loc }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_yaml_positions() {
        let t = parse_toml("a = 1\n[b]\nc = \"x\"\n", "t.toml").unwrap();
        let Val::Map(m) = &t.val else { panic!() };
        assert_eq!(m[0].0, "a");
        assert_eq!((m[0].1.loc.line, m[0].1.loc.col), (1, 1));
        let Val::Map(b) = &m[1].1.val else { panic!() };
        assert_eq!(b[0].1.loc.line, 3);
        let y = parse_yaml("a: 1\nb:\n  c: 'x'\n  d: true\n", "y.yaml").unwrap();
        let Val::Map(m) = &y.val else { panic!() };
        assert_eq!(m[0].1.val, Val::Int(1));
        let Val::Map(b) = &m[1].1.val else { panic!() };
        assert_eq!(b[0].1.val, Val::Str("x".into()));
        assert_eq!(b[1].1.val, Val::Bool(true));
        assert_eq!(b[1].1.loc.line, 4);
        let err = parse_toml("a = \n", "bad.toml").unwrap_err();
        assert_eq!(err.0.line, 1);
    }
}
