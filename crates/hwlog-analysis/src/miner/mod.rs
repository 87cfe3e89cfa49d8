//! Online log template mining.
//!
//! [`TemplateMiner`] reads one message at a time and assigns it to a template such as
//! `Connection from <*> closed after <*>`. It works in two steps:
//!
//! 1. **Mask and look up.** The message is split into tokens and variables are masked
//!    (numbers, addresses, ids, paths, quantities; see [`token`](self) rules). The masked
//!    token sequence is looked up in a bounded exact-match cache: most messages stop here.
//! 2. **Match or merge.** Otherwise the sequence is compared with the templates of the same
//!    length. A template matches when all its constant tokens are equal. A template that
//!    differs in a few positions is generalised (those positions become `<*>`) only when the
//!    differing tokens look like values (`chrome.exe`, `node-<*>`) and at least half of the
//!    tokens stay constant. Plain words that differ (`Started` / `Paused`, `INFO` / `ERROR`)
//!    never merge on sight: they become a variable only after
//!    [`MinerConfig::word_variants`] different words were seen at the same position with
//!    everything else equal, which is how user names differ and how states do not.
//!
//! Merged templates keep the older id; [`TemplateMiner::resolve`] maps any id handed out
//! earlier to the template it belongs to now. Memory is bounded by
//! [`MinerConfig::max_templates`] (least recently used templates are evicted) and the size
//! of the cache.
//!
//! ```
//! use hwlog_analysis::miner::TemplateMiner;
//!
//! let mut m = TemplateMiner::new();
//! let a = m.add("Connection from 10.0.0.1 closed after 250ms");
//! let b = m.add("Connection from 10.0.0.7 closed after 3s");
//! assert_eq!(a.template_id, b.template_id);
//! assert_eq!(m.template(b.template_id).unwrap().text(), "Connection from <*> closed after <*>");
//! assert_ne!(m.add("VM Started").template_id, m.add("VM Paused").template_id);
//! ```
use std::collections::HashMap as StdHashMap;

/// Hash maps keyed by strings and ids: foldhash is several times faster than SipHash here,
/// and the keys are not attacker-chosen in a way that matters for a bounded cache.
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::FixedState>;

mod accuracy;
mod state;
mod token;

pub use accuracy::grouping_accuracy;
pub use state::{MinerState, SavedTemplate, StateError, StateErrorKind};
pub use token::WILDCARD;
use token::{tokenize, value_like, Tokens};

/// Settings of a [`TemplateMiner`]. The defaults are meant for every kind of log; nothing
/// needs tuning per data set.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MinerConfig {
    /// Templates kept at most; the least recently used are evicted beyond this.
    pub max_templates: usize,
    /// Entries of the exact-match cache of masked messages.
    pub cache_entries: usize,
    /// Longer messages are cut at this many bytes (at a character boundary).
    pub max_line_bytes: usize,
    /// Tokens considered at most; the rest of a longer message is ignored.
    pub max_tokens: usize,
    /// Share of a template's tokens that must stay constant when it is generalised.
    pub min_constant_share: f64,
    /// Different plain words seen at one position (all other tokens equal) before that
    /// position becomes a variable.
    pub word_variants: usize,
    /// Adjacent variables are one variable (`<*> <*>` → `<*>`), so values that span a
    /// varying number of tokens do not split a template.
    pub collapse_variables: bool,
}

impl Default for MinerConfig {
    fn default() -> Self {
        Self {
            max_templates: 20_000,
            cache_entries: 100_000,
            max_line_bytes: 16 * 1024,
            max_tokens: 400,
            min_constant_share: 0.5,
            word_variants: 4,
            collapse_variables: true,
        }
    }
}

/// What [`TemplateMiner::add`] did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchResult {
    /// The template the message belongs to now.
    pub template_id: u64,
    /// How it got there.
    pub change: Change,
}

/// How a message was assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// It matched an existing template unchanged.
    None,
    /// It started a new template.
    Created,
    /// An existing template was generalised (and possibly others merged into it).
    Generalised,
}

/// One template: its constant tokens and wildcards, and how often it was seen.
#[derive(Clone, Debug)]
pub struct Template {
    id: u64,
    tokens: Vec<u32>,
    /// Whether the first message had whitespace before each token.
    spaces: Vec<bool>,
    text: String,
    count: u64,
    last_seen: u64,
}

impl Template {
    /// The stable id.
    pub fn id(&self) -> u64 {
        self.id
    }
    /// The template text, variables written as `<*>`.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// Messages assigned to it (including those of templates merged into it).
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// Interned token texts; symbol 0 is the wildcard.
#[derive(Debug)]
struct Symbols {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Symbols {
    fn new() -> Self {
        let mut s = Self {
            ids: HashMap::default(),
            names: Vec::new(),
        };
        s.intern(WILDCARD);
        s
    }
    fn intern(&mut self, t: &str) -> u32 {
        if let Some(&id) = self.ids.get(t) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(t.into());
        self.ids.insert(t.into(), id);
        id
    }
    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

const WILD: u32 = 0;

/// Extra tokens the variables of a template may take together (see `spans`).
const MAX_SPAN_EXTRA: usize = 3;

/// The online template miner. See the [module documentation](self).
#[derive(Debug)]
pub struct TemplateMiner {
    cfg: MinerConfig,
    syms: Symbols,
    templates: HashMap<u64, Template>,
    by_len: HashMap<usize, Vec<u64>>,
    aliases: HashMap<u64, u64>,
    cache: HashMap<Box<str>, u64>,
    /// (length, position, other tokens) → templates that differ only in that position.
    families: HashMap<u64, Vec<u64>>,
    next_id: u64,
    seq: u64,
    scratch: Tokens,
    key: String,
}

impl Default for TemplateMiner {
    fn default() -> Self {
        Self::new()
    }
}

impl TemplateMiner {
    /// A miner with the default configuration.
    pub fn new() -> Self {
        Self::with_config(MinerConfig::default())
    }

    /// A miner with `cfg`.
    pub fn with_config(cfg: MinerConfig) -> Self {
        Self {
            cfg,
            syms: Symbols::new(),
            templates: HashMap::default(),
            by_len: HashMap::default(),
            aliases: HashMap::default(),
            cache: HashMap::default(),
            families: HashMap::default(),
            next_id: 1,
            seq: 0,
            scratch: Tokens::default(),
            key: String::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &MinerConfig {
        &self.cfg
    }

    /// Assigns `message` to a template, creating or generalising one when needed.
    pub fn add(&mut self, message: &str) -> MatchResult {
        self.seq += 1;
        let msg = truncate(message, self.cfg.max_line_bytes);
        let mut toks = std::mem::take(&mut self.scratch);
        tokenize(msg, &mut toks, self.cfg.collapse_variables);
        if toks.toks.len() > self.cfg.max_tokens {
            toks.toks.truncate(self.cfg.max_tokens);
            toks.dirty = true;
        }
        let key: &str = if toks.dirty {
            self.key.clear();
            for i in 0..toks.toks.len() {
                self.key.push_str(toks.text(i));
                self.key.push('\u{1f}');
            }
            &self.key
        } else {
            &toks.masked
        };
        let result = if let Some(&id) = self.cache.get(key) {
            // Cached ids are live: merges clear the cache.
            self.touch(id);
            MatchResult {
                template_id: id,
                change: Change::None,
            }
        } else {
            let t: Vec<u32> = (0..toks.toks.len())
                .map(|i| {
                    if toks.toks[i].wild {
                        WILD
                    } else {
                        self.syms.intern(toks.text(i))
                    }
                })
                .collect();
            let spaces: Vec<bool> = (0..toks.toks.len())
                .map(|i| i > 0 && toks.toks[i].start > toks.toks[i - 1].end)
                .collect();
            let r = self.place(t, spaces);
            if self.cache.len() >= self.cfg.cache_entries {
                self.cache.clear();
            }
            let key: &str = if toks.dirty { &self.key } else { &toks.masked };
            self.cache.insert(key.into(), r.template_id);
            r
        };
        self.scratch = toks;
        result
    }

    /// The template `id` belongs to now (ids of merged templates lead to the survivor);
    /// `id` itself when unknown.
    pub fn resolve(&self, mut id: u64) -> u64 {
        while let Some(&next) = self.aliases.get(&id) {
            id = next;
        }
        id
    }

    /// The template with `id` (after [`resolve`](Self::resolve)).
    pub fn template(&self, id: u64) -> Option<&Template> {
        self.templates.get(&self.resolve(id))
    }

    /// All templates, most frequent first.
    pub fn templates(&self) -> Vec<&Template> {
        let mut v: Vec<&Template> = self.templates.values().collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
        v
    }

    /// The number of templates.
    pub fn len(&self) -> usize {
        self.templates.len()
    }

    /// Whether no template exists yet.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The template `message` matches, without changing anything.
    pub fn find(&self, message: &str) -> Option<&Template> {
        let t = self.symbols_of(message)?;
        self.find_match(&t).and_then(|id| self.templates.get(&id))
    }

    /// The values of `message`'s variables under template `id` (the text of each token that
    /// is `<*>` or contains it), or `None` when the message does not match it.
    ///
    /// ```
    /// let mut m = hwlog_analysis::miner::TemplateMiner::new();
    /// let id = m.add("user 17 logged in from 10.1.2.3").template_id;
    /// assert_eq!(m.parameters(id, "user 42 logged in from 10.9.9.9").unwrap(), ["42", "10.9.9.9"]);
    /// ```
    pub fn parameters(&self, id: u64, message: &str) -> Option<Vec<String>> {
        let tpl = self.template(id)?;
        let msg = truncate(message, self.cfg.max_line_bytes);
        let mut toks = Tokens::default();
        tokenize(msg, &mut toks, self.cfg.collapse_variables);
        toks.toks.truncate(self.cfg.max_tokens);
        if toks.toks.len() != tpl.tokens.len() {
            return None;
        }
        let mut out = Vec::new();
        for (i, &sym) in tpl.tokens.iter().enumerate() {
            let text = toks.text(i);
            if sym != WILD && self.syms.ids.get(text) != Some(&sym) {
                return None;
            }
            if sym == WILD || self.syms.name(sym).contains(WILDCARD) {
                let t = &toks.toks[i];
                out.push(msg[t.start as usize..t.end as usize].to_string());
            }
        }
        Some(out)
    }

    fn symbols_of(&self, message: &str) -> Option<Vec<u32>> {
        let msg = truncate(message, self.cfg.max_line_bytes);
        let mut toks = Tokens::default();
        tokenize(msg, &mut toks, self.cfg.collapse_variables);
        toks.toks.truncate(self.cfg.max_tokens);
        (0..toks.toks.len())
            .map(|i| {
                if toks.toks[i].wild {
                    Some(WILD)
                } else {
                    self.syms.ids.get(toks.text(i)).copied()
                }
            })
            .collect()
    }

    fn touch(&mut self, id: u64) {
        if let Some(t) = self.templates.get_mut(&id) {
            t.count += 1;
            t.last_seen = self.seq;
        }
    }

    /// The slow path: match, generalise or create.
    fn place(&mut self, t: Vec<u32>, spaces: Vec<bool>) -> MatchResult {
        if let Some(id) = self.find_match(&t) {
            self.touch(id);
            return MatchResult {
                template_id: id,
                change: Change::None,
            };
        }
        if let Some((id, diff)) = self.merge_candidate(&t) {
            self.generalise(id, &diff);
            self.touch(id);
            return MatchResult {
                template_id: id,
                change: Change::Generalised,
            };
        }
        let id = self.create(t, spaces);
        let survivor = self.check_families(id);
        self.evict_if_full();
        MatchResult {
            template_id: survivor,
            change: if survivor == id {
                Change::Created
            } else {
                Change::Generalised
            },
        }
    }

    fn find_match(&self, t: &[u32]) -> Option<u64> {
        let mut best: Option<(usize, u64)> = None;
        for &id in self.by_len.get(&t.len()).into_iter().flatten() {
            let tpl = &self.templates[&id].tokens;
            if tpl.iter().zip(t).all(|(&a, &b)| a == WILD || a == b) {
                let consts = tpl.iter().filter(|&&a| a != WILD).count();
                if best.is_none_or(|(c, _)| consts > c) {
                    best = Some((consts, id));
                }
            }
        }
        if best.is_some() {
            return best.map(|(_, id)| id);
        }
        // A variable of a shorter template may span several words: `Invalid user <*> from
        // <*>` covers `Invalid user boris zhang from 10.0.0.1`.
        for extra in 1..=MAX_SPAN_EXTRA.min(t.len()) {
            for &id in self.by_len.get(&(t.len() - extra)).into_iter().flatten() {
                let tpl = &self.templates[&id].tokens;
                if tpl.contains(&WILD) && self.spans(tpl, t, extra) {
                    let consts = tpl.iter().filter(|&&a| a != WILD).count();
                    if best.is_none_or(|(c, _)| consts > c) {
                        best = Some((consts, id));
                    }
                }
            }
            if best.is_some() {
                break;
            }
        }
        best.map(|(_, id)| id)
    }

    /// Whether `tpl` matches `t` when its variables together take `extra` more tokens. A
    /// variable only takes extra tokens that are words or values, never punctuation or a
    /// `key=` (which would swallow another field).
    fn spans(&self, tpl: &[u32], t: &[u32], extra: usize) -> bool {
        let absorbable = |sym: u32| {
            sym == WILD || {
                let name = self.syms.name(sym);
                !name.ends_with('=')
                    && !name.ends_with(':')
                    && name.bytes().any(|c| c.is_ascii_alphanumeric())
            }
        };
        fn go(tpl: &[u32], t: &[u32], extra: usize, ok: &dyn Fn(u32) -> bool) -> bool {
            match tpl.split_first() {
                None => t.is_empty(),
                Some((&WILD, rest)) => (0..=extra).any(|more| {
                    t.len() > more
                        && t[1..=more].iter().all(|&s| ok(s))
                        && ok(t[0])
                        && go(rest, &t[1 + more..], extra - more, ok)
                }),
                Some((&c, rest)) => t.first() == Some(&c) && go(rest, &t[1..], extra, ok),
            }
        }
        go(tpl, t, extra, &absorbable)
    }

    /// The same-length template that may be generalised to cover `t`, and the positions
    /// that would become variables.
    fn merge_candidate(&self, t: &[u32]) -> Option<(u64, Vec<usize>)> {
        let len = t.len();
        let mut best: Option<(u64, Vec<usize>, u64)> = None;
        for &id in self.by_len.get(&len)? {
            let tpl = &self.templates[&id];
            let mut diff = Vec::new();
            let mut ok = true;
            for (i, (&a, &b)) in tpl.tokens.iter().zip(t).enumerate() {
                if a == WILD || a == b {
                    continue;
                }
                let a_value = value_like(self.syms.name(a));
                if !(a_value && (b == WILD || value_like(self.syms.name(b)))) {
                    ok = false;
                    break;
                }
                diff.push(i);
            }
            if !ok || diff.is_empty() {
                continue;
            }
            let consts = tpl.tokens.iter().filter(|&&a| a != WILD).count() - diff.len();
            if consts == 0 || (consts as f64) < self.cfg.min_constant_share * len as f64 {
                continue;
            }
            let better = match &best {
                None => true,
                Some((_, d, c)) => {
                    diff.len() < d.len() || (diff.len() == d.len() && tpl.count > *c)
                }
            };
            if better {
                best = Some((id, diff, tpl.count));
            }
        }
        best.map(|(id, d, _)| (id, d))
    }

    fn create(&mut self, tokens: Vec<u32>, spaces: Vec<bool>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let text = render(&self.syms, &tokens, &spaces);
        self.by_len.entry(tokens.len()).or_default().push(id);
        self.templates.insert(
            id,
            Template {
                id,
                tokens,
                spaces,
                text,
                count: 1,
                last_seen: self.seq,
            },
        );
        self.register_families(id);
        id
    }

    fn family_key(tokens: &[u32], pos: usize) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::BuildHasher::build_hasher(&foldhash::fast::FixedState::default());
        tokens.len().hash(&mut h);
        pos.hash(&mut h);
        for (i, t) in tokens.iter().enumerate() {
            if i != pos {
                t.hash(&mut h);
            }
        }
        h.finish()
    }

    fn register_families(&mut self, id: u64) {
        let tokens = self.templates[&id].tokens.clone();
        if tokens.len() < 2 {
            return;
        }
        for (pos, &sym) in tokens.iter().enumerate() {
            if sym != WILD {
                let key = Self::family_key(&tokens, pos);
                self.families.entry(key).or_default().push(id);
            }
        }
    }

    /// Merges the new template `id` with its siblings when some position has seen enough
    /// different words. Returns the id `id` belongs to afterwards.
    fn check_families(&mut self, id: u64) -> u64 {
        let tokens = self.templates[&id].tokens.clone();
        let len = tokens.len();
        let consts = tokens.iter().filter(|&&a| a != WILD).count();
        if len < 2 || (consts.saturating_sub(1) as f64) < self.cfg.min_constant_share * len as f64 {
            return id;
        }
        // Words (not punctuation) that stay constant decide whether there is enough
        // context: a word among at least three other words is a value after
        // `word_variants` variants; with fewer it is never one ("cupsd startup succeeded").
        let words = tokens
            .iter()
            .filter(|&&a| a != WILD && self.syms.name(a).bytes().any(|c| c.is_ascii_alphabetic()))
            .count();
        if words.saturating_sub(1) < 3 {
            return id;
        }
        let needed = self.cfg.word_variants;
        for pos in 0..len {
            if tokens[pos] == WILD || token::names_a_state(self.syms.name(tokens[pos])) {
                continue;
            }
            let key = Self::family_key(&tokens, pos);
            let Some(members) = self.families.get(&key) else {
                continue;
            };
            let mut live: Vec<u64> = members
                .iter()
                .map(|&m| self.resolve(m))
                .filter(|m| {
                    self.templates
                        .get(m)
                        .is_some_and(|t| t.tokens.len() == len && t.tokens[pos] != WILD)
                })
                .collect();
            live.sort_unstable();
            live.dedup();
            if live.len() >= needed {
                let keep = live[0];
                self.generalise(keep, &[pos]);
                return self.resolve(id);
            }
        }
        id
    }

    /// Turns `positions` of template `id` into variables and merges every same-length
    /// template that the result covers.
    fn generalise(&mut self, id: u64, positions: &[usize]) {
        let len = {
            let tpl = self.templates.get_mut(&id).expect("live template");
            for &p in positions {
                tpl.tokens[p] = WILD;
            }
            tpl.tokens.len()
        };
        let tokens = self.templates[&id].tokens.clone();
        let tpl = self.templates.get_mut(&id).expect("live");
        tpl.text = render(&self.syms, &tokens, &tpl.spaces);
        let covered: Vec<u64> = self.by_len[&len]
            .iter()
            .copied()
            .filter(|&o| {
                o != id
                    && self.templates[&o]
                        .tokens
                        .iter()
                        .zip(&tokens)
                        .all(|(&b, &a)| a == WILD || a == b)
            })
            .collect();
        if !covered.is_empty() {
            // The cache may hold the merged ids; it only ever holds live ones.
            self.cache.clear();
        }
        for o in covered {
            let other = self.templates.remove(&o).expect("live");
            let tpl = self.templates.get_mut(&id).expect("live");
            tpl.count += other.count;
            tpl.last_seen = tpl.last_seen.max(other.last_seen);
            self.aliases.insert(o, id);
            self.by_len.get_mut(&len).expect("len").retain(|&x| x != o);
        }
        self.register_families(id);
    }

    fn evict_if_full(&mut self) {
        if self.templates.len() <= self.cfg.max_templates {
            return;
        }
        let excess = self.templates.len() - self.cfg.max_templates;
        let drop_n = excess
            .max(self.cfg.max_templates / 10)
            .min(self.templates.len());
        let mut by_age: Vec<(u64, u64)> = self
            .templates
            .values()
            .map(|t| (t.last_seen, t.id))
            .collect();
        by_age.sort_unstable();
        for &(_, id) in by_age.iter().take(drop_n) {
            if let Some(t) = self.templates.remove(&id) {
                if let Some(v) = self.by_len.get_mut(&t.tokens.len()) {
                    v.retain(|&x| x != id);
                }
            }
        }
        self.cache.clear();
        self.families.clear();
        let ids: Vec<u64> = self.templates.keys().copied().collect();
        for id in ids {
            self.register_families(id);
        }
        // Keep an alias whose chain still ends at a live template.
        let keep: Vec<u64> = self
            .aliases
            .keys()
            .copied()
            .filter(|&a| self.templates.contains_key(&self.resolve(a)))
            .collect();
        let mut kept = HashMap::default();
        for a in keep {
            kept.insert(a, self.resolve(a));
        }
        self.aliases = kept;
    }
}

/// Writes a template's tokens as text, with whitespace where the first message had it (or,
/// without that, between tokens except inside brackets and after `key=`).
fn render(syms: &Symbols, tokens: &[u32], spaces: &[bool]) -> String {
    let mut s = String::new();
    let mut prev: &str = "";
    for (i, &t) in tokens.iter().enumerate() {
        let name = syms.name(t);
        let space = match spaces.get(i) {
            Some(&sp) => sp,
            None => {
                i > 0
                    && !(prev.ends_with('=')
                        || matches!(prev, "(" | "[" | "{")
                        || matches!(name, ")" | "]" | "}" | "," | ";"))
            }
        };
        if space {
            s.push(' ');
        }
        s.push_str(name);
        prev = name;
    }
    s
}

/// `s` cut to at most `max` bytes at a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
