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

use super::target::{signal_of, DebugTarget, Stop};
use crate::vm::{ContextObject, EbpfError, Engine, Pause, StopReason};
use gdbstub::stub::SingleThreadStopReason;

/// Instructions compiled code runs between two looks at the connection for Ctrl-C.
pub(super) const POLL_EVERY: u64 = 1 << 20;

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
        let (breakpoints, watching) = self
            .client
            .with(|shared| (shared.breakpoints.clone(), !shared.watchpoints.is_empty()));
        self.marks
            .refresh(self.vm.executable(), breakpoints, watching);
        let allowance = self
            .history
            .until_checkpoint()
            .unwrap_or(POLL_EVERY)
            .min(POLL_EVERY);
        let before = self.vm.instruction_count();
        let (host_calls, layout) = (self.vm.host_calls(), self.vm.memory.regions_generation());
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
}
