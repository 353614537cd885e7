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

    /// Appends the low `len` (at most 8) bytes of `word`, least significant first.
    ///
    /// Every instruction is assembled in a register and stored with one 8-byte write: no
    /// byte-at-a-time appends (each a capacity check) and no reading back of bytes just
    /// written (which stalls store forwarding).
    #[inline(always)]
    pub(crate) fn put(&mut self, word: u64, len: u32) {
        let end = self.code.len() + len.min(8) as usize;
        self.code.extend_from_slice(&word.to_le_bytes());
        self.code.truncate(end);
    }

    #[inline(always)]
    pub(crate) fn byte(&mut self, byte: u8) {
        self.put(u64::from(byte), 1);
    }

    #[inline(always)]
    pub(crate) fn imm32(&mut self, value: i32) {
        self.put(u64::from(value as u32), 4);
    }

    /// Appends a run of bytes (templates).
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        self.code.extend_from_slice(bytes);
    }

    /// Overwrites the 32-bit relative displacement ending at `end` so that it reaches `target`.
    /// Displacements beyond ±2 GiB wrap: the JIT refuses code that large before using it.
    /// An `end` outside the code (never produced by this encoder) is ignored.
    pub fn patch_rel32(&mut self, end: usize, target: usize) {
        let displacement = (target as i64 - end as i64) as i32;
        if let Some(field) = end
            .checked_sub(4)
            .and_then(|start| self.code.get_mut(start..end))
        {
            field.copy_from_slice(&displacement.to_le_bytes());
        }
    }

    /// A multi-byte no-op of 1 to 9 bytes (the recommended encodings).
    pub fn nop(&mut self, len: usize) {
        let len = len.clamp(1, 9);
        if len == 9 {
            self.byte(0x66);
        }
        self.put(NOPS[len.min(8) - 1], len.min(8) as u32);
    }

    /// A no-op of 0 to 4 bytes, without a branch on the length (for random layout noise).
    #[inline(always)]
    pub fn nop_up_to_4(&mut self, len: usize) {
        let len = len.min(4);
        self.put(NOPS[len.saturating_sub(1)], len as u32);
    }
}

/// The recommended multi-byte no-ops of 1 to 8 bytes, little-endian (the 9-byte one is the
/// 8-byte one behind `66`).
const NOPS: [u64; 8] = [
    0x90,
    0x90_66,
    0x00_1f_0f,
    0x00_40_1f_0f,
    0x00_00_44_1f_0f,
    0x00_00_44_1f_0f_66,
    0x00_00_00_00_80_1f_0f,
    0x00_00_00_00_00_84_1f_0f,
];
