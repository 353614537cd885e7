//! The graph as text for people: per function its blocks, each with its instructions as the
//! disassembler's listing prints them, its successors and its calls; then the unreachable
//! blocks.
//!
//! ```text
//! function entrypoint at 0 (0x100000000), 2 blocks
//!   block 0 (0x100000000), 3 instructions
//!            0:  mov64 r1, 1
//!            1:  call 2 <function_5>
//!            2:  jeq r0, 0, +2 <LBB0>
//!     calls: 1 function_5
//!     successors: taken 5, fallthrough 3
//! ```

use super::{Block, BlockEnd, Callee, ControlFlowGraph, EdgeTarget, Function};
use crate::isa::disasm::{analyze, Symbols};
use crate::isa::INSN_SIZE;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The program the graph was built from, for the instructions' text and addresses.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The text section.
    pub text: &'a [u8],
    /// The names the graph was built with.
    pub symbols: &'a Symbols,
    /// Guest address of the text's first slot.
    pub text_vaddr: u64,
}

impl Source<'_> {
    /// Each instruction's listing text (numeric operands, then `<label>`), by instruction index.
    pub(super) fn instruction_texts(&self, cfg: &ControlFlowGraph) -> BTreeMap<usize, String> {
        analyze(self.text, cfg.version, self.symbols)
            .lines
            .iter()
            .map(|line| (line.pc, line.listing_text()))
            .collect()
    }

    /// The guest address of instruction `pc`.
    pub(super) fn address(&self, pc: usize) -> u64 {
        let offset = (pc as u64).saturating_mul(INSN_SIZE as u64);
        self.text_vaddr.wrapping_add(offset)
    }
}

/// How a callee is written: its function's name, the syscall's name (else its hash), `callx rN`
/// or the unresolved immediate.
pub(super) fn callee_name(cfg: &ControlFlowGraph, callee: &Callee) -> String {
    match callee {
        Callee::Function(at) => cfg
            .functions
            .iter()
            .find(|function| function.start == *at)
            .map_or_else(
                || format!("function_{at}"),
                |function| function.name.clone(),
            ),
        Callee::Syscall {
            name: Some(name), ..
        } => name.clone(),
        Callee::Syscall { hash, name: None } => format!("syscall {hash:#x}"),
        Callee::Indirect { register } => format!("callx r{register}"),
        Callee::Unresolved { imm } => format!("unresolved {:#x}", *imm as u32),
    }
}

/// Where an edge goes, as the outputs write it: a block's start, or `invalid N`.
pub(super) fn target_name(target: EdgeTarget) -> String {
    match target {
        EdgeTarget::Block(at) => at.to_string(),
        EdgeTarget::Invalid(at) => format!("invalid {at}"),
    }
}

/// The graph as text: every function (or only `only`), and without `only` the unreachable
/// blocks.
pub fn to_text(cfg: &ControlFlowGraph, source: &Source<'_>, only: Option<&Function>) -> String {
    let texts = source.instruction_texts(cfg);
    let mut out = String::new();
    let functions: Vec<&Function> = match only {
        Some(function) => vec![function],
        None => cfg.functions.iter().collect(),
    };
    for function in functions {
        let _ = writeln!(
            out,
            "function {} at {} ({:#x}){}, {} block{}",
            function.name,
            function.start,
            source.address(function.start),
            if function.is_entry { ", entry" } else { "" },
            function.blocks.len(),
            plural(function.blocks.len()),
        );
        for start in &function.blocks {
            if let Some(block) = cfg.blocks.get(start) {
                write_block(&mut out, cfg, source, &texts, block);
            }
        }
    }
    if only.is_none() && !cfg.unreachable.is_empty() {
        let _ = writeln!(out, "unreachable: {} block(s)", cfg.unreachable.len());
        for start in &cfg.unreachable {
            if let Some(block) = cfg.blocks.get(start) {
                write_block(&mut out, cfg, source, &texts, block);
            }
        }
    }
    out
}

fn write_block(
    out: &mut String,
    cfg: &ControlFlowGraph,
    source: &Source<'_>,
    texts: &BTreeMap<usize, String>,
    block: &Block,
) {
    let count = block.instructions.len();
    let _ = writeln!(
        out,
        "  block {} ({:#x}), {count} instruction{}",
        block.start,
        source.address(block.start),
        plural(count)
    );
    for pc in &block.instructions {
        let text = texts.get(pc).map_or("?", String::as_str);
        let _ = writeln!(out, "    {pc:>8}:  {text}");
    }
    if !block.calls.is_empty() {
        let calls: Vec<String> = block
            .calls
            .iter()
            .map(|call| format!("{} {}", call.pc, callee_name(cfg, &call.callee)))
            .collect();
        let _ = writeln!(out, "    calls: {}", calls.join(", "));
    }
    let successors: Vec<String> = block
        .successors
        .iter()
        .map(|edge| format!("{} {}", edge.kind.name(), target_name(edge.target)))
        .collect();
    let end = match block.end {
        BlockEnd::Exit => "exit".to_string(),
        BlockEnd::Invalid => "stops: no instruction".to_string(),
        BlockEnd::Jump | BlockEnd::FallThrough => {
            format!("successors: {}", successors.join(", "))
        }
    };
    let _ = writeln!(out, "    {end}");
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}
