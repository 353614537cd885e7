//! The run between two stops, with either engine: the program runs in the engine's own loop
//! until a marked instruction is next ([`StopMarks`], `Vm::run_until_marked`), and only what
//! the debugger must look at instruction by instruction runs under its eyes (run.rs). With the
//! interpreter the engine's loop is [`Vm::step`] and a look at one byte per instruction; the
//! debugger's bookkeeping (breakpoints, watchpoints, the connection, the record) is paid only
//! at marks. With the JIT (`DebugOptions::engine`), compiled code runs between stops.
//!
//! How compiled code learns where to stop: a debug run uses a second compilation of the
//! program, with a test of one byte per instruction (`marks[pc] != 0`) in front of each; the
//! marks are a table the debugger owns and rewrites between runs (marks.rs), so a breakpoint
//! set while stopped needs no recompiling. Runs without a debugger use the first compilation,
//! which has no such test: they do not pay for it. Marked are
//!
//! * every breakpoint's instruction;
//! * while any watchpoint is set, every load, store and atomic (run.rs then checks the
//!   address before the interpreter runs it);
//! * every syscall: the record takes a checkpoint after each (history.rs), and a syscall may
//!   run an invoked program under the same session (client.rs), after which the caller goes
//!   on as the client last resumed — which the debugger's own step of the syscall tells.
//!
//! A run stops at a mark with the state the interpreter would have there; run.rs then checks
//! the breakpoint or runs that one instruction itself, and hands the run back. The engine also
//! comes back after an allowance of instructions — the next periodic checkpoint of the record,
//! or [`POLL_EVERY`] to look for Ctrl-C — and when the run ends.

use super::target::{signal_of, DebugTarget, Stop};
use crate::vm::{ContextObject, EbpfError, Pause, StopReason};
use gdbstub::stub::SingleThreadStopReason;

/// Instructions the engine runs between two looks at the connection for Ctrl-C.
pub(super) const POLL_EVERY: u64 = 1 << 20;

/// What a stretch between stops ended with, for run.rs.
pub(super) enum Stretch {
    /// In front of a marked instruction, which has not run.
    AtMark,
    /// The allowance is spent; nothing marked was reached.
    Paused,
    /// The program stopped for good.
    Ended(Stop),
}

impl<C: ContextObject> DebugTarget<'_, '_, C> {
    /// Whether a forward run goes to the engine's loop now: at the present (the past is
    /// replayed from the record), not tracing, and — when recording — with a meter to count
    /// the instructions run.
    pub(super) fn runs_until_marked(&self) -> bool {
        !self.history.in_past()
            && !self.client.with(|shared| shared.trace)
            && (!self.history.is_enabled()
                || self.vm.executable().config().enable_instruction_meter)
    }

    /// Runs with the session's engine until a mark, the allowance, or the end.
    pub(super) fn run_until_marked(&mut self) -> Stretch {
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
        let pause = self
            .vm
            .run_until_marked(self.options.engine, &self.marks.marks, allowance);
        let mut ran = self.vm.instruction_count().saturating_sub(before);
        // The one step that does not count itself: the meter running out.
        if let Pause::Ended(StopReason::Faulted(EbpfError::ExceededMaxInstructions)) = &pause {
            ran = ran.saturating_add(1);
        }
        self.history.ran_many(self.vm, ran, host_calls, layout);
        match pause {
            Pause::AtMark => Stretch::AtMark,
            Pause::AllowanceSpent => Stretch::Paused,
            Pause::Ended(StopReason::Stepped) => Stretch::Paused,
            Pause::Ended(StopReason::Exited(value)) => {
                Stretch::Ended(SingleThreadStopReason::Exited(value as u8))
            }
            Pause::Ended(StopReason::Faulted(error)) => {
                let signal = signal_of(&error);
                self.fault_reported = Some(signal);
                Stretch::Ended(SingleThreadStopReason::Signal(signal))
            }
        }
    }
}
