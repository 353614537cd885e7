//! Arithmetic and logic. Each op becomes a few host instructions with the interpreter's exact
//! semantics: wrapping arithmetic, shift amounts masked to the width (as x86 masks them),
//! 32-bit results zero-extended by the host or sign-extended with `movsxd` where the version
//! says so. Division checks for zero and for `MIN / -1` and hands over when either holds, so
//! the interpreter raises the error — except eBPF's total division, which never faults and
//! never hands over (RFC 9669 §4.1): x86's `div`/`idiv` trap on a zero divisor and `idiv` on
//! `MIN / -1`, so both divisors are branched around:
//!
//! ```text
//! rcx = divisor;  test rcx, rcx; je zero       (an immediate divisor is decided here instead)
//! [signed] cmp rcx, -1; je minus_one
//! rax = dst; cqo|cdq (signed) or edx = 0; idiv|div rcx; dst = rax|rdx; jmp done
//! minus_one: quotient: neg dst (MIN stays MIN)   remainder: dst = 0
//! zero:      quotient: dst = 0                   remainder: dst (32-bit: its low half)
//! done:
//! ```

use super::recipe::Form;
use super::recipe::Recipe;
use super::{is_small, len_if, Lowering, GUEST};
use crate::jit::x86::alu::AluOp;
use crate::jit::x86::operand::rr3;
use crate::jit::x86::{Cond, Reg};
use crate::program::{Code, Op};

/// The second operand of a binary op.
#[derive(Clone, Copy)]
enum Operand {
    Reg(Reg),
    Imm(u64),
}

/// rax's register number.
const RAX: u8 = Reg::Rax.number();

/// An immediate emitted in the clear: at most one byte an attacker chooses (the value as a
/// signed 32-bit number, which is what the instruction sign- or zero-extends).
#[inline(always)]
fn is_small32(value: i32) -> bool {
    is_small(i64::from(value) as u64)
}

impl Lowering<'_> {
    /// `op dst, src|imm` for every `Alu` recipe, without a branch on the op or its operands:
    ///
    /// ```text
    /// [mov rax, imm ^ key; xor rax, key]   only when the immediate is blinded (else 0 bytes)
    /// op dst, src|rax    or    op dst, imm8|imm32
    /// [movsxd dst, dst]                    only when the recipe sign-extends
    /// ```
    ///
    /// Every candidate instruction is built in a register and the unwanted ones are written
    /// with length 0: cheaper than the mispredicted branches a mixed op stream would cause.
    #[inline(always)]
    /// Writes a no-op of `pad` bytes first; returns the op's label (its code offset).
    pub(super) fn alu(&mut self, op: &Op, recipe: &Recipe, pad: usize) -> usize {
        let wide = recipe.wide;
        let dst = GUEST[usize::from(op.dst)].number();
        // 64-bit forms hold a sign-extended 32-bit immediate; 32-bit forms use the low half.
        let value = (op.imm as u32 & recipe.imm_mask) as i32;
        let clear = recipe.immediate && (recipe.never_blinded || is_small32(value));
        let blinded = recipe.immediate && !clear;
        // Fixed-length forms (REX always present): no lengths to compute but these.
        let (load, unmask) = self.blinded_words(wide, RAX, value);
        let short = recipe.has_short && (-128..=127).contains(&value);
        let (opcode, reg, immediate, len) = match (clear, short) {
            (true, true) => (recipe.imm_short, recipe.imm_digit, value as u8 as u64, 4),
            (true, false) => (recipe.imm_long, recipe.imm_digit, value as u32 as u64, 7),
            (false, _) if blinded => (recipe.opcode, RAX, 0, 3),
            (false, _) => (recipe.opcode, GUEST[usize::from(op.src)].number(), 0, 3),
        };
        let main = rr3(wide, opcode, reg, dst) | immediate << 24;
        let extend = rr3(true, 0x63, dst, dst);
        self.asm.window(|code| {
            code.nop_up_to_4(pad);
            let label = code.offset();
            code.put(load, len_if(blinded, 7));
            code.put(unmask, len_if(blinded, 7));
            code.put(main, len);
            code.put(extend, len_if(recipe.sign_extend, 3));
            label
        })
    }

    /// `op dst, value` (sign-extended when wide).
    #[inline(always)]
    fn op_imm32(&mut self, wide: bool, alu: AluOp, dst: Reg, value: i32) {
        if is_small32(value) {
            self.asm.alu_ri(wide, alu, dst, value);
        } else {
            self.blinded_imm32(wide, Reg::Rax, value);
            self.asm.alu_rr(wide, alu, dst, Reg::Rax);
        }
    }

    /// `reg = value` through the key: sign-extended to 64 bits when `wide`, else zero-extended
    /// from 32.
    pub(super) fn blinded_imm32(&mut self, wide: bool, reg: Reg, value: i32) {
        let (load, unmask) = self.blinded_words(wide, reg.number(), value);
        self.asm.put(load, 7);
        self.asm.put(unmask, 7);
    }

    /// The two 7-byte instructions that set register `reg` to `value` without `value` in the
    /// clear: `mov reg, value ^ key` then `xor reg, key` (key: the low half of the
    /// compilation's key). 64-bit when `wide` (`c7 /0` sign-extends, and sign extension
    /// commutes with xor), else 32-bit (zero-extended).
    #[inline(always)]
    pub(super) fn blinded_words(&self, wide: bool, reg: u8, value: i32) -> (u64, u64) {
        let key32 = self.key as u32;
        (
            rr3(wide, 0xc7, 0, reg) | u64::from(value as u32 ^ key32) << 24,
            rr3(wide, 0x81, AluOp::Xor as u8, reg) | u64::from(key32) << 24,
        )
    }

    /// Shifts, products, quotients: the less common binary ops.
    pub(super) fn alu_other(&mut self, pc: usize, op: &Op, recipe: &Recipe) {
        let dst = GUEST[usize::from(op.dst)];
        let wide = recipe.wide;
        let operand = if recipe.immediate {
            // 32-bit ops use the low half of the (already extended) immediate.
            Operand::Imm(if wide { op.imm } else { op.imm as u32 as u64 })
        } else {
            Operand::Reg(GUEST[usize::from(op.src)])
        };
        match recipe.form {
            Form::ShiftReg => {
                self.asm.mov_rr(true, Reg::Rcx, GUEST[usize::from(op.src)]);
                self.asm.shift_cl(wide, recipe.shift, dst);
            }
            Form::Mul => {
                let factor = match operand {
                    Operand::Reg(src) => src,
                    Operand::Imm(value) => {
                        self.immediate_into(Reg::Rax, value);
                        Reg::Rax
                    }
                };
                self.asm.imul_rr(wide, dst, factor);
                if recipe.sign_extend {
                    self.asm.movsxd(dst, dst);
                }
            }
            Form::MulHigh => {
                self.operand_into(Reg::Rcx, operand);
                self.asm.mov_rr(true, Reg::Rax, dst);
                if recipe.signed {
                    self.asm.imul_wide(Reg::Rcx);
                } else {
                    self.asm.mul(Reg::Rcx);
                }
                self.asm.mov_rr(true, dst, Reg::Rdx);
            }
            _ if recipe.total => {
                self.divide_total(recipe.signed, recipe.remainder, wide, dst, operand)
            }
            _ => self.divide(pc, recipe.signed, recipe.remainder, wide, dst, operand),
        }
    }

    /// `dst = sign-extended low recipe.size bytes of src` (eBPF `movsx`; a 32-bit result is
    /// zero-extended by the host).
    pub(super) fn sign_extend(&mut self, op: &Op, recipe: &Recipe) {
        let dst = GUEST[usize::from(op.dst)];
        let src = GUEST[usize::from(op.src)];
        self.asm.movsx(recipe.wide, recipe.size, dst, src);
    }

    /// Lowers a unary or other ALU op; false when the op is not one (the caller hands it over).
    pub(super) fn alu_unary(&mut self, op: &Op) -> bool {
        let dst = GUEST[usize::from(op.dst)];
        let src = GUEST[usize::from(op.src)];
        match op.code {
            Code::SubRev64Imm | Code::SubRev32ZextImm => {
                let wide = op.code == Code::SubRev64Imm;
                self.asm.neg(wide, dst);
                self.op_imm32(wide, AluOp::Add, dst, op.imm as u32 as i32);
            }
            Code::Hor64Imm => {
                // The immediate is stored pre-shifted: a full 64-bit constant.
                self.immediate_into(Reg::Rax, op.imm);
                self.asm.alu_rr(true, AluOp::Or, dst, Reg::Rax);
            }
            Code::Mov32Sext => self.asm.movsxd(dst, src),
            Code::Neg64 => self.asm.neg(true, dst),
            Code::Neg32 => self.asm.neg(false, dst),
            Code::Le16 => self.asm.movzx16(dst, dst),
            Code::Le32 => self.asm.mov_rr(false, dst, dst),
            Code::Le64 => {}
            Code::Be16 => {
                self.asm.rol16_8(dst);
                self.asm.movzx16(dst, dst);
            }
            Code::Be32 => self.asm.bswap(false, dst),
            Code::Be64 => self.asm.bswap(true, dst),
            _ => return false,
        }
        true
    }

    /// `reg = operand`.
    fn operand_into(&mut self, reg: Reg, operand: Operand) {
        match operand {
            Operand::Reg(src) => self.asm.mov_rr(true, reg, src),
            Operand::Imm(value) => self.immediate_into(reg, value),
        }
    }

    /// Division and remainder; faults hand over to the interpreter.
    fn divide(
        &mut self,
        pc: usize,
        signed: bool,
        remainder: bool,
        wide: bool,
        dst: Reg,
        operand: Operand,
    ) {
        let width_mask = if wide { u64::MAX } else { u64::from(u32::MAX) };
        if let Operand::Imm(value) = operand {
            if value & width_mask == 0 {
                self.hand_over(pc);
                return;
            }
        }
        self.operand_into(Reg::Rcx, operand);
        if let Operand::Reg(_) = operand {
            self.asm.test_rr(wide, Reg::Rcx, Reg::Rcx);
            self.hand_over_if(Cond::Equal, pc);
        }
        if signed {
            let may_be_minus_one = match operand {
                Operand::Imm(value) => value & width_mask == width_mask,
                Operand::Reg(_) => true,
            };
            if may_be_minus_one {
                // MIN / -1 overflows: the interpreter reports it.
                let skip = match operand {
                    Operand::Reg(_) => {
                        self.asm.alu_ri(wide, AluOp::Cmp, Reg::Rcx, -1);
                        Some(self.asm.jcc(Cond::NotEqual, None))
                    }
                    Operand::Imm(_) => None,
                };
                if wide {
                    self.asm.mov_imm(Reg::Rax, i64::MIN as u64);
                    self.asm.alu_rr(true, AluOp::Cmp, dst, Reg::Rax);
                } else {
                    self.asm.alu_ri(false, AluOp::Cmp, dst, i32::MIN);
                }
                self.hand_over_if(Cond::Equal, pc);
                if let Some(skip) = skip {
                    let here = self.asm.offset();
                    self.asm.patch_rel32(skip, here);
                }
            }
        }
        self.quotient(signed, remainder, wide, dst);
    }

    /// `dst = dst / rcx` (or `%`), the divisor known not to fault.
    fn quotient(&mut self, signed: bool, remainder: bool, wide: bool, dst: Reg) {
        self.asm.mov_rr(wide, Reg::Rax, dst);
        if signed {
            self.asm.sign_extend_rax(wide);
            self.asm.idiv(wide, Reg::Rcx);
        } else {
            self.asm.alu_rr(false, AluOp::Xor, Reg::Rdx, Reg::Rdx);
            self.asm.div(wide, Reg::Rcx);
        }
        let result = if remainder { Reg::Rdx } else { Reg::Rax };
        self.asm.mov_rr(wide, dst, result);
    }

    /// Total division (eBPF): `x / 0 = 0`, `x % 0 = x`, `MIN / -1 = MIN`, `MIN % -1 = 0`, at
    /// the width (a 32-bit result zero-extended); see the module doc for the code.
    fn divide_total(
        &mut self,
        signed: bool,
        remainder: bool,
        wide: bool,
        dst: Reg,
        operand: Operand,
    ) {
        let width_mask = if wide { u64::MAX } else { u64::from(u32::MAX) };
        let src = match operand {
            Operand::Imm(value) if value & width_mask == 0 => {
                self.divided_by_zero(remainder, wide, dst);
                return;
            }
            Operand::Imm(value) if signed && value & width_mask == width_mask => {
                self.divided_by_minus_one(remainder, wide, dst);
                return;
            }
            Operand::Imm(value) => {
                self.immediate_into(Reg::Rcx, value);
                self.quotient(signed, remainder, wide, dst);
                return;
            }
            Operand::Reg(src) => src,
        };
        self.asm.mov_rr(true, Reg::Rcx, src);
        self.asm.test_rr(wide, Reg::Rcx, Reg::Rcx);
        let zero = self.asm.jcc(Cond::Equal, None);
        let minus_one = signed.then(|| {
            self.asm.alu_ri(wide, AluOp::Cmp, Reg::Rcx, -1);
            self.asm.jcc(Cond::Equal, None)
        });
        self.quotient(signed, remainder, wide, dst);
        let mut done = Vec::with_capacity(2);
        if let Some(minus_one) = minus_one {
            done.push(self.asm.jmp(None));
            let here = self.asm.offset();
            self.asm.patch_rel32(minus_one, here);
            self.divided_by_minus_one(remainder, wide, dst);
        }
        // A 64-bit remainder by zero leaves dst as it is: nothing to emit, nothing to jump over.
        let zero_case = !remainder || !wide;
        if zero_case {
            done.push(self.asm.jmp(None));
        }
        let here = self.asm.offset();
        self.asm.patch_rel32(zero, here);
        if zero_case {
            self.divided_by_zero(remainder, wide, dst);
        }
        let here = self.asm.offset();
        for jump in done {
            self.asm.patch_rel32(jump, here);
        }
    }

    /// `dst / 0 = 0`, `dst % 0 = dst` (a 32-bit one: its low half, zero-extended).
    fn divided_by_zero(&mut self, remainder: bool, wide: bool, dst: Reg) {
        match (remainder, wide) {
            (false, _) => self.asm.alu_rr(false, AluOp::Xor, dst, dst),
            (true, false) => self.asm.mov_rr(false, dst, dst),
            (true, true) => {}
        }
    }

    /// `dst / -1 = -dst` (wrapping: `MIN` stays `MIN`), `dst % -1 = 0`.
    fn divided_by_minus_one(&mut self, remainder: bool, wide: bool, dst: Reg) {
        if remainder {
            self.asm.alu_rr(false, AluOp::Xor, dst, dst);
        } else {
            self.asm.neg(wide, dst);
        }
    }
}
