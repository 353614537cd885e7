//! eBPF's atomics (`lock` add, or, and, xor with and without fetch, xchg, cmpxchg; 32 and 64
//! bits), mirroring the interpreter's `atomic` in `interpreter/memory.rs`.
//!
//! An atomic is a store as far as memory is concerned: its address is checked against the
//! *store* windows (`memory`), so a read-only target misses, gets its second chance, and hands
//! over; the interpreter then faults exactly as for any store (its `prepare_store` comes first),
//! with the same error and instruction count. Nothing before the check has an effect, so the
//! second chance may run the op again from its label. After the check, rax holds the host
//! address of the access's end, and one locked instruction (or a short loop) does the rest:
//!
//! ```text
//! add|or|and|xor          lock op [rax - size], src
//! fetch add               lock xadd [rax - size], src              src = old
//! xchg                    xchg [rax - size], src                   src = old
//! cmpxchg                 rdx = rax; rax = r0
//!                         lock cmpxchg [rdx - size], src; r0 = rax r0 = old either way
//! fetch or|and|xor        rdx = rax; rax = [rdx - size]
//!                 again:  rcx = rax op src; lock cmpxchg [rdx - size], rcx; jne again
//!                         src = rax                                src = old
//! ```
//!
//! At 32 bits every instruction is the 32-bit form: only the low half of `src` (and, for
//! cmpxchg, of r0) takes part, and the old value comes back zero-extended, as RFC 9669 §5.3
//! and the interpreter have it. A guest runs on one thread, so the compare-exchange loop never
//! goes round twice; it stays correct should memory ever be shared.

use super::recipe::Recipe;
use super::{Lowering, GUEST};
use crate::isa::table::AtomicOp;
use crate::jit::x86::alu::AluOp;
use crate::jit::x86::{Cond, Mem, Reg};
use crate::program::Op;

impl Lowering<'_> {
    /// `[dst + off] ∘= src` at the recipe's size, fetching the old value when it says so.
    pub(super) fn atomic(&mut self, pc: usize, op: &Op, recipe: &Recipe) {
        let size = recipe.size;
        let wide = size == 8;
        self.bounds_check(pc, GUEST[usize::from(op.dst)], op, size, true);
        let src = GUEST[usize::from(op.src)];
        let end = i32::from(size).wrapping_neg();
        let at = Mem::at(Reg::Rax, end);
        let alu = match recipe.atomic {
            AtomicOp::Xchg => return self.asm.xchg_mr(wide, at, src),
            AtomicOp::Cmpxchg => return self.compare_exchange(wide, end, src),
            AtomicOp::Add if recipe.fetch => return self.asm.lock_xadd(wide, at, src),
            AtomicOp::Add => AluOp::Add,
            AtomicOp::Or => AluOp::Or,
            AtomicOp::And => AluOp::And,
            AtomicOp::Xor => AluOp::Xor,
        };
        if !recipe.fetch {
            self.asm.lock_alu_mr(wide, alu, at, src);
            return;
        }
        // Fetch or, and, xor: x86 has no fetching form; a compare-exchange loop.
        let at = Mem::at(Reg::Rdx, end);
        self.asm.mov_rr(true, Reg::Rdx, Reg::Rax);
        self.asm.load(size, Reg::Rax, at);
        let again = self.asm.offset();
        self.asm.mov_rr(wide, Reg::Rcx, Reg::Rax);
        self.asm.alu_rr(wide, alu, Reg::Rcx, src);
        self.asm.lock_cmpxchg(wide, at, Reg::Rcx);
        self.asm.jcc(Cond::NotEqual, Some(again));
        self.asm.mov_rr(wide, src, Reg::Rax);
    }

    /// cmpxchg on the access whose end rax holds (`end`: minus its size): where the memory
    /// equals r0, it gets `src`; r0 gets the old value either way.
    fn compare_exchange(&mut self, wide: bool, end: i32, src: Reg) {
        let r0 = GUEST[0];
        self.asm.mov_rr(true, Reg::Rdx, Reg::Rax);
        self.asm.mov_rr(true, Reg::Rax, r0);
        self.asm.lock_cmpxchg(wide, Mem::at(Reg::Rdx, end), src);
        self.asm.mov_rr(wide, r0, Reg::Rax);
    }
}
