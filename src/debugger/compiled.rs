//! Debugging with compiled code (`DebugOptions::engine` = JIT): between stops the program runs
//! in the JIT, which stops in front of marked instructions ([`StopMarks`], `Vm::run_jit_until`);
//! whatever the debugger must look at instruction by instruction runs in the interpreter.
//!
//! How compiled code learns where to stop: a debug run uses a second compilation of the
//! program, with a test of one byte per instruction (`marks[pc] != 0`) in front of each; the
//! marks are a table the debugger owns and rewrites between runs, so a breakpoint set while
//! stopped needs no recompiling. Runs without a debugger use the first compilation, which has
//! no such test: they do not pay for it. Marked are
//!
//! * every breakpoint's instruction;
//! * while any watchpoint is set, every load, store and atomic (the interpreter then checks
//!   the address, as it does when it drives the run: target.rs);
//! * every syscall: the record takes a checkpoint after each (history.rs), and a syscall may
//!   run an invoked program under the same session (client.rs), after which the caller goes
//!   on as the client last resumed — which the interpreter's step of the syscall tells.
//!
//! A run stops at a mark with the state the interpreter would have there; run.rs then checks
//! the breakpoint or runs that one instruction with the interpreter, and goes on compiled.
//! Compiled code also comes back after an allowance of instructions — the next periodic
//! checkpoint of the record, or [`POLL_EVERY`] to look for Ctrl-C — and when the run ends.

use super::run::Stop;
use super::target::{signal_of, DebugTarget};
use crate::program::Operation;
use crate::vm::{ContextObject, EbpfError, Engine, Pause, StopMarks, StopReason};
use gdbstub::stub::SingleThreadStopReason;
use std::collections::BTreeSet;

/// Instructions compiled code runs between two looks at the connection for Ctrl-C.
pub(super) const POLL_EVERY: u64 = 1 << 20;

/// The marks, and what they were made from (rebuilt when that changes).
#[derive(Debug, Default)]
pub(super) struct Marks {
    made_from: Option<(BTreeSet<u64>, bool)>,
    marks: StopMarks,
}

/// What a compiled stretch ended with, for run.rs.
pub(super) enum Compiled {
    /// In front of a marked instruction, which has not run.
    AtMark,
    /// The allowance is spent; nothing marked was reached.
    Paused,
    /// The program stopped for good.
    Ended(Stop),
}

impl<C: ContextObject> DebugTarget<'_, '_, C> {
    /// Whether forward runs go through compiled code now: with the JIT engine, at the present
    /// (the past is replayed from the record), not tracing, and — when recording — with a meter
    /// to count the instructions run.
    pub(super) fn runs_compiled(&self) -> bool {
        self.options.engine == Engine::Jit
            && !self.history.in_past()
            && !self.client.with(|shared| shared.trace)
            && (!self.history.is_enabled()
                || self.vm.executable().config().enable_instruction_meter)
    }

    /// Runs compiled code until a mark, the allowance, or the end.
    pub(super) fn run_compiled(&mut self) -> Compiled {
        self.refresh_marks();
        let allowance = self
            .history
            .until_checkpoint()
            .unwrap_or(POLL_EVERY)
            .min(POLL_EVERY);
        let before = self.vm.instruction_count();
        let (host_calls, layout) = (self.vm.host_calls(), self.vm.memory.layout_generation());
        let pause = self.vm.run_jit_until(&self.marks.marks, allowance);
        let mut ran = self.vm.instruction_count().saturating_sub(before);
        // The one step that does not count itself: the meter running out.
        if let Pause::Ended(StopReason::Faulted(EbpfError::ExceededMaxInstructions)) = &pause {
            ran = ran.saturating_add(1);
        }
        self.history.ran_many(self.vm, ran, host_calls, layout);
        match pause {
            Pause::AtMark => Compiled::AtMark,
            Pause::AllowanceSpent => Compiled::Paused,
            Pause::Ended(StopReason::Stepped) => Compiled::Paused,
            Pause::Ended(StopReason::Exited(value)) => {
                Compiled::Ended(SingleThreadStopReason::Exited(value as u8))
            }
            Pause::Ended(StopReason::Faulted(error)) => {
                let signal = signal_of(&error);
                self.fault_reported = Some(signal);
                Compiled::Ended(SingleThreadStopReason::Signal(signal))
            }
        }
    }

    /// Makes the marks match the breakpoints and the watchpoints.
    fn refresh_marks(&mut self) {
        let (breakpoints, watching) = self
            .client
            .with(|shared| (shared.breakpoints.clone(), !shared.watchpoints.is_empty()));
        let made_from = Some((breakpoints, watching));
        if self.marks.made_from == made_from {
            return;
        }
        let executable = self.vm.executable();
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
        self.marks = Marks { made_from, marks };
    }
}
