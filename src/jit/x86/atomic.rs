//! Read-modify-write instructions on memory, for eBPF's atomics: the `lock` prefix (`f0`), which
//! comes before the REX prefix, and the instructions it may go with.
//!
//! ```text
//! lock add|or|and|xor [m], r    f0 [REX] 01|09|21|31 /r     the value in memory changes
//! lock xadd [m], r              f0 [REX] 0f c1 /r           r gets the old value too
//! xchg [m], r                   [REX] 87 /r                 locked without the prefix
//! lock cmpxchg [m], r           f0 [REX] 0f b1 /r           if [m] == rax: [m] = r
//!                                                           else: rax = [m]; ZF says which
//! ```
//!
//! Each takes a `wide` flag: 64-bit (`REX.W`) or 32-bit operands; a 32-bit register result
//! (xadd, xchg, cmpxchg's rax) is zero-extended by the host, as eBPF's fetch wants it.

use super::alu::AluOp;
use super::operand::{Mem, Reg};
use super::Emitter;

/// The `lock` prefix.
const LOCK: u8 = 0xf0;

impl Emitter {
    /// `lock op [mem], src` for add, or, and, xor and sub. (`cmp` does not write memory and
    /// may not be locked: it is written without the prefix.)
    pub fn lock_alu_mr(&mut self, wide: bool, op: AluOp, mem: Mem, src: Reg) {
        if op != AluOp::Cmp {
            self.byte(LOCK);
        }
        self.op_rm(wide, false, &[op.rr_opcode()], src.number(), mem);
    }

    /// `lock xadd [mem], src`: `[mem] += src`, and `src` gets the old value.
    pub fn lock_xadd(&mut self, wide: bool, mem: Mem, src: Reg) {
        self.byte(LOCK);
        self.op_rm(wide, false, &[0x0f, 0xc1], src.number(), mem);
    }

    /// `xchg [mem], src` (always locked by the processor).
    pub fn xchg_mr(&mut self, wide: bool, mem: Mem, src: Reg) {
        self.op_rm(wide, false, &[0x87], src.number(), mem);
    }

    /// `lock cmpxchg [mem], src`: when `[mem]` equals rax (eax), `[mem] = src` and ZF is set;
    /// else rax (eax, zero-extended) gets `[mem]` and ZF is clear.
    pub fn lock_cmpxchg(&mut self, wide: bool, mem: Mem, src: Reg) {
        self.byte(LOCK);
        self.op_rm(wide, false, &[0x0f, 0xb1], src.number(), mem);
    }
}
