//! Log analysis for hwlog: online template mining ([`miner`]). Pure computation: no I/O.
#![deny(missing_docs)]

pub mod miner;
