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

use super::recipe::Recipe;
use super::{is_small, Lowering, CTX, GUEST};
use crate::interpreter::decode::Op;
use crate::jit::context::{offsets, WINDOW_SLOTS};
use crate::jit::x86::alu::{mov_imm32_word, AluOp, ShiftOp};
use crate::jit::x86::operand::{lea_disp32_word, lea_indexed_word};
use crate::jit::x86::{Cond, Emitter, Mem, Reg, Window};
use std::sync::OnceLock;

/// The bounds check from `rcx = rax` to `rax += window.host`, with its three exits (offsets
/// just past their rel32 fields) still unpatched.
pub(super) struct BoundsCheck {
    /// The bytes, zero-padded to a fixed size (copied whole, then cut to `len`: a fixed-size
    /// copy is a few vector moves where a variable one is a call).
    bytes: [u8; CHECK_CAPACITY],
    len: usize,
    exits: [usize; 3],
}

/// rcx's register number.
const RCX: u8 = Reg::Rcx.number();

/// Room for a bounds check's bytes (it takes 60).
const CHECK_CAPACITY: usize = 64;

/// The checks for every access size against the load windows, then the store windows (index
/// `store * 4 + log2(size)`), encoded once per process by the same encoder as everything else.
pub(super) fn bounds_checks() -> &'static [BoundsCheck; 8] {
    static CHECKS: OnceLock<[BoundsCheck; 8]> = OnceLock::new();
    CHECKS.get_or_init(|| {
        std::array::from_fn(|index| encode_bounds_check(1 << (index % 4), index >= 4))
    })
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
    let mut bytes = [0; CHECK_CAPACITY];
    let len = asm.code().len().min(CHECK_CAPACITY);
    bytes[..len].copy_from_slice(&asm.code()[..len]);
    BoundsCheck {
        bytes,
        len,
        exits: [outside_slots, wrapped, too_long],
    }
}

impl Lowering<'_> {
    /// A load or store of a register: one path for every size and direction (the recipe's
    /// opcode and prefixes are data).
    #[inline(always)]
    /// Writes a no-op of `pad` bytes first; returns the op's label (its code offset).
    pub(super) fn memory(&mut self, pc: usize, op: &Op, recipe: &Recipe, pad: usize) -> usize {
        let (base, value) = if recipe.store {
            (op.dst, op.src)
        } else {
            (op.src, op.dst)
        };
        let size = recipe.size;
        let (access, access_len) = recipe.access.with(GUEST[usize::from(value)]);
        let translate = self.translate(pc, GUEST[usize::from(base)], op, size, recipe.store);
        self.asm.window(|code| {
            code.nop_up_to_4(pad);
            let label = code.offset();
            translate.write(code);
            code.put(access, access_len);
            label
        })
    }

    pub(super) fn store_immediate(&mut self, pc: usize, op: &Op, size: u8) {
        let translate = self.translate(pc, GUEST[usize::from(op.dst)], op, size, true);
        self.asm.window(|code| translate.write(code));
        // rcx is free once the check is done.
        self.immediate_into(Reg::Rcx, op.imm);
        self.asm
            .store(size, Mem::at(Reg::Rax, -i32::from(size)), Reg::Rcx);
    }

    /// The bounds check of `size` bytes at `base + offset` against the load or store windows,
    /// ready to write: it leaves the host address of the access's end in rax. Every exit goes
    /// to the shared routine that leaves at the pc in rdx, loaded first. No branch on the
    /// offset: the blinded form's extra instructions are written with length 0 when it is
    /// small.
    #[inline(always)]
    fn translate(&self, pc: usize, base: Reg, op: &Op, size: u8, store: bool) -> Translate {
        let offset = op.aux as i32;
        let blinded = !is_small(offset as i64 as u64);
        let (load, unmask) = self.blinded_words(true, RCX, offset);
        let address = if blinded {
            lea_indexed_word(Reg::Rax, base, Reg::Rcx)
        } else {
            lea_disp32_word(Reg::Rax, base, offset)
        };
        Translate {
            pc: mov_imm32_word(Reg::Rdx, pc as u32),
            blinded,
            load,
            unmask,
            address,
            check: &self.bounds_checks
                [usize::from(store) * 4 + (size.trailing_zeros() as usize & 3)],
            slow_path: self.leave_at_rdx,
        }
    }
}

/// A bounds check, its instructions built and ready to write.
struct Translate {
    /// `mov edx, pc`.
    pc: (u64, u32),
    blinded: bool,
    load: u64,
    unmask: u64,
    address: (u64, u32),
    check: &'static BoundsCheck,
    slow_path: usize,
}

impl Translate {
    #[inline(always)]
    fn write(&self, code: &mut Window) {
        code.put(self.pc.0, self.pc.1);
        code.put(self.load, 7 * u32::from(self.blinded));
        code.put(self.unmask, 7 * u32::from(self.blinded));
        code.put(self.address.0, self.address.1);
        // The check itself is the same bytes for every op of this size and table: copy them
        // and point its three exits at the shared routine.
        let start = code.len();
        code.template(&self.check.bytes, self.check.len);
        for exit in self.check.exits {
            code.patch_rel32(start + exit, self.slow_path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bounds_check_fits_its_fixed_size_copy() {
        for store in [false, true] {
            for size in [1u8, 2, 4, 8] {
                let check = encode_bounds_check(size, store);
                assert!(check.len < CHECK_CAPACITY, "{size} {store}: {}", check.len);
                assert!(check.exits.iter().all(|exit| *exit <= check.len));
            }
        }
    }
}
