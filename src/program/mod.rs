//! The decoded program: what both engines run, below both of them.
//!
//! Loading reads the text through the instruction table once ([`decode_program`]) and keeps
//! one compact [`Op`] per slot, with everything the version decides already decided: which
//! operation, how the immediate is extended, where a jump or call goes, which syscall a hash
//! names. The interpreter dispatches on [`Op::code`] with one dense `match`; the JIT looks up
//! each code's recipe in one table. Neither looks at versions.
//!
//! ```text
//!             isa (table, slots, walk)
//!                       │
//!   program ── ops: the op list (for_each_op!) → Code, facts, immediate forms, lookups
//!           └─ decode: text → DecodedProgram { ops, runs }
//!                       │
//!                       vm (registries implement SyscallIndex, FunctionIndex)
//!                  ┌────┴─────┐
//!            interpreter     jit      both derive their per-op code from the op list
//! ```
//!
//! This part imports only [`crate::isa`]: what it needs from the VM (which syscall a hash
//! names, where a function key starts) it asks through two small traits that vm implements.
//!
//! Slot arithmetic is explicit (`clippy::arithmetic_side_effects` is denied): a pc indexes the
//! text, so stepping past it ([`next_pc`]) cannot wrap; jump targets go through
//! [`crate::isa`]'s one helper.

#![deny(clippy::arithmetic_side_effects)]

mod decode;
mod lookup;
mod ops;

pub use decode::{decode_program, FunctionIndex, SyscallIndex};
pub(crate) use ops::for_each_op;
pub use ops::{Arith, Code, Extension, Fault, OpFacts, Operand, Operation, Width};

/// One pre-decoded slot (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    /// The immediate operand, already extended as the operation needs; the `lddw` constant.
    pub imm: u64,
    /// Jump or call target, syscall number, or memory offset (as `i16 as i32 as u32`).
    pub aux: u32,
    /// What to do.
    pub code: Code,
    /// Destination register.
    pub dst: u8,
    /// Source register (for `callx`, the target register).
    pub src: u8,
}

impl Op {
    const UNSUPPORTED: Op = Op {
        imm: 0,
        aux: 0,
        code: Code::Unsupported,
        dst: 0,
        src: 0,
    };

    /// The memory offset of a load or store.
    #[inline(always)]
    pub fn offset(&self) -> u64 {
        self.aux as i32 as i64 as u64
    }
}

/// A text section in engine form: one [`Op`] per slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodedProgram {
    /// The ops, indexed by instruction index.
    pub ops: Vec<Op>,
    /// For each slot: how many instructions run from it through the end of its straight-line
    /// run (the next op that [`Code::ends_run`], or the end of the text). The interpreter
    /// charges a whole run to the meter at once when the budget covers it.
    pub runs: Vec<u32>,
}

/// The slot `slots` (1, or 2 for an lddw: [`Code::slots`]) after `pc`, which indexes a text's
/// ops: a vector's length is far below `usize::MAX`, so the step does not wrap. Both engines
/// and the decoder step through the text with this.
#[inline(always)]
pub const fn next_pc(pc: usize, slots: usize) -> usize {
    pc.wrapping_add(slots)
}

/// The instructions of the run charged at its start that come after `pc`: what is given back
/// when control leaves the run at `pc` (a taken jump, or a fault, there). Every slot's run
/// counts at least itself (the run lengths start each at 1), so this does not wrap; past the
/// text it is 0. Both engines meter with it.
#[inline(always)]
pub fn rest_of_run(runs: &[u32], pc: usize) -> u32 {
    runs.get(pc).map_or(0, |run| run.wrapping_sub(1))
}

/// Straight-line run lengths, computed backwards (an `lddw` counts once and skips its tail).
fn run_lengths(ops: &[Op]) -> Vec<u32> {
    let mut runs = vec![1u32; ops.len()];
    for pc in (0..ops.len()).rev() {
        let op = &ops[pc];
        if op.code.ends_run() {
            continue;
        }
        if let Some(rest) = runs.get(next_pc(pc, op.code.slots())) {
            runs[pc] = rest.saturating_add(1);
        }
    }
    runs
}
