//! Where a run stops for a debugger, with either engine: marks by instruction index, and why the
//! run came back.
//!
//! A debugger's breakpoints, watchpoints and single steps all become the same request to an
//! engine: "run, but stop in front of any of these instructions". [`StopMarks`] is that set, one
//! byte per instruction slot so that compiled code can test a pc with one load (`marks[pc] != 0`),
//! and [`Pause`] is what the engine answers (`Vm::run_until_marked`: the interpreter's loop or
//! the JIT's checked code).
//!
//! ```text
//!   pc:     0   1   2   3   4   5   6   7
//!   marks: [0,  0,  1,  0,  0,  0,  1,  0]     mark(2), mark(6)
//!                   ▲               ▲
//!           the run stops here, before the instruction at 2 runs (Pause::AtMark);
//!           the caller steps past it (Vm::step) and asks again; next stop: 6
//! ```
//!
//! The marks belong to the caller and may change between two runs (a breakpoint added while
//! stopped): nothing is compiled from them.

use super::machine::StopReason;

/// Instructions a run with compiled code stops in front of, by instruction index (pc).
///
/// Make it as long as the executable's text has instruction slots (`text().len() / 8`); a
/// shorter set counts the pcs beyond it as unmarked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StopMarks {
    /// One byte per pc: nonzero when marked.
    marks: Vec<u8>,
}

impl StopMarks {
    /// A set for `instructions` instruction slots, none marked.
    pub fn new(instructions: usize) -> Self {
        StopMarks {
            marks: vec![0; instructions],
        }
    }

    /// Marks `pc` (a pc out of range is ignored).
    pub fn mark(&mut self, pc: usize) {
        if let Some(mark) = self.marks.get_mut(pc) {
            *mark = 1;
        }
    }

    /// Unmarks `pc` (a pc out of range is ignored).
    pub fn unmark(&mut self, pc: usize) {
        if let Some(mark) = self.marks.get_mut(pc) {
            *mark = 0;
        }
    }

    /// Whether `pc` is marked (a pc out of range is not).
    pub fn is_marked(&self, pc: usize) -> bool {
        self.marks.get(pc).is_some_and(|mark| *mark != 0)
    }

    /// Unmarks every pc.
    pub fn clear(&mut self) {
        self.marks.fill(0);
    }

    /// The number of instruction slots the set covers.
    pub fn len(&self) -> usize {
        self.marks.len()
    }

    /// Whether the set covers no instruction slot at all.
    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }

    /// One byte per pc, nonzero where marked (what compiled code reads).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.marks
    }
}

/// Why `Vm::run_jit_until` came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pause {
    /// The pc is marked: the instruction there has not run (registers, memory, count and budget
    /// are as the interpreter has them before it).
    AtMark,
    /// About `allowance` instructions ran (it may run up to one straight-line run more); the VM
    /// is at an instruction boundary, nothing marked reached.
    AllowanceSpent,
    /// The run ended (`Exited` or `Faulted`, as `Vm::step` says it; the VM's outcome is set).
    Ended(StopReason),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the set's own contract says: out-of-range pcs are ignored and never marked.
    #[test]
    fn marks_in_range_only() {
        let mut marks = StopMarks::new(4);
        marks.mark(1);
        marks.mark(4);
        marks.mark(usize::MAX);
        assert!(marks.is_marked(1));
        assert!(!marks.is_marked(0) && !marks.is_marked(4) && !marks.is_marked(usize::MAX));
        assert_eq!(marks.bytes(), &[0, 1, 0, 0]);
        marks.unmark(1);
        assert!(!marks.is_marked(1));
        marks.mark(3);
        marks.clear();
        assert_eq!((marks.len(), marks.is_empty()), (4, false));
        assert_eq!(marks.bytes(), &[0, 0, 0, 0]);
        assert!(StopMarks::new(0).is_empty());
    }
}
