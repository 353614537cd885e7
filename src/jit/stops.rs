//! Runs that stop where a debugger asks: [`Vm::run_jit_until`], compiled code between stops.
//!
//! A debugger stops a run in front of marked instructions (breakpoints; every load and store
//! when watchpoints are set; the next pc for a step over), and it may mark more while stopped.
//! This run uses a second compilation of the program, made on its first use and kept with the
//! executable beside the normal one, whose only difference is a stop check in front of every
//! instruction (`lower::stops`): `marks[pc] != 0` hands over at `pc`, exactly as compiled code
//! hands over an instruction it cannot run. The normal compilation and its host loop
//! (`run`) are untouched, so runs without a debugger pay nothing for this.
//!
//! ```text
//! loop at pc:
//!   marks[pc]?                            → AtMark (the instruction at pc has not run)
//!   allowance spent?                      → AllowanceSpent
//!   compiled code can start here and the budget covers runs[pc]?
//!       yes: charge the run, enter with the meter capped at the allowance (never below the
//!            run: each entry gets somewhere); back at pc' (a mark, a hand-over, the cap)
//!            marks[pc']? → AtMark;  allowance spent? → AllowanceSpent
//!   step one instruction with the interpreter; the run ended? → Ended
//! ```
//!
//! Every instruction is checked before it runs: in compiled code by its stop check, on the
//! host by the loop before each interpreter step. Counts and errors are the interpreter's, as
//! in `run`: compiled code meters run by run and gives back what it did not reach, and the
//! host's steps are [`Vm::step`].
//!
//! The allowance only lowers the meter compiled code sees (`context.left`); the real budget
//! stays in the VM, and when it is short the host steps one instruction at a time as `run`
//! does, so running out still faults with `ExceededMaxInstructions` at the exact count.

use super::context::{JitContext, ListBuffers};
use super::run::with_list_buffers;
use super::windows::{build_windows, CopiedAt};
use super::JitProgram;
use crate::vm::{ContextObject, EbpfError, Pause, StopMarks, StopReason, Vm};

impl<C: ContextObject> Vm<'_, C> {
    /// Runs with compiled code from the current pc until an instruction whose pc is marked is
    /// next (checked at every instruction, the first included: a caller resuming from a mark
    /// steps past it with [`Vm::step`] first), about `allowance` instructions have run (up to
    /// one straight-line run more), or the run ends. Results, errors and counts are those of
    /// [`Vm::step`] repeated.
    ///
    /// The marks may change from call to call; nothing is recompiled. The program is compiled
    /// with stop checks on the first call (once per executable); if that fails, the run ends
    /// with [`EbpfError::JitCompileFailed`] before any instruction, as [`Vm::execute_jit`]'s
    /// does. Syscalls run on the host as in [`Vm::execute_jit`], and may run other VMs, with
    /// either engine or this method.
    pub fn run_jit_until(&mut self, marks: &StopMarks, allowance: u64) -> Pause {
        if self.state.outcome.is_some() {
            // A finished run: `step` says how it ended and runs nothing.
            return Pause::Ended(self.step());
        }
        // Checked before the run starts, so a stop in front of the first instruction leaves
        // the VM as the interpreter has it there: not started (the budget still the context's).
        if marks.is_marked(self.state.pc) {
            return Pause::AtMark;
        }
        if allowance == 0 {
            return Pause::AllowanceSpent;
        }
        self.start_if_needed();
        let program = match self.executable.jit_program_with_stops() {
            Ok(program) => program,
            Err(error) => {
                let error = EbpfError::JitCompileFailed { error };
                self.finish(Err(error.clone()));
                return Pause::Ended(StopReason::Faulted(error));
            }
        };
        // Compiled code reads the mark of every pc of the text: a shorter set is padded with
        // unmarked pcs (a copy, only then).
        let text = self.executable.decoded().ops.len();
        let padded;
        let bytes = if marks.len() >= text {
            marks.bytes()
        } else {
            let mut bytes = vec![0; text];
            bytes[..marks.len()].copy_from_slice(marks.bytes());
            padded = bytes;
            &padded[..]
        };
        with_list_buffers(|lists| self.run_until_with(program, bytes, allowance, lists))
    }

    /// The loop of [`Vm::run_jit_until`] (see the module's diagram); `marks` holds a byte for
    /// every pc of the text.
    fn run_until_with(
        &mut self,
        program: &JitProgram,
        marks: &[u8],
        allowance: u64,
        lists: &mut ListBuffers,
    ) -> Pause {
        let marked = |pc: usize| marks.get(pc).is_some_and(|mark| *mark != 0);
        let runs = &self.executable.decoded().runs;
        let mut context = JitContext::new(program.key);
        context.runs = runs.as_ptr() as u64;
        context.targets = program.targets.as_ptr() as u64;
        context.marks = marks.as_ptr() as u64;
        build_windows(&self.memory, &mut context, lists);
        let mut copied = CopiedAt::now(&self.memory);
        let mut warmed_at = None;
        // Instructions run so far in this call.
        let mut ran = 0u64;
        loop {
            let pc = self.state.pc;
            if marked(pc) {
                return Pause::AtMark;
            }
            if ran >= allowance {
                return Pause::AllowanceSpent;
            }
            let mut entered = false;
            if let (Some(entry), Some(run)) = (program.entry_offset(pc), runs.get(pc)) {
                let run = u64::from(*run);
                let (budget, due) = (self.state.budget, self.state.due);
                if budget.saturating_sub(due) >= run {
                    // What compiled code may charge up to: the allowance left, but at least
                    // this run and at most the budget (`due + run <= budget`: no wrap).
                    let start = due.wrapping_add(run);
                    let cap = due
                        .saturating_add(allowance.wrapping_sub(ran))
                        .max(start)
                        .min(budget);
                    self.enter_metered(program, &mut context, entry, start, cap);
                    // The meter ends at `start` or later (`enter_metered`): no wrap.
                    ran = ran.saturating_add(self.state.due.wrapping_sub(due));
                    entered = true;
                }
            }
            if entered {
                let here = self.state.pc;
                if marked(here) {
                    return Pause::AtMark;
                }
                if ran >= allowance {
                    return Pause::AllowanceSpent;
                }
                // A load or store no window held: as in `run`, put its region's window in and
                // enter again, once per pc in a row.
                if warmed_at != Some(here) && self.warm_window(here) {
                    warmed_at = Some(here);
                    copied.refresh_recent(&self.memory, &mut context);
                    continue;
                }
            }
            warmed_at = None;
            // Compiled code handed over (or could not start): one interpreted instruction.
            let reason = self.step();
            ran = ran.saturating_add(1);
            if reason != StopReason::Stepped {
                return Pause::Ended(reason);
            }
            copied.catch_up(&self.memory, &mut context, lists);
        }
    }
}
