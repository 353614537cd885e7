//! The disassembler: instruction slots → assembly that reassembles to the same bytes, or a
//! listing for people.
//!
//! Two outputs from one analysis:
//!
//! * [`disassemble`]: assembly text. Jump and call targets get labels (`LBB0`, `function_12`
//!   or the symbol's name); anything the assembler cannot say exactly (an unknown opcode,
//!   stray bits in an unused field, the second half of a broken `lddw`) becomes a
//!   `.fill 1, 0x…` directive holding the raw slot. Every output is checked by assembling it
//!   again, so the round trip is exact by construction.
//! * [`listing`]: in the style of llvm-objdump: instruction index, the raw bytes (16 for an
//!   `lddw`), the instruction with numeric offsets, and `<label>` after branches and calls.
//!
//! ```text
//! function_3:
//!        3:  bf 10 00 00 00 00 00 00                          mov64 r0, r1
//!        4:  a5 01 09 00 02 00 00 00                          jlt r1, 2, +9 <LBB0>
//! ```

mod render;

use super::asm::assemble;
use super::hash::symbol_hash;
use super::insn::{Insn, INSN_SIZE};
use super::syscall_names::KNOWN_SYSCALLS;
use super::table::{lookup, Kind, OpInfo};
use super::version::SbpfVersion;
use render::{Target, TargetStyle};
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
            syscalls: BTreeMap::new(),
        }
    }

    fn syscall_name(&self, hash: u32) -> Option<String> {
        if let Some(name) = self.syscalls.get(&hash) {
            return Some(name.clone());
        }
        KNOWN_SYSCALLS
            .iter()
            .find(|name| symbol_hash(name) == hash)
            .map(|name| name.to_string())
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
    let start = pc.checked_mul(INSN_SIZE)?;
    let end = start.checked_add(2 * INSN_SIZE)?.min(text.len());
    let window = text.get(start..end)?;
    let disassembly = analyze(window, version, &Symbols::default());
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
    let units = split_units(&slots, version);
    let starts: BTreeSet<usize> = units.iter().map(|(pc, _, _)| *pc).collect();
    let labels = assign_labels(&units, &slots, &starts, version, symbols);

    let mut lines = Vec::with_capacity(units.len());
    for (pc, width, info) in units {
        let insn = &slots[pc];
        let second = (width == 2).then(|| &slots[pc + 1]);
        let mut line = Line {
            pc,
            slots: slots[pc..pc + width].to_vec(),
            asm: None,
            listing: None,
            target_label: None,
        };
        if let Some(info) = info {
            let target_label = render::target_of(info, insn, pc, version)
                .and_then(|target| match target {
                    Target::Jump(at) | Target::Call(at) => usize::try_from(at).ok(),
                })
                .and_then(|at| labels.get(&at))
                .filter(|_| !is_known_syscall_call(info, insn, version, symbols))
                .map(String::as_str);
            let syscall_name = |hash| symbols.syscall_name(hash);
            let style = |label_as_operand| TargetStyle {
                label: target_label,
                label_as_operand,
            };
            line.asm = render::instruction(info, insn, second, version, syscall_name, style(true));
            line.listing =
                render::instruction(info, insn, second, version, syscall_name, style(false));
            line.target_label = target_label.map(str::to_string);
        }
        lines.push(line);
    }
    let mut disassembly = Disassembly {
        version,
        lines,
        labels,
        trailing_bytes: text.len() % INSN_SIZE,
    };
    disassembly.demote_inexact_lines();
    disassembly
}

fn is_known_syscall_call(
    info: &OpInfo,
    insn: &Insn,
    version: SbpfVersion,
    symbols: &Symbols,
) -> bool {
    info.kind == Kind::Call
        && !version.static_syscalls()
        && symbols.syscall_name(insn.imm as u32).is_some()
}

/// Instruction boundaries: (index, slots, row). `lddw` takes two slots when a second exists.
fn split_units(
    slots: &[Insn],
    version: SbpfVersion,
) -> Vec<(usize, usize, Option<&'static OpInfo>)> {
    let mut units = Vec::with_capacity(slots.len());
    let mut pc = 0;
    while pc < slots.len() {
        let info = lookup(version, slots[pc].opcode);
        let width = match info {
            Some(info) if info.kind.is_wide() && pc + 1 < slots.len() => 2,
            _ => 1,
        };
        units.push((pc, width, info));
        pc += width;
    }
    units
}

fn assign_labels(
    units: &[(usize, usize, Option<&'static OpInfo>)],
    slots: &[Insn],
    starts: &BTreeSet<usize>,
    version: SbpfVersion,
    symbols: &Symbols,
) -> BTreeMap<usize, String> {
    let mut labels: BTreeMap<usize, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let name_at = |labels: &mut BTreeMap<usize, String>,
                   taken: &mut BTreeSet<String>,
                   pc: usize,
                   wanted: String| {
        if labels.contains_key(&pc) || !starts.contains(&pc) {
            return;
        }
        let mut name = wanted;
        let mut attempt = 0;
        while !is_label_name(&name) || taken.contains(&name) {
            attempt += 1;
            name = if attempt == 1 {
                format!("function_{pc}")
            } else {
                format!("function_{pc}_{attempt}")
            };
        }
        taken.insert(name.clone());
        labels.insert(pc, name);
    };
    for (pc, name) in &symbols.functions {
        name_at(&mut labels, &mut taken, *pc, name.clone());
    }
    let mut jump_targets = BTreeSet::new();
    for &(pc, _, info) in units {
        let Some(info) = info else { continue };
        if is_known_syscall_call(info, &slots[pc], version, symbols) {
            continue;
        }
        match render::target_of(info, &slots[pc], pc, version) {
            Some(Target::Call(at)) => {
                if let Ok(at) = usize::try_from(at) {
                    name_at(&mut labels, &mut taken, at, format!("function_{at}"));
                }
            }
            Some(Target::Jump(at)) => {
                if let Ok(at) = usize::try_from(at) {
                    jump_targets.insert(at);
                }
            }
            None => {}
        }
    }
    let mut next_block = 0;
    for at in jump_targets {
        if labels.contains_key(&at) || !starts.contains(&at) {
            continue;
        }
        if let Some(name) = symbols
            .labels
            .get(&at)
            .filter(|name| is_label_name(name) && !taken.contains(*name))
        {
            name_at(&mut labels, &mut taken, at, name.clone());
            continue;
        }
        let mut name = format!("LBB{next_block}");
        while taken.contains(&name) {
            next_block += 1;
            name = format!("LBB{next_block}");
        }
        next_block += 1;
        name_at(&mut labels, &mut taken, at, name);
    }
    labels
}

/// A label the assembler reads back as a label: identifier characters, not starting with a
/// digit, not a register name.
fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let is_register = name.len() >= 2
        && (name.starts_with('r') || name.starts_with('R'))
        && name[1..].bytes().all(|b| b.is_ascii_digit());
    starts_well && !is_register && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Disassembly {
    /// Assembly text.
    pub fn to_assembly(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            if let Some(label) = self.labels.get(&line.pc) {
                let _ = writeln!(out, "{label}:");
            }
            match &line.asm {
                Some(text) => {
                    let _ = writeln!(out, "    {text}");
                }
                None => {
                    for slot in &line.slots {
                        let _ = writeln!(out, "    {}", render::fill(slot));
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
        out
    }

    /// An llvm-objdump-style listing.
    pub fn to_listing(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            if let Some(label) = self.labels.get(&line.pc) {
                let _ = writeln!(out, "{label}:");
            }
            let hex: Vec<String> = line
                .slots
                .iter()
                .flat_map(|slot| slot.encode())
                .map(|byte| format!("{byte:02x}"))
                .collect();
            let text = match (&line.listing, &line.asm) {
                (Some(text), Some(_)) => text.clone(),
                _ => line
                    .slots
                    .iter()
                    .map(render::fill)
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            let reference = match (&line.target_label, &line.asm) {
                (Some(label), Some(_)) => format!(" <{label}>"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "{:>8}:  {:<48} {text}{reference}",
                line.pc,
                hex.join(" ")
            );
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

    /// Assembles the output again and turns every line whose bytes differ into `.fill`.
    fn demote_inexact_lines(&mut self) {
        let reassembled = match assemble(&self.to_assembly(), self.version) {
            Ok(assembled) => assembled.text,
            Err(_) => Vec::new(),
        };
        for line in &mut self.lines {
            let start = line.pc * INSN_SIZE;
            let original: Vec<u8> = line.slots.iter().flat_map(|slot| slot.encode()).collect();
            if reassembled.get(start..start + original.len()) != Some(original.as_slice()) {
                line.asm = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_must_read_back_as_labels() {
        assert!(is_label_name("function_3"));
        assert!(is_label_name("LBB0"));
        assert!(!is_label_name("r1"));
        assert!(!is_label_name("3abc"));
        assert!(!is_label_name("foo.cold"));
        assert!(is_label_name("rust_begin_unwind"));
    }
}
