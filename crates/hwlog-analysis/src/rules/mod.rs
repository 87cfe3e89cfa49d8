//! The alert rule language: parsed, type-checked where possible, and evaluated without any
//! `eval` of user text.
//!
//! ```text
//! {level} == "CRITICAL"
//! {component} =~ "hardware.*" and {message} contains "timeout"
//! {fields.duration_ms} > 5000 or {fields.duration} > 5s
//! not ({level} < "ERROR")
//! count({level} >= "ERROR" and {component} =~ "^bmc") > 10 within 5m
//! rate({message} contains "retry") > 20/m within 10m
//! new_template and {level} >= "WARNING"
//! ```
//!
//! - Fields: `{level}`, `{component}`, `{message}`, `{correlation_id}`, `{thread}`,
//!   `{error}`, `{file}`, `{line}`, `{pid}`, `{user}`, `{session}`, `{host}`, `{operation}`,
//!   and `{fields.NAME}` for a record field (`{host}` is the context's host or the `host`
//!   field).
//! - Comparisons `== != > >= < <=`; a level compares by severity (`{level} >= "WARNING"`);
//!   a duration literal (`250ms`, `5s`, `2m`, `1h`, `1d`) compares with a duration field
//!   (numbers in fields ending in `_ms`, `_us`, `_ns` have that unit, other numbers are
//!   seconds, text such as `"1.5s"` is parsed).
//! - Text: `=~` / `!~` (regular expression, linear time), `contains`, `startswith`,
//!   `endswith` (case-sensitive).
//! - `and`, `or`, `not`, parentheses; a bare field is true when present and not empty,
//!   zero or false.
//! - Windows: `count(EXPR) OP N within DURATION` counts the records matching `EXPR` in the
//!   last `DURATION` (record time); `rate(EXPR) OP N/s|N/m|N/h within DURATION` compares
//!   matches per second, minute or hour. Windows do not nest.
//! - `new_template`: the record's message starts a template never seen before.
//!
//! A missing field makes a comparison false. Comparing text that is not a number with a
//! number is an evaluation error of that rule (counted; other rules go on).
//!
//! Parse errors name the column:
//!
//! ```
//! use hwlog_analysis::rules::Rule;
//! let e = Rule::parse("{level} == \"CRITICAL\" and {message} containz \"x\"").unwrap_err();
//! assert_eq!(e.column, 37);
//! assert!(e.to_string().starts_with("column 37: expected"), "{e}");
//! let r = Rule::parse("count({level} >= \"ERROR\") > 10 within 5m").unwrap();
//! assert!(r.is_windowed());
//! ```
use std::fmt;

use hwlog_core::Level;
use regex::Regex;

mod eval;
mod lexer;

pub use eval::{DuplicateRule, EvalError, EvalErrorKind, Evaluation, RuleSet};
use lexer::{lex, Spanned, Tok};

/// A rule that does not parse: the 1-based column and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Column (in characters) where the problem is.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(column: usize, message: impl Into<String>) -> Self {
        Self {
            column,
            message: message.into(),
        }
    }

    /// The rule with a caret under the column, for terminals.
    pub fn render(&self, source: &str) -> String {
        format!(
            "{source}\n{}^ {}",
            " ".repeat(self.column.saturating_sub(1)),
            self.message
        )
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A record attribute a rule can read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Field {
    Level,
    Component,
    Message,
    CorrelationId,
    Thread,
    Error,
    File,
    Line,
    Pid,
    User,
    Session,
    Host,
    Operation,
    Named(String),
}

impl Field {
    fn parse(path: &str, col: usize) -> Result<Field, ParseError> {
        Ok(match path {
            "level" => Field::Level,
            "component" | "logger" => Field::Component,
            "message" | "msg" => Field::Message,
            "correlation_id" => Field::CorrelationId,
            "thread" => Field::Thread,
            "error" => Field::Error,
            "file" => Field::File,
            "line" => Field::Line,
            "pid" => Field::Pid,
            "user" => Field::User,
            "session" => Field::Session,
            "host" => Field::Host,
            "operation" => Field::Operation,
            p => match p.strip_prefix("fields.") {
                Some(name) => Field::Named(name.to_string()),
                None => {
                    return Err(ParseError::new(
                        col,
                        format!(
                            "unknown field {{{p}}}: use level, component, message, \
                             correlation_id, thread, error, file, line, pid, user, session, \
                             host, operation or fields.NAME"
                        ),
                    ))
                }
            },
        })
    }
}

/// A value in a comparison.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    Field(Field),
    Str(String),
    Num(f64),
    /// Nanoseconds.
    Dur(i64),
    Bool(bool),
    Level(Level),
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    fn from(op: &str) -> Option<CmpOp> {
        Some(match op {
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            _ => return None,
        })
    }
    pub(crate) fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => o == Equal,
            CmpOp::Ne => o != Equal,
            CmpOp::Gt => o == Greater,
            CmpOp::Ge => o != Less,
            CmpOp::Lt => o == Less,
            CmpOp::Le => o != Greater,
        }
    }
}

/// Text tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

/// Window functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WindowFn {
    Count,
    Rate,
}

/// The parsed form of a rule.
#[derive(Clone, Debug)]
pub(crate) enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Operand, CmpOp, Operand),
    Regex(Operand, Regex, bool),
    Text(Operand, TextOp, String),
    Truthy(Operand),
    NewTemplate,
    Window {
        func: WindowFn,
        inner: Box<Expr>,
        op: CmpOp,
        /// Count, or events per second for a rate.
        threshold: f64,
        window_ns: i64,
        /// Index of this window's state in the evaluator.
        slot: usize,
    },
}

/// A parsed rule. Parsing checks the syntax, the field names, regular expressions and level
/// names; evaluation happens in a [`RuleSet`].
#[derive(Clone, Debug)]
pub struct Rule {
    source: String,
    pub(crate) expr: Expr,
    pub(crate) windows: usize,
    pub(crate) uses_new_template: bool,
}

impl Rule {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Rule, ParseError> {
        let toks = lex(source)?;
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
            windows: 0,
            in_window: false,
            new_template: false,
        };
        let expr = p.or()?;
        let t = p.peek();
        if t.tok != Tok::End {
            return Err(ParseError::new(
                t.col,
                format!(
                    "expected `and`, `or` or the end of the rule, found {}",
                    describe(&t.tok)
                ),
            ));
        }
        Ok(Rule {
            source: source.to_string(),
            expr,
            windows: p.windows,
            uses_new_template: p.new_template,
        })
    }

    /// The rule's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the rule has a `count(...)` or `rate(...)` window.
    pub fn is_windowed(&self) -> bool {
        self.windows > 0
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Field(f) => format!("field {{{f}}}"),
        Tok::Str(s) => format!("string {s:?}"),
        Tok::Num(n) => format!("number {n}"),
        Tok::Dur(_) => "a duration".into(),
        Tok::Rate(_) => "a rate".into(),
        Tok::Ident(i) => format!("`{i}`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Op(o) => format!("`{o}`"),
        Tok::End => "the end of the rule".into(),
    }
}

/// Nesting (parentheses, `not`) allowed in a rule: deeper rules are refused rather than
/// risk the stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    toks: Vec<Spanned>,
    pos: usize,
    depth: usize,
    windows: usize,
    in_window: bool,
    new_template: bool,
}

impl Parser {
    fn peek(&self) -> Spanned {
        self.toks[self.pos].clone()
    }
    fn next(&mut self) -> Spanned {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(i) if i.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.and()?;
        while self.is_kw("or") {
            self.next();
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.not()?;
        while self.is_kw("and") {
            self.next();
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }

    fn deeper(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                self.peek().col,
                format!("the rule nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.is_kw("not") {
            self.next();
            self.deeper()?;
            let e = Expr::Not(Box::new(self.not()?));
            self.depth -= 1;
            return Ok(e);
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let t = self.peek();
        match &t.tok {
            Tok::LParen => {
                self.next();
                self.deeper()?;
                let e = self.or()?;
                self.expect_rparen()?;
                self.depth -= 1;
                Ok(e)
            }
            Tok::Ident(i) if i == "count" || i == "rate" => self.window(),
            Tok::Ident(i) if i == "new_template" => {
                self.next();
                self.new_template = true;
                Ok(Expr::NewTemplate)
            }
            _ => self.comparison(),
        }
    }

    fn expect_rparen(&mut self) -> Result<(), ParseError> {
        let t = self.next();
        if t.tok != Tok::RParen {
            return Err(ParseError::new(
                t.col,
                format!("expected `)`, found {}", describe(&t.tok)),
            ));
        }
        Ok(())
    }

    fn window(&mut self) -> Result<Expr, ParseError> {
        let name = self.next();
        let func = match &name.tok {
            Tok::Ident(i) if i == "count" => WindowFn::Count,
            _ => WindowFn::Rate,
        };
        if self.in_window {
            return Err(ParseError::new(name.col, "windows do not nest"));
        }
        let open = self.next();
        if open.tok != Tok::LParen {
            return Err(ParseError::new(
                open.col,
                format!(
                    "expected `(` after `{}`, found {}",
                    describe(&name.tok).trim_matches('`'),
                    describe(&open.tok)
                ),
            ));
        }
        self.in_window = true;
        let inner = self.or()?;
        self.in_window = false;
        self.expect_rparen()?;
        let op_t = self.next();
        let op = match &op_t.tok {
            Tok::Op(o) => CmpOp::from(o),
            _ => None,
        }
        .ok_or_else(|| {
            ParseError::new(
                op_t.col,
                format!(
                    "expected a comparison such as `> 10` after the window, found {}",
                    describe(&op_t.tok)
                ),
            )
        })?;
        let n_t = self.next();
        let threshold = match (&n_t.tok, func) {
            (Tok::Num(n), _) => *n,
            (Tok::Rate(r), WindowFn::Rate) => *r,
            (Tok::Rate(_), WindowFn::Count) => {
                return Err(ParseError::new(
                    n_t.col,
                    "count(...) compares with a number, not a rate",
                ))
            }
            _ => {
                return Err(ParseError::new(
                    n_t.col,
                    format!(
                        "expected a number{}, found {}",
                        if func == WindowFn::Rate {
                            " or a rate such as 10/m"
                        } else {
                            ""
                        },
                        describe(&n_t.tok)
                    ),
                ))
            }
        };
        if !self.is_kw("within") {
            let t = self.peek();
            return Err(ParseError::new(
                t.col,
                format!(
                    "expected `within` and a duration such as `within 5m`, found {}",
                    describe(&t.tok)
                ),
            ));
        }
        self.next();
        let d = self.next();
        let window_ns = match d.tok {
            Tok::Dur(ns) if ns > 0 => ns,
            _ => {
                return Err(ParseError::new(
                    d.col,
                    format!(
                        "expected a positive duration such as 5m, found {}",
                        describe(&d.tok)
                    ),
                ))
            }
        };
        let slot = self.windows;
        self.windows += 1;
        Ok(Expr::Window {
            func,
            inner: Box::new(inner),
            op,
            threshold,
            window_ns,
            slot,
        })
    }

    fn operand(&mut self) -> Result<(Operand, usize), ParseError> {
        let t = self.next();
        let op = match t.tok {
            Tok::Field(f) => Operand::Field(Field::parse(&f, t.col)?),
            Tok::Str(s) => Operand::Str(s),
            Tok::Num(n) => Operand::Num(n),
            Tok::Dur(d) => Operand::Dur(d),
            Tok::Ident(ref i) if i == "true" => Operand::Bool(true),
            Tok::Ident(ref i) if i == "false" => Operand::Bool(false),
            other => {
                return Err(ParseError::new(
                    t.col,
                    format!(
                    "expected a field such as {{level}}, a value, `not`, `(` or a window, found {}",
                    describe(&other)
                ),
                ))
            }
        };
        Ok((op, t.col))
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let (left, lcol) = self.operand()?;
        let t = self.peek();
        let text_op = match &t.tok {
            Tok::Ident(i) if i == "contains" => Some(TextOp::Contains),
            Tok::Ident(i) if i == "startswith" => Some(TextOp::StartsWith),
            Tok::Ident(i) if i == "endswith" => Some(TextOp::EndsWith),
            _ => None,
        };
        if let Some(op) = text_op {
            self.next();
            let s = self.next();
            let Tok::Str(needle) = s.tok else {
                return Err(ParseError::new(
                    s.col,
                    format!(
                        "expected a string after the text operator, found {}",
                        describe(&s.tok)
                    ),
                ));
            };
            return Ok(Expr::Text(left, op, needle));
        }
        let op = match &t.tok {
            Tok::Op(o) => *o,
            Tok::End | Tok::RParen => return Ok(Expr::Truthy(left)),
            Tok::Ident(i) if matches!(i.as_str(), "and" | "or") => return Ok(Expr::Truthy(left)),
            other => {
                return Err(ParseError::new(
                    t.col,
                    format!(
                        "expected an operator (== != > >= < <= =~ !~ contains startswith \
                         endswith), `and`, `or` or the end, found {}",
                        describe(other)
                    ),
                ))
            }
        };
        self.next();
        let (right, rcol) = self.operand()?;
        if op == "=~" || op == "!~" {
            let Operand::Str(pat) = &right else {
                return Err(ParseError::new(
                    rcol,
                    "`=~` needs a regular expression in quotes",
                ));
            };
            let re = regex::RegexBuilder::new(pat)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| ParseError::new(rcol, format!("invalid regular expression: {e}")))?;
            return Ok(Expr::Regex(left, re, op == "!~"));
        }
        let cmp = CmpOp::from(op).expect("lexer only makes known operators");
        // A level compared with text: check the level name now.
        let fix = |o: Operand, col: usize, other: &Operand| -> Result<Operand, ParseError> {
            match (&o, other) {
                (Operand::Str(s), Operand::Field(Field::Level)) => s
                    .parse::<Level>()
                    .map(Operand::Level)
                    .map_err(|_| ParseError::new(col, format!("unknown level {s:?}: use TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL"))),
                _ => Ok(o),
            }
        };
        let l2 = fix(left.clone(), lcol, &right)?;
        let r2 = fix(right.clone(), rcol, &left)?;
        Ok(Expr::Cmp(l2, cmp, r2))
    }
}
