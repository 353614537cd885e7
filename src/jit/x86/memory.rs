//! Loads and stores of 1, 2, 4 and 8 bytes (loads zero-extend).

use super::operand::{with_rex, Mem, Reg};
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

/// A load or store of `reg` at `[rax + disp]` as a word and its length (at most 6 bytes):
/// `[66] [REX] opcode ModRM disp8`. The operands are data, so one code path serves every
/// size and direction.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn rax_access_word(
    opcode: u64,
    opcode_len: u32,
    wide: bool,
    operand16: bool,
    force_rex: bool,
    reg: Reg,
    disp: i8,
) -> (u64, u32) {
    let rex = 0x40 | u64::from(wide) << 3 | u64::from(reg.high()) << 2;
    let modrm = 0x40 | u64::from(reg.low()) << 3; // mod 01 (disp8), rm 000 (rax)
    let body = opcode | (modrm | u64::from(disp as u8) << 8) << (8 * opcode_len);
    let (word, len) = with_rex(rex, force_rex, body, opcode_len + 2);
    let prefix = u32::from(operand16);
    ((word << 8 | 0x66) >> (8 * (1 - prefix)), len + prefix)
}
