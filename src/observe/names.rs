//! Which function an instruction belongs to, for the profile's frames and the coverage's `FN`
//! records: the named function with the greatest start at or before the instruction.
//!
//! The names come from the executable's function registry (`vm.executable().functions()`),
//! to which an embedder may add more (an ELF file's function symbols). Code before the first
//! named start belongs to `function_0`, the name the disassembler gives a function starting at
//! instruction 0.

use crate::vm::Executable;
use std::collections::BTreeMap;

/// Function starts and names, sorted by start; index 0 always starts at instruction 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionNames {
    starts: Vec<(usize, String)>,
}

impl FunctionNames {
    /// The functions of `names` (instruction index → name); empty names are dropped.
    pub fn new(names: BTreeMap<usize, String>) -> Self {
        let mut starts: Vec<(usize, String)> = names
            .into_iter()
            .filter(|(_, name)| !name.is_empty())
            .collect();
        if starts.first().map(|(pc, _)| *pc) != Some(0) {
            starts.insert(0, (0, "function_0".to_string()));
        }
        FunctionNames { starts }
    }

    /// The functions `executable` registers, with `extra` names (which win where both name
    /// the same start).
    pub fn of_executable<C>(executable: &Executable<C>, extra: &BTreeMap<usize, String>) -> Self {
        let mut names: BTreeMap<usize, String> = executable
            .functions()
            .iter()
            .map(|(_, name, pc)| (pc, name.to_string()))
            .collect();
        names.extend(extra.iter().map(|(pc, name)| (*pc, name.clone())));
        Self::new(names)
    }

    /// The index of the function instruction `pc` lies in.
    pub fn index_at(&self, pc: usize) -> usize {
        // `starts[0]` is at 0, so at least one start is `<= pc`.
        self.starts
            .partition_point(|(start, _)| *start <= pc)
            .saturating_sub(1)
    }

    /// The name of function `index` (from [`FunctionNames::index_at`]).
    pub fn name(&self, index: usize) -> &str {
        self.starts
            .get(index)
            .map_or("function_0", |(_, name)| name)
    }

    /// The name of the function instruction `pc` lies in.
    pub fn name_at(&self, pc: usize) -> &str {
        self.name(self.index_at(pc))
    }

    /// Every (start, name), sorted by start.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &str)> {
        self.starts.iter().map(|(pc, name)| (*pc, name.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instruction_belongs_to_the_nearest_start_at_or_before_it() {
        // Expected values: the rule in the module docs.
        let names = FunctionNames::new(BTreeMap::from([
            (2, "entrypoint".to_string()),
            (5, "helper".to_string()),
        ]));
        let at: Vec<&str> = (0..7).map(|pc| names.name_at(pc)).collect();
        assert_eq!(
            at,
            [
                "function_0",
                "function_0",
                "entrypoint",
                "entrypoint",
                "entrypoint",
                "helper",
                "helper"
            ]
        );
    }
}
