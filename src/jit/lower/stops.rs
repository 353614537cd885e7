//! Stop checks: the one thing the compilation for debuggers adds to every op.
//!
//! A debugger's run (`Vm::run_jit_until`) must stop in front of any marked instruction, and
//! the marks change between runs (a breakpoint set while stopped), so they cannot be compiled
//! in. Instead, that compilation puts a check at every op's label, before the op's code:
//!
//! ```text
//! label(pc):  mov rax, [rbp + marks]       the caller's marks, one byte per pc
//!             cmp byte [rax + pc], 0
//!             jne stub(pc)                 marked: hand over, exactly as for an op compiled
//!             <the op, as without checks>  code cannot run (its run given back, pc recorded)
//! ```
//!
//! Every way into an op passes its label (falling through from the op before, a jump, a call,
//! a return, the host's entry), so no marked op runs in compiled code; the hand-over leaves the
//! pc, the registers and the meter exactly as the interpreter has them before that op. rax is
//! scratch at every label (no op reads it before writing it).
//!
//! The code compiled without checks (every run without a debugger) is the same with or
//! without this module: `op` emits the check only when the compilation asks for it.

use super::{Lowering, CTX};
use crate::jit::context::offsets;
use crate::jit::x86::{Cond, Mem, Reg};

impl Lowering<'_> {
    /// Hands over at `pc` when `marks[pc]` is nonzero.
    pub(super) fn stop_check(&mut self, pc: usize) {
        self.asm.load(8, Reg::Rax, Mem::at(CTX, offsets::MARKS));
        // `JitProgram::compile` refuses texts with pcs beyond `i32::MAX`, so this never
        // saturates; the host gives compiled code marks for every pc of the text.
        let at = i32::try_from(pc).unwrap_or(i32::MAX);
        self.asm.cmp_byte_mi(Mem::at(Reg::Rax, at), 0);
        self.hand_over_if(Cond::NotEqual, pc);
    }
}
