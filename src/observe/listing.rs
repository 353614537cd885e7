//! The disassembly listing coverage points at when a program has no DWARF: the lines
//! `sbvm disasm --listing` prints (a label line before each labelled instruction, then one line
//! per instruction), with the listing line of each instruction.

use crate::isa::disasm::{analyze, Symbols};
use crate::isa::SbpfVersion;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A listing and where each instruction is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The listing's text.
    pub text: String,
    /// The 1-based line of each instruction index (an `lddw` has one line).
    pub lines: BTreeMap<usize, u64>,
}

/// The listing of `text` with `symbols`' names.
pub fn listing(text: &[u8], version: SbpfVersion, symbols: &Symbols) -> Listing {
    let disassembly = analyze(text, version, symbols);
    let mut out = String::new();
    let mut lines = BTreeMap::new();
    let mut line_number = 0u64;
    for line in &disassembly.lines {
        if let Some(label) = disassembly.labels.get(&line.pc) {
            let _ = writeln!(out, "{label}:");
            line_number = line_number.saturating_add(1);
        }
        let _ = writeln!(out, "{}", line.listing_line());
        line_number = line_number.saturating_add(1);
        lines.insert(line.pc, line_number);
    }
    if disassembly.trailing_bytes != 0 {
        let _ = writeln!(
            out,
            "# {} trailing bytes are not a whole slot",
            disassembly.trailing_bytes
        );
    }
    Listing { text: out, lines }
}
