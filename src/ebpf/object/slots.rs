//! Instruction slots of a code section's bytes, read and patched in one place (RFC 9669 §3):
//!
//! ```text
//!   byte   0        1              2..4         4..8
//!          opcode   src:4 | dst:4  offset i16   imm i32      (little-endian)
//! ```
//!
//! `lddw` (opcode 0x18) takes two slots; its 64-bit value is the first slot's imm (low half)
//! and the second's (high half). Every index here comes from an untrusted file, so each
//! byte position is computed with checked arithmetic and a slot outside the bytes reads as
//! absent, and is never written.

use std::ops::Range;

/// Bytes of an instruction slot.
pub(super) const SLOT: usize = 8;
/// `BPF_LD | BPF_IMM | BPF_DW`: the two-slot load of a 64-bit constant.
pub(super) const LDDW: u8 = 0x18;
/// `BPF_JMP | BPF_CALL`.
pub(super) const CALL: u8 = 0x85;

/// The fields of one slot a loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    /// The opcode byte.
    pub opcode: u8,
    /// The source register (the high nibble of byte 1).
    pub src: u8,
    /// The immediate.
    pub imm: i32,
}

impl Slot {
    /// How many slots the instruction takes: 2 for `lddw`, else 1.
    pub fn width(self) -> usize {
        if self.opcode == LDDW {
            2
        } else {
            1
        }
    }
}

/// The byte range of slot `index`.
fn bytes_of(index: usize) -> Option<Range<usize>> {
    let start = index.checked_mul(SLOT)?;
    Some(start..start.checked_add(SLOT)?)
}

/// How many whole slots `code` holds.
pub(super) fn count(code: &[u8]) -> usize {
    code.len() / SLOT
}

/// Slot `index` of `code`, if it is inside.
pub(super) fn read(code: &[u8], index: usize) -> Option<Slot> {
    let bytes = code.get(bytes_of(index)?)?;
    let [opcode, regs, _, _, a, b, c, d] = <[u8; SLOT]>::try_from(bytes).ok()?;
    Some(Slot {
        opcode,
        src: regs >> 4,
        imm: i32::from_le_bytes([a, b, c, d]),
    })
}

/// The slot a byte offset names, if the offset is on a slot boundary.
pub(super) fn at_offset(offset: u64) -> Option<usize> {
    if offset.checked_rem(SLOT as u64) == Some(0) {
        usize::try_from(offset.checked_div(SLOT as u64)?).ok()
    } else {
        None
    }
}

/// Sets slot `index`'s immediate and source register (a slot outside `code` is left alone).
pub(super) fn patch(code: &mut [u8], index: usize, imm: u32, src: u8) {
    let Some(bytes) = bytes_of(index).and_then(|range| code.get_mut(range)) else {
        return;
    };
    if let [_, regs, _, _, a, b, c, d] = bytes {
        *regs = (*regs & 0x0f) | (src << 4);
        [*a, *b, *c, *d] = imm.to_le_bytes();
    }
}

/// Slots `start..end` of `code` as bytes (empty if they are not all inside).
pub(super) fn range(code: &[u8], start: usize, end: usize) -> &[u8] {
    bytes_of(start)
        .zip(bytes_of(end))
        .and_then(|(start, end)| code.get(start.start..end.start))
        .unwrap_or(&[])
}
