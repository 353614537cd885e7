//! Operands: registers, the REX prefix, ModRM and SIB bytes, memory operands.
//!
//! ```text
//! REX  = 0100 W R X B      W: 64-bit operand; R, X, B: high bit of ModRM.reg, SIB.index, base
//! ModRM = mod(2) reg(3) rm(3)    mod 11: register; 01: [rm + disp8]; 10: [rm + disp32]
//! SIB   = scale(2) index(3) base(3)   needed when rm = 100 (rsp, r12)
//! ```

use super::Emitter;

/// A general-purpose 64-bit register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum Reg {
    Rax = 0,
    Rcx = 1,
    Rdx = 2,
    Rbx = 3,
    Rsp = 4,
    Rbp = 5,
    Rsi = 6,
    Rdi = 7,
    R8 = 8,
    R9 = 9,
    R10 = 10,
    R11 = 11,
    R12 = 12,
    R13 = 13,
    R14 = 14,
    R15 = 15,
}

impl Reg {
    /// The 4-bit register number.
    pub const fn number(self) -> u8 {
        self as u8
    }
    pub(crate) const fn low(self) -> u8 {
        self as u8 & 7
    }
    pub(crate) const fn high(self) -> bool {
        self as u8 >= 8
    }
}

/// `[base + index * scale + disp]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mem {
    /// Base register.
    pub base: Reg,
    /// Index register and scale (1, 2, 4 or 8).
    pub index: Option<(Reg, u8)>,
    /// Displacement.
    pub disp: i32,
}

impl Mem {
    /// `[base + disp]`.
    pub const fn at(base: Reg, disp: i32) -> Self {
        Mem {
            base,
            index: None,
            disp,
        }
    }
    /// `[base + index * scale]`.
    pub const fn indexed(base: Reg, index: Reg, scale: u8) -> Self {
        Mem {
            base,
            index: Some((index, scale)),
            disp: 0,
        }
    }
}

/// The bit position of byte `index` in an instruction word: `8 × index`. An instruction word
/// holds at most 8 bytes, so the product never wraps (and a shift by it stays below 64).
#[inline(always)]
pub(crate) const fn byte_shift(index: u32) -> u32 {
    index.wrapping_mul(8)
}

/// Up to three opcode bytes as a little-endian word and its length (folded to constants when
/// the opcode is).
#[inline(always)]
fn opcode_word(opcode: &[u8]) -> (u64, u32) {
    let mut word = 0u64;
    let mut len = 0u32;
    for byte in opcode.iter().take(3) {
        word |= u64::from(*byte) << byte_shift(len);
        len = len.wrapping_add(1);
    }
    (word, len)
}

/// Puts `rex` in front of `body` (of `len` bytes) unless it is the empty prefix `0x40` and not
/// `force`d, without branching on it. Returns the word and its length.
#[inline(always)]
pub(crate) fn with_rex(rex: u64, force: bool, body: u64, len: u32) -> (u64, u32) {
    let present = rex != 0x40 || force;
    let word = (body << 8 | rex) >> byte_shift(u32::from(!present));
    (word, len.wrapping_add(u32::from(present)))
}

/// A register-register form (prefix, opcode of `opcode_len` bytes, ModRM with `reg` in
/// ModRM.reg) as a word and its length (at most 4 bytes).
#[inline(always)]
pub(crate) fn rr_word(w: bool, opcode: u64, opcode_len: u32, reg: u8, rm: Reg) -> (u64, u32) {
    let rex = 0x40 | (u64::from(w) << 3) | (u64::from(reg >> 3 & 1) << 2) | u64::from(rm.high());
    let modrm = 0xc0 | (u64::from(reg & 7) << 3) | u64::from(rm.low());
    with_rex(
        rex,
        false,
        opcode | modrm << byte_shift(opcode_len),
        opcode_len.wrapping_add(1),
    )
}

/// A register-register form with the REX prefix always present (`40` when no bit is needed,
/// which changes nothing for the non-byte operations this serves), so its length is a constant
/// 3 bytes: `REX opcode ModRM(11 reg rm)`. An immediate, when the opcode takes one, goes at
/// byte 3 (`| imm << 24`, for 4 or 7 bytes in all).
#[inline(always)]
pub(crate) const fn rr3(w: bool, opcode: u8, reg: u8, rm: u8) -> u64 {
    let rex = 0x40 | (w as u64) << 3 | ((reg >> 3) as u64 & 1) << 2 | ((rm >> 3) as u64 & 1);
    let modrm = 0xc0 | ((reg & 7) as u64) << 3 | (rm & 7) as u64;
    rex | (opcode as u64) << 8 | modrm << 16
}

/// `opcode /digit` on register `rm` followed by an immediate of `imm_len` bytes (1 or 4), as
/// a word and its length (at most 8 bytes).
#[inline(always)]
pub(crate) fn ri_word(
    wide: bool,
    opcode: u8,
    digit: u8,
    rm: Reg,
    imm: i32,
    imm_len: u32,
) -> (u64, u32) {
    let (word, len) = rr_word(wide, u64::from(opcode), 1, digit, rm);
    let word = word | imm_field(imm, imm_len) << byte_shift(len);
    (word, len.wrapping_add(imm_len))
}

/// The low `len` bytes (1 to 4) of an immediate, as a word.
#[inline(always)]
fn imm_field(imm: i32, len: u32) -> u64 {
    u64::from(imm as u32) & !(u64::MAX << byte_shift(len.clamp(1, 4)))
}

/// `lea dst, [base + disp32]`, always through a SIB byte (so rsp/r12 and rbp/r13 as bases need
/// no special case): 8 bytes.
#[inline(always)]
pub(crate) fn lea_disp32_word(dst: Reg, base: Reg, disp: i32) -> (u64, u32) {
    let rex = 0x48 | u64::from(dst.high()) << 2 | u64::from(base.high());
    let modrm = 0x84 | u64::from(dst.low()) << 3; // mod 10, rm 100: SIB + disp32
    let sib = 0x20 | u64::from(base.low()); // no index (100)
    (
        rex | 0x8d << 8 | modrm << 16 | sib << 24 | u64::from(disp as u32) << 32,
        8,
    )
}

/// `lea dst, [base + index]` through a SIB byte with a zero disp8 (so rbp/r13 as bases need no
/// special case): 5 bytes. `index` must not be rsp.
#[inline(always)]
pub(crate) fn lea_indexed_word(dst: Reg, base: Reg, index: Reg) -> (u64, u32) {
    let rex =
        0x48 | u64::from(dst.high()) << 2 | u64::from(index.high()) << 1 | u64::from(base.high());
    let modrm = 0x44 | u64::from(dst.low()) << 3; // mod 01, rm 100: SIB + disp8
    let sib = u64::from(index.low()) << 3 | u64::from(base.low());
    (rex | 0x8d << 8 | modrm << 16 | sib << 24, 5)
}

impl Emitter {
    /// `rr3` as an instruction (with an immediate of `imm_len` bytes, 0, 1 or 4).
    pub fn fixed_rr(&mut self, w: bool, opcode: u8, reg: u8, rm: Reg, imm: i32, imm_len: u32) {
        let imm = imm_field(imm, imm_len);
        self.put(
            rr3(w, opcode, reg, rm.number()) | imm << 24,
            imm_len.min(4).wrapping_add(3),
        );
    }

    /// REX prefix, emitted when any bit is set (or `force`, for byte registers sil/dil/…).
    #[inline(always)]
    pub(crate) fn rex(&mut self, w: bool, r: bool, x: bool, b: bool, force: bool) {
        let rex = 0x40 | (u8::from(w) << 3) | (u8::from(r) << 2) | (u8::from(x) << 1) | u8::from(b);
        let (word, len) = with_rex(u64::from(rex), force, 0, 0);
        self.put(word, len);
    }

    /// Prefix + opcode + ModRM for a register-register form (`reg` in ModRM.reg).
    #[inline(always)]
    pub(crate) fn op_rr(&mut self, w: bool, opcode: &[u8], reg: u8, rm: Reg) {
        let (opcode, opcode_len) = opcode_word(opcode);
        let (word, len) = rr_word(w, opcode, opcode_len, reg, rm);
        self.put(word, len);
    }

    /// `lea dst, [base + disp32]` (the fixed-length word `lea_disp32_word`).
    pub fn lea_disp32(&mut self, dst: Reg, base: Reg, disp: i32) {
        let (word, len) = lea_disp32_word(dst, base, disp);
        self.put(word, len);
    }

    /// `lea dst, [base + index]` (the fixed-length word `lea_indexed_word`).
    pub fn lea_indexed(&mut self, dst: Reg, base: Reg, index: Reg) {
        let (word, len) = lea_indexed_word(dst, base, index);
        self.put(word, len);
    }

    /// Prefix + opcode + ModRM/SIB/displacement for a memory form.
    #[inline(always)]
    pub(crate) fn op_rm(&mut self, w: bool, force_rex: bool, opcode: &[u8], reg: u8, mem: Mem) {
        let index_high = mem.index.is_some_and(|(index, _)| index.high());
        let rex = 0x40
            | (u64::from(w) << 3)
            | (u64::from(reg >> 3 & 1) << 2)
            | (u64::from(index_high) << 1)
            | u64::from(mem.base.high());
        let (opcode, opcode_len) = opcode_word(opcode);
        let reg = u64::from(reg & 7) << 3;
        // mod 00: no displacement (rbp/r13 as base need one: that encoding means rip/disp32).
        let (mode, disp_len) = if mem.disp == 0 && mem.base.low() != 5 {
            (0x00, 0)
        } else if (-128..=127).contains(&mem.disp) {
            (0x40, 1)
        } else {
            (0x80, 4)
        };
        let (address, address_len) = match mem.index {
            Some((index, scale)) => {
                let scale_bits = u64::from(scale.max(1).trailing_zeros().min(3));
                let sib =
                    (scale_bits << 6) | (u64::from(index.low()) << 3) | u64::from(mem.base.low());
                (mode | reg | 4 | sib << 8, 2)
            }
            // rsp/r12 as base need a SIB byte (index 100: none).
            None if mem.base.low() == 4 => (mode | reg | 4 | 0x24 << 8, 2),
            None => (mode | reg | u64::from(mem.base.low()), 1),
        };
        let (word, len) = with_rex(
            rex,
            force_rex,
            opcode | address << byte_shift(opcode_len),
            opcode_len.wrapping_add(address_len),
        );
        self.put(word, len);
        self.put(u64::from(mem.disp as u32), disp_len);
    }
}
