//! Walking a text section instruction by instruction.
//!
//! Most instructions take one slot; `lddw` takes two, and its second slot is not an
//! instruction of its own. [`instructions`] is the one place that knows this: it yields each
//! instruction with its table row and the number of slots it spans, and steps over an `lddw`'s
//! second slot. The verifier, the decoder and the disassembler all walk with it.
//!
//! ```text
//! slot:   0        1        2          3          4
//!       | mov64 | add64 | lddw (lo) | lddw (hi) | exit |
//! walk:   pc 0     pc 1    pc 2, 2 slots ───────   pc 4
//! ```

use super::insn::{slot_count, Insn};
use super::table::{lookup, OpInfo};
use super::version::SbpfVersion;

/// One instruction of a text.
#[derive(Debug, Clone, Copy)]
pub struct Instruction {
    /// Index of its first slot.
    pub pc: usize,
    /// Its first slot.
    pub insn: Insn,
    /// Its row in the version's table (`None`: the opcode means nothing in this version).
    pub info: Option<&'static OpInfo>,
    /// Slots it spans: 2 for an `lddw` whose second slot exists, else 1.
    pub slots: usize,
}

/// The instructions of `text` in `version`, in order (a trailing partial slot is ignored).
pub fn instructions(text: &[u8], version: SbpfVersion) -> impl Iterator<Item = Instruction> + '_ {
    let count = slot_count(text);
    let mut pc = 0;
    std::iter::from_fn(move || {
        if pc >= count {
            return None;
        }
        let insn = Insn::at(text, pc).unwrap_or_default();
        let info = lookup(version, &insn);
        let wide = info.is_some_and(|info| info.kind.is_wide());
        let slots = if wide && pc + 1 < count { 2 } else { 1 };
        let instruction = Instruction {
            pc,
            insn,
            info,
            slots,
        };
        pc += slots;
        Some(instruction)
    })
}
