//! Loads and stores of 1, 2, 4 and 8 bytes (loads zero-extend; a [`RaxAccess`] may also be a
//! sign-extending `movsx`/`movsxd`).

use super::operand::{byte_shift, Mem, Reg};
use super::Emitter;

impl Emitter {
    /// `dst = zero-extended [mem]` of `size` bytes.
    #[inline(always)]
    pub fn load(&mut self, size: u8, dst: Reg, mem: Mem) {
        match size {
            1 => self.op_rm(false, false, &[0x0f, 0xb6], dst.number(), mem),
            2 => self.op_rm(false, false, &[0x0f, 0xb7], dst.number(), mem),
            4 => self.op_rm(false, false, &[0x8b], dst.number(), mem),
            _ => self.op_rm(true, false, &[0x8b], dst.number(), mem),
        }
    }

    /// `[mem] = low size bytes of src`.
    #[inline(always)]
    pub fn store(&mut self, size: u8, mem: Mem, src: Reg) {
        match size {
            1 => self.op_rm(false, true, &[0x88], src.number(), mem),
            2 => {
                self.byte(0x66);
                self.op_rm(false, false, &[0x89], src.number(), mem);
            }
            4 => self.op_rm(false, false, &[0x89], src.number(), mem),
            _ => self.op_rm(true, false, &[0x89], src.number(), mem),
        }
    }

    /// `qword [mem] = sign-extended imm32`.
    pub fn store_imm64(&mut self, mem: Mem, imm: i32) {
        self.op_rm(true, false, &[0xc7], 0, mem);
        self.imm32(imm);
    }
}

/// A load or store of a register at `[rax + disp8]`, in a fixed form with the REX prefix
/// always present: `[66] REX opcode ModRM disp8`, at most 6 bytes. Built once per code (as a
/// constant); [`RaxAccess::with`] then only ORs the register's bits in.
#[derive(Debug, Clone, Copy)]
pub struct RaxAccess {
    template: u64,
    len: u32,
    /// Bit of REX.R in the word.
    rex_r: u32,
    /// Lowest bit of ModRM.reg in the word.
    modrm_reg: u32,
}

impl RaxAccess {
    /// The form for `opcode` (1 or 2 bytes, little-endian), 64-bit operand size when `wide`,
    /// the `66` operand-size prefix when `operand16`, displacement `disp`.
    pub const fn new(opcode: u16, opcode_len: u8, wide: bool, operand16: bool, disp: i8) -> Self {
        // Byte positions: the REX prefix at `prefix` (0, or 1 behind `66`), the opcode after
        // it, then ModRM and disp8; all below 8, so no sum wraps.
        let prefix = operand16 as u32;
        let opcode_len = if opcode_len >= 2 { 2 } else { 1 };
        let modrm_at = prefix.wrapping_add(1).wrapping_add(opcode_len);
        let rex = 0x40 | (wide as u64) << 3;
        let modrm = 0x40u64; // mod 01 (disp8), rm 000 (rax)
        let body = rex
            | (opcode as u64) << 8
            | (modrm | ((disp as u8) as u64) << 8) << byte_shift(opcode_len.wrapping_add(1));
        let template = if operand16 { body << 8 | 0x66 } else { body };
        RaxAccess {
            template,
            len: modrm_at.wrapping_add(2),
            rex_r: byte_shift(prefix).wrapping_add(2),
            modrm_reg: byte_shift(modrm_at).wrapping_add(3),
        }
    }

    /// The instruction for register `reg`, as a word and its length.
    #[inline(always)]
    pub fn with(&self, reg: Reg) -> (u64, u32) {
        let number = u64::from(reg.number());
        let word = self.template | (number >> 3 & 1) << self.rex_r | (number & 7) << self.modrm_reg;
        (word, self.len)
    }
}

impl Emitter {
    /// `form` with register `reg`.
    pub fn rax_access(&mut self, form: RaxAccess, reg: Reg) {
        let (word, len) = form.with(reg);
        self.put(word, len);
    }
}
