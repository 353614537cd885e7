//! Linking one program: lay out its section, then every function it calls, each once, and
//! patch the instructions that name a map, global data or a function.
//!
//! ```text
//!   entry section "xdp"     .text                     linked text
//!   ┌──────────────┐        ┌─────────────────┐       ┌─────────────┐ 0
//!   │ call g ──────┼───────▶│ g: call f ──┐   │       │ xdp (whole) │
//!   │ lddw r1, map │        │    exit     │   │       ├─────────────┤ n
//!   │ exit         │        │ h: (unused) │   │       │ g           │
//!   └──────────────┘        │ f: …  ◀─────┘   │       ├─────────────┤
//!                           └─────────────────┘       │ f           │
//!                                                     └─────────────┘
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
use super::slots::{self, CALL};
use super::{CodeSection, LinkedProgram, LinkedRelocation, Target};
use std::collections::HashMap;

/// A function (or a whole section) placed in the linked text.
#[derive(Debug, Clone, Copy)]
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

impl Placed {
    /// Where instruction `index` of its section lands, if the function holds it.
    ///
    /// The sum cannot overflow: `landed + (end - start)` is at most the linked text's length
    /// in slots.
    fn landing(&self, index: usize) -> Option<usize> {
        if (self.start..self.end).contains(&index) {
            self.landed.checked_add(index.checked_sub(self.start)?)
        } else {
            None
        }
    }
}

/// The layout under construction: the placed functions and the text they make.
struct Layout<'a> {
    code: &'a [CodeSection],
    /// The entry section, placed whole at 0.
    entry: Placed,
    placed: Vec<Placed>,
    /// Each placed function by (section, first instruction), for lookups in O(1).
    by_start: HashMap<(usize, usize), Placed>,
    text: Vec<u8>,
}

impl<'a> Layout<'a> {
    /// A layout with the entry section `entry` placed whole.
    fn new(code: &'a [CodeSection], entry: usize) -> Layout<'a> {
        let slots = code.get(entry).map_or(0, |code| slots::count(&code.bytes));
        let entry = Placed {
            section: entry,
            start: 0,
            end: slots,
            landed: 0,
        };
        let mut layout = Layout {
            code,
            entry,
            placed: Vec::new(),
            by_start: HashMap::new(),
            text: Vec::new(),
        };
        layout.place(entry.section, 0, slots);
        layout
    }

    /// Appends instructions `start..end` of code section `section`.
    fn place(&mut self, section: usize, start: usize, end: usize) -> Placed {
        let landed = slots::count(&self.text);
        let bytes = self.code.get(section).map_or(&[][..], |code| &code.bytes);
        self.text.extend_from_slice(slots::range(bytes, start, end));
        let placed = Placed {
            section,
            start,
            end,
            landed,
        };
        self.placed.push(placed);
        self.by_start.insert((section, start), placed);
        placed
    }

    /// Where instruction `index` of `section` lands, placing its function if needed: the
    /// slots from the last function start at or before `index` to the next one (the whole
    /// entry section for the entry).
    fn land(&mut self, section: usize, index: usize) -> Option<usize> {
        if section == self.entry.section {
            return self.entry.landing(index);
        }
        let code = self.code.get(section)?;
        let after = code.functions.partition_point(|(start, _)| *start <= index);
        let start = after
            .checked_sub(1)
            .and_then(|last| code.functions.get(last))
            .map_or(0, |(start, _)| *start);
        if let Some(placed) = self.by_start.get(&(section, start)) {
            return placed.landing(index);
        }
        let end = code
            .functions
            .get(after)
            .map_or(slots::count(&code.bytes), |(start, _)| *start);
        self.place(section, start, end).landing(index)
    }

    /// The functions of the placed code with where they landed, ascending.
    fn functions(&self) -> Vec<(usize, String)> {
        let mut functions: Vec<(usize, String)> = Vec::new();
        for placed in &self.placed {
            let Some(code) = self.code.get(placed.section) else {
                continue;
            };
            let first = code
                .functions
                .partition_point(|(start, _)| *start < placed.start);
            let inside = code.functions.get(first..).unwrap_or(&[]);
            functions.extend(
                inside
                    .iter()
                    .map_while(|(start, name)| Some((placed.landing(*start)?, name.clone()))),
            );
        }
        functions.sort();
        functions
    }
}

/// Links the program in code section `entry`.
pub(super) fn link(code: &[CodeSection], entry: usize) -> Result<LinkedProgram, ObjectError> {
    let Some(entry_code) = code.get(entry) else {
        return Err(ObjectError::NoProgram);
    };
    let mut layout = Layout::new(code, entry);
    let mut relocations = Vec::new();
    let mut next = 0;
    while let Some(&placed) = layout.placed.get(next) {
        next = next.saturating_add(1);
        let Some(source) = code.get(placed.section) else {
            continue;
        };
        let mut index = placed.start;
        while let (Some(slot), Some(at)) =
            (slots::read(&source.bytes, index), placed.landing(index))
        {
            let call_error = |target: i64| ObjectError::CallOutOfBounds {
                section: source.name.clone(),
                index,
                target_section: source.name.clone(),
                target,
            };
            if let Some(resolved) = source.relocations.get(&index) {
                match resolved.target {
                    Target::Value(value) => {
                        slots::patch(&mut layout.text, at, value as u32, 0);
                        let high = (value >> 32) as u32;
                        slots::patch(&mut layout.text, at.saturating_add(1), high, 0);
                    }
                    Target::Call {
                        section: target_section,
                        index: target,
                    } => {
                        let target_error = |target: i64| ObjectError::CallOutOfBounds {
                            section: source.name.clone(),
                            index,
                            target_section: code
                                .get(target_section)
                                .map_or_else(String::new, |code| code.name.clone()),
                            target,
                        };
                        let landed = layout.land(target_section, target);
                        let landed = landed.ok_or_else(|| target_error(target as i64))?;
                        write_call(&mut layout.text, at, landed).map_err(target_error)?;
                    }
                }
                relocations.push(LinkedRelocation {
                    index: at,
                    kind: resolved.kind,
                    symbol: resolved.symbol.clone(),
                });
            } else if slot.opcode == CALL && slot.src == 1 {
                // A pc-relative call inside its own section: target = index + 1 + imm.
                let target = (index as i64)
                    .saturating_add(1)
                    .saturating_add(i64::from(slot.imm));
                let in_section = usize::try_from(target)
                    .ok()
                    .filter(|&target| target < slots::count(&source.bytes));
                let landed = in_section.and_then(|target| layout.land(placed.section, target));
                let landed = landed.ok_or_else(|| call_error(target))?;
                write_call(&mut layout.text, at, landed).map_err(call_error)?;
            }
            index = index.saturating_add(slot.width());
        }
    }
    let functions = layout.functions();
    Ok(LinkedProgram {
        section: entry_code.name.clone(),
        text: layout.text,
        functions,
        relocations,
    })
}

/// A bpf-to-bpf call at `at` to `landed`: `imm = landed − (at + 1)`, `src = 1`; the offset
/// as the error when it does not fit an `i32`.
fn write_call(text: &mut [u8], at: usize, landed: usize) -> Result<(), i64> {
    // Slot indices are below the text's length, far inside i64.
    let offset = (landed as i64).wrapping_sub((at as i64).wrapping_add(1));
    let imm = i32::try_from(offset).map_err(|_| offset)?;
    slots::patch(text, at, imm as u32, 1);
    Ok(())
}
