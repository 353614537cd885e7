//! The instructions the engine stops in front of while a debugger drives it (until_marked.rs
//! explains why each): breakpoints, every load, store and atomic while a watchpoint is set,
//! and every syscall. Rebuilt only when the breakpoints or the watching change.

use crate::program::Operation;
use crate::vm::{Executable, StopMarks};
use std::collections::BTreeSet;

/// The marks, and what they were made from.
#[derive(Debug, Default)]
pub(super) struct Marks {
    made_from: Option<(BTreeSet<u64>, bool)>,
    pub marks: StopMarks,
}

impl Marks {
    /// Makes the marks match `breakpoints` (addresses) and whether any watchpoint is set.
    pub fn refresh<C>(
        &mut self,
        executable: &Executable<C>,
        breakpoints: BTreeSet<u64>,
        watching: bool,
    ) {
        let made_from = Some((breakpoints, watching));
        if self.made_from == made_from {
            return;
        }
        let ops = &executable.decoded().ops;
        let mut marks = StopMarks::new(ops.len());
        for (pc, op) in ops.iter().enumerate() {
            let operation = op.code.facts().operation;
            let touches_memory = matches!(
                operation,
                Operation::Load
                    | Operation::Store
                    | Operation::Atomic(_)
                    | Operation::AtomicFetch(_)
            );
            let calls_host = matches!(
                operation,
                Operation::CallSyscall
                    | Operation::CallSyscallThenInternal
                    | Operation::CallSyscallRegister
            );
            if (watching && touches_memory) || calls_host {
                marks.mark(pc);
            }
        }
        if let Some((breakpoints, _)) = &made_from {
            for address in breakpoints {
                if let Some(pc) = executable.pc_at_symbol_address(*address) {
                    marks.mark(pc);
                }
            }
        }
        *self = Marks { made_from, marks };
    }
}
