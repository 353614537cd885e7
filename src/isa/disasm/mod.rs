//! The disassembler: instruction slots → assembly that reassembles to the same bytes, or a
//! listing for people.
//!
//! Two outputs from one analysis:
//!
//! * [`disassemble`]: assembly text. Jump and call targets get labels (`LBB0`, `function_12`
//!   or the symbol's name); anything the assembler cannot say exactly (an unknown opcode,
//!   stray bits in an unused field, the second half of a broken `lddw`) becomes a
//!   `.fill 1, 0x…` directive holding the raw slot. Every output is checked by assembling it
//!   again (`self_check.rs`), so the round trip is exact by construction; the one exception
//!   is an immediate that ELF output fills in (below), where every other field is checked.
//!   `labels.rs` says how places are named.
//! * [`listing`]: in the style of llvm-objdump: instruction index, the raw bytes (16 for an
//!   `lddw`), the instruction with numeric offsets, and `<label>` after branches and calls.
//!
//! ```text
//! function_3:
//!        3:  bf 10 00 00 00 00 00 00                          mov64 r0, r1
//!        4:  a5 01 09 00 02 00 00 00                          jlt r1, 2, +9 <LBB0>
//! ```
//!
//! Calls are the subtle part: one opcode, told apart by version, `src` and immediate, and
//! before V3 the loader has rewritten an ELF's calls into hashes and registry keys. The
//! [`Symbols`] of a loaded ELF carry its function registry, so LLVM's calls come out as
//! `call sol_log_` and `hashcall function_12`, and the keys of an ELF file's own `call LABEL` as
//! `call LABEL` again (the whole table is in `callee.rs`). An ELF's loaded text and names come
//! from [`crate::elf::load_text`] and `LoadedText::symbols`; the output, assembled and written
//! with [`crate::elf::write_elf`], loads back to the same text (where the writer moves the data,
//! the addresses `lddw` takes aside) and function registry (tests/disasm_toolchain.rs checks the
//! toolchain's programs, tests/disasm_roundtrip.rs that every program runs the same).
//!
//! The text of an ELF file comes with its read-only data ([`Symbols::rodata`]): the output
//! carries it as `.rodata`, and an `lddw` of an address in it (or in the text) names a label
//! there (`lddw r1, rodata_0`), as does a word the loader filled with an address
//! (`.quad function_7`); `rodata.rs` draws the layout. Assembled and written with
//! [`crate::elf::write_elf`], the program reads the same bytes, even where the writer puts them
//! at other addresses.

mod callee;
mod labels;
mod render;
mod rodata;
mod self_check;

pub use rodata::ReadOnlyData;

use super::insn::{Insn, INSN_SIZE};
use super::syscall_names::known_syscall_name;
use super::table::{Kind, OpInfo};
use super::version::SbpfVersion;
use super::walk::instructions;
use callee::Callee;
use render::TargetStyle;
use rodata::{DataLayout, Place};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Names the disassembler can use: functions by instruction index, syscalls by hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Symbols {
    /// Function names by instruction index.
    pub functions: BTreeMap<usize, String>,
    /// Other names for instruction indices (jump targets), used where no function is named.
    pub labels: BTreeMap<usize, String>,
    /// Syscall names by hash, in addition to the well-known ones.
    pub syscalls: BTreeMap<u32, String>,
    /// The function registry: instruction index by key. Before V3 a call with `src = 1` (LLVM's,
    /// relocated by the loader) names its target by one of these keys.
    pub function_keys: BTreeMap<u32, usize>,
    /// Where the text is mapped, for `lddw` of a function's address.
    pub text_vaddr: Option<u64>,
    /// An ELF file's read-only data, which the assembly output carries as `.rodata` (with
    /// `text_vaddr`, so that addresses become labels).
    pub rodata: Option<ReadOnlyData>,
}

impl Symbols {
    /// The functions and labels of an assembled program.
    pub fn from_assembled(assembled: &super::asm::Assembled) -> Self {
        let functions: BTreeMap<usize, String> = assembled
            .functions
            .iter()
            .map(|function| (function.pc, function.name.clone()))
            .collect();
        let mut labels = BTreeMap::new();
        for (name, pc) in &assembled.labels {
            labels.entry(*pc).or_insert_with(|| name.clone());
        }
        Symbols {
            functions,
            labels,
            text_vaddr: None,
            rodata: None,
            syscalls: BTreeMap::new(),
            function_keys: assembled
                .functions
                .iter()
                .map(|function| (function.key, function.pc))
                .collect(),
        }
    }

    /// The name of the syscall whose hash is `hash`: the caller's, else a well-known one.
    pub fn syscall_name(&self, hash: u32) -> Option<String> {
        if let Some(name) = self.syscalls.get(&hash) {
            return Some(name.clone());
        }
        known_syscall_name(hash).map(str::to_string)
    }
}

/// One line of output: an instruction (one or two slots) at an instruction index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Instruction index of the first slot.
    pub pc: usize,
    /// The slots (two for `lddw`).
    pub slots: Vec<Insn>,
    /// Assembly, labels as operands; `None` where only `.fill` can say it.
    asm: Option<String>,
    /// Listing text, numbers as operands.
    listing: Option<String>,
    /// Label of the branch or call target, for the listing's `<label>`.
    target_label: Option<String>,
    /// Its immediate names a label that ELF output fills in (an address, a function's key), so
    /// a bare reassembly matches it in every other field.
    linked: bool,
}

impl Line {
    /// The line [`Disassembly::to_listing`] prints for this instruction (index, bytes,
    /// instruction, `<label>` of its target), for listings that put their own lines around it.
    pub fn listing_line(&self) -> String {
        let hex: Vec<String> = self
            .slots
            .iter()
            .flat_map(|slot| slot.encode())
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!(
            "{:>8}:  {:<48} {}",
            self.pc,
            hex.join(" "),
            self.listing_text()
        )
    }

    /// The instruction as the listing prints it, without index and bytes: numeric operands,
    /// then `<label>` of its target (a raw `.fill` where only that can say it).
    pub fn listing_text(&self) -> String {
        let text = match (&self.listing, &self.asm) {
            (Some(text), Some(_)) => text.clone(),
            _ => self
                .slots
                .iter()
                .map(render::fill)
                .collect::<Vec<_>>()
                .join("; "),
        };
        match (&self.target_label, &self.asm) {
            (Some(label), Some(_)) => format!("{text} <{label}>"),
            _ => text,
        }
    }
}

/// A disassembled text section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disassembly {
    /// The version it was decoded as.
    pub version: SbpfVersion,
    /// The instructions.
    pub lines: Vec<Line>,
    /// Labels by instruction index.
    pub labels: BTreeMap<usize, String>,
    /// Bytes after the last whole slot.
    pub trailing_bytes: usize,
    /// The read-only data as assembly (a `.rodata` section), for an ELF file's text; empty
    /// without. Rendered once: the lines above may turn into `.fill`, but no label changes.
    rodata_source: String,
}

/// Assembly text for `text` that reassembles to the same bytes (trailing partial slots aside).
pub fn disassemble(text: &[u8], version: SbpfVersion, symbols: &Symbols) -> String {
    analyze(text, version, symbols).to_assembly()
}

/// An llvm-objdump-style listing of `text`.
pub fn listing(text: &[u8], version: SbpfVersion, symbols: &Symbols) -> String {
    analyze(text, version, symbols).to_listing()
}

/// The instruction at index `pc` of `text`, as the listing shows it (numeric offsets), for
/// reports such as "faulted at pc 7: stxdw [r1+0], r2".
pub fn instruction_text(text: &[u8], pc: usize, version: SbpfVersion) -> Option<String> {
    instruction_text_with(text, pc, version, &Symbols::default())
}

/// [`instruction_text`] knowing the program's `symbols` (its function keys, so that LLVM's
/// relocated calls read `hashcall 0x…` rather than a raw slot).
pub fn instruction_text_with(
    text: &[u8],
    pc: usize,
    version: SbpfVersion,
    symbols: &Symbols,
) -> Option<String> {
    let start = pc.checked_mul(INSN_SIZE)?;
    let end = start.checked_add(2 * INSN_SIZE)?.min(text.len());
    let window = text.get(start..end)?;
    let symbols = Symbols {
        function_keys: symbols.function_keys.clone(),
        syscalls: symbols.syscalls.clone(),
        ..Symbols::default()
    };
    let disassembly = analyze(window, version, &symbols);
    let line = disassembly.lines.first()?;
    Some(match (&line.listing, &line.asm) {
        (Some(text), Some(_)) => text.clone(),
        _ => render::fill(&line.slots[0]),
    })
}

/// Decodes `text`, finds labels and renders every instruction.
pub fn analyze(text: &[u8], version: SbpfVersion, symbols: &Symbols) -> Disassembly {
    let slots: Vec<Insn> = text
        .chunks_exact(INSN_SIZE)
        .map(|chunk| {
            let mut slot = [0u8; INSN_SIZE];
            slot.copy_from_slice(chunk);
            Insn::decode(slot)
        })
        .collect();
    let mut units = split_units(text, version, symbols);
    let starts: BTreeSet<usize> = units.iter().map(|unit| unit.pc).collect();
    let layout = symbols
        .rodata
        .clone()
        .zip(symbols.text_vaddr)
        .map(|(data, text_vaddr)| DataLayout::new(data, text_vaddr, text.len()));
    let pointers = layout
        .as_ref()
        .map(|layout| layout.pointers(&starts))
        .unwrap_or_default();
    if let Some(layout) = &layout {
        for unit in &mut units {
            if let (Some(info), Some(second)) = (unit.info, slots.get(unit.pc + 1)) {
                if info.kind == Kind::LoadImm64 && unit.width == 2 {
                    let value = super::insn::lddw_value(&slots[unit.pc], second);
                    unit.address = layout.place(value, &starts);
                }
            }
        }
    }
    let addresses: BTreeSet<Place> = units
        .iter()
        .filter_map(|unit| unit.address)
        .chain(pointers.values().copied())
        .collect();
    let function_targets = addresses
        .iter()
        .filter_map(|place| match *place {
            Place::Text(at) => Some(at),
            Place::Data(_) => None,
        })
        .chain(
            units
                .iter()
                .filter(|unit| unit.callee.is_some())
                .filter_map(Unit::target_pc),
        );
    let jump_targets = units
        .iter()
        .filter(|unit| unit.callee.is_none())
        .filter_map(Unit::target_pc);
    let labels = labels::name_text(&starts, symbols, function_targets, jump_targets);
    let data_labels = labels::name_data(&addresses, &labels, symbols);

    let mut lines = Vec::with_capacity(units.len());
    for unit in units {
        let (pc, width) = (unit.pc, unit.width);
        let insn = &slots[pc];
        let second = (width == 2).then(|| &slots[pc + 1]);
        let mut line = Line {
            pc,
            slots: slots[pc..pc + width].to_vec(),
            asm: None,
            listing: None,
            target_label: None,
            linked: false,
        };
        if let Some(info) = unit.info {
            let target_label = match unit.address {
                Some(Place::Text(at)) => labels.get(&at),
                Some(Place::Data(at)) => data_labels.get(&at),
                None => unit.target_pc().and_then(|at| labels.get(&at)),
            }
            .map(String::as_str);
            let callee = unit.callee.as_ref();
            let style = |label_as_operand| TargetStyle {
                label: target_label,
                label_as_operand,
            };
            line.asm = render::instruction(info, insn, second, version, callee, style(true));
            line.listing = render::instruction(info, insn, second, version, callee, style(false));
            line.target_label = target_label.map(str::to_string);
            line.linked = target_label.is_some()
                && (unit.address.is_some()
                    || callee.zip(target_label).is_some_and(|(callee, label)| {
                        callee.is_linked_by_label(insn, version, label)
                    }));
        }
        lines.push(line);
    }
    let rodata_source = layout
        .filter(|layout| !layout.is_empty())
        .map(|layout| {
            layout.render(&data_labels, &pointers, |place| match place {
                Place::Text(at) => labels.get(&at).cloned(),
                Place::Data(at) => data_labels.get(&at).cloned(),
            })
        })
        .unwrap_or_default();
    let mut disassembly = Disassembly {
        version,
        lines,
        labels,
        trailing_bytes: text.len() % INSN_SIZE,
        rodata_source,
    };
    disassembly.demote_inexact_lines();
    disassembly
}

/// One instruction: where it starts, how many slots it takes (`lddw` two, when a second
/// exists), its table row, what it calls and where it jumps or calls to.
struct Unit {
    pc: usize,
    width: usize,
    info: Option<&'static OpInfo>,
    callee: Option<Callee>,
    target: Option<i64>,
    /// For an `lddw` of an address in the text or the read-only data: where it lands.
    address: Option<Place>,
}

impl Unit {
    /// The instruction index it jumps or calls to, if any.
    fn target_pc(&self) -> Option<usize> {
        self.target.and_then(|at| usize::try_from(at).ok())
    }
}

/// Instruction boundaries, calls and targets.
fn split_units(text: &[u8], version: SbpfVersion, symbols: &Symbols) -> Vec<Unit> {
    let mut units = Vec::with_capacity(text.len() / INSN_SIZE);
    for instruction in instructions(text, version) {
        let (pc, insn, info) = (instruction.pc, instruction.insn, instruction.info);
        let callee = info
            .filter(|info| info.kind == Kind::Call)
            .map(|_| Callee::of(&insn, pc, version, symbols));
        let target = match &callee {
            Some(callee) => callee.target(),
            None => info.and_then(|info| render::jump_target(info, &insn, pc)),
        };
        units.push(Unit {
            pc,
            width: instruction.slots,
            info,
            callee,
            target,
            address: None,
        });
    }
    units
}

impl Disassembly {
    /// Assembly text.
    pub fn to_assembly(&self) -> String {
        self.assembly_and_origins().0
    }

    /// Assembly text, and for each of its text lines the index of the [`Line`] it came from.
    fn assembly_and_origins(&self) -> (String, Vec<Option<usize>>) {
        let mut out = String::new();
        let mut origins = Vec::with_capacity(self.lines.len());
        for (index, line) in self.lines.iter().enumerate() {
            if let Some(label) = self.labels.get(&line.pc) {
                let _ = writeln!(out, "{label}:");
                origins.push(None);
            }
            match &line.asm {
                Some(text) => {
                    let _ = writeln!(out, "    {text}");
                    origins.push(Some(index));
                }
                None => {
                    for slot in &line.slots {
                        let _ = writeln!(out, "    {}", render::fill(slot));
                        origins.push(Some(index));
                    }
                }
            }
        }
        if self.trailing_bytes != 0 {
            let _ = writeln!(
                out,
                "# {} trailing bytes are not a whole slot",
                self.trailing_bytes
            );
        }
        out.push_str(&self.rodata_source);
        (out, origins)
    }

    /// An llvm-objdump-style listing.
    pub fn to_listing(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            if let Some(label) = self.labels.get(&line.pc) {
                let _ = writeln!(out, "{label}:");
            }
            let _ = writeln!(out, "{}", line.listing_line());
        }
        if self.trailing_bytes != 0 {
            let _ = writeln!(
                out,
                "# {} trailing bytes are not a whole slot",
                self.trailing_bytes
            );
        }
        out
    }
}
