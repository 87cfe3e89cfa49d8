use hwlog_core::{Decision, Filter, Record};

use hwlog_core::ComponentPattern;

/// Includes and excludes components by [`ComponentPattern`] pattern. With a non-empty include list, only
/// matching components pass; any exclude match rejects.
///
/// ```
/// use hwlog::filter::ComponentFilter;
/// use hwlog::{Decision, Filter, Level, Record};
/// let f = ComponentFilter::new(&["hwautomation.*"], &["hwautomation.*.ipmi"]);
/// let mut d = |c: &'static str| f.decide(&mut Record::new(Level::Info, c, "m"), &mut Vec::new());
/// assert_eq!(d("hwautomation.bios"), Decision::Neutral);
/// assert_eq!(d("hwautomation.hardware.ipmi"), Decision::Reject);
/// assert_eq!(d("hyper.client"), Decision::Reject);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ComponentFilter {
    include: Vec<ComponentPattern>,
    exclude: Vec<ComponentPattern>,
}

impl ComponentFilter {
    /// A component filter from include and exclude patterns.
    pub fn new<S: AsRef<str>>(include: &[S], exclude: &[S]) -> Self {
        ComponentFilter {
            include: include
                .iter()
                .map(|p| ComponentPattern::new(p.as_ref()))
                .collect(),
            exclude: exclude
                .iter()
                .map(|p| ComponentPattern::new(p.as_ref()))
                .collect(),
        }
    }
}

impl Filter for ComponentFilter {
    fn name(&self) -> &str {
        "component"
    }

    fn decide(&self, rec: &mut Record, _emit: &mut Vec<Record>) -> Decision {
        let c = rec.component.as_str();
        if !self.include.is_empty() && !self.include.iter().any(|g| g.matches(c)) {
            return Decision::Reject;
        }
        if self.exclude.iter().any(|g| g.matches(c)) {
            return Decision::Reject;
        }
        Decision::Neutral
    }

    fn describe(&self) -> String {
        let list = |v: &[ComponentPattern]| {
            v.iter()
                .map(ComponentPattern::as_str)
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "component(include=[{}], exclude=[{}])",
            list(&self.include),
            list(&self.exclude)
        )
    }
}
