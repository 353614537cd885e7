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

impl Emitter {
    /// REX prefix, emitted when any bit is set (or `force`, for byte registers sil/dil/…).
    pub(crate) fn rex(&mut self, w: bool, r: bool, x: bool, b: bool, force: bool) {
        let rex = 0x40 | (u8::from(w) << 3) | (u8::from(r) << 2) | (u8::from(x) << 1) | u8::from(b);
        if rex != 0x40 || force {
            self.byte(rex);
        }
    }

    /// Prefix + opcode + ModRM for a register-register form (`reg` in ModRM.reg).
    pub(crate) fn op_rr(&mut self, w: bool, opcode: &[u8], reg: u8, rm: Reg) {
        self.rex(w, reg >= 8, false, rm.high(), false);
        self.bytes(opcode);
        self.byte(0xc0 | ((reg & 7) << 3) | rm.low());
    }

    /// Prefix + opcode + ModRM/SIB/displacement for a memory form (assembled in a local
    /// buffer and appended at once).
    pub(crate) fn op_rm(&mut self, w: bool, force_rex: bool, opcode: &[u8], reg: u8, mem: Mem) {
        let mut buffer = [0u8; 16];
        let mut len = 0;
        let mut put = |byte: u8| {
            buffer[len & 15] = byte;
            len += 1;
        };
        let index_high = mem.index.is_some_and(|(index, _)| index.high());
        let rex = 0x40
            | (u8::from(w) << 3)
            | (u8::from(reg >= 8) << 2)
            | (u8::from(index_high) << 1)
            | u8::from(mem.base.high());
        if rex != 0x40 || force_rex {
            put(rex);
        }
        for byte in opcode.iter().take(3) {
            put(*byte);
        }
        let reg = (reg & 7) << 3;
        let needs_sib = mem.index.is_some() || mem.base.low() == 4;
        let mode = if mem.disp == 0 && mem.base.low() != 5 {
            0x00
        } else if (-128..=127).contains(&mem.disp) {
            0x40
        } else {
            0x80
        };
        if needs_sib {
            put(mode | reg | 4);
            let (index, scale) = match mem.index {
                Some((index, scale)) => (index.low(), scale),
                None => (4, 1),
            };
            let scale_bits = match scale {
                1 => 0,
                2 => 1,
                4 => 2,
                _ => 3,
            };
            put((scale_bits << 6) | (index << 3) | mem.base.low());
        } else {
            put(mode | reg | mem.base.low());
        }
        match mode {
            0x40 => put(mem.disp as i8 as u8),
            0x80 => {
                for byte in mem.disp.to_le_bytes() {
                    put(byte);
                }
            }
            _ => {}
        }
        // Append all sixteen bytes and cut back: a fixed-size copy is two stores, where a
        // variable-length one is a call to memcpy.
        let end = self.code.len() + len.min(16);
        self.code.extend_from_slice(&buffer);
        self.code.truncate(end);
    }
}
