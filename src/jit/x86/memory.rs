//! Loads and stores of 1, 2, 4 and 8 bytes (loads zero-extend).

use super::operand::{Mem, Reg};
use super::Emitter;

impl Emitter {
    /// `dst = zero-extended [mem]` of `size` bytes.
    pub fn load(&mut self, size: u8, dst: Reg, mem: Mem) {
        match size {
            1 => self.op_rm(false, false, &[0x0f, 0xb6], dst.number(), mem),
            2 => self.op_rm(false, false, &[0x0f, 0xb7], dst.number(), mem),
            4 => self.op_rm(false, false, &[0x8b], dst.number(), mem),
            _ => self.op_rm(true, false, &[0x8b], dst.number(), mem),
        }
    }

    /// `[mem] = low size bytes of src`.
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
