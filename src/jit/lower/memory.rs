//! Loads and stores with an inline bounds check against the slot's window; a miss gets a second
//! chance in a shared routine that searches all of the slot's windows (the input's many
//! regions; clean buffers, whose dirty range it widens); anything else (a fault, a stack gap,
//! an address beyond the table's slots) hands over to the interpreter, which runs the full
//! lookup and the access-violation hook.
//!
//! ```text
//! rdx = pc                           where the slow path resumes (the host executes it)
//! rax = base + off                   the guest address (wrapping, as the interpreter)
//! rcx = rax >> 32; if rcx >= 16 → slow
//! rcx <<= 5                          byte offset of the slot's window
//! rax -= window.vm_start             offset into the window (huge when below it)
//! rax += size; if carry → second     offset + size, which must not wrap…
//! if rax > window.vm_len → second    …and must fit
//! rax += window.host                 host address of the access's end
//! access [rax - size]
//!
//! second (one routine per size and direction, `second_chance`):
//!   binary-search the slot's list for the window holding the access; none → slow
//!   (a clean buffer's store: widen its dirty range, take the dirty end as the window)
//!   put it in the slot's table entry, jump to the op's label: the check runs again and hits
//! ```

use super::recipe::Recipe;
use super::{is_small, len_if, Lowering, CTX, GUEST};
use crate::jit::context::{offsets, WINDOW_SLOTS};
use crate::jit::x86::alu::{mov_imm32_word, AluOp, ShiftOp};
use crate::jit::x86::operand::{lea_disp32_word, lea_indexed_word};
use crate::jit::x86::{Cond, Emitter, Mem, Reg, Window};
use crate::program::Op;
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

/// Index of the bounds check (and second-chance routine) of an access: `store * 4 + log2(size)`.
pub(super) fn check_index(size: u8, store: bool) -> usize {
    usize::from(store) << 2 | (size.trailing_zeros() as usize & 3)
}

/// The checks for every access size against the load windows, then the store windows (index
/// [`check_index`]), encoded once per process by the same encoder as everything else.
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
        disp: offsets::field(windows, disp),
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
        self.bounds_check(pc, GUEST[usize::from(op.dst)], op, size, true);
        // rcx is free once the check is done.
        self.immediate_into(Reg::Rcx, op.imm);
        self.asm.store(
            size,
            Mem::at(Reg::Rax, i32::from(size).wrapping_neg()),
            Reg::Rcx,
        );
    }

    /// Emits the bounds check of `size` bytes at `base + offset` (the op's) against the load or
    /// store windows: rax holds the host address of the access's end after it (see
    /// [`Lowering::translate`]).
    pub(super) fn bounds_check(&mut self, pc: usize, base: Reg, op: &Op, size: u8, store: bool) {
        let translate = self.translate(pc, base, op, size, store);
        self.asm.window(|code| translate.write(code));
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
            check: &self.bounds_checks[check_index(size, store)],
            slow_path: self.leave_at_rdx,
            second_chance: self.second_chances[check_index(size, store)],
        }
    }
}

impl Lowering<'_> {
    /// Emits the eight second-chance routines (one per access size and direction) and records
    /// where they start.
    pub(super) fn second_chance_routines(&mut self) {
        for index in 0..self.second_chances.len() {
            self.second_chances[index] = self.asm.offset();
            self.second_chance(1 << (index % 4), index >= 4);
        }
    }

    /// The routine the bounds check jumps to when the slot's window misses: it searches the
    /// slot's list for the window that holds the access and, when one does, makes it the slot's
    /// window and goes back to the op's label, whose check then hits; else it leaves at the pc.
    ///
    /// ```text
    /// entry: rax = addr - window.vm_start + size (wrapping), rcx = slot << 5, rdx = pc
    /// context.pc = rdx                        (rdx becomes the list cursor)
    /// rax = addr; rdx, rcx = list.windows, list.count; if rcx == 0 → leave
    /// push rbx
    /// while rcx > 1:                          binary search: the last window starting ≤ addr
    ///     rbx = (rcx >> 1) << 5
    ///     if rdx[rbx].vm_start <= addr: rdx += rbx; rcx -= rcx >> 1  else: rcx >>= 1
    /// pop rbx
    /// rcx = addr - rdx.vm_start; if borrow → leave
    /// rcx += size; if rcx > rdx.vm_len → leave
    /// table[addr >> 32] = *rdx; jmp targets[pc]  (the check runs again and hits)
    /// leave: rdx = context.pc; jmp leave-at-rdx
    /// ```
    ///
    /// The hit condition is the bounds check's own (same arithmetic, no wrap for addresses of
    /// the table's slots), so going back cannot loop; nothing before an access's check has an
    /// effect, so running the op again from its label is exact.
    fn second_chance(&mut self, size: u8, store: bool) {
        let (table, lists) = if store {
            (offsets::STORES, offsets::STORE_LISTS)
        } else {
            (offsets::LOADS, offsets::LOAD_LISTS)
        };
        let size = i32::from(size);
        let at = |base: Reg, index: Reg, disp: i32| Mem {
            base,
            index: Some((index, 1)),
            disp,
        };
        let asm = &mut self.asm;
        asm.store(8, Mem::at(CTX, offsets::PC), Reg::Rdx);
        asm.alu_rm(
            AluOp::Add,
            Reg::Rax,
            at(CTX, Reg::Rcx, table + offsets::VM_START),
        );
        asm.alu_ri(true, AluOp::Sub, Reg::Rax, size);
        asm.shift_imm(false, ShiftOp::Shr, Reg::Rcx, 1);
        asm.load(
            8,
            Reg::Rdx,
            at(CTX, Reg::Rcx, lists + offsets::LIST_WINDOWS),
        );
        asm.load(
            8,
            Reg::Rcx,
            at(CTX, Reg::Rcx, offsets::field(lists, offsets::LIST_COUNT)),
        );
        asm.test_rr(true, Reg::Rcx, Reg::Rcx);
        let empty = asm.jcc(Cond::Equal, None);
        asm.push(Reg::Rbx);
        let search = asm.offset();
        asm.alu_ri(true, AluOp::Cmp, Reg::Rcx, 1);
        let found = asm.jcc(Cond::BelowEqual, None);
        asm.mov_rr(true, Reg::Rbx, Reg::Rcx);
        asm.shift_imm(true, ShiftOp::Shr, Reg::Rbx, 1);
        asm.shift_imm(true, ShiftOp::Shl, Reg::Rbx, offsets::WINDOW_SHIFT);
        asm.alu_mr(
            AluOp::Cmp,
            at(Reg::Rdx, Reg::Rbx, offsets::VM_START),
            Reg::Rax,
        );
        let lower_half = asm.jcc(Cond::Above, None);
        asm.alu_rr(true, AluOp::Add, Reg::Rdx, Reg::Rbx);
        asm.shift_imm(true, ShiftOp::Shr, Reg::Rbx, offsets::WINDOW_SHIFT);
        asm.alu_rr(true, AluOp::Sub, Reg::Rcx, Reg::Rbx);
        asm.jmp(Some(search));
        let here = asm.offset();
        asm.patch_rel32(lower_half, here);
        asm.shift_imm(true, ShiftOp::Shr, Reg::Rbx, offsets::WINDOW_SHIFT);
        asm.mov_rr(true, Reg::Rcx, Reg::Rbx);
        asm.jmp(Some(search));
        let here = asm.offset();
        asm.patch_rel32(found, here);
        asm.pop(Reg::Rbx);
        asm.mov_rr(true, Reg::Rcx, Reg::Rax);
        asm.alu_rm(AluOp::Sub, Reg::Rcx, Mem::at(Reg::Rdx, offsets::VM_START));
        let below = asm.jcc(Cond::Below, None);
        asm.alu_ri(true, AluOp::Add, Reg::Rcx, size);
        asm.alu_rm(AluOp::Cmp, Reg::Rcx, Mem::at(Reg::Rdx, offsets::VM_LEN));
        let too_long = asm.jcc(Cond::Above, None);
        let clean = store.then(|| {
            asm.alu_mi(AluOp::Cmp, Mem::at(Reg::Rdx, offsets::DIRTY), 0);
            asm.jcc(Cond::NotEqual, None)
        });
        asm.mov_rr(true, Reg::Rcx, Reg::Rax);
        asm.shift_imm(true, ShiftOp::Shr, Reg::Rcx, 32);
        asm.shift_imm(false, ShiftOp::Shl, Reg::Rcx, offsets::WINDOW_SHIFT);
        for field in [offsets::VM_START, offsets::VM_LEN, offsets::HOST] {
            asm.load(8, Reg::Rax, Mem::at(Reg::Rdx, field));
            asm.store(8, at(CTX, Reg::Rcx, offsets::field(table, field)), Reg::Rax);
        }
        let back = asm.offset();
        asm.load(8, Reg::Rdx, Mem::at(CTX, offsets::PC));
        asm.load(8, Reg::Rax, Mem::at(CTX, offsets::TARGETS));
        asm.jmp_mem(Mem {
            base: Reg::Rax,
            index: Some((Reg::Rdx, 8)),
            disp: 0,
        });
        if let Some(clean) = clean {
            let here = asm.offset();
            asm.patch_rel32(clean, here);
            clean_store_window(asm, size, back);
        }
        let leave = asm.offset();
        for exit in [empty, below, too_long] {
            asm.patch_rel32(exit, leave);
        }
        asm.load(8, Reg::Rdx, Mem::at(CTX, offsets::PC));
        asm.jmp(Some(self.leave_at_rdx));
    }
}

/// The second chance's store into a clean buffer: widen the buffer's dirty range over the
/// access exactly as [`crate::memory::DirtyRange::cover`] does, put the dirty end that holds
/// the access in the store table, and go `back`.
///
/// ```text
/// entry: rax = addr, rcx = end = offset + size, rdx = the list's window (its region's)
/// push rbx, rsi; rbx = window.dirty; rsi = offset
/// if end <= low: prefix        if offset >= high: suffix
/// if end - low <= high - offset: low = min(round_up(end), len); met if low >= high; prefix
/// else:                          high = round_down(offset);      met if high <= low; suffix
/// met: low = high = len; prefix
/// prefix: rsi = 0, rcx = low   suffix: rsi = high, rcx = len - high
/// table[window.vm_start >> 32] = { vm_start + rsi, rcx, host + rsi }; pop rsi, rbx; → back
/// ```
///
/// The window's slot is the access's: a slot's list holds only windows that start in it.
fn clean_store_window(asm: &mut Emitter, size: i32, back: usize) {
    // A small power of two: `granule - 1` (the mask of the bits below it) and `-granule` (the
    // mask that rounds down) do not wrap.
    let granule = crate::memory::DIRTY_GRANULE as i32;
    let dirty = |field: i32| Mem::at(Reg::Rbx, field);
    let window = |field: i32| Mem::at(Reg::Rdx, field);
    asm.push(Reg::Rbx);
    asm.push(Reg::Rsi);
    asm.load(8, Reg::Rbx, window(offsets::DIRTY));
    asm.mov_rr(true, Reg::Rsi, Reg::Rcx);
    asm.alu_ri(true, AluOp::Sub, Reg::Rsi, size);
    asm.alu_rm(AluOp::Cmp, Reg::Rcx, dirty(offsets::DIRTY_LOW));
    let in_prefix = asm.jcc(Cond::BelowEqual, None);
    asm.alu_rm(AluOp::Cmp, Reg::Rsi, dirty(offsets::DIRTY_HIGH));
    let in_suffix = asm.jcc(Cond::AboveEqual, None);
    // Which end is nearer: end - low against high - offset.
    asm.mov_rr(true, Reg::Rax, Reg::Rcx);
    asm.alu_rm(AluOp::Sub, Reg::Rax, dirty(offsets::DIRTY_LOW));
    asm.neg(true, Reg::Rsi);
    asm.alu_rm(AluOp::Add, Reg::Rsi, dirty(offsets::DIRTY_HIGH));
    asm.alu_rr(true, AluOp::Cmp, Reg::Rax, Reg::Rsi);
    let widen_suffix = asm.jcc(Cond::Above, None);
    asm.alu_ri(true, AluOp::Add, Reg::Rcx, granule.wrapping_sub(1));
    asm.alu_ri(true, AluOp::And, Reg::Rcx, granule.wrapping_neg());
    asm.alu_rm(AluOp::Cmp, Reg::Rcx, window(offsets::VM_LEN));
    let within = asm.jcc(Cond::BelowEqual, None);
    asm.load(8, Reg::Rcx, window(offsets::VM_LEN));
    let here = asm.offset();
    asm.patch_rel32(within, here);
    asm.alu_rm(AluOp::Cmp, Reg::Rcx, dirty(offsets::DIRTY_HIGH));
    let prefix_met = asm.jcc(Cond::AboveEqual, None);
    asm.store(8, dirty(offsets::DIRTY_LOW), Reg::Rcx);
    let widened_prefix = asm.jmp(None);
    let here = asm.offset();
    asm.patch_rel32(widen_suffix, here);
    asm.alu_ri(true, AluOp::Sub, Reg::Rcx, size);
    asm.alu_ri(true, AluOp::And, Reg::Rcx, granule.wrapping_neg());
    asm.alu_rm(AluOp::Cmp, Reg::Rcx, dirty(offsets::DIRTY_LOW));
    let suffix_met = asm.jcc(Cond::BelowEqual, None);
    asm.store(8, dirty(offsets::DIRTY_HIGH), Reg::Rcx);
    let widened_suffix = asm.jmp(None);
    let met = asm.offset();
    asm.patch_rel32(prefix_met, met);
    asm.patch_rel32(suffix_met, met);
    asm.load(8, Reg::Rcx, window(offsets::VM_LEN));
    asm.store(8, dirty(offsets::DIRTY_LOW), Reg::Rcx);
    asm.store(8, dirty(offsets::DIRTY_HIGH), Reg::Rcx);
    let prefix = asm.offset();
    for jump in [in_prefix, widened_prefix] {
        asm.patch_rel32(jump, prefix);
    }
    asm.mov_imm(Reg::Rsi, 0);
    asm.load(8, Reg::Rcx, dirty(offsets::DIRTY_LOW));
    let set = asm.jmp(None);
    let suffix = asm.offset();
    for jump in [in_suffix, widened_suffix] {
        asm.patch_rel32(jump, suffix);
    }
    asm.load(8, Reg::Rsi, dirty(offsets::DIRTY_HIGH));
    asm.load(8, Reg::Rcx, window(offsets::VM_LEN));
    asm.alu_rr(true, AluOp::Sub, Reg::Rcx, Reg::Rsi);
    let here = asm.offset();
    asm.patch_rel32(set, here);
    let table = |field: i32| Mem {
        base: CTX,
        index: Some((Reg::Rax, 1)),
        disp: offsets::field(offsets::STORES, field),
    };
    asm.load(8, Reg::Rax, window(offsets::VM_START));
    asm.shift_imm(true, ShiftOp::Shr, Reg::Rax, 32);
    asm.shift_imm(false, ShiftOp::Shl, Reg::Rax, offsets::WINDOW_SHIFT);
    asm.store(8, table(offsets::VM_LEN), Reg::Rcx);
    for field in [offsets::VM_START, offsets::HOST] {
        asm.load(8, Reg::Rbx, window(field));
        asm.alu_rr(true, AluOp::Add, Reg::Rbx, Reg::Rsi);
        asm.store(8, table(field), Reg::Rbx);
    }
    asm.pop(Reg::Rsi);
    asm.pop(Reg::Rbx);
    asm.jmp(Some(back));
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
    second_chance: usize,
}

impl Translate {
    #[inline(always)]
    fn write(&self, code: &mut Window) {
        code.put(self.pc.0, self.pc.1);
        code.put(self.load, len_if(self.blinded, 7));
        code.put(self.unmask, len_if(self.blinded, 7));
        code.put(self.address.0, self.address.1);
        // The check itself is the same bytes for every op of this size and table: copy them
        // and point its exits at the shared routines.
        let start = code.len();
        code.template(&self.check.bytes, self.check.len);
        // Offsets inside a code window (a few hundred bytes): the sums do not wrap.
        let [outside_slots, wrapped, too_long] =
            self.check.exits.map(|exit| start.wrapping_add(exit));
        code.patch_rel32(outside_slots, self.slow_path);
        code.patch_rel32(wrapped, self.second_chance);
        code.patch_rel32(too_long, self.second_chance);
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
