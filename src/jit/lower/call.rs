//! Internal calls, `callx` and returns, in compiled code, with the interpreter's frames.
//!
//! A call checks the depth (a call that would reach `max_call_depth` hands over, and the
//! interpreter raises CallDepthExceeded), saves r6–r9, r10 and the return pc in the VM's own
//! frame array (so either engine can return from a frame the other pushed), moves r10 for
//! fixed frames, and transfers to the callee's run. An `exit` below the entry frame pops a
//! frame and goes to the return pc through [`Lowering::dispatch`]: the run-length and label
//! tables indexed by pc. `exit` from the entry frame, syscalls and every failing case hand
//! over.

use super::{Lowering, CTX, GUEST};
use crate::jit::context::offsets;
use crate::jit::x86::alu::{AluOp, ShiftOp};
use crate::jit::x86::{Cond, Mem, Reg};
use crate::program::{next_pc, Op};

/// What calls need to know of the configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallSettings {
    /// How far a call moves r10 (`None`: dynamic frames, r10 stays).
    pub frame_step: Option<u64>,
    /// Guest address of instruction 0 (for `callx`).
    pub text_vaddr: u64,
    /// Mirror guest calls with host `call`/`ret` (bounded host stack use: only for modest
    /// call depths).
    pub native_calls: bool,
}

/// Deepest call depth mirrored on the host stack (8 bytes a frame).
pub(crate) const NATIVE_CALL_DEPTH_LIMIT: u64 = 1024;

impl Lowering<'_> {
    /// `call` to instruction `target` (inside the text; the caller checked).
    pub(super) fn call_internal(&mut self, pc: usize, target: usize) {
        self.push_frame(pc);
        if !self.calls.native_calls {
            // A call ends its run: nothing to give back.
            self.transfer(0, target);
            return;
        }
        // The callee's run is charged here; a host `call` then lets the matching `exit` return
        // with `ret`, which the processor predicts (a computed jump per return would not be).
        let run = self.run_at(target);
        self.charge_or_leave(run, run, target);
        let end = self.asm.call(None);
        self.fixups.push((end, super::Target::Pc(target)));
        self.returned_here(pc);
    }

    /// Where a native return lands: charge the run after the call and fall through to it.
    fn returned_here(&mut self, pc: usize) {
        let next = next_pc(pc, 1);
        match self.runs.get(next).copied() {
            Some(run) => self.charge_or_leave(run, run, next),
            None => self.exit_to(0, next as u64),
        }
    }

    /// `callx reg`: the target is `(reg - text_vaddr) / 8`; outside the text, hand over.
    pub(super) fn call_register(&mut self, pc: usize, op: &Op) {
        self.asm.mov_rr(true, Reg::Rax, GUEST[usize::from(op.src)]);
        self.asm.mov_imm(Reg::Rcx, self.calls.text_vaddr);
        self.asm.alu_rr(true, AluOp::Sub, Reg::Rax, Reg::Rcx);
        self.asm.shift_imm(true, ShiftOp::Shr, Reg::Rax, 3);
        self.asm.mov_imm(Reg::Rcx, self.ops.len() as u64);
        self.asm.alu_rr(true, AluOp::Cmp, Reg::Rax, Reg::Rcx);
        self.hand_over_if(Cond::AboveEqual, pc);
        // rax (the target) survives the frame push, which uses rcx and rdx.
        self.push_frame(pc);
        if !self.calls.native_calls {
            let end = self.asm.jmp(None);
            self.fixups.push((end, super::Target::Dispatch));
            return;
        }
        // Charge the callee's run (leave at the target when the budget does not cover it),
        // then call its label.
        self.charge_run_at_rax();
        let label = self.label_of_rax();
        self.asm.call_mem(label);
        self.returned_here(pc);
    }

    /// `exit`: from a called function, return; from the entry frame, hand over.
    pub(super) fn exit(&mut self, pc: usize) {
        let cursor = Mem::at(CTX, offsets::FRAME_CURSOR);
        self.asm.load(8, Reg::Rdx, cursor);
        self.asm
            .alu_rm(AluOp::Cmp, Reg::Rdx, Mem::at(CTX, offsets::FRAMES));
        self.hand_over_if(Cond::Equal, pc);
        self.asm
            .alu_ri(true, AluOp::Sub, Reg::Rdx, offsets::FRAME_SIZE as i32);
        self.asm.store(8, cursor, Reg::Rdx);
        for (index, reg) in GUEST[6..10].iter().enumerate() {
            let at = offsets::frame_saved(index);
            self.asm.load(8, *reg, Mem::at(Reg::Rdx, at));
        }
        self.asm
            .load(8, GUEST[10], Mem::at(Reg::Rdx, offsets::FRAME_POINTER));
        self.asm
            .load(8, Reg::Rax, Mem::at(Reg::Rdx, offsets::FRAME_RETURN));
        if self.calls.native_calls {
            // A host return address above the entry stack pointer belongs to the call that
            // pushed this frame: `ret` to it. Frames pushed before this entry into compiled
            // code have none: dispatch on the return pc.
            self.asm
                .alu_rm(AluOp::Cmp, Reg::Rsp, Mem::at(CTX, offsets::ENTRY_SP));
            let end = self.asm.jcc(Cond::Equal, None);
            self.fixups.push((end, super::Target::Dispatch));
            self.asm.ret();
        } else {
            let end = self.asm.jmp(None);
            self.fixups.push((end, super::Target::Dispatch));
        }
    }

    /// Saves the caller's frame and enters the callee's (hands over when the depth would be
    /// reached). Leaves rax alone.
    fn push_frame(&mut self, pc: usize) {
        let cursor = Mem::at(CTX, offsets::FRAME_CURSOR);
        self.asm.load(8, Reg::Rdx, cursor);
        self.asm
            .alu_rm(AluOp::Cmp, Reg::Rdx, Mem::at(CTX, offsets::FRAMES_LIMIT));
        self.hand_over_if(Cond::AboveEqual, pc);
        for (index, reg) in GUEST[6..10].iter().enumerate() {
            let at = offsets::frame_saved(index);
            self.asm.store(8, Mem::at(Reg::Rdx, at), *reg);
        }
        self.asm
            .store(8, Mem::at(Reg::Rdx, offsets::FRAME_POINTER), GUEST[10]);
        self.asm.store_imm64(
            Mem::at(Reg::Rdx, offsets::FRAME_RETURN),
            i32::try_from(next_pc(pc, 1)).unwrap_or(i32::MAX),
        );
        self.asm
            .alu_ri(true, AluOp::Add, Reg::Rdx, offsets::FRAME_SIZE as i32);
        self.asm.store(8, cursor, Reg::Rdx);
        if let Some(step) = self.calls.frame_step {
            match i32::try_from(step) {
                Ok(step) => self.asm.alu_ri(true, AluOp::Add, GUEST[10], step),
                Err(_) => {
                    self.asm.mov_imm(Reg::Rcx, step);
                    self.asm.alu_rr(true, AluOp::Add, GUEST[10], Reg::Rcx);
                }
            }
        }
    }

    /// Charges the run at the pc in rax (inside the text), or leaves at that pc with nothing
    /// charged when the budget does not cover it. Leaves rax alone.
    fn charge_run_at_rax(&mut self) {
        self.run_at_rax_into_rcx();
        self.asm
            .alu_mr(AluOp::Sub, Mem::at(CTX, offsets::LEFT), Reg::Rcx);
        self.asm.jcc(Cond::Below, Some(self.leave_refunding));
    }

    /// The shared routine that gives back the run at the pc in rdx and leaves at that pc
    /// (what memory slow paths and most stubs need); falls through to `leave_refunding`.
    pub(super) fn leave_at_rdx(&mut self) {
        self.asm.mov_rr(true, Reg::Rax, Reg::Rdx);
        self.run_at_rax_into_rcx();
    }

    /// Loads the label table into rcx and returns the operand holding the pc in rax's code
    /// address (`[rcx + rax * 8]`).
    fn label_of_rax(&mut self) -> Mem {
        self.asm.load(8, Reg::Rcx, Mem::at(CTX, offsets::TARGETS));
        Mem {
            base: Reg::Rcx,
            index: Some((Reg::Rax, 8)),
            disp: 0,
        }
    }

    /// `rcx = runs[rax]`.
    fn run_at_rax_into_rcx(&mut self) {
        self.asm.load(8, Reg::Rcx, Mem::at(CTX, offsets::RUNS));
        let run = Mem {
            base: Reg::Rcx,
            index: Some((Reg::Rax, 4)),
            disp: 0,
        };
        self.asm.load(4, Reg::Rcx, run);
    }

    /// The shared routine that gives back the rcx instructions just charged and leaves at the
    /// pc in rax.
    pub(super) fn leave_refunding(&mut self) {
        self.asm
            .alu_mr(AluOp::Add, Mem::at(CTX, offsets::LEFT), Reg::Rcx);
        self.store_pc_and_leave();
    }

    /// Records the pc in rax and leaves.
    fn store_pc_and_leave(&mut self) {
        self.asm.store(8, Mem::at(CTX, offsets::PC), Reg::Rax);
        self.asm.jmp(Some(self.epilogue));
    }

    /// The shared routine that goes to the pc in rax: outside the text, or when the budget
    /// does not cover the run there, leave with that pc; else charge the run and jump to the
    /// pc's label.
    pub(super) fn dispatch(&mut self) {
        self.asm.mov_imm(Reg::Rcx, self.ops.len() as u64);
        self.asm.alu_rr(true, AluOp::Cmp, Reg::Rax, Reg::Rcx);
        let inside = self.asm.jcc(Cond::Below, None);
        self.store_pc_and_leave();
        let here = self.asm.offset();
        self.asm.patch_rel32(inside, here);
        self.charge_run_at_rax();
        let label = self.label_of_rax();
        self.asm.jmp_mem(label);
    }
}
