//! Decoding through the table: per instruction set, an opcode's row, found in a table built
//! at compile time (which also checks that no two rows of one set claim the same slots).

use super::{OpInfo, Selector, TABLE};
use crate::isa::insn::Insn;
use crate::isa::version::SbpfVersion;

const NO_ROW: u8 = u8::MAX;

/// The instruction sets with a decode table: V0–V4 and eBPF, by `SbpfVersion::table_index`.
const DIALECTS: [SbpfVersion; 6] = [
    SbpfVersion::V0,
    SbpfVersion::V1,
    SbpfVersion::V2,
    SbpfVersion::V3,
    SbpfVersion::V4,
    SbpfVersion::Ebpf,
];

/// Per instruction set, opcode byte → index into [`TABLE`] of its plain ([`Selector::Any`])
/// row (or [`NO_ROW`]), built at compile time.
static DECODE: [[u8; 256]; 6] = build_decode_tables().0;
/// Per instruction set, whether an opcode also has rows that another field selects.
static SELECTED: [[bool; 256]; 6] = build_decode_tables().1;

const fn build_decode_tables() -> ([[u8; 256]; 6], [[bool; 256]; 6]) {
    assert!(TABLE.len() < NO_ROW as usize);
    let mut tables = [[NO_ROW; 256]; 6];
    let mut selected = [[false; 256]; 6];
    let mut v = 0;
    while v < DIALECTS.len() {
        let version = DIALECTS[v];
        assert!(version.table_index() == v);
        let mut i = 0;
        while i < TABLE.len() {
            let info = &TABLE[i];
            if info.availability.in_version(version) {
                match info.selector {
                    Selector::Any => {
                        // Two plain rows for one opcode in one version would make decoding
                        // ambiguous.
                        assert!(tables[v][info.opcode as usize] == NO_ROW);
                        tables[v][info.opcode as usize] = i as u8;
                    }
                    Selector::Offset(off) => {
                        // Nor may two rows select the same slots.
                        let mut j = 0;
                        while j < i {
                            let other = &TABLE[j];
                            assert!(
                                !(other.opcode == info.opcode
                                    && other.availability.in_version(version)
                                    && matches!(other.selector, Selector::Offset(o) if o == off))
                            );
                            j += 1;
                        }
                        selected[v][info.opcode as usize] = true;
                    }
                }
            }
            i += 1;
        }
        v += 1;
    }
    (tables, selected)
}

/// The row `insn` selects in `version`, or `None` if that version has no such instruction.
/// `Reserved` has no instructions.
#[inline]
pub fn lookup(version: SbpfVersion, insn: &Insn) -> Option<&'static OpInfo> {
    if version == SbpfVersion::Reserved {
        return None;
    }
    let v = version.table_index();
    let opcode = insn.opcode as usize;
    if SELECTED[v][opcode] {
        let selected = TABLE.iter().find(|info| {
            info.opcode == insn.opcode
                && info.selector != Selector::Any
                && info.selector.matches(insn)
                && info.in_version(version)
        });
        if selected.is_some() {
            return selected;
        }
    }
    TABLE.get(DECODE[v][opcode] as usize)
}

/// Every row whose canonical mnemonic is `mnemonic` (any version), in table order.
pub fn rows_named(mnemonic: &str) -> impl Iterator<Item = &'static OpInfo> + '_ {
    TABLE.iter().filter(move |info| info.mnemonic == mnemonic)
}
