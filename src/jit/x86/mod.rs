//! A small x86-64 encoder: exactly the instruction forms the JIT emits, each checked against a
//! real disassembler (iced-x86) in tests.
//!
//! Split by encoding concern: [`operand`] (registers, REX, ModRM/SIB, memory operands), then
//! one file per instruction family: [`alu`] (moves, arithmetic, shifts, multiply and divide),
//! [`memory`] (loads and stores), [`atomic`] (locked read-modify-writes), [`control`] (jumps,
//! calls, conditions, stack).
//!
//! Two ways to write: the [`Emitter`] methods (shortest encodings, any operand), and, for the
//! lowering's hot paths, instruction *words* (`operand::rr3`, `operand::lea_disp32_word`,
//! [`memory::RaxAccess`], …) of fixed length — the REX prefix always present — written into a
//! [`Window`]. Instructions are little-endian byte strings, so an instruction of up to 8
//! bytes is one `u64` and one store:
//!
//! ```text
//! add r11d, eax   = 41 01 c3        word 0x00c30141, length 3
//! ```
//!
//! The arithmetic here is bit assembly, written as such (`clippy::arithmetic_side_effects` is
//! denied): a register number joins an opcode's `+r` field with `|` (the field's three bits are
//! zero in the opcode), and byte positions and lengths, all below 16, use `wrapping_*`
//! (`operand::byte_shift` turns a byte index into a bit position).

pub mod alu;
pub mod atomic;
pub mod control;
pub mod memory;
pub mod operand;

pub use control::Cond;
pub use operand::{Mem, Reg};

/// An instruction buffer.
///
/// The buffer is kept longer than the code in it (`len` marks the end): every append writes a
/// fixed 8 bytes (or a whole [`Window`]) and then moves `len`, so appending never zero-fills
/// and never re-checks capacity per byte. Bytes past `len` are never exposed.
#[derive(Debug, Default, Clone)]
pub struct Emitter {
    buffer: Vec<u8>,
    len: usize,
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
        debug_assert!(self.at <= WINDOW - 8, "an op outgrew its code window");
        // `at <= WINDOW - 8`: neither sum wraps (nor passes the window).
        let at = self.at.min(WINDOW - 8);
        self.bytes[at..at.wrapping_add(8)].copy_from_slice(&word.to_le_bytes());
        self.at = at.wrapping_add(len.min(8) as usize);
    }

    /// Appends the first `len` bytes of a 64-byte template.
    #[inline(always)]
    pub fn template(&mut self, template: &[u8; 64], len: usize) {
        debug_assert!(self.at <= WINDOW - 64, "an op outgrew its code window");
        let at = self.at.min(WINDOW - 64);
        self.bytes[at..at.wrapping_add(64)].copy_from_slice(template);
        self.at = at.wrapping_add(len.min(64));
    }

    /// A no-op of 0 to 4 bytes (see [`Emitter::nop_up_to_4`]).
    #[inline(always)]
    pub fn nop_up_to_4(&mut self, len: usize) {
        let len = len.min(4);
        self.put(NOPS[len.saturating_sub(1)], len as u32);
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
        // A code offset plus at most a window: far from wrapping (code is refused past 2 GiB).
        self.start.wrapping_add(self.at)
    }

    /// Points the rel32 field ending `end` bytes into the window at code offset `target`.
    #[inline(always)]
    pub fn patch_rel32(&mut self, end: usize, target: usize) {
        let end = end.clamp(4, WINDOW);
        let displacement = rel32(self.start.wrapping_add(end), target);
        self.bytes[end.wrapping_sub(4)..end].copy_from_slice(&displacement.to_le_bytes());
    }
}

impl Emitter {
    /// An empty buffer.
    pub fn new() -> Self {
        Emitter::default()
    }

    /// Opens a [`Window`] at the end of the code, runs `write` in it, and keeps what it wrote.
    #[inline(always)]
    pub fn window<R>(&mut self, write: impl FnOnce(&mut Window) -> R) -> R {
        let start = self.len;
        self.make_room(WINDOW);
        let mut spare = [0u8; WINDOW];
        let bytes = match self
            .buffer
            .get_mut(start..)
            .and_then(|tail| tail.first_chunk_mut())
        {
            Some(bytes) => bytes,
            // Not reachable (`make_room` made room); writing into a scratch copy keeps this
            // total rather than panicking.
            None => &mut spare,
        };
        let mut window = Window {
            bytes,
            start,
            at: 0,
        };
        let result = write(&mut window);
        self.len = start.wrapping_add(window.at);
        result
    }

    /// Ensures `room` writable bytes past the end (growing rarely, geometrically).
    #[inline(always)]
    fn make_room(&mut self, room: usize) {
        // `len` is at most a `Vec`'s length (≤ isize::MAX) and `room` a window: no wrap.
        if self.buffer.len() < self.len.wrapping_add(room) {
            self.grow(room);
        }
    }

    #[cold]
    fn grow(&mut self, room: usize) {
        // Saturating: a size past the address space is refused by `resize`, not wrapped small.
        let doubled = self.buffer.len().saturating_mul(2);
        let wanted = self.len.saturating_add(room).max(doubled).max(4096);
        self.buffer.resize(wanted, 0);
    }

    /// Current offset (the code's length).
    #[inline(always)]
    pub fn offset(&self) -> usize {
        self.len
    }

    /// The code so far.
    pub fn code(&self) -> &[u8] {
        self.buffer.get(..self.len).unwrap_or(&[])
    }

    /// Empties the code, keeping the buffer for reuse.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Makes room for about `bytes` of code up front.
    pub fn reserve(&mut self, bytes: usize) {
        self.make_room(bytes);
    }

    /// Appends the low `len` (at most 8) bytes of `word`, least significant first.
    ///
    /// Every instruction is assembled in a register and stored with one 8-byte write: no
    /// byte-at-a-time appends and no reading back of bytes just written (which stalls store
    /// forwarding).
    #[inline(always)]
    pub(crate) fn put(&mut self, word: u64, len: u32) {
        self.make_room(8);
        let at = self.len;
        if let Some(slot) = self.buffer.get_mut(at..at.wrapping_add(8)) {
            slot.copy_from_slice(&word.to_le_bytes());
            self.len = at.wrapping_add(len.min(8) as usize);
        }
    }

    #[inline(always)]
    pub(crate) fn byte(&mut self, byte: u8) {
        self.put(u64::from(byte), 1);
    }

    #[inline(always)]
    pub(crate) fn imm32(&mut self, value: i32) {
        self.put(u64::from(value as u32), 4);
    }

    /// Overwrites the 32-bit relative displacement ending at `end` so that it reaches `target`.
    /// Displacements beyond ±2 GiB wrap: the JIT refuses code that large before using it.
    /// An `end` outside the code (never produced by this encoder) is ignored.
    pub fn patch_rel32(&mut self, end: usize, target: usize) {
        let displacement = rel32(end, target);
        if end > self.len {
            return;
        }
        if let Some(field) = end
            .checked_sub(4)
            .and_then(|start| self.buffer.get_mut(start..end))
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
        let short = len.min(8);
        self.put(NOPS[short.wrapping_sub(1)], short as u32); // `short >= 1` by the clamp
    }

    /// A no-op of 0 to 4 bytes, without a branch on the length (for random layout noise).
    #[inline(always)]
    pub fn nop_up_to_4(&mut self, len: usize) {
        let len = len.min(4);
        self.put(NOPS[len.saturating_sub(1)], len as u32);
    }
}

/// The rel32 displacement from code offset `from` (the end of the field) to `target`, wrapping
/// at ±2 GiB as the 32-bit field does (code offsets are far below `i64::MAX`).
#[inline(always)]
fn rel32(from: usize, target: usize) -> i32 {
    (target as i64).wrapping_sub(from as i64) as i32
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
