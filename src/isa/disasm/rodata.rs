//! An ELF file's read-only data → the `.rodata` of the output, and the labels that `lddw` and
//! `.quad` name in it.
//!
//! The loader maps the read-only data at one address and the text at another; before V3 the
//! read-only region holds the text too. The output's `.rodata` is the region without the text,
//! the part after the text first (the ELF writer puts `.rodata` right after `.text`, so that part
//! keeps its distance from the code), then the part before it:
//!
//! ```text
//! loaded:   | before | text | after |        (V3: | data |  …  | text |)
//! output:   .text: text   .rodata: after, before
//! ```
//!
//! An address is a place in the output when it falls in the text (a slot: a function's
//! address) or in the data (an offset of `.rodata`); such an `lddw` is written with a label, and
//! so is an 8-byte word the loader filled with an address (V0–V2's `R_BPF_64_RELATIVE` outside
//! the text), as `.quad LABEL`. The writer lays the output out again, so the addresses may
//! change, but every reference changes with them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;

/// The read-only data of a loaded program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOnlyData {
    /// Guest address of the first byte.
    pub vaddr: u64,
    /// The bytes as the program sees them (relocated).
    pub bytes: Vec<u8>,
    /// Offsets in `bytes` of the 8-byte words that hold an address the loader filled in.
    pub pointers: BTreeSet<usize>,
}

/// Where an address lands in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// The slot at this instruction index.
    Text(usize),
    /// This offset of the output's `.rodata`.
    Data(usize),
}

/// The output's `.rodata`: which bytes of the region it holds, and where the text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLayout {
    data: ReadOnlyData,
    /// Ranges of `data.bytes` in output order.
    pieces: Vec<Range<usize>>,
    /// Guest addresses of the text.
    text: Range<u64>,
}

impl DataLayout {
    /// The layout for a text of `text_len` bytes at `text_vaddr` beside `data`.
    pub fn new(data: ReadOnlyData, text_vaddr: u64, text_len: usize) -> Self {
        let region_start = data.vaddr;
        let region_end = region_start.saturating_add(data.bytes.len() as u64);
        let text = text_vaddr..text_vaddr.saturating_add(text_len as u64);
        let offset =
            |address: u64| (address.clamp(region_start, region_end) - region_start) as usize;
        let after = offset(text.end)..data.bytes.len();
        let before = 0..offset(text.start);
        let pieces = [after, before]
            .into_iter()
            .filter(|piece| !piece.is_empty())
            .collect();
        DataLayout { data, pieces, text }
    }

    /// Bytes of the output's `.rodata`.
    pub fn len(&self) -> usize {
        self.pieces.iter().map(|piece| piece.len()).sum()
    }

    /// Whether the output has no `.rodata`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where `address` lands: a slot of the text (when it is one of `starts`) or an offset of
    /// the output's data.
    pub fn place(&self, address: u64, starts: &BTreeSet<usize>) -> Option<Place> {
        if self.text.contains(&address) {
            let offset = address - self.text.start;
            let pc = usize::try_from(offset / 8).ok()?;
            return (offset % 8 == 0 && starts.contains(&pc)).then_some(Place::Text(pc));
        }
        let in_region = usize::try_from(address.checked_sub(self.data.vaddr)?).ok()?;
        let mut output = 0usize;
        for piece in &self.pieces {
            if piece.contains(&in_region) {
                return Some(Place::Data(output + (in_region - piece.start)));
            }
            output += piece.len();
        }
        None
    }

    /// The words of the output's data that hold an address, by output offset, with where the
    /// address lands. A word split between two pieces, or whose address lands nowhere, stays
    /// bytes.
    pub fn pointers(&self, starts: &BTreeSet<usize>) -> BTreeMap<usize, Place> {
        let mut out = BTreeMap::new();
        let mut output = 0usize;
        for piece in &self.pieces {
            for &at in self.data.pointers.range(piece.clone()) {
                let Some(word) = self
                    .data
                    .bytes
                    .get(at..at + 8)
                    .filter(|_| at + 8 <= piece.end)
                else {
                    continue;
                };
                let mut value = [0u8; 8];
                value.copy_from_slice(word);
                if let Some(place) = self.place(u64::from_le_bytes(value), starts) {
                    out.insert(output + (at - piece.start), place);
                }
            }
            output += piece.len();
        }
        out
    }

    /// The `.rodata` section: `labels` by output offset, `pointers` (from [`Self::pointers`])
    /// as `.quad LABEL` with `name` of their place, the rest as `.ascii` and `.byte`.
    pub fn render(
        &self,
        labels: &BTreeMap<usize, String>,
        pointers: &BTreeMap<usize, Place>,
        name: impl Fn(Place) -> Option<String>,
    ) -> String {
        let bytes: Vec<u8> = self
            .pieces
            .iter()
            .flat_map(|piece| self.data.bytes[piece.clone()].iter().copied())
            .collect();
        let mut out = String::from(".rodata\n");
        let mut at = 0usize;
        while at <= bytes.len() {
            if let Some(label) = labels.get(&at) {
                let _ = writeln!(out, "{label}:");
            }
            if at == bytes.len() {
                break;
            }
            // A word with a label inside stays bytes, so that the label can be written.
            let label_inside = labels.range(at + 1..at + 8).next().is_some();
            let pointer = pointers.get(&at).filter(|_| !label_inside);
            if let Some(label) = pointer.and_then(|place| name(*place)) {
                let _ = writeln!(out, "    .quad {label}");
                at += 8;
                continue;
            }
            // Bytes up to the next label or pointer: text as `.ascii` (64 a line), the rest as
            // `.byte` (16 a line).
            let stop = [
                labels.range(at + 1..).next().map(|(offset, _)| *offset),
                pointers.range(at + 1..).next().map(|(offset, _)| *offset),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(bytes.len())
            .min(bytes.len());
            // Every look ahead is bounded (a line's worth of bytes), so rendering takes time in
            // proportion to the data, however long a run of text is.
            let rest = &bytes[at..stop];
            let text = printable_prefix(rest, ASCII_LINE_MAX);
            let len = if text >= ASCII_RUN_MIN {
                let _ = writeln!(out, "    .ascii \"{}\"", escaped(&rest[..text]));
                text
            } else {
                let len = (1..rest.len().min(BYTE_LINE_MAX))
                    .find(|&start| printable_prefix(&rest[start..], ASCII_RUN_MIN) == ASCII_RUN_MIN)
                    .unwrap_or(rest.len().min(BYTE_LINE_MAX));
                let list: Vec<String> = rest[..len]
                    .iter()
                    .map(|byte| format!("{byte:#04x}"))
                    .collect();
                let _ = writeln!(out, "    .byte {}", list.join(", "));
                len
            };
            at += len;
        }
        out
    }
}

/// Shortest run of printable bytes written as `.ascii`.
const ASCII_RUN_MIN: usize = 4;

/// Most bytes on one `.ascii` line.
const ASCII_LINE_MAX: usize = 64;

/// Most bytes on one `.byte` line.
const BYTE_LINE_MAX: usize = 16;

/// How many bytes at the start of `bytes` are printable ASCII, counting no further than
/// `limit`.
fn printable_prefix(bytes: &[u8], limit: usize) -> usize {
    bytes
        .iter()
        .take(limit)
        .take_while(|byte| (0x20..0x7f).contains(*byte))
        .count()
}

/// Printable ASCII in the assembler's string syntax.
fn escaped(run: &[u8]) -> String {
    let mut out = String::with_capacity(run.len());
    for &byte in run {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            _ => out.push(char::from(byte)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_inside_the_region_is_cut_out_and_the_rest_reordered() {
        // A V0-style region at 4 GiB + 0x100: 8 bytes before the text, 16 of text, 8 after.
        let data = ReadOnlyData {
            vaddr: 0x1_0000_0100,
            bytes: (0u8..32).collect(),
            pointers: BTreeSet::new(),
        };
        let layout = DataLayout::new(data, 0x1_0000_0108, 16);
        assert_eq!(layout.len(), 16);
        let starts: BTreeSet<usize> = [0, 1].into();
        assert_eq!(layout.place(0x1_0000_0110, &starts), Some(Place::Text(1)));
        assert_eq!(layout.place(0x1_0000_0118, &starts), Some(Place::Data(0)));
        assert_eq!(layout.place(0x1_0000_0100, &starts), Some(Place::Data(8)));
        assert_eq!(layout.place(0x1_0000_0120, &starts), None);
    }

    #[test]
    fn pointers_become_quads_unless_a_label_falls_inside() {
        // 16 bytes of data, each word an address of the text's slot 1 (at 0x1008).
        let word = 0x1008u64.to_le_bytes();
        let data = ReadOnlyData {
            vaddr: 0,
            bytes: [word, word].concat(),
            pointers: [0, 8].into(),
        };
        let layout = DataLayout::new(data, 0x1000, 16);
        let starts: BTreeSet<usize> = [0, 1].into();
        let pointers = layout.pointers(&starts);
        assert_eq!(pointers, [(0, Place::Text(1)), (8, Place::Text(1))].into());
        let labels: BTreeMap<usize, String> = [(12, "inner".to_string())].into();
        let text = layout.render(&labels, &pointers, |_| Some("callee".to_string()));
        assert_eq!(
            text,
            ".rodata\n    .quad callee\n    .byte 0x08, 0x10, 0x00, 0x00\ninner:\n    \
             .byte 0x00, 0x00, 0x00, 0x00\n"
        );
    }
}
