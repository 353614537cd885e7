//! Control-flow graphs of sBPF programs: functions, their basic blocks, the edges between the
//! blocks and the calls each block makes.
//!
//! The graph is read from a text section the way the disassembler reads it: one walk over the
//! instructions ([`crate::isa::walk::instructions`], which steps over an `lddw`'s second slot),
//! each instruction's meaning from the one table ([`crate::isa::table`]: [`Kind::jumps`],
//! [`Kind::jump_offset`]), each jump's target from [`crate::isa::insn::jump_target`]. Names come
//! from [`Symbols`], the ones the disassembler uses. Nothing here runs the program; any bytes
//! give a graph, never a panic.
//!
//! ```text
//!  function entrypoint                      block: a run of instructions entered only at its
//!  ┌───────────────────────────┐            first and left only after its last
//!  │ 0: mov64 r1, 1            │
//!  │ 1: call function_5  ┄┄┄┄┄┄┼┄┄┄► function_5      (a call edge: does not end the block)
//!  │ 2: jeq r0, 0, +2          │
//!  └─────┬───────────┬─────────┘
//!   taken│           │fallthrough
//!        ▼           ▼
//!   ┌─────────┐  ┌─────────┐
//!   │ 5: exit │  │ 3: ...  │
//!   └─────────┘  └─────────┘
//! ```
//!
//! **Functions** start at the entry point, at every internal call's target, at every function
//! the caller's symbols name (an ELF file's function symbols, the registry's keyed functions, an
//! assembled program's registered functions), and, where the symbols say where the text is
//! mapped (an ELF file's), at every instruction whose address the program takes (an `lddw` of
//! it, or a word of the read-only data the loader filled with it: what `callx` calls). A
//! function's blocks are those reachable from its
//! start along jumps and fall-throughs, stopping at another function's start: a jump or a fall
//! into another function is an edge to that function's first block, which stays that
//! function's. Every block belongs to one function at most ([`Block::function`]): code two
//! functions both reach (without passing another start; compiled programs have none) belongs to
//! the one with the lower start, and the other has an edge into it. So the graph takes time
//! linear in the text, whatever its jumps. Code no function reaches is reported as unreachable.
//!
//! **Blocks** start at leaders: every function start, every jump target that is an instruction
//! start, and every instruction after a jump, an `exit` or an invalid slot. A block ends at its
//! last instruction before the next leader, or at a jump, `exit` or invalid slot. A `call` or
//! `callx` does *not* end a block: control comes back to the next instruction (even from a
//! syscall such as `abort` that never returns, which the graph does not know), so a call is a
//! [`Call`] of its block, drawn apart from the flow edges.
//!
//! **Calls** are told apart by version, as the runtime tells them apart:
//!
//! ```text
//! version   call imm                              callee
//! V0–V2     the hash of a known syscall name       Syscall (named)
//! V0–V2     a key of the function registry         Function (its instruction index)
//! V0–V2     anything else                          Unresolved (no registry entry known here)
//! V3+       src 0: a syscall's hash                Syscall (named when known)
//! V3+       src 1: pc + 1 + imm, an instruction    Function
//! V3+       anything else                          Unresolved
//! any       callx rN                               Indirect (rN holds the address)
//! ```
//!
//! A known syscall wins over a function with the same key, as the disassembler prints it. An
//! instruction the version does not have is a block's last: execution stops there with an error.
//! A jump outside the text, into an `lddw`'s second slot, or a fall past the last slot is an
//! edge to [`EdgeTarget::Invalid`].
//!
//! Built from assembly, listed as text ([`to_text`]) or DOT ([`to_dot`]):
//!
//! ```
//! use sbvm::cfg::{ControlFlowGraph, EdgeKind, EdgeTarget};
//! use sbvm::isa::{asm::assemble, disasm::Symbols, SbpfVersion};
//!
//! let source = "jeq r1, 0, +1\nmov64 r0, 1\nexit";
//! let assembled = assemble(source, SbpfVersion::V3).unwrap();
//! let symbols = Symbols::from_assembled(&assembled);
//! let cfg = ControlFlowGraph::build(&assembled.text, SbpfVersion::V3, &symbols, 0);
//! assert_eq!(cfg.blocks.keys().copied().collect::<Vec<_>>(), [0, 1, 2]);
//! let taken = cfg.blocks[&0].successors[0];
//! assert_eq!((taken.kind, taken.target), (EdgeKind::Taken, EdgeTarget::Block(2)));
//! assert_eq!(cfg.functions[0].blocks, [0, 1, 2]);
//! ```

mod build;
mod calls;
mod dot;
mod text;

pub use dot::to_dot;
pub use text::{to_text, Source};

use crate::isa::disasm::Symbols;
use crate::isa::table::Kind;
use crate::isa::SbpfVersion;
use std::collections::BTreeMap;

/// The control-flow graph of one text section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlFlowGraph {
    /// The version the text was read as.
    pub version: SbpfVersion,
    /// Every block, by the instruction index of its first instruction; together they hold every
    /// instruction of the text exactly once.
    pub blocks: BTreeMap<usize, Block>,
    /// The functions, by start.
    pub functions: Vec<Function>,
    /// Starts of the blocks no function reaches, in order.
    pub unreachable: Vec<usize>,
}

/// A basic block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Instruction index of its first instruction.
    pub start: usize,
    /// Instruction indices of its instructions, in order (an `lddw` counts once, at its first
    /// slot).
    pub instructions: Vec<usize>,
    /// Where control goes after its last instruction (none after `exit` or an invalid slot).
    pub successors: Vec<Edge>,
    /// The calls its instructions make, in order.
    pub calls: Vec<Call>,
    /// How it ends.
    pub end: BlockEnd,
    /// The start of the function it belongs to (`None`: no function reaches it).
    pub function: Option<usize>,
}

/// How a block ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockEnd {
    /// Control goes on to the next instruction, which starts another block.
    FallThrough,
    /// A jump (conditional or not).
    Jump,
    /// `exit`: back to the caller, or the end of the program.
    Exit,
    /// A slot the version has no instruction for: execution stops with an error.
    Invalid,
}

/// A flow edge out of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Why control goes there.
    pub kind: EdgeKind,
    /// Where it goes.
    pub target: EdgeTarget,
}

/// Why control follows an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// To the next instruction: the block ended before a leader, or a conditional jump was not
    /// taken.
    FallThrough,
    /// A conditional jump, taken.
    Taken,
    /// `ja` (or eBPF's `gotol`): always.
    Unconditional,
}

impl EdgeKind {
    /// Its name in the outputs: `fallthrough`, `taken`, `jump`.
    pub const fn name(self) -> &'static str {
        match self {
            EdgeKind::FallThrough => "fallthrough",
            EdgeKind::Taken => "taken",
            EdgeKind::Unconditional => "jump",
        }
    }
}

/// Where a flow edge goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeTarget {
    /// The block starting at this instruction index.
    Block(usize),
    /// No instruction: outside the text, the second slot of an `lddw`, or past the last slot
    /// (the slot index it names).
    Invalid(i128),
}

/// A call instruction of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Instruction index of the `call` or `callx`.
    pub pc: usize,
    /// What it calls.
    pub callee: Callee,
}

/// What a call calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callee {
    /// The internal function starting at this instruction index.
    Function(usize),
    /// A syscall by its hash, named when the name is known.
    Syscall {
        /// The murmur3 hash of its name (the immediate).
        hash: u32,
        /// Its name.
        name: Option<String>,
    },
    /// `callx`: the function whose address the register holds.
    Indirect {
        /// The register number.
        register: u8,
    },
    /// Nothing the program's names resolve: the immediate.
    Unresolved {
        /// The call's immediate.
        imm: i32,
    },
}

/// A function: a start and the blocks reachable from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// Instruction index of its first instruction.
    pub start: usize,
    /// Its name: the symbol the caller names it by, else `entrypoint` for the entry point and
    /// `function_N` for any other (N its start, as the disassembler labels it).
    pub name: String,
    /// Whether it is the program's entry point.
    pub is_entry: bool,
    /// Starts of its blocks (those whose [`Block::function`] is `start`): `start` first, then
    /// the others in order.
    pub blocks: Vec<usize>,
}

impl ControlFlowGraph {
    /// The graph of `text` read as `version`, entered at instruction `entry_pc`, with the
    /// functions and syscall names of `symbols`.
    pub fn build(
        text: &[u8],
        version: SbpfVersion,
        symbols: &Symbols,
        entry_pc: usize,
    ) -> ControlFlowGraph {
        build::build(text, version, symbols, entry_pc)
    }

    /// The function named `name`, or starting at the instruction index `name` spells.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions
            .iter()
            .find(|function| function.name == name)
            .or_else(|| {
                let pc: usize = name.parse().ok()?;
                self.functions.iter().find(|function| function.start == pc)
            })
    }

    /// The block holding the instruction at `pc`, if an instruction starts there.
    pub fn block_of(&self, pc: usize) -> Option<&Block> {
        let (_, block) = self.blocks.range(..=pc).next_back()?;
        block.instructions.contains(&pc).then_some(block)
    }
}

/// Whether an instruction of this kind ends its block (a jump or `exit`; an invalid slot too).
fn ends_block(kind: Option<Kind>) -> bool {
    match kind {
        None => true,
        Some(kind) => kind.jumps() || kind == Kind::Exit,
    }
}
