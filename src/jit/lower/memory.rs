//! Loads and stores with an inline bounds check against the slot's window; anything else (a
//! miss, a fault, the unaligned mapping's other regions, a stack gap) hands over to the
//! interpreter, which runs the full lookup and the access-violation hook.
//!
//! ```text
//! rdx = pc                           where the slow path resumes (the host executes it)
//! rax = base + off                   the guest address (wrapping, as the interpreter)
//! rcx = rax >> 32; if rcx >= 16 → slow
//! rcx <<= 5                          byte offset of the slot's window
//! rax -= window.vm_start             offset into the window (huge when below it)
//! rax += size; if carry → slow       offset + size, which must not wrap…
//! if rax > window.vm_len → slow      …and must fit
//! rax += window.host                 host address of the access's end
//! access [rax - size]
//! ```

use super::{is_small, Lowering, CTX, GUEST};
use crate::interpreter::decode::Op;
use crate::jit::context::{offsets, WINDOW_SLOTS};
use crate::jit::x86::alu::{AluOp, ShiftOp};
use crate::jit::x86::{Cond, Emitter, Mem, Reg};
use std::sync::OnceLock;

/// The bounds check from `rcx = rax` to `rax += window.host`, with its three exits (offsets
/// just past their rel32 fields) still unpatched.
struct BoundsCheck {
    bytes: Vec<u8>,
    exits: [usize; 3],
}

/// The check for `size` bytes against the load or store windows, encoded once per process by
/// the same encoder as everything else.
fn bounds_check(size: u8, store: bool) -> &'static BoundsCheck {
    static CHECKS: OnceLock<Vec<BoundsCheck>> = OnceLock::new();
    let checks = CHECKS.get_or_init(|| {
        let mut checks = Vec::new();
        for store in [false, true] {
            for size in [1u8, 2, 4, 8] {
                checks.push(encode_bounds_check(size, store));
            }
        }
        checks
    });
    let index = usize::from(store) * 4 + size.trailing_zeros() as usize;
    &checks[index.min(checks.len() - 1)]
}

fn encode_bounds_check(size: u8, store: bool) -> BoundsCheck {
    let windows = if store {
        offsets::STORES
    } else {
        offsets::LOADS
    };
    let mut asm = Emitter::new();
    asm.mov_rr(true, Reg::Rcx, Reg::Rax);
    asm.shift_imm(true, ShiftOp::Shr, Reg::Rcx, 32);
    asm.alu_ri(true, AluOp::Cmp, Reg::Rcx, WINDOW_SLOTS as i32);
    let outside_slots = asm.jcc(Cond::AboveEqual, None);
    asm.shift_imm(false, ShiftOp::Shl, Reg::Rcx, offsets::WINDOW_SHIFT);
    let field = |disp: i32| Mem {
        base: CTX,
        index: Some((Reg::Rcx, 1)),
        disp: windows + disp,
    };
    asm.alu_rm(AluOp::Sub, Reg::Rax, field(offsets::VM_START));
    asm.alu_ri(true, AluOp::Add, Reg::Rax, i32::from(size));
    let wrapped = asm.jcc(Cond::Below, None);
    asm.alu_rm(AluOp::Cmp, Reg::Rax, field(offsets::VM_LEN));
    let too_long = asm.jcc(Cond::Above, None);
    asm.alu_rm(AluOp::Add, Reg::Rax, field(offsets::HOST));
    BoundsCheck {
        bytes: asm.code,
        exits: [outside_slots, wrapped, too_long],
    }
}

impl Lowering<'_> {
    pub(super) fn load(&mut self, pc: usize, op: &Op, size: u8) {
        let address = self.translate(pc, GUEST[usize::from(op.src)], op, size, false);
        self.asm.load(size, GUEST[usize::from(op.dst)], address);
    }

    pub(super) fn store(&mut self, pc: usize, op: &Op, size: u8) {
        let address = self.translate(pc, GUEST[usize::from(op.dst)], op, size, true);
        self.asm.store(size, address, GUEST[usize::from(op.src)]);
    }

    pub(super) fn store_immediate(&mut self, pc: usize, op: &Op, size: u8) {
        let address = self.translate(pc, GUEST[usize::from(op.dst)], op, size, true);
        // rcx is free once the check is done.
        self.immediate_into(Reg::Rcx, op.imm);
        self.asm.store(size, address, Reg::Rcx);
    }

    /// Emits the bounds check of `size` bytes at `base + offset` against the load or store
    /// windows; returns the host operand to access. Every exit goes to the shared routine
    /// that leaves at the pc in rdx, loaded first.
    #[inline(always)]
    fn translate(&mut self, pc: usize, base: Reg, op: &Op, size: u8, store: bool) -> Mem {
        self.asm.mov_imm(Reg::Rdx, pc as u64);
        let offset = op.aux as i32;
        if is_small(offset as i64 as u64) {
            self.asm.lea(Reg::Rax, Mem::at(base, offset));
        } else {
            self.blinded_imm32(true, Reg::Rcx, offset);
            self.asm.lea(Reg::Rax, Mem::indexed(base, Reg::Rcx, 1));
        }
        // The check itself is the same bytes for every op of this size and table: copy them
        // and point its three exits at the shared routine.
        let check = bounds_check(size, store);
        let start = self.asm.offset();
        self.asm.bytes(&check.bytes);
        for exit in check.exits {
            self.asm.patch_rel32(start + exit, self.leave_at_rdx);
        }
        Mem::at(Reg::Rax, -i32::from(size))
    }
}
