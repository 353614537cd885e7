//! Moves, arithmetic, logic, shifts, multiply and divide.

use super::operand::{rr_word, Mem, Reg};
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
    pub(crate) const fn rr_opcode(self) -> u8 {
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
    #[inline(always)]
    pub fn mov_rr(&mut self, wide: bool, dst: Reg, src: Reg) {
        self.op_rr(wide, &[0x89], src.number(), dst);
    }

    /// `mov dst, imm` with the shortest exact encoding (`mov r32, imm32` zero-extends;
    /// `mov r/m64, imm32` sign-extends; else `movabs`).
    pub fn mov_imm(&mut self, dst: Reg, value: u64) {
        if value <= u64::from(u32::MAX) {
            // [41] b8+r imm32
            let rex = u64::from(dst.high());
            let present = u32::from(dst.high());
            let body = u64::from(0xb8 + dst.low()) | value << 8;
            self.put((body << 8 | 0x40 | rex) >> (8 * (1 - present)), 5 + present);
        } else if (value as i64) >= i64::from(i32::MIN) && (value as i64) < 0 {
            self.mov_sign_extended(true, dst, value as i32);
        } else {
            // 48/49 b8+r imm64
            self.put(
                0x48 | u64::from(dst.high()) | u64::from(0xb8 + dst.low()) << 8,
                2,
            );
            self.put(value, 8);
        }
    }

    /// `mov dst, imm32`: sign-extended to 64 bits when `wide` (`c7 /0`), else zero-extended.
    #[inline(always)]
    pub fn mov_sign_extended(&mut self, wide: bool, dst: Reg, imm: i32) {
        let (word, len) = rr_word(wide, 0xc7, 1, 0, dst);
        self.put(word | u64::from(imm as u32) << (8 * len), len + 4);
    }

    /// `op dst, src`.
    #[inline(always)]
    pub fn alu_rr(&mut self, wide: bool, op: AluOp, dst: Reg, src: Reg) {
        self.op_rr(wide, &[op.rr_opcode()], src.number(), dst);
    }

    /// `op dst, imm32` (sign-extended for 64-bit).
    #[inline(always)]
    pub fn alu_ri(&mut self, wide: bool, op: AluOp, dst: Reg, imm: i32) {
        // 83 /digit ib when the value fits a signed byte, else 81 /digit id; chosen without a
        // branch (the immediate is written as four bytes and cut to one).
        let short = (-128..=127).contains(&imm);
        let (opcode, imm_len) = if short { (0x83, 1) } else { (0x81, 4) };
        let (word, len) = rr_word(wide, opcode, 1, op.digit(), dst);
        let imm = u64::from(imm as u32) & (u64::MAX >> (64 - 8 * imm_len));
        self.put(word | imm << (8 * len), len + imm_len);
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
    #[inline(always)]
    pub fn shift_imm(&mut self, wide: bool, op: ShiftOp, dst: Reg, amount: u8) {
        let (word, len) = rr_word(wide, 0xc1, 1, op.digit(), dst);
        self.put(word | u64::from(amount) << (8 * len), len + 1);
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
    #[inline(always)]
    pub fn movsxd(&mut self, dst: Reg, src: Reg) {
        self.op_rr(true, &[0x63], dst.number(), src);
    }

    /// `movsxd dst, dst32` when `condition` holds, else nothing (without a branch).
    #[inline(always)]
    pub fn movsxd_if(&mut self, condition: bool, dst: Reg) {
        let (word, len) = rr_word(true, 0x63, 1, dst.number(), dst);
        self.put(word, len * u32::from(condition));
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
