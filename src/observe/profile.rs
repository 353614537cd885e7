//! The profile: compute units by call stack, as folded stacks (one line per distinct stack,
//! `outer;inner N`, the input of flame-graph tools), and the table of units per function.
//!
//! ```text
//!   entrypoint 12                 entrypoint's own instructions
//!   entrypoint;helper 30          helper's, called from entrypoint (its syscalls' cost included)
//!   entrypoint;<id>:entrypoint 9  a program entrypoint invoked (cross-program invocation)
//! ```
//!
//! A function's *self* units are those of the lines it ends; its *total* units those of every
//! line it appears in, each line counted once however often the function recurs in it.

use std::collections::BTreeMap;

/// Compute units by folded stack (frames joined by `;`, outermost first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    stacks: BTreeMap<String, u64>,
}

/// One function's line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionCost {
    /// The frame's name.
    pub name: String,
    /// Units of the function's own instructions (and syscalls).
    pub self_units: u64,
    /// Units while the function was on the stack.
    pub total_units: u64,
}

impl Profile {
    /// Adds `units` to the stack `frames` (outermost first); a stack of no units is not kept.
    pub fn add(&mut self, frames: &[&str], units: u64) {
        if units == 0 || frames.is_empty() {
            return;
        }
        let entry = self.stacks.entry(frames.join(";")).or_default();
        *entry = entry.saturating_add(units);
    }

    /// Every (folded stack, units), sorted by stack.
    pub fn stacks(&self) -> impl Iterator<Item = (&str, u64)> {
        self.stacks
            .iter()
            .map(|(stack, units)| (stack.as_str(), *units))
    }

    /// The units of one folded stack (`a;b`), 0 when it has none.
    pub fn units_of(&self, stack: &str) -> u64 {
        self.stacks.get(stack).copied().unwrap_or(0)
    }

    /// Units of every stack together.
    pub fn total(&self) -> u64 {
        self.stacks
            .values()
            .fold(0u64, |sum, units| sum.saturating_add(*units))
    }

    /// The folded-stacks text: one `stack units` line per stack.
    pub fn folded(&self) -> String {
        self.stacks
            .iter()
            .map(|(stack, units)| format!("{stack} {units}\n"))
            .collect()
    }

    /// Units per function, most total units first (then by name).
    pub fn functions(&self) -> Vec<FunctionCost> {
        let mut costs: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for (stack, units) in &self.stacks {
            let frames: Vec<&str> = stack.split(';').collect();
            let mut seen: Vec<&str> = Vec::with_capacity(frames.len());
            for frame in &frames {
                if !seen.contains(frame) {
                    seen.push(frame);
                    let cost = costs.entry(frame).or_default();
                    cost.1 = cost.1.saturating_add(*units);
                }
            }
            if let Some(leaf) = frames.last() {
                let cost = costs.entry(leaf).or_default();
                cost.0 = cost.0.saturating_add(*units);
            }
        }
        let mut table: Vec<FunctionCost> = costs
            .into_iter()
            .map(|(name, (self_units, total_units))| FunctionCost {
                name: name.to_string(),
                self_units,
                total_units,
            })
            .collect();
        table.sort_by(|a, b| b.total_units.cmp(&a.total_units).then(a.name.cmp(&b.name)));
        table
    }

    /// The table as text: total, self and the function, one per line under a heading.
    pub fn table(&self) -> String {
        let mut out = format!("{:>12} {:>12}  function\n", "total CU", "self CU");
        for cost in self.functions() {
            out.push_str(&format!(
                "{:>12} {:>12}  {}\n",
                cost.total_units, cost.self_units, cost.name
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursion_counts_once_per_stack_in_the_total() {
        // Expected values: the definitions in the module docs, worked by hand.
        let mut profile = Profile::default();
        profile.add(&["main"], 5);
        profile.add(&["main", "fact"], 3);
        profile.add(&["main", "fact", "fact"], 4);
        let table = profile.functions();
        assert_eq!(
            table,
            [
                FunctionCost {
                    name: "main".into(),
                    self_units: 5,
                    total_units: 12
                },
                FunctionCost {
                    name: "fact".into(),
                    self_units: 7,
                    total_units: 7
                },
            ]
        );
        assert_eq!(profile.folded(), "main 5\nmain;fact 3\nmain;fact;fact 4\n");
    }
}
