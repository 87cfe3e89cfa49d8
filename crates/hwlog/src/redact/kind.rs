//! How a matched rule's value is taken (shared by the phrase and token tables and the
//! rule engine).

/// How the value of a phrase or token rule is taken.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    /// One value (quoted string or word) right after the match.
    Value,
    /// Like `Value`, but only a secret-shaped word counts (prose positions).
    Shaped,
    /// Skip `n` words (and flags; the listed flags take an argument), then a value.
    Positional(u8, &'static [&'static str]),
    /// Like `Positional(0)`, but a `k=v` argument is not the value (`vault login role=x`).
    NotPair,
    /// The whole match.
    Whole,
    /// The match without its first `n` bytes.
    After(usize),
    /// The match's last run of non-blank characters.
    LastRun,
    /// The whole URL around the match (host and scheme before it included).
    Url,
    /// `Bearer <token>`: the token.
    Bearer,
    /// The value that starts `n` bytes before the match ends.
    Tail(usize),
    /// Exactly the last `n` bytes of the match.
    Last(usize),
    /// Twilio and AWS key shapes: the whole match, or after an account SID (`AC…`) its
    /// last 32 bytes.
    CloudKey,
    /// The value, up to an `@` (`scott/tiger@db`).
    UntilAt,
    /// A PEM private-key block: body up to its END line (or the end of the line).
    Pem,
    /// `echo VALUE | chpasswd`-style piped input.
    Echo,
    /// `htpasswd -b[c] [file] user PASSWORD`.
    Htpasswd,
    /// Redis ACL rules: `user NAME on >PASSWORD`.
    RedisAcl,
    /// Quoted arguments after the match (`"AUTH" "pw"`).
    QuotedArgs,
    /// RESP bulk strings after `AUTH` (`$4\r\nAUTH\r\n$8\r\npassword\r\n`).
    Resp,
    /// The second argument of a call (`HTTPBasicAuth('u', 'PW')`).
    SecondArg,
    /// `set KEY VALUE` / `config set KEY VALUE` when KEY is a sensitive setting name.
    Setting,
    /// `user:PASSWORD@host`: between the first `:` and the last `@` of the match.
    UserinfoPass,
    /// The last word of the match.
    LastWord,
    /// The last quoted argument before the list's `)` or `]`.
    LastArg,
    /// A kubeadm bootstrap token (`abcdef.0123456789abcdef`) with a digit in its secret part.
    Bootstrap,
    /// A one-time or recovery code: 6–8 digits, or `-`-joined groups with a digit.
    Pin,
    /// Three or more words joined by hyphens (`maple-river-cloud-27`).
    Phrase,
}
