//! A small x86-64 encoder: exactly the instruction forms the JIT emits, each checked against a
//! real disassembler (iced-x86) in tests.
//!
//! Split by encoding concern: [`operand`] (registers, REX, ModRM/SIB, memory operands), then
//! one file per instruction family: [`alu`] (moves, arithmetic, shifts, multiply and divide),
//! [`memory`] (loads and stores), [`control`] (jumps, calls, conditions, stack).

pub mod alu;
pub mod control;
pub mod memory;
pub mod operand;

pub use control::Cond;
pub use operand::{Mem, Reg};

/// An instruction buffer.
#[derive(Debug, Default, Clone)]
pub struct Emitter {
    /// The bytes so far.
    pub code: Vec<u8>,
}

impl Emitter {
    /// An empty buffer.
    pub fn new() -> Self {
        Emitter { code: Vec::new() }
    }

    /// An empty buffer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Emitter {
            code: Vec::with_capacity(capacity),
        }
    }

    /// Current offset.
    pub fn offset(&self) -> usize {
        self.code.len()
    }

    pub(crate) fn byte(&mut self, byte: u8) {
        self.code.push(byte);
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        self.code.extend_from_slice(bytes);
    }

    pub(crate) fn imm32(&mut self, value: i32) {
        self.code.extend_from_slice(&value.to_le_bytes());
    }

    /// Overwrites the 32-bit relative displacement ending at `end` so that it reaches `target`.
    /// Displacements beyond ±2 GiB wrap: the JIT refuses code that large before using it.
    pub fn patch_rel32(&mut self, end: usize, target: usize) {
        let displacement = (target as i64 - end as i64) as i32;
        self.code[end - 4..end].copy_from_slice(&displacement.to_le_bytes());
    }

    /// A multi-byte no-op of 1 to 9 bytes (the recommended encodings).
    pub fn nop(&mut self, len: usize) {
        const NOPS: [&[u8]; 9] = [
            &[0x90],
            &[0x66, 0x90],
            &[0x0f, 0x1f, 0x00],
            &[0x0f, 0x1f, 0x40, 0x00],
            &[0x0f, 0x1f, 0x44, 0x00, 0x00],
            &[0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
            &[0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
            &[0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
            &[0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        ];
        let len = len.clamp(1, 9);
        self.bytes(NOPS[len - 1]);
    }
}
