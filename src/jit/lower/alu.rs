//! Arithmetic and logic. Each op becomes a few host instructions with the interpreter's exact
//! semantics: wrapping arithmetic, shift amounts masked to the width (as x86 masks them),
//! 32-bit results zero-extended by the host or sign-extended with `movsxd` where the version
//! says so. Division checks for zero and for `MIN / -1` and hands over when either holds, so
//! the interpreter raises the error.

use super::{is_small, Lowering, GUEST};
use crate::interpreter::decode::{Code, Op};
use crate::jit::x86::alu::{AluOp, ShiftOp};
use crate::jit::x86::{Cond, Reg};

/// The second operand of a binary op.
#[derive(Clone, Copy)]
enum Operand {
    Reg(Reg),
    Imm(u64),
}

/// What a binary op computes.
#[derive(Clone, Copy)]
pub(super) enum Binary {
    /// A two-operand x86 op; `sign_extend` makes a 32-bit result 64-bit signed.
    Simple(AluOp, bool),
    Mov,
    Shift(ShiftOp),
    Mul {
        sign_extend: bool,
    },
    /// High 64 bits of the 128-bit product.
    MulHigh {
        signed: bool,
    },
    Div {
        signed: bool,
        remainder: bool,
    },
}

/// How a binary ALU code lowers: (operation, 64-bit, immediate form).
pub(super) type Shape = (Binary, bool, bool);

/// The shape of each binary ALU code.
#[inline]
pub(super) fn binary(code: Code) -> Option<Shape> {
    use Binary::*;
    use Code::*;
    let add = Simple(AluOp::Add, false);
    let sub = Simple(AluOp::Sub, false);
    let (udiv, urem) = (
        Div {
            signed: false,
            remainder: false,
        },
        Div {
            signed: false,
            remainder: true,
        },
    );
    let (sdiv, srem) = (
        Div {
            signed: true,
            remainder: false,
        },
        Div {
            signed: true,
            remainder: true,
        },
    );
    Some(match code {
        Add64 => (add, true, false),
        Add64Imm => (add, true, true),
        Sub64 => (sub, true, false),
        Sub64Imm => (sub, true, true),
        Mul64 | Lmul64 => (Mul { sign_extend: false }, true, false),
        Mul64Imm | Lmul64Imm => (Mul { sign_extend: false }, true, true),
        Div64 | Udiv64 => (udiv, true, false),
        Div64Imm | Udiv64Imm => (udiv, true, true),
        Mod64 | Urem64 => (urem, true, false),
        Mod64Imm | Urem64Imm => (urem, true, true),
        Or64 => (Simple(AluOp::Or, false), true, false),
        Or64Imm | Hor64Imm => (Simple(AluOp::Or, false), true, true),
        And64 => (Simple(AluOp::And, false), true, false),
        And64Imm => (Simple(AluOp::And, false), true, true),
        Xor64 => (Simple(AluOp::Xor, false), true, false),
        Xor64Imm => (Simple(AluOp::Xor, false), true, true),
        Lsh64 => (Shift(ShiftOp::Shl), true, false),
        Lsh64Imm => (Shift(ShiftOp::Shl), true, true),
        Rsh64 => (Shift(ShiftOp::Shr), true, false),
        Rsh64Imm => (Shift(ShiftOp::Shr), true, true),
        Arsh64 => (Shift(ShiftOp::Sar), true, false),
        Arsh64Imm => (Shift(ShiftOp::Sar), true, true),
        Mov64 => (Mov, true, false),
        Mov64Imm => (Mov, true, true),
        Uhmul64 => (MulHigh { signed: false }, true, false),
        Uhmul64Imm => (MulHigh { signed: false }, true, true),
        Shmul64 => (MulHigh { signed: true }, true, false),
        Shmul64Imm => (MulHigh { signed: true }, true, true),
        Sdiv64 => (sdiv, true, false),
        Sdiv64Imm => (sdiv, true, true),
        Srem64 => (srem, true, false),
        Srem64Imm => (srem, true, true),
        Add32Sext => (Simple(AluOp::Add, true), false, false),
        Add32SextImm => (Simple(AluOp::Add, true), false, true),
        Add32Zext => (add, false, false),
        Add32ZextImm => (add, false, true),
        Sub32Sext => (Simple(AluOp::Sub, true), false, false),
        Sub32SextImm => (Simple(AluOp::Sub, true), false, true),
        Sub32Zext => (sub, false, false),
        Sub32ZextImm => (sub, false, true),
        Mul32Sext => (Mul { sign_extend: true }, false, false),
        Mul32SextImm => (Mul { sign_extend: true }, false, true),
        Lmul32 => (Mul { sign_extend: false }, false, false),
        Lmul32Imm => (Mul { sign_extend: false }, false, true),
        Div32 | Udiv32 => (udiv, false, false),
        Div32Imm | Udiv32Imm => (udiv, false, true),
        Mod32 | Urem32 => (urem, false, false),
        Mod32Imm | Urem32Imm => (urem, false, true),
        Sdiv32 => (sdiv, false, false),
        Sdiv32Imm => (sdiv, false, true),
        Srem32 => (srem, false, false),
        Srem32Imm => (srem, false, true),
        Or32 => (Simple(AluOp::Or, false), false, false),
        Or32Imm => (Simple(AluOp::Or, false), false, true),
        And32 => (Simple(AluOp::And, false), false, false),
        And32Imm => (Simple(AluOp::And, false), false, true),
        Xor32 => (Simple(AluOp::Xor, false), false, false),
        Xor32Imm => (Simple(AluOp::Xor, false), false, true),
        Lsh32 => (Shift(ShiftOp::Shl), false, false),
        Lsh32Imm => (Shift(ShiftOp::Shl), false, true),
        Rsh32 => (Shift(ShiftOp::Shr), false, false),
        Rsh32Imm => (Shift(ShiftOp::Shr), false, true),
        Arsh32 => (Shift(ShiftOp::Sar), false, false),
        Arsh32Imm => (Shift(ShiftOp::Sar), false, true),
        Mov32 => (Mov, false, false),
        Mov32Imm => (Mov, false, true),
        _ => return None,
    })
}

impl Lowering<'_> {
    /// Lowers a binary ALU op of shape `shape`.
    pub(super) fn alu_binary(&mut self, pc: usize, op: &Op, (binary, wide, immediate): Shape) {
        let dst = GUEST[usize::from(op.dst)];
        let operand = if immediate {
            // 32-bit ops use the low half of the (already extended) immediate.
            Operand::Imm(if wide { op.imm } else { op.imm as u32 as u64 })
        } else {
            Operand::Reg(GUEST[usize::from(op.src)])
        };
        self.binary(pc, binary, wide, dst, operand);
    }

    /// Lowers a unary or other ALU op; false when the op is not one (the caller hands it over).
    pub(super) fn alu_unary(&mut self, pc: usize, op: &Op) -> bool {
        let dst = GUEST[usize::from(op.dst)];
        let src = GUEST[usize::from(op.src)];
        match op.code {
            Code::SubRev64Imm | Code::SubRev32ZextImm => {
                let wide = op.code == Code::SubRev64Imm;
                self.asm.neg(wide, dst);
                let value = if wide { op.imm } else { op.imm as u32 as u64 };
                self.binary(
                    pc,
                    Binary::Simple(AluOp::Add, false),
                    wide,
                    dst,
                    Operand::Imm(value),
                );
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

    /// `reg = operand` (nothing when it is already there).
    fn operand_into(&mut self, reg: Reg, operand: Operand) {
        match operand {
            Operand::Reg(src) => self.asm.mov_rr(true, reg, src),
            Operand::Imm(value) => self.immediate_into(reg, value),
        }
    }

    fn binary(&mut self, pc: usize, binary: Binary, wide: bool, dst: Reg, operand: Operand) {
        match binary {
            Binary::Simple(op, sign_extend) => {
                match operand {
                    Operand::Reg(src) => self.asm.alu_rr(wide, op, dst, src),
                    Operand::Imm(value) if is_small(value) && (wide || value < 0x80) => {
                        self.asm.alu_ri(wide, op, dst, value as i32);
                    }
                    Operand::Imm(value) if !wide && is_small(value as u32 as i32 as i64 as u64) => {
                        self.asm.alu_ri(wide, op, dst, value as u32 as i32);
                    }
                    Operand::Imm(value) => {
                        self.immediate_into(Reg::Rax, value);
                        self.asm.alu_rr(wide, op, dst, Reg::Rax);
                    }
                }
                if sign_extend {
                    self.asm.movsxd(dst, dst);
                }
            }
            Binary::Mov => match operand {
                Operand::Reg(src) => self.asm.mov_rr(wide, dst, src),
                Operand::Imm(value) => self.immediate_into(dst, value),
            },
            Binary::Shift(op) => match operand {
                Operand::Reg(src) => {
                    self.asm.mov_rr(true, Reg::Rcx, src);
                    self.asm.shift_cl(wide, op, dst);
                }
                Operand::Imm(value) => {
                    let mask = if wide { 63 } else { 31 };
                    self.asm
                        .shift_imm(wide, op, dst, (value as u32 & mask) as u8);
                }
            },
            Binary::Mul { sign_extend } => {
                let factor = match operand {
                    Operand::Reg(src) => src,
                    Operand::Imm(value) => {
                        self.immediate_into(Reg::Rax, value);
                        Reg::Rax
                    }
                };
                self.asm.imul_rr(wide, dst, factor);
                if sign_extend {
                    self.asm.movsxd(dst, dst);
                }
            }
            Binary::MulHigh { signed } => {
                self.operand_into(Reg::Rcx, operand);
                self.asm.mov_rr(true, Reg::Rax, dst);
                if signed {
                    self.asm.imul_wide(Reg::Rcx);
                } else {
                    self.asm.mul(Reg::Rcx);
                }
                self.asm.mov_rr(true, dst, Reg::Rdx);
            }
            Binary::Div { signed, remainder } => {
                self.divide(pc, signed, remainder, wide, dst, operand)
            }
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
}
