//! One instruction slot: eight bytes, little-endian.
//!
//! ```text
//! byte  0        1             2..4         4..8
//!     +--------+------+------+------------+------------------------+
//!     | opcode | src  | dst  | offset i16 | immediate i32          |
//!     +--------+------+------+------------+------------------------+
//!               hi 4b  lo 4b
//! ```
//!
//! `lddw` spans two slots: the second slot has opcode 0 and carries the high 32 bits of the
//! constant in its immediate.

/// Bytes per instruction slot.
pub const INSN_SIZE: usize = 8;

/// One decoded slot, fields exactly as stored (no version interpretation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Insn {
    /// Opcode byte.
    pub opcode: u8,
    /// Destination register field (0–15).
    pub dst: u8,
    /// Source register field (0–15).
    pub src: u8,
    /// Signed 16-bit offset.
    pub off: i16,
    /// Signed 32-bit immediate.
    pub imm: i32,
}

impl Insn {
    /// Decodes one slot.
    #[inline]
    pub const fn decode(slot: [u8; INSN_SIZE]) -> Self {
        Insn {
            opcode: slot[0],
            dst: slot[1] & 0x0f,
            src: slot[1] >> 4,
            off: i16::from_le_bytes([slot[2], slot[3]]),
            imm: i32::from_le_bytes([slot[4], slot[5], slot[6], slot[7]]),
        }
    }

    /// Encodes one slot. Register fields are truncated to four bits.
    #[inline]
    pub const fn encode(&self) -> [u8; INSN_SIZE] {
        let off = self.off.to_le_bytes();
        let imm = self.imm.to_le_bytes();
        [
            self.opcode,
            (self.dst & 0x0f) | (self.src << 4),
            off[0],
            off[1],
            imm[0],
            imm[1],
            imm[2],
            imm[3],
        ]
    }

    /// The slot at index `pc` of `text`, if the text holds a whole slot there.
    #[inline]
    pub fn at(text: &[u8], pc: usize) -> Option<Self> {
        let start = pc.checked_mul(INSN_SIZE)?;
        let end = start.checked_add(INSN_SIZE)?;
        let bytes = text.get(start..end)?;
        let mut slot = [0u8; INSN_SIZE];
        slot.copy_from_slice(bytes);
        Some(Self::decode(slot))
    }

    /// The immediate sign-extended to 64 bits, as ALU and jump instructions use it.
    #[inline]
    pub const fn imm64(&self) -> i64 {
        self.imm as i64
    }

    /// The slot as a little-endian u64 (the value a `.fill` directive takes).
    #[inline]
    pub const fn to_u64(&self) -> u64 {
        u64::from_le_bytes(self.encode())
    }

    /// The slot from a little-endian u64.
    #[inline]
    pub const fn from_u64(value: u64) -> Self {
        Self::decode(value.to_le_bytes())
    }
}

/// The 64-bit constant of an `lddw` from its two slots.
#[inline]
pub const fn lddw_value(first: &Insn, second: &Insn) -> u64 {
    (first.imm as u32 as u64) | ((second.imm as u32 as u64) << 32)
}

/// Where a pc-relative jump or call lands: offsets count from the slot after `pc`, so the
/// target is `pc + 1 + delta` (exact for any `pc` and any 64-bit `delta`).
#[inline]
pub const fn jump_target(pc: usize, delta: i128) -> i128 {
    pc as i128 + 1 + delta
}

/// The inverse of [`jump_target`]: the delta that lands on `target` from `pc`.
#[inline]
pub const fn jump_delta(pc: usize, target: i128) -> i128 {
    target - jump_target(pc, 0)
}

/// Number of whole slots in `text` (a trailing partial slot is not counted).
#[inline]
pub const fn slot_count(text: &[u8]) -> usize {
    text.len() / INSN_SIZE
}
