//! The self-check: the output is assembled again, and every line that does not come back as
//! the same bytes is written as raw slots (`.fill`) instead.
//!
//! The renderer aims at exact text, but some slots have no exact assembly: stray bits in a
//! field the instruction ignores (the assembler writes zeros there), or labels the assembler
//! refuses together (two functions under one registry key). Rather than predict every such
//! case, the disassembler asks the assembler:
//!
//! ```text
//! lines ──render──▶ source ──assemble──▶ bytes ──compare per line──▶ inexact lines → .fill
//!                     ▲                    │
//!                     └── rejected line ───┘  (a line the assembler refuses, at most 16 times)
//! ```
//!
//! A line whose immediate ELF output fills in (`linked`: an address, a function's key) is
//! compared in every field but the immediate, which a bare assembly cannot know. After the
//! check, the output reassembles to the input by construction.

use super::Disassembly;
use crate::isa::asm::assemble;
use crate::isa::insn::INSN_SIZE;

impl Disassembly {
    /// Assembles the output again and turns every line whose bytes differ into `.fill`. A line
    /// the assembler rejects outright (say, two functions under one registry key) becomes
    /// `.fill` first, a few times at most; past that every line does.
    pub(super) fn demote_inexact_lines(&mut self) {
        const REJECTED_LINES_MAX: usize = 16;
        let mut rejected = 0;
        let reassembled = loop {
            let (source, origins) = self.assembly_and_origins();
            let error = match assemble(&source, self.version) {
                Ok(assembled) => break assembled.text,
                Err(error) => error,
            };
            let origin = error
                .line
                .checked_sub(1)
                .and_then(|at| origins.get(at).copied().flatten())
                .filter(|&index| self.lines[index].asm.is_some());
            match origin {
                Some(index) if rejected < REJECTED_LINES_MAX => {
                    self.lines[index].asm = None;
                    rejected += 1;
                }
                _ => break Vec::new(),
            }
        };
        for line in &mut self.lines {
            let start = line.pc * INSN_SIZE;
            let original: Vec<u8> = line.slots.iter().flat_map(|slot| slot.encode()).collect();
            let again = reassembled.get(start..start + original.len());
            let same = match again {
                Some(again) if line.linked => {
                    without_immediates(again) == without_immediates(&original)
                }
                again => again == Some(original.as_slice()),
            };
            if !same {
                line.asm = None;
            }
        }
    }
}

/// Slots with their immediates zeroed, to compare what a linker leaves alone.
fn without_immediates(slots: &[u8]) -> Vec<u8> {
    let mut out = slots.to_vec();
    for slot in out.chunks_mut(INSN_SIZE) {
        if let Some(imm) = slot.get_mut(4..8) {
            imm.fill(0);
        }
    }
    out
}
