//! Moves, arithmetic, logic, shifts, multiply and divide.

use super::operand::{ri_word, with_rex, Mem, Reg};
use super::Emitter;

/// Two-operand ALU operations that share the `op r/m, r` and `81 /digit` encodings. The
/// discriminant is the `/digit`; the register form's opcode is `digit << 3 | 1` (`01` add,
/// `09` or, `21` and, `29` sub, `31` xor, `39` cmp), so neither needs a table or a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum AluOp {
    /// add
    Add = 0,
    /// or
    Or = 1,
    /// and
    And = 4,
    /// sub
    Sub = 5,
    /// xor
    Xor = 6,
    /// cmp
    Cmp = 7,
}

impl AluOp {
    /// `op r/m, r`.
    pub(crate) const fn rr_opcode(self) -> u8 {
        (self as u8) << 3 | 1
    }
    const fn digit(self) -> u8 {
        self as u8
    }
}

/// Shifts (`D3 /digit` by cl, `C1 /digit ib` by an immediate); the discriminant is the digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ShiftOp {
    /// shl
    Shl = 4,
    /// shr
    Shr = 5,
    /// sar
    Sar = 7,
}

impl ShiftOp {
    const fn digit(self) -> u8 {
        self as u8
    }
}

/// `mov dst32, imm32` (`[41] b8+r imm32`) as a word and its length.
#[inline(always)]
pub(crate) fn mov_imm32_word(dst: Reg, value: u32) -> (u64, u32) {
    let body = u64::from(0xb8 | dst.low()) | u64::from(value) << 8;
    with_rex(0x40 | u64::from(dst.high()), false, body, 5)
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
        if let Ok(value) = u32::try_from(value) {
            self.mov_imm32(dst, value);
        } else if (value as i64) >= i64::from(i32::MIN) && (value as i64) < 0 {
            self.mov_sign_extended(true, dst, value as i32);
        } else {
            // 48/49 b8+r imm64
            self.put(
                0x48 | u64::from(dst.high()) | u64::from(0xb8 | dst.low()) << 8,
                2,
            );
            self.put(value, 8);
        }
    }

    /// `mov dst32, imm32` (zero-extends to 64 bits).
    #[inline(always)]
    pub fn mov_imm32(&mut self, dst: Reg, value: u32) {
        let (word, len) = mov_imm32_word(dst, value);
        self.put(word, len);
    }

    /// `mov dst, imm32`: sign-extended to 64 bits when `wide` (`c7 /0`), else zero-extended.
    #[inline(always)]
    pub fn mov_sign_extended(&mut self, wide: bool, dst: Reg, imm: i32) {
        let (word, len) = ri_word(wide, 0xc7, 0, dst, imm, 4);
        self.put(word, len);
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
        let (word, len) = ri_word(wide, opcode, op.digit(), dst, imm, imm_len);
        self.put(word, len);
    }

    /// `op qword [mem], imm32`.
    pub fn alu_mi(&mut self, op: AluOp, mem: Mem, imm: i32) {
        self.op_rm(true, false, &[0x81], op.digit(), mem);
        self.imm32(imm);
    }

    /// `cmp byte [mem], imm8` (what a stop check tests a mark byte with).
    pub fn cmp_byte_mi(&mut self, mem: Mem, imm: u8) {
        self.op_rm(false, false, &[0x80], AluOp::Cmp.digit(), mem);
        self.byte(imm);
    }

    /// `op dst, qword [mem]`.
    pub fn alu_rm(&mut self, op: AluOp, dst: Reg, mem: Mem) {
        self.op_rm(true, false, &[op.rr_opcode() | 2], dst.number(), mem);
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
        let (word, len) = ri_word(wide, 0xc1, op.digit(), dst, i32::from(amount), 1);
        self.put(word, len);
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

    /// `movsx dst, src` of the low `from` bytes (1, 2 or 4) of `src`: to 64 bits when `wide`
    /// (`REX.W 0f be`, `REX.W 0f bf`, `REX.W 63`), else to 32 bits, which the host then
    /// zero-extends (`0f be`, `0f bf`; 4 bytes to 32 bits is a plain `mov`). The byte form
    /// always has a REX prefix, so `src` 4–7 name spl, bpl, sil, dil and not ah–bh.
    pub fn movsx(&mut self, wide: bool, from: u8, dst: Reg, src: Reg) {
        match from {
            1 => {
                self.rex(wide, dst.high(), false, src.high(), true);
                let modrm = 0xc0 | dst.low() << 3 | src.low();
                self.put(0xbe_0f | u64::from(modrm) << 16, 3);
            }
            2 => self.op_rr(wide, &[0x0f, 0xbf], dst.number(), src),
            _ if wide => self.movsxd(dst, src),
            _ => self.mov_rr(false, dst, src),
        }
    }

    /// `movzx dst32, src16`.
    pub fn movzx16(&mut self, dst: Reg, src: Reg) {
        self.op_rr(false, &[0x0f, 0xb7], dst.number(), src);
    }

    /// `bswap dst` (32 or 64 bits).
    pub fn bswap(&mut self, wide: bool, dst: Reg) {
        self.rex(wide, false, false, dst.high(), false);
        self.put(0x0f | u64::from(0xc8 | dst.low()) << 8, 2);
    }

    /// `rol dst16, 8`: swaps the two low bytes.
    pub fn rol16_8(&mut self, dst: Reg) {
        self.byte(0x66);
        self.op_rr(false, &[0xc1], 0, dst);
        self.byte(8);
    }

    /// `test a, b`.
    pub fn test_rr(&mut self, wide: bool, a: Reg, b: Reg) {
        self.op_rr(wide, &[0x85], b.number(), a);
    }
}
