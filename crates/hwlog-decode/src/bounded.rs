//! JSON parsed under a budget: a value tree is built only while it stays within a number of
//! values and a nesting depth; past either, the rest of the value is read without being kept
//! (so one oversized record is refused on its own while the request goes on), and the
//! reason is reported.
//!
//! ```
//! use hwlog_decode::bounded::{parse_value, Budget};
//!
//! let b = Budget::new(4, 8);
//! let v = parse_value(br#"{"a": [1, 2]}"#, &b).unwrap();
//! assert_eq!(v["a"][1], 2);
//! assert!(b.exceeded().is_none());
//!
//! let b = Budget::new(4, 8);
//! parse_value(b"[1, 2, 3, 4, 5, 6]", &b).unwrap();
//! assert_eq!(b.exceeded().as_deref(), Some("more than 4 values"));
//! ```
use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The values and depth one record may still use.
pub struct Budget {
    left: Cell<usize>,
    max: usize,
    max_depth: usize,
    exceeded: RefCell<Option<String>>,
}

impl Budget {
    /// At most `values` values, nested at most `depth` deep.
    pub fn new(values: usize, depth: usize) -> Budget {
        Budget {
            left: Cell::new(values),
            max: values,
            max_depth: depth,
            exceeded: RefCell::new(None),
        }
    }

    /// Starts again with the whole budget (for the next record).
    pub fn reset(&self) {
        self.left.set(self.max);
        *self.exceeded.borrow_mut() = None;
    }

    /// Why the last value was not kept whole, if it was not.
    pub fn exceeded(&self) -> Option<String> {
        self.exceeded.borrow().clone()
    }

    fn over(&self) -> bool {
        self.exceeded.borrow().is_some()
    }

    /// Takes one value from the budget; `false` (and the reason noted) when none is left.
    fn take(&self) -> bool {
        if self.over() {
            return false;
        }
        match self.left.get() {
            0 => {
                *self.exceeded.borrow_mut() = Some(format!("more than {} values", self.max));
                false
            }
            n => {
                self.left.set(n - 1);
                true
            }
        }
    }
}

/// Parses one JSON document under `budget` (a syntax error is an error; an exceeded budget
/// is not, see [`Budget::exceeded`]).
pub fn parse_value(text: &[u8], budget: &Budget) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let v = Seed { budget, depth: 0 }.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Builds a [`Value`] under a [`Budget`].
#[derive(Clone, Copy)]
pub struct Seed<'a> {
    /// The budget.
    pub budget: &'a Budget,
    /// The depth of the value being read (0 at the top).
    pub depth: usize,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(if self.budget.take() {
            Value::Bool(v)
        } else {
            Value::Null
        })
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(if self.budget.take() {
            v.into()
        } else {
            Value::Null
        })
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(if self.budget.take() {
            v.into()
        } else {
            Value::Null
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(if self.budget.take() {
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
        } else {
            Value::Null
        })
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(if self.budget.take() {
            Value::String(v.to_string())
        } else {
            Value::Null
        })
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(if self.budget.take() {
            Value::String(v)
        } else {
            Value::Null
        })
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        self.budget.take();
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        self.budget.take();
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if !self.enter() {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let mut out = Vec::new();
        let inner = Seed {
            budget: self.budget,
            depth: self.depth + 1,
        };
        while let Some(v) = seq.next_element_seed(inner)? {
            if self.budget.over() {
                // Read the rest without keeping it.
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                break;
            }
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if !self.enter() {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let mut out = Map::new();
        let inner = Seed {
            budget: self.budget,
            depth: self.depth + 1,
        };
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(inner)?;
            if self.budget.over() {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                break;
            }
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

impl Seed<'_> {
    /// Counts a list or object; `false` when it is too deep or over the budget.
    fn enter(&self) -> bool {
        if self.depth >= self.budget.max_depth && !self.budget.over() {
            *self.budget.exceeded.borrow_mut() = Some(format!(
                "values nested more than {} deep",
                self.budget.max_depth
            ));
        }
        self.budget.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_and_count_are_bounded_and_the_document_is_still_read_to_its_end() {
        let b = Budget::new(100, 3);
        parse_value(br#"{"a":{"b":{"c":{"d":1}}},"x":1}"#, &b).unwrap();
        assert_eq!(
            b.exceeded().as_deref(),
            Some("values nested more than 3 deep")
        );
        b.reset();
        let v = parse_value(br#"{"a":{"b":1}}"#, &b).unwrap();
        assert_eq!(v["a"]["b"], 1);
        assert!(b.exceeded().is_none());
        // A syntax error past the budget is still an error.
        let b = Budget::new(2, 8);
        assert!(parse_value(b"[1,2,3,4,", &b).is_err());
        // 100,000 elements with a budget of 10 keep at most 10.
        let big = format!("[{}1]", "1,".repeat(100_000));
        let b = Budget::new(10, 8);
        let v = parse_value(big.as_bytes(), &b).unwrap();
        assert!(v.as_array().unwrap().len() <= 10);
    }
}
