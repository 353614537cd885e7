//! The assembler: text in the reference assembler's syntax → instruction slots for one version.
//!
//! ```text
//! entrypoint:                 # labels end with ':'; comments start with #, ; or //
//!     mov64 r1, 28
//!     call function_fib       # internal call (labels named function_* are registered)
//!     syscall sol_log_64_     # syscall by murmur3 hash of its name
//!     call sol_log_           # LLVM's syscall: src = 1 before V3 (sbvm extension)
//!     hashcall function_fib   # LLVM's relocated call, V0–V2: the key (sbvm extension)
//!     ldxdw r2, [r1+8]
//!     jne r2, 0, +3           # offsets are relative to the next slot; labels work too
//!     lddw r0, 0x1122334455667788
//!     exit
//!     .fill 2, 0x95           # raw slots: REPEAT copies of a little-endian u64
//!     lddw r1, message        # the address of a label (filled in when laid out as ELF)
//! .rodata                     # read-only data (an sbvm extension; needs ELF output)
//! message: .asciz "hello"     # also .ascii, .byte, .half, .word, .quad (a number or a label)
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
//!
//! Two call forms go beyond the reference, so that the text the loader makes of an ELF file
//! built by LLVM can be written down exactly. Before V3, LLVM gives every call `src = 1` and the
//! loader fills in the immediate by the symbol the call is relocated against: a syscall's
//! murmur3 hash, or the key the called function is registered under
//! ([`crate::isa::hash::function_key`]: murmur3 of its index, or of the name `entrypoint`):
//!
//! ```text
//!                 V0–V2: src, immediate              V3+: src, immediate
//! syscall NAME    0, murmur3(NAME)                   the same (a static syscall)
//! call LABEL      0, LABEL's index                   1, offset from the next slot
//! call NAME       1, murmur3(NAME)                   0, murmur3(NAME)
//!                 (NAME a known syscall and no label)
//! hashcall LABEL  1, function_key(LABEL, its index)  an error: no keys from V3
//!                 (and the function is registered under that key)
//! hashcall NAME   1, murmur3(NAME)   (NAME no label)
//! hashcall 0xKEY  1, KEY
//! ```
//!
//! Every call is recorded ([`Assembled::calls`]) so ELF output can link it by name: `call -1`
//! with its `src` kept and a relocation the loader resolves to the same immediate.

mod call;
mod context;
mod data;
mod encode;
mod error;
mod fill;
mod parse;

pub use error::{AsmError, AsmProblem};
pub use parse::{parse, Body, Operand, OperandValue, Statement};

use super::insn::INSN_SIZE;
use super::version::SbpfVersion;
use std::collections::BTreeMap;

/// Longest program the assembler will build, in slots (16 MiB of text).
pub const MAX_SLOTS: usize = 1 << 21;

/// A function the assembled program registers, as the reference assembler registers it: labels
/// named `entrypoint` or `function_*`, and targets of `call` with a numeric operand; and targets
/// of `hashcall LABEL`, under the key the call carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// Registry key: the instruction index (the reference assembler's convention), or for a
    /// `hashcall` target the loader's key ([`crate::isa::hash::function_key`]).
    pub key: u32,
    /// Its name.
    pub name: String,
    /// Instruction index of its first slot.
    pub pc: usize,
}

/// Where an address must be filled in once the program is laid out (an ELF file does it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    /// The `lddw` at this instruction index.
    Lddw(usize),
    /// The 8-byte `.quad` at this offset of the read-only data.
    Rodata(usize),
}

/// A reference to a label's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Where the address goes.
    pub site: Site,
    /// The label: of the text (a function's address) or of the read-only data.
    pub label: String,
}

/// What a `call` calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallTarget {
    /// A syscall, by name when the source gave one.
    Syscall {
        /// The name, for `syscall NAME`.
        name: Option<String>,
        /// Its murmur3 hash.
        hash: u32,
    },
    /// An internal function at this instruction index.
    Function(usize),
    /// An internal function called by its registry key (`hashcall LABEL`, before V3): the key
    /// the loader derives from the symbol `name` and the index
    /// ([`crate::isa::hash::function_key`]), so an ELF file links the call against `name`.
    Keyed {
        /// Instruction index of the function.
        pc: usize,
        /// The label the call names.
        name: String,
    },
}

/// A `call` instruction and its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSite {
    /// Instruction index of the call.
    pub pc: usize,
    /// What it calls.
    pub target: CallTarget,
}

/// The result of assembling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembled {
    /// The version the text was encoded for.
    pub version: SbpfVersion,
    /// The text section: 8-byte slots.
    pub text: Vec<u8>,
    /// Every text label and its instruction index.
    pub labels: BTreeMap<String, usize>,
    /// Registered functions, in order of key.
    pub functions: Vec<Function>,
    /// Where execution starts: the `entrypoint` label, or instruction 0.
    pub entry_pc: usize,
    /// Read-only data (`.rodata` section of the source).
    pub rodata: Vec<u8>,
    /// Read-only data labels and their offsets.
    pub data_labels: BTreeMap<String, usize>,
    /// Addresses to fill in at layout time.
    pub references: Vec<Reference>,
    /// Every `call` and what it calls.
    pub calls: Vec<CallSite>,
}

impl Assembled {
    /// Whether the program has read-only data or takes addresses, so it can only be laid out
    /// as an ELF file (a bare text section has nowhere to put them).
    pub fn needs_elf(&self) -> bool {
        !self.rodata.is_empty() || !self.references.is_empty()
    }
}

/// Which section statements go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Text,
    Rodata,
}

/// Assembles `source` for `version`.
pub fn assemble(source: &str, version: SbpfVersion) -> Result<Assembled, AsmError> {
    let statements = parse(source)?;
    let layout = Layout::of(&statements)?;
    let mut out = Assembled {
        version,
        text: Vec::with_capacity(layout.slots * INSN_SIZE),
        labels: layout
            .labels
            .iter()
            .map(|(name, (pc, _))| (name.clone(), *pc))
            .collect(),
        functions: layout.functions.clone(),
        entry_pc: layout.labels.get("entrypoint").map_or(0, |(pc, _)| *pc),
        rodata: Vec::new(),
        data_labels: layout
            .data_labels
            .iter()
            .map(|(name, (offset, _))| (name.clone(), *offset))
            .collect(),
        references: Vec::new(),
        calls: Vec::new(),
    };
    let mut section = Section::Text;
    for statement in &statements {
        let context = context::Context {
            version,
            pc: out.text.len() / INSN_SIZE,
            labels: &layout.labels,
            data_labels: &layout.data_labels,
            line: statement.line,
        };
        match (&statement.body, section) {
            (Body::Label(_), _) => {}
            (Body::Directive(name, _), _) if name == "text" => section = Section::Text,
            (Body::Directive(name, _), _) if name == "rodata" => section = Section::Rodata,
            (Body::Directive(name, operands), Section::Rodata) => {
                let data =
                    data::directive(&context, statement.column, name, operands, out.rodata.len())?;
                out.references.extend(data.references);
                out.rodata.extend_from_slice(&data.bytes);
            }
            (Body::Directive(name, operands), Section::Text) => {
                for slot in fill::directive(&context, statement.column, name, operands)? {
                    out.text.extend_from_slice(&slot.encode());
                }
            }
            (Body::Instruction(mnemonic, _), Section::Rodata) => {
                return Err(AsmError {
                    line: statement.line,
                    column: statement.column,
                    problem: AsmProblem::Syntax(format!(
                        "instruction {} in .rodata (switch back with .text)",
                        error::excerpt(mnemonic)
                    )),
                });
            }
            (Body::Instruction(mnemonic, operands), Section::Text) => {
                let encoded = encode::instruction(&context, statement.column, mnemonic, operands)?;
                if let Some(function) = encoded.registers_function {
                    register(&mut out.functions, function, statement)?;
                }
                if let Some(target) = encoded.call {
                    out.calls.push(CallSite {
                        pc: context.pc,
                        target,
                    });
                }
                if let Some(label) = encoded.address_of {
                    out.references.push(Reference {
                        site: Site::Lddw(context.pc),
                        label,
                    });
                }
                for slot in encoded.slots {
                    out.text.extend_from_slice(&slot.encode());
                }
            }
        }
    }
    out.functions.sort_by_key(|function| function.key);
    Ok(out)
}

/// Adds `function` to the registry; its key may already name the same index, not another.
fn register(
    functions: &mut Vec<Function>,
    function: Function,
    at: &Statement,
) -> Result<(), AsmError> {
    match functions.iter().find(|known| known.key == function.key) {
        Some(existing) if existing.pc != function.pc => Err(AsmError {
            line: at.line,
            column: at.column,
            problem: AsmProblem::FunctionKeyCollision {
                key: function.key,
                name: function.name,
            },
        }),
        Some(_) => Ok(()),
        None => {
            functions.push(function);
            Ok(())
        }
    }
}

/// First pass: where every label lands, and how many slots there are.
struct Layout {
    /// Text label → (instruction index, line defined).
    labels: BTreeMap<String, (usize, usize)>,
    /// Read-only data label → (offset, line defined).
    data_labels: BTreeMap<String, (usize, usize)>,
    functions: Vec<Function>,
    slots: usize,
}

impl Layout {
    fn of(statements: &[Statement]) -> Result<Self, AsmError> {
        let mut labels = BTreeMap::new();
        let mut data_labels: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut functions = Vec::new();
        let mut pc = 0usize;
        let mut data_len = 0usize;
        let mut section = Section::Text;
        for statement in statements {
            match &statement.body {
                Body::Directive(name, _) if name == "text" => section = Section::Text,
                Body::Directive(name, _) if name == "rodata" => section = Section::Rodata,
                Body::Label(name) if section == Section::Rodata => {
                    let first = labels
                        .get(name)
                        .or_else(|| data_labels.get(name))
                        .map(|(_, line)| *line);
                    if let Some(first_line) = first {
                        return Err(AsmError {
                            line: statement.line,
                            column: statement.column,
                            problem: AsmProblem::DuplicateLabel {
                                name: name.clone(),
                                first_line,
                            },
                        });
                    }
                    data_labels.insert(name.clone(), (data_len, statement.line));
                }
                Body::Directive(name, operands) if section == Section::Rodata => {
                    data_len = data_len.saturating_add(data::directive_len(name, operands));
                }
                Body::Label(name) => {
                    if let Some((_, first_line)) =
                        labels.get(name).or_else(|| data_labels.get(name))
                    {
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
                        let function = Function {
                            key: pc as u32,
                            name: name.clone(),
                            pc,
                        };
                        register(&mut functions, function, statement)?;
                    }
                }
                Body::Directive(name, operands) => {
                    pc = pc.saturating_add(fill::directive_slots(name, operands));
                }
                Body::Instruction(mnemonic, _) => {
                    pc += if mnemonic == "lddw" { 2 } else { 1 };
                }
            }
            if pc > MAX_SLOTS || data_len > MAX_SLOTS * INSN_SIZE {
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
            data_labels,
            functions,
            slots: pc,
        })
    }
}
