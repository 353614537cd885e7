//! Moves, arithmetic, logic, shifts, multiply and divide.

use super::operand::{Mem, Reg};
use super::Emitter;

/// Two-operand ALU operations that share the `op r/m, r` and `81 /digit` encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AluOp {
    /// add
    Add,
    /// or
    Or,
    /// and
    And,
    /// sub
    Sub,
    /// xor
    Xor,
    /// cmp
    Cmp,
}

impl AluOp {
    const fn rr_opcode(self) -> u8 {
        match self {
            AluOp::Add => 0x01,
            AluOp::Or => 0x09,
            AluOp::And => 0x21,
            AluOp::Sub => 0x29,
            AluOp::Xor => 0x31,
            AluOp::Cmp => 0x39,
        }
    }
    const fn digit(self) -> u8 {
        match self {
            AluOp::Add => 0,
            AluOp::Or => 1,
            AluOp::And => 4,
            AluOp::Sub => 5,
            AluOp::Xor => 6,
            AluOp::Cmp => 7,
        }
    }
}

/// Shifts (`D3 /digit` by cl, `C1 /digit ib` by an immediate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftOp {
    /// shl
    Shl,
    /// shr
    Shr,
    /// sar
    Sar,
}

impl ShiftOp {
    const fn digit(self) -> u8 {
        match self {
            ShiftOp::Shl => 4,
            ShiftOp::Shr => 5,
            ShiftOp::Sar => 7,
        }
    }
}

impl Emitter {
    /// `mov dst, src` (64-bit; 32-bit zero-extends when `wide` is false).
    pub fn mov_rr(&mut self, wide: bool, dst: Reg, src: Reg) {
        self.op_rr(wide, &[0x89], src.number(), dst);
    }

    /// `mov dst, imm` with the shortest exact encoding (`mov r32, imm32` zero-extends;
    /// `mov r/m64, imm32` sign-extends; else `movabs`).
    pub fn mov_imm(&mut self, dst: Reg, value: u64) {
        if value <= u64::from(u32::MAX) {
            self.rex(false, false, false, dst.high(), false);
            self.byte(0xb8 + dst.low());
            self.imm32(value as u32 as i32);
        } else if (value as i64) >= i64::from(i32::MIN) && (value as i64) < 0 {
            self.op_rr(true, &[0xc7], 0, dst);
            self.imm32(value as i32);
        } else {
            self.rex(true, false, false, dst.high(), false);
            self.byte(0xb8 + dst.low());
            self.bytes(&value.to_le_bytes());
        }
    }

    /// `op dst, src`.
    pub fn alu_rr(&mut self, wide: bool, op: AluOp, dst: Reg, src: Reg) {
        self.op_rr(wide, &[op.rr_opcode()], src.number(), dst);
    }

    /// `op dst, imm32` (sign-extended for 64-bit).
    pub fn alu_ri(&mut self, wide: bool, op: AluOp, dst: Reg, imm: i32) {
        if (-128..=127).contains(&imm) {
            self.op_rr(wide, &[0x83], op.digit(), dst);
            self.byte(imm as i8 as u8);
        } else {
            self.op_rr(wide, &[0x81], op.digit(), dst);
            self.imm32(imm);
        }
    }

    /// `op qword [mem], imm32`.
    pub fn alu_mi(&mut self, op: AluOp, mem: Mem, imm: i32) {
        self.op_rm(true, false, &[0x81], op.digit(), mem);
        self.imm32(imm);
    }

    /// `op dst, qword [mem]`.
    pub fn alu_rm(&mut self, op: AluOp, dst: Reg, mem: Mem) {
        self.op_rm(true, false, &[op.rr_opcode() + 2], dst.number(), mem);
    }

    /// `op qword [mem], src`.
    pub fn alu_mr(&mut self, op: AluOp, mem: Mem, src: Reg) {
        self.op_rm(true, false, &[op.rr_opcode()], src.number(), mem);
    }

    /// `shift dst, cl`.
    pub fn shift_cl(&mut self, wide: bool, op: ShiftOp, dst: Reg) {
        self.op_rr(wide, &[0xd3], op.digit(), dst);
    }

    /// `shift dst, imm8`.
    pub fn shift_imm(&mut self, wide: bool, op: ShiftOp, dst: Reg, amount: u8) {
        self.op_rr(wide, &[0xc1], op.digit(), dst);
        self.byte(amount);
    }

    /// `imul dst, src` (low half of the product).
    pub fn imul_rr(&mut self, wide: bool, dst: Reg, src: Reg) {
        self.op_rr(wide, &[0x0f, 0xaf], dst.number(), src);
    }

    /// `mul src` (rdx:rax = rax * src, unsigned).
    pub fn mul(&mut self, src: Reg) {
        self.op_rr(true, &[0xf7], 4, src);
    }

    /// `imul src` (rdx:rax = rax * src, signed).
    pub fn imul_wide(&mut self, src: Reg) {
        self.op_rr(true, &[0xf7], 5, src);
    }

    /// `div src` (unsigned rdx:rax / src).
    pub fn div(&mut self, wide: bool, src: Reg) {
        self.op_rr(wide, &[0xf7], 6, src);
    }

    /// `idiv src` (signed).
    pub fn idiv(&mut self, wide: bool, src: Reg) {
        self.op_rr(wide, &[0xf7], 7, src);
    }

    /// `neg dst`.
    pub fn neg(&mut self, wide: bool, dst: Reg) {
        self.op_rr(wide, &[0xf7], 3, dst);
    }

    /// `cqo` (rdx = sign of rax) or `cdq` (edx = sign of eax).
    pub fn sign_extend_rax(&mut self, wide: bool) {
        self.rex(wide, false, false, false, false);
        self.byte(0x99);
    }

    /// `movsxd dst, src32` (sign-extend the low half).
    pub fn movsxd(&mut self, dst: Reg, src: Reg) {
        self.op_rr(true, &[0x63], dst.number(), src);
    }

    /// `movzx dst32, src16`.
    pub fn movzx16(&mut self, dst: Reg, src: Reg) {
        self.op_rr(false, &[0x0f, 0xb7], dst.number(), src);
    }

    /// `bswap dst` (32 or 64 bits).
    pub fn bswap(&mut self, wide: bool, dst: Reg) {
        self.rex(wide, false, false, dst.high(), false);
        self.bytes(&[0x0f, 0xc8 + dst.low()]);
    }

    /// `rol dst16, 8`: swaps the two low bytes.
    pub fn rol16_8(&mut self, dst: Reg) {
        self.byte(0x66);
        self.op_rr(false, &[0xc1], 0, dst);
        self.byte(8);
    }

    /// `lea dst, [mem]`.
    pub fn lea(&mut self, dst: Reg, mem: Mem) {
        self.op_rm(true, false, &[0x8d], dst.number(), mem);
    }

    /// `test a, b`.
    pub fn test_rr(&mut self, wide: bool, a: Reg, b: Reg) {
        self.op_rr(wide, &[0x85], b.number(), a);
    }
}
