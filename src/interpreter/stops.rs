//! Runs that stop where a debugger asks, with the interpreter: [`Vm::run_interpreter_until`],
//! the interpreter's side of the contract `Vm::run_jit_until` keeps for compiled code (see
//! [`StopMarks`]). A debugger that drives a run instruction by instruction pays for its own
//! bookkeeping at every one; handing the run to this loop between stops leaves only a look at
//! one byte per instruction beside [`Vm::step`].

use crate::vm::{ContextObject, Pause, StopMarks, StopReason, Vm};

impl<C: ContextObject> Vm<'_, C> {
    /// Runs from the current pc until an instruction whose pc is marked is next (checked at
    /// every instruction, the first included: a caller resuming from a mark steps past it with
    /// [`Vm::step`] first), `allowance` instructions have run, or the run ends. Results,
    /// errors and counts are those of [`Vm::step`] repeated, because that is what runs.
    pub fn run_interpreter_until(&mut self, marks: &StopMarks, allowance: u64) -> Pause {
        if self.state.outcome.is_some() {
            return Pause::Ended(self.step());
        }
        if marks.is_marked(self.state.pc) {
            return Pause::AtMark;
        }
        let mut ran: u64 = 0;
        loop {
            if ran >= allowance {
                return Pause::AllowanceSpent;
            }
            match self.step() {
                StopReason::Stepped => {}
                ended => return Pause::Ended(ended),
            }
            // At most `allowance`, which is a u64: no wrap.
            ran = ran.wrapping_add(1);
            if marks.is_marked(self.state.pc) {
                return Pause::AtMark;
            }
        }
    }
}
