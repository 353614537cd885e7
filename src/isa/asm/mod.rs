//! The assembler: text in the reference assembler's syntax → instruction slots for one version.
//!
//! ```text
//! entrypoint:                 # labels end with ':'; comments start with #, ; or //
//!     mov64 r1, 28
//!     call function_fib       # internal call (labels named function_* are registered)
//!     syscall sol_log_64_     # syscall by murmur3 hash of its name
//!     ldxdw r2, [r1+8]
//!     jne r2, 0, +3           # offsets are relative to the next slot; labels work too
//!     lddw r0, 0x1122334455667788
//!     exit
//!     .fill 2, 0x95           # raw slots: REPEAT copies of a little-endian u64
//! ```
//!
//! Mnemonics come from the instruction table ([`crate::isa::table`]), plus the reference's
//! aliases: `add` for `add64` (every 64-bit ALU operation), `jeq64` for `jeq` (every 64-bit
//! jump), `le16`/`be32`/… for the byte swaps, `syscall` for a `call` by hash.
//!
//! Encoding follows the reference assembler exactly, so the same source gives the same bytes:
//! an instruction the target version lacks is still encoded (the verifier then rejects it, as
//! the reference does); `add64 r10, imm` becomes the no-op `or64 r0, 0` in versions without
//! dynamic stack frames; `call` before V3 encodes the target's instruction index, from V3 a
//! pc-relative offset with `src = 1`; `callx` puts its register where the version wants it.

mod encode;
mod error;
mod parse;

pub use error::{AsmError, AsmProblem};
pub use parse::{parse, Body, Operand, OperandValue, Statement};

use super::insn::INSN_SIZE;
use super::version::SbpfVersion;
use std::collections::BTreeMap;

/// Longest program the assembler will build, in slots (16 MiB of text).
pub const MAX_SLOTS: usize = 1 << 21;

/// A function the assembled program registers, as the reference assembler registers it: labels
/// named `entrypoint` or `function_*`, and targets of `call` with a numeric operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// Registry key: the instruction index.
    pub key: u32,
    /// Its name.
    pub name: String,
    /// Instruction index of its first slot.
    pub pc: usize,
}

/// The result of assembling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembled {
    /// The version the text was encoded for.
    pub version: SbpfVersion,
    /// The text section: 8-byte slots.
    pub text: Vec<u8>,
    /// Every label and its instruction index.
    pub labels: BTreeMap<String, usize>,
    /// Registered functions, in order of key.
    pub functions: Vec<Function>,
    /// Where execution starts: the `entrypoint` label, or instruction 0.
    pub entry_pc: usize,
}

/// Assembles `source` for `version`.
pub fn assemble(source: &str, version: SbpfVersion) -> Result<Assembled, AsmError> {
    let statements = parse(source)?;
    let layout = Layout::of(&statements)?;
    let mut text = Vec::with_capacity(layout.slots * INSN_SIZE);
    let mut functions = layout.functions.clone();
    let mut pc = 0usize;
    for statement in &statements {
        let context = encode::Context {
            version,
            pc,
            labels: &layout.labels,
            line: statement.line,
        };
        let slots = match &statement.body {
            Body::Label(_) => continue,
            Body::Directive(name, operands) => {
                encode::directive(&context, statement.column, name, operands)?
            }
            Body::Instruction(mnemonic, operands) => {
                let encoded = encode::instruction(&context, statement.column, mnemonic, operands)?;
                if let Some(target) = encoded.registers_function {
                    register(
                        &mut functions,
                        target,
                        format!("function_{target}"),
                        statement,
                    )?;
                }
                encoded.slots
            }
        };
        pc += slots.len();
        for slot in slots {
            text.extend_from_slice(&slot.encode());
        }
    }
    let entry_pc = layout.labels.get("entrypoint").map_or(0, |(pc, _)| *pc);
    functions.sort_by_key(|function| function.key);
    Ok(Assembled {
        version,
        text,
        labels: layout
            .labels
            .into_iter()
            .map(|(name, (pc, _))| (name, pc))
            .collect(),
        functions,
        entry_pc,
    })
}

fn register(
    functions: &mut Vec<Function>,
    pc: usize,
    name: String,
    at: &Statement,
) -> Result<(), AsmError> {
    let key = pc as u32;
    match functions.iter().find(|function| function.key == key) {
        Some(existing) if existing.pc != pc => Err(AsmError {
            line: at.line,
            column: at.column,
            problem: AsmProblem::FunctionKeyCollision { key, name },
        }),
        Some(_) => Ok(()),
        None => {
            functions.push(Function { key, name, pc });
            Ok(())
        }
    }
}

/// First pass: where every label lands, and how many slots there are.
struct Layout {
    /// Label → (instruction index, line defined).
    labels: BTreeMap<String, (usize, usize)>,
    functions: Vec<Function>,
    slots: usize,
}

impl Layout {
    fn of(statements: &[Statement]) -> Result<Self, AsmError> {
        let mut labels = BTreeMap::new();
        let mut functions = Vec::new();
        let mut pc = 0usize;
        for statement in statements {
            match &statement.body {
                Body::Label(name) => {
                    if let Some((_, first_line)) = labels.get(name) {
                        return Err(AsmError {
                            line: statement.line,
                            column: statement.column,
                            problem: AsmProblem::DuplicateLabel {
                                name: name.clone(),
                                first_line: *first_line,
                            },
                        });
                    }
                    labels.insert(name.clone(), (pc, statement.line));
                    if name.starts_with("function_") || name == "entrypoint" {
                        register(&mut functions, pc, name.clone(), statement)?;
                    }
                }
                Body::Directive(name, operands) => {
                    pc = pc.saturating_add(encode::directive_slots(name, operands));
                }
                Body::Instruction(mnemonic, _) => {
                    pc += if mnemonic == "lddw" { 2 } else { 1 };
                }
            }
            if pc > MAX_SLOTS {
                return Err(AsmError {
                    line: statement.line,
                    column: statement.column,
                    problem: AsmProblem::ProgramTooLong,
                });
            }
        }
        // The reference resolves `entrypoint` to instruction 0 unless the program defines it.
        labels.entry("entrypoint".to_string()).or_insert((0, 0));
        Ok(Layout {
            labels,
            functions,
            slots: pc,
        })
    }
}
