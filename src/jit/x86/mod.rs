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

/// Bytes one [`Window`] can hold.
pub const WINDOW: usize = 128;

/// A fixed-size stretch at the end of the code for one op's instructions, with the write
/// position in a local variable.
///
/// Appending through the `Vec` costs a reload of its length after every store (a store of
/// code bytes might alias it, as far as the compiler knows) and a capacity check; a window
/// checks capacity once, writes with unchecked-length-free fixed-size copies and sets the
/// length once when it is closed. Writers must stay within [`WINDOW`] bytes (the hot forms
/// need under 100); a write that would not fit is clamped to the window's end, never out of it.
pub struct Window<'a> {
    bytes: &'a mut [u8; WINDOW],
    /// Code offset of the window's first byte.
    start: usize,
    at: usize,
}

impl Window<'_> {
    /// Appends the low `len` (at most 8) bytes of `word`.
    #[inline(always)]
    pub fn put(&mut self, word: u64, len: u32) {
        let at = self.at.min(WINDOW - 8);
        self.bytes[at..at + 8].copy_from_slice(&word.to_le_bytes());
        self.at = at + len.min(8) as usize;
    }

    /// Appends the first `len` bytes of a 64-byte template.
    #[inline(always)]
    pub fn template(&mut self, template: &[u8; 64], len: usize) {
        let at = self.at.min(WINDOW - 64);
        self.bytes[at..at + 64].copy_from_slice(template);
        self.at = at + len.min(64);
    }

    /// Bytes written so far.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.at
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.at == 0
    }

    /// Code offset of the next byte.
    #[inline(always)]
    pub fn offset(&self) -> usize {
        self.start + self.at
    }

    /// Points the rel32 field ending `end` bytes into the window at code offset `target`.
    #[inline(always)]
    pub fn patch_rel32(&mut self, end: usize, target: usize) {
        let end = end.clamp(4, WINDOW);
        let displacement = (target as i64 - (self.start + end) as i64) as i32;
        self.bytes[end - 4..end].copy_from_slice(&displacement.to_le_bytes());
    }
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

    /// Opens a [`Window`] at the end of the code, runs `write` in it, and keeps what it wrote.
    #[inline(always)]
    pub fn window<R>(&mut self, write: impl FnOnce(&mut Window) -> R) -> R {
        let start = self.code.len();
        // A fixed-size copy (vector stores), where `resize` would be a byte loop.
        self.code.extend_from_slice(&[0; WINDOW]);
        let mut spare = [0u8; WINDOW];
        let bytes = match self
            .code
            .get_mut(start..)
            .and_then(|tail| tail.first_chunk_mut())
        {
            Some(bytes) => bytes,
            // Not reachable (the resize made room); writing into a scratch copy keeps this
            // total rather than panicking.
            None => &mut spare,
        };
        let mut window = Window {
            bytes,
            start,
            at: 0,
        };
        let result = write(&mut window);
        let end = start + window.at;
        self.code.truncate(end);
        result
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
