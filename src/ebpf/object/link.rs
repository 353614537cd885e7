//! Linking one program: lay out its section, then every function it calls, each once, and
//! patch the instructions that name a map, global data or a function.
//!
//! ```text
//!   entry section "xdp"        .text                       linked text
//!   ┌────────────────┐         ┌──────────────┐            ┌────────────────┐ 0
//!   │ call g  ───────┼──┐      │ f:  …        │      ┌────▶│ xdp (whole)    │
//!   │ lddw r1, map   │  │      │ g:  call f ──┼─┐    │     ├────────────────┤ n
//!   │ exit           │  └─────▶│     exit     │ │    │     │ g              │
//!   └────────────────┘         │ h:  … (unused)│ │    │     ├────────────────┤
//!                              └──────────────┘ │    │     │ f              │
//!                                  f ◀──────────┘    │     └────────────────┘
//! ```
//!
//! The entry section is laid out whole at instruction 0. Any other code section is cut into
//! functions at its `STT_FUNC` symbols' starts, and a function is appended the first time a
//! call reaches it (breadth first: the order calls are met). Then each call's immediate
//! becomes `landed_target − (landed_call + 1)` with `src = 1` (a bpf-to-bpf call), and each
//! `lddw` takes its 64-bit value across its two slots with `src = 0`. A call with `src = 1`
//! and no relocation is already relative to its own section; its target is laid out and the
//! offset recomputed. A call with `src = 0` and no relocation is a helper call: left alone.

use super::error::ObjectError;
use super::relocate::{imm, CALL, LDDW, SLOT};
use super::{CodeSection, LinkedProgram, LinkedRelocation, Target};

/// A function (or a whole section) placed in the linked text.
struct Placed {
    /// Index into the code sections.
    section: usize,
    /// Its first instruction in its section.
    start: usize,
    /// One past its last.
    end: usize,
    /// Its first instruction in the linked text.
    landed: usize,
}

/// The layout under construction: the placed functions and the text they make.
struct Layout<'a> {
    code: &'a [CodeSection],
    placed: Vec<Placed>,
    text: Vec<u8>,
}

impl Layout<'_> {
    /// Appends instructions `start..end` of section `section`.
    fn place(&mut self, section: usize, start: usize, end: usize) -> usize {
        let landed = self.text.len() / SLOT;
        let bytes = &self.code[section].bytes;
        self.text
            .extend_from_slice(bytes.get(start * SLOT..end * SLOT).unwrap_or(&[]));
        self.placed.push(Placed {
            section,
            start,
            end,
            landed,
        });
        landed
    }

    /// Where instruction `index` of `section` lands, placing its function if needed.
    fn land(&mut self, section: usize, index: usize) -> usize {
        if let Some(placed) = self
            .placed
            .iter()
            .find(|placed| placed.section == section && (placed.start..placed.end).contains(&index))
        {
            return placed.landed + (index - placed.start);
        }
        let code = &self.code[section];
        let slots = code.bytes.len() / SLOT;
        let start = code
            .functions
            .iter()
            .map(|(start, _)| *start)
            .filter(|&start| start <= index)
            .max()
            .unwrap_or(0);
        let end = code
            .functions
            .iter()
            .map(|(start, _)| *start)
            .filter(|&start| start > index)
            .min()
            .unwrap_or(slots);
        self.place(section, start, end) + (index - start)
    }
}

/// Links the program in code section `entry`.
pub(super) fn link(code: &[CodeSection], entry: usize) -> Result<LinkedProgram, ObjectError> {
    let mut layout = Layout {
        code,
        placed: Vec::new(),
        text: Vec::new(),
    };
    let entry_slots = code[entry].bytes.len() / SLOT;
    layout.place(entry, 0, entry_slots);
    let mut relocations = Vec::new();
    let mut next = 0;
    while next < layout.placed.len() {
        let Placed {
            section,
            start,
            end,
            landed,
        } = layout.placed[next];
        next += 1;
        let source = &code[section];
        let mut index = start;
        while index < end {
            let at = landed + (index - start);
            let opcode = source.bytes.get(index * SLOT).copied().unwrap_or(0);
            if let Some(resolved) = source.relocations.get(&index) {
                match resolved.target {
                    Target::Value(value) => write_lddw(&mut layout.text, at, value),
                    Target::Call {
                        section: target_section,
                        index: target,
                    } => {
                        let landed_target = layout.land(target_section, target);
                        write_call(&mut layout.text, at, landed_target, source, index)?;
                    }
                }
                relocations.push(LinkedRelocation {
                    index: at,
                    kind: resolved.kind,
                    symbol: resolved.symbol.clone(),
                });
            } else if opcode == CALL && src(&source.bytes, index) == 1 {
                let offset = i64::from(imm(&source.bytes, index).unwrap_or(0));
                let target = (index as i64).saturating_add(offset).saturating_add(1);
                let slots = source.bytes.len() / SLOT;
                let target_index = usize::try_from(target)
                    .ok()
                    .filter(|&target| target < slots)
                    .ok_or_else(|| ObjectError::CallOutOfBounds {
                        section: source.name.clone(),
                        index,
                        target_section: source.name.clone(),
                        target,
                    })?;
                let landed_target = layout.land(section, target_index);
                write_call(&mut layout.text, at, landed_target, source, index)?;
            }
            index += if opcode == LDDW { 2 } else { 1 };
        }
    }
    let mut functions: Vec<(usize, String)> = layout
        .placed
        .iter()
        .flat_map(|placed| {
            code[placed.section]
                .functions
                .iter()
                .filter(|(start, _)| (placed.start..placed.end).contains(start))
                .map(|(start, name)| (placed.landed + (start - placed.start), name.clone()))
        })
        .collect();
    functions.sort();
    Ok(LinkedProgram {
        section: code[entry].name.clone(),
        text: layout.text,
        functions,
        relocations,
    })
}

/// The source register of slot `index`.
fn src(code: &[u8], index: usize) -> u8 {
    code.get(index * SLOT + 1).map_or(0, |regs| regs >> 4)
}

/// Sets slot `index`'s immediate, keeping the rest.
fn set_imm(text: &mut [u8], index: usize, value: u32) {
    let at = index * SLOT + 4;
    if let Some(bytes) = text.get_mut(at..at + 4) {
        bytes.copy_from_slice(&value.to_le_bytes());
    }
}

/// Sets slot `index`'s source register, keeping the destination.
fn set_src(text: &mut [u8], index: usize, src: u8) {
    if let Some(regs) = text.get_mut(index * SLOT + 1) {
        *regs = (*regs & 0x0f) | (src << 4);
    }
}

/// An `lddw` of `value`: the low half in the first slot's immediate, the high half in the
/// second's, `src = 0` (a plain constant).
fn write_lddw(text: &mut [u8], at: usize, value: u64) {
    set_imm(text, at, value as u32);
    set_imm(text, at + 1, (value >> 32) as u32);
    set_src(text, at, 0);
}

/// A bpf-to-bpf call at `at` to `landed_target`: `imm = target − (at + 1)`, `src = 1`.
fn write_call(
    text: &mut [u8],
    at: usize,
    landed_target: usize,
    source: &CodeSection,
    index: usize,
) -> Result<(), ObjectError> {
    let offset = (landed_target as i64) - (at as i64 + 1);
    let imm = i32::try_from(offset).map_err(|_| ObjectError::CallOutOfBounds {
        section: source.name.clone(),
        index,
        target_section: source.name.clone(),
        target: offset,
    })?;
    set_imm(text, at, imm as u32);
    set_src(text, at, 1);
    Ok(())
}
