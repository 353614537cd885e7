//! Jumps, calls, conditions and the host stack.

use super::operand::{Mem, Reg};
use super::Emitter;

/// Condition codes (the low nibble of `0F 8x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Cond {
    Below = 0x2,
    AboveEqual = 0x3,
    Equal = 0x4,
    NotEqual = 0x5,
    BelowEqual = 0x6,
    Above = 0x7,
    Less = 0xc,
    GreaterEqual = 0xd,
    LessEqual = 0xe,
    Greater = 0xf,
}

impl Cond {
    /// The opposite condition (condition codes come in pairs differing in the low bit).
    pub fn negate(self) -> Cond {
        match self {
            Cond::Below => Cond::AboveEqual,
            Cond::AboveEqual => Cond::Below,
            Cond::Equal => Cond::NotEqual,
            Cond::NotEqual => Cond::Equal,
            Cond::BelowEqual => Cond::Above,
            Cond::Above => Cond::BelowEqual,
            Cond::Less => Cond::GreaterEqual,
            Cond::GreaterEqual => Cond::Less,
            Cond::LessEqual => Cond::Greater,
            Cond::Greater => Cond::LessEqual,
        }
    }
}

impl Emitter {
    /// `jcc rel32`; returns the offset just past it, for [`Emitter::patch_rel32`].
    pub fn jcc(&mut self, cond: Cond, target: Option<usize>) -> usize {
        // 0f 8x and a zero rel32, patched below or later.
        self.put(0x0f | u64::from(0x80 | cond as u8) << 8, 6);
        let end = self.offset();
        if let Some(target) = target {
            self.patch_rel32(end, target);
        }
        end
    }

    /// `jmp rel32`; returns the offset just past it.
    pub fn jmp(&mut self, target: Option<usize>) -> usize {
        self.put(0xe9, 5);
        let end = self.offset();
        if let Some(target) = target {
            self.patch_rel32(end, target);
        }
        end
    }

    /// `call rel32`; returns the offset just past it.
    pub fn call(&mut self, target: Option<usize>) -> usize {
        self.put(0xe8, 5);
        let end = self.offset();
        if let Some(target) = target {
            self.patch_rel32(end, target);
        }
        end
    }

    /// `jmp qword [mem]`.
    pub fn jmp_mem(&mut self, mem: Mem) {
        self.op_rm(false, false, &[0xff], 4, mem);
    }

    /// `call qword [mem]`.
    pub fn call_mem(&mut self, mem: Mem) {
        self.op_rm(false, false, &[0xff], 2, mem);
    }

    /// `jmp reg`.
    pub fn jmp_reg(&mut self, target: Reg) {
        self.op_rr(false, &[0xff], 4, target);
    }

    /// `ret`.
    pub fn ret(&mut self) {
        self.byte(0xc3);
    }

    /// `push reg`.
    pub fn push(&mut self, reg: Reg) {
        self.rex(false, false, false, reg.high(), false);
        self.byte(0x50 | reg.low());
    }

    /// `pop reg`.
    pub fn pop(&mut self, reg: Reg) {
        self.rex(false, false, false, reg.high(), false);
        self.byte(0x58 | reg.low());
    }
}
