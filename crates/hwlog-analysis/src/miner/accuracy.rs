//! Grouping accuracy, the measure template miners are compared by.
use std::collections::HashMap;
use std::hash::Hash;

/// Grouping accuracy: the share of messages whose predicted group holds exactly the messages
/// of their true group (Zhu et al., "Tools and Benchmarks for Automated Log Parsing").
/// `truth[i]` and `predicted[i]` are message `i`'s true and predicted group. Returns 1.0 for no
/// messages; panics when the slices differ in length.
///
/// ```
/// use hwlog_analysis::miner::grouping_accuracy;
///
/// // Messages 0 and 1 belong together, 2 is alone; the prediction split 0 and 1.
/// assert_eq!(grouping_accuracy(&["a", "a", "b"], &[1, 2, 3]), 1.0 / 3.0);
/// assert_eq!(grouping_accuracy(&["a", "a", "b"], &[7, 7, 9]), 1.0);
/// ```
pub fn grouping_accuracy<T: Hash + Eq, P: Hash + Eq>(truth: &[T], predicted: &[P]) -> f64 {
    assert_eq!(truth.len(), predicted.len(), "one prediction per message");
    if truth.is_empty() {
        return 1.0;
    }
    // Each (true, predicted) pair: correct when the pair's size equals both group sizes.
    let mut t_size: HashMap<&T, usize> = HashMap::new();
    let mut p_size: HashMap<&P, usize> = HashMap::new();
    let mut pair: HashMap<(&T, &P), usize> = HashMap::new();
    for (t, p) in truth.iter().zip(predicted) {
        *t_size.entry(t).or_default() += 1;
        *p_size.entry(p).or_default() += 1;
        *pair.entry((t, p)).or_default() += 1;
    }
    let correct: usize = pair
        .iter()
        .filter(|((t, p), n)| t_size[t] == **n && p_size[p] == **n)
        .map(|(_, n)| n)
        .sum();
    correct as f64 / truth.len() as f64
}
