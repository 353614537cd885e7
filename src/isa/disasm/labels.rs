//! Names for the places the output refers to: functions and jump targets in the text, and the
//! offsets of the read-only data that addresses point at.
//!
//! A label must read back as the same place, so every name is one the assembler takes as a
//! label (not a register, not a number, not a syscall's name: `call sol_log_` must keep
//! meaning the syscall) and no name is used twice. In order of preference:
//!
//! ```text
//! place                                   name
//! a function the caller names             its name, when the assembler can read it back
//! any other function, call target or      function_N    (N: instruction index; function_N_2,
//!   lddw'd address in the text                            function_N_3, … when N's is taken)
//! a jump target the caller names          its name, when readable and free
//! any other jump target                   LBB0, LBB1, … in address order, skipping taken names
//! an offset N of the read-only data       rodata_N      (rodata_N_2, … when taken)
//! ```
//!
//! Only instruction starts get labels: a target inside an `lddw`, or past the text, keeps its
//! number (and the self-check decides whether the line can be said at all).

use super::render::is_assembler_name;
use super::rodata::Place;
use super::Symbols;
use crate::isa::syscall_names::KNOWN_SYSCALLS;
use std::collections::{BTreeMap, BTreeSet};

/// Labels of the text by instruction index. `starts` are the instruction starts;
/// `function_targets` the places that are functions (lddw'd addresses of the text, call
/// targets), in the order they are named; `jump_targets` the targets of jumps.
pub fn name_text(
    starts: &BTreeSet<usize>,
    symbols: &Symbols,
    function_targets: impl IntoIterator<Item = usize>,
    jump_targets: impl IntoIterator<Item = usize>,
) -> BTreeMap<usize, String> {
    let mut names = TextNames {
        starts,
        labels: BTreeMap::new(),
        taken: KNOWN_SYSCALLS
            .iter()
            .map(|name| name.to_string())
            .chain(symbols.syscalls.values().cloned())
            .collect(),
    };
    for (pc, name) in &symbols.functions {
        names.name(*pc, name.clone());
    }
    for at in function_targets {
        names.name(at, format!("function_{at}"));
    }
    let jump_targets: BTreeSet<usize> = jump_targets.into_iter().collect();
    let mut next_block = 0;
    for at in jump_targets {
        if names.labels.contains_key(&at) || !starts.contains(&at) {
            continue;
        }
        if let Some(name) = symbols
            .labels
            .get(&at)
            .filter(|name| is_assembler_name(name) && !names.taken.contains(*name))
        {
            names.name(at, name.clone());
            continue;
        }
        let mut name = format!("LBB{next_block}");
        while names.taken.contains(&name) {
            next_block += 1;
            name = format!("LBB{next_block}");
        }
        next_block += 1;
        names.name(at, name);
    }
    names.labels
}

/// Labels of the read-only data by output offset: `rodata_N` for each [`Place::Data`] in
/// `addresses`, unless a text label or a syscall has that name.
pub fn name_data(
    addresses: &BTreeSet<Place>,
    text_labels: &BTreeMap<usize, String>,
    symbols: &Symbols,
) -> BTreeMap<usize, String> {
    let taken: BTreeSet<&str> = text_labels
        .values()
        .map(String::as_str)
        .chain(KNOWN_SYSCALLS.iter().copied())
        .chain(symbols.syscalls.values().map(String::as_str))
        .collect();
    let mut labels = BTreeMap::new();
    for place in addresses {
        if let Place::Data(at) = *place {
            let mut name = format!("rodata_{at}");
            let mut attempt = 1;
            while taken.contains(name.as_str()) {
                attempt += 1;
                name = format!("rodata_{at}_{attempt}");
            }
            labels.insert(at, name);
        }
    }
    labels
}

/// The text's labels while they are handed out, and the names no longer free.
struct TextNames<'a> {
    starts: &'a BTreeSet<usize>,
    labels: BTreeMap<usize, String>,
    taken: BTreeSet<String>,
}

impl TextNames<'_> {
    /// Names the instruction at `pc` `wanted`, or `function_{pc}` (then `function_{pc}_2`, …)
    /// where the assembler cannot read `wanted` back or it is taken; nothing when `pc` has a
    /// name already or starts no instruction.
    fn name(&mut self, pc: usize, wanted: String) {
        if self.labels.contains_key(&pc) || !self.starts.contains(&pc) {
            return;
        }
        let mut name = wanted;
        let mut attempt = 0;
        while !is_assembler_name(&name) || self.taken.contains(&name) {
            attempt += 1;
            name = if attempt == 1 {
                format!("function_{pc}")
            } else {
                format!("function_{pc}_{attempt}")
            };
        }
        self.taken.insert(name.clone());
        self.labels.insert(pc, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_must_read_back_as_labels() {
        assert!(is_assembler_name("function_3"));
        assert!(is_assembler_name("LBB0"));
        assert!(!is_assembler_name("r1"));
        assert!(!is_assembler_name("3abc"));
        assert!(!is_assembler_name("foo.cold"));
        assert!(is_assembler_name("rust_begin_unwind"));
    }

    #[test]
    fn unreadable_and_taken_names_give_way_to_numbered_ones() {
        let starts: BTreeSet<usize> = (0..8).collect();
        let symbols = Symbols {
            // "foo.cold" is no assembler name; "sol_log_" is a syscall's.
            functions: [(1, "foo.cold".to_string()), (2, "sol_log_".to_string())].into(),
            labels: [(5, "LBB0".to_string())].into(),
            ..Symbols::default()
        };
        let labels = name_text(&starts, &symbols, [3, 9], [5, 6, 6]);
        let expected: BTreeMap<usize, String> = [
            (1, "function_1"),
            (2, "function_2"),
            (3, "function_3"),
            (5, "LBB0"),
            (6, "LBB1"),
        ]
        .into_iter()
        .map(|(pc, name)| (pc, name.to_string()))
        .collect();
        assert_eq!(labels, expected);
    }
}
