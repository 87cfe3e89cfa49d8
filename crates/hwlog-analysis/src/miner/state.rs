//! Saving and loading a miner's state.

use serde::{Deserialize, Serialize};

use super::{render, MinerConfig, Symbols, Template, TemplateMiner, WILD};

/// Everything a [`TemplateMiner`] learned, as plain data (serde). Save it with
/// [`TemplateMiner::state`] and continue with [`TemplateMiner::from_state`]: template ids,
/// counts and merges carry over, and the caches are rebuilt.
///
/// ```
/// use hwlog_analysis::miner::TemplateMiner;
///
/// let mut m = TemplateMiner::new();
/// let id = m.add("disk /dev/sda1 is 91% full").template_id;
/// let json = serde_json::to_string(&m.state()).unwrap();
/// let mut again = TemplateMiner::from_state(serde_json::from_str(&json).unwrap()).unwrap();
/// assert_eq!(again.add("disk /dev/sdb2 is 95% full").template_id, id);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinerState {
    /// Format version of this structure.
    pub version: u32,
    /// The configuration.
    pub config: MinerConfig,
    /// The next template id.
    pub next_id: u64,
    /// Messages seen.
    pub seen: u64,
    /// The templates.
    pub templates: Vec<SavedTemplate>,
    /// Merged template ids and the id they were merged into.
    pub aliases: Vec<(u64, u64)>,
}

/// One saved template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedTemplate {
    /// Its id.
    pub id: u64,
    /// Its tokens; `<*>` for a variable.
    pub tokens: Vec<String>,
    /// Messages assigned to it.
    pub count: u64,
    /// The message number it was last seen at.
    pub last_seen: u64,
    /// Whether there is whitespace before each token (for the text).
    #[serde(default)]
    pub spaces: Vec<bool>,
}

/// The state version this build writes and reads.
const VERSION: u32 = 1;

impl TemplateMiner {
    /// The miner's state, to be serialised.
    pub fn state(&self) -> MinerState {
        let mut templates: Vec<SavedTemplate> = self
            .templates
            .values()
            .map(|t| SavedTemplate {
                id: t.id,
                tokens: t
                    .tokens
                    .iter()
                    .map(|&s| self.syms.name(s).to_string())
                    .collect(),
                count: t.count,
                last_seen: t.last_seen,
                spaces: t.spaces.clone(),
            })
            .collect();
        templates.sort_by_key(|t| t.id);
        let mut aliases: Vec<(u64, u64)> = self.aliases.iter().map(|(&a, &b)| (a, b)).collect();
        aliases.sort_unstable();
        MinerState {
            version: VERSION,
            config: self.cfg.clone(),
            next_id: self.next_id,
            seen: self.seq,
            templates,
            aliases,
        }
    }

    /// A miner that continues from `state`. Fails on a state of another version or with
    /// inconsistent ids.
    pub fn from_state(state: MinerState) -> Result<Self, StateError> {
        if state.version != VERSION {
            return Err(StateError::new(
                StateErrorKind::Version,
                format!(
                    "miner state version {} is not the supported version {VERSION}",
                    state.version
                ),
            ));
        }
        let mut m = TemplateMiner::with_config(state.config);
        m.next_id = state.next_id;
        m.seq = state.seen;
        let mut syms = Symbols::new();
        let mut templates = super::HashMap::default();
        for t in state.templates {
            if t.id == 0 || t.id >= state.next_id || templates.contains_key(&t.id) {
                return Err(StateError::new(
                    StateErrorKind::InvalidId,
                    format!("miner state has an invalid template id {}", t.id),
                ));
            }
            let tokens: Vec<u32> = t
                .tokens
                .iter()
                .map(|s| {
                    if s == super::WILDCARD {
                        WILD
                    } else {
                        syms.intern(s)
                    }
                })
                .collect();
            let spaces = if t.spaces.len() == tokens.len() {
                t.spaces
            } else {
                Vec::new()
            };
            let text = render(&syms, &tokens, &spaces);
            templates.insert(
                t.id,
                Template {
                    id: t.id,
                    tokens,
                    spaces,
                    text,
                    count: t.count,
                    last_seen: t.last_seen,
                },
            );
        }
        m.syms = syms;
        for (a, b) in state.aliases {
            if a == b {
                return Err(StateError::new(
                    StateErrorKind::InvalidAlias,
                    format!("miner state aliases template {a} to itself"),
                ));
            }
            m.aliases.insert(a, b);
        }
        let mut ids: Vec<u64> = templates.keys().copied().collect();
        ids.sort_unstable();
        for &id in &ids {
            let len = templates[&id].tokens.len();
            m.by_len.entry(len).or_default().push(id);
        }
        m.templates = templates;
        for id in ids {
            m.register_families(id);
        }
        // An alias cycle would make `resolve` loop: reject it.
        for &start in m.aliases.keys() {
            let mut id = start;
            let mut steps = 0;
            while let Some(&n) = m.aliases.get(&id) {
                id = n;
                steps += 1;
                if steps > m.aliases.len() {
                    return Err(StateError::new(
                        StateErrorKind::InvalidAlias,
                        format!("miner state has an alias cycle through {start}"),
                    ));
                }
            }
        }
        Ok(m)
    }
}

/// A saved miner state that [`TemplateMiner::from_state`] refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateError {
    kind: StateErrorKind,
    message: String,
}

/// What kind of [`StateError`] it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateErrorKind {
    /// The state was saved by another version of the miner.
    Version,
    /// A template id is out of range or repeated.
    InvalidId,
    /// An alias points at itself or runs in a cycle.
    InvalidAlias,
}

impl StateError {
    fn new(kind: StateErrorKind, message: String) -> StateError {
        StateError { kind, message }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> StateErrorKind {
        self.kind
    }
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StateError {}
