//! Building the graph: one walk for the instructions, leaders, blocks and their edges, then one
//! search per function over the blocks.
//!
//! Time is linear in the text plus the size of the functions' block lists (a block two
//! functions reach is visited once by each).

use super::calls::callee_of;
use super::{
    ends_block, Block, BlockEnd, Call, Callee, ControlFlowGraph, Edge, EdgeKind, EdgeTarget,
    Function,
};
use crate::isa::disasm::Symbols;
use crate::isa::insn::{jump_target, lddw_value, slot_count, Insn, INSN_SIZE};
use crate::isa::table::Kind;
use crate::isa::walk::{instructions, Instruction};
use crate::isa::SbpfVersion;
use std::collections::{BTreeMap, BTreeSet};

/// The instructions of a text and where they start.
struct Text {
    instructions: Vec<Instruction>,
    /// For each slot, the index into `instructions` of the instruction starting there.
    at_slot: Vec<Option<usize>>,
}

impl Text {
    fn read(text: &[u8], version: SbpfVersion) -> Text {
        let instructions: Vec<Instruction> = instructions(text, version).collect();
        let mut at_slot = vec![None; slot_count(text)];
        for (index, instruction) in instructions.iter().enumerate() {
            at_slot[instruction.pc] = Some(index);
        }
        Text {
            instructions,
            at_slot,
        }
    }

    /// Whether an instruction starts at slot `pc` (any integer: jump targets may be anywhere).
    fn is_start(&self, pc: i128) -> bool {
        usize::try_from(pc)
            .ok()
            .and_then(|pc| self.at_slot.get(pc))
            .is_some_and(Option::is_some)
    }

    fn kind(instruction: &Instruction) -> Option<Kind> {
        instruction.info.map(|info| info.kind)
    }

    /// Where the jump `instruction` goes, if it is one.
    fn jump_target(instruction: &Instruction) -> Option<i128> {
        let offset = Self::kind(instruction)?.jump_offset(&instruction.insn)?;
        Some(jump_target(instruction.pc, offset.into()))
    }

    /// The edge to slot `pc`.
    fn edge(&self, kind: EdgeKind, pc: i128) -> Edge {
        let target = match usize::try_from(pc) {
            Ok(at) if self.is_start(pc) => EdgeTarget::Block(at),
            _ => EdgeTarget::Invalid(pc),
        };
        Edge { kind, target }
    }
}

/// The graph of `text` (see [`ControlFlowGraph::build`]).
pub fn build(
    text: &[u8],
    version: SbpfVersion,
    symbols: &Symbols,
    entry_pc: usize,
) -> ControlFlowGraph {
    let code = Text::read(text, version);
    let is_start = |pc: i128| code.is_start(pc);

    // Every call, and from them and the symbols, the function starts.
    let mut calls: BTreeMap<usize, Callee> = BTreeMap::new();
    for instruction in &code.instructions {
        if let Some(kind) = Text::kind(instruction) {
            let callee = callee_of(
                kind,
                &instruction.insn,
                instruction.pc,
                version,
                symbols,
                is_start,
            );
            if let Some(callee) = callee {
                calls.insert(instruction.pc, callee);
            }
        }
    }
    let mut starts: BTreeSet<usize> = symbols
        .functions
        .keys()
        .chain(symbols.function_keys.values())
        .copied()
        .chain(std::iter::once(entry_pc))
        .chain(calls.values().filter_map(|callee| match callee {
            Callee::Function(at) => Some(*at),
            _ => None,
        }))
        .chain(address_taken(&code, text, symbols))
        .collect();
    starts.retain(|&pc| is_start(pc as i128));

    // Leaders: the first instruction, function starts, jump targets, and what follows a jump,
    // an exit or an invalid slot.
    let mut leaders = starts.clone();
    if let Some(first) = code.instructions.first() {
        leaders.insert(first.pc);
    }
    for instruction in &code.instructions {
        if let Some(target) = Text::jump_target(instruction) {
            if let (true, Ok(at)) = (is_start(target), usize::try_from(target)) {
                leaders.insert(at);
            }
        }
        if ends_block(Text::kind(instruction)) {
            leaders.insert(instruction.pc.saturating_add(instruction.slots));
        }
    }

    let mut blocks = blocks(&code, &leaders, &mut calls);
    let functions = starts
        .iter()
        .map(|&start| function(start, &mut blocks, &starts, symbols, entry_pc))
        .collect::<Vec<_>>();
    let unreachable = blocks
        .values()
        .filter(|block| block.function.is_none())
        .map(|block| block.start)
        .collect();
    ControlFlowGraph {
        version,
        blocks,
        functions,
        unreachable,
    }
}

/// The instructions whose address the program takes, `callx`'s targets: an `lddw` of an
/// address in the text, or a word of the read-only data the loader filled with one. Only where
/// the symbols say where the text is mapped (an ELF file's).
fn address_taken<'a>(
    code: &'a Text,
    text: &'a [u8],
    symbols: &'a Symbols,
) -> impl Iterator<Item = usize> + 'a {
    let text_vaddr = symbols.text_vaddr;
    let pc_at = move |address: u64| -> Option<usize> {
        let offset = address.checked_sub(text_vaddr?)?;
        let pc = usize::try_from(offset / INSN_SIZE as u64).ok()?;
        (offset % INSN_SIZE as u64 == 0 && code.is_start(pc as i128)).then_some(pc)
    };
    let loaded = code
        .instructions
        .iter()
        .filter(|instruction| instruction.slots == 2)
        .filter_map(move |instruction| {
            let second = Insn::at(text, instruction.pc.checked_add(1)?)?;
            Some(lddw_value(&instruction.insn, &second))
        });
    let stored = symbols.rodata.iter().flat_map(|data| {
        data.pointers.iter().filter_map(|&at| {
            let word = data.bytes.get(at..at.checked_add(8)?)?;
            Some(u64::from_le_bytes(word.try_into().ok()?))
        })
    });
    loaded.chain(stored).filter_map(pc_at)
}

/// Splits the instructions into blocks at `leaders` and gives each its edges and calls.
fn blocks(
    code: &Text,
    leaders: &BTreeSet<usize>,
    calls: &mut BTreeMap<usize, Callee>,
) -> BTreeMap<usize, Block> {
    let mut blocks = BTreeMap::new();
    let mut current: Option<Block> = None;
    for instruction in &code.instructions {
        let pc = instruction.pc;
        if leaders.contains(&pc) {
            if let Some(block) = current.take() {
                blocks.insert(block.start, finish_fall_through(block, pc as i128, code));
            }
        }
        let block = current.get_or_insert_with(|| Block {
            start: pc,
            instructions: Vec::new(),
            successors: Vec::new(),
            calls: Vec::new(),
            end: BlockEnd::FallThrough,
            function: None,
        });
        block.instructions.push(pc);
        if let Some(callee) = calls.remove(&pc) {
            block.calls.push(Call { pc, callee });
        }
        let kind = Text::kind(instruction);
        if !ends_block(kind) {
            continue;
        }
        let next = pc as i128 + instruction.slots as i128;
        let Some(mut block) = current.take() else {
            continue;
        };
        match kind {
            None => block.end = BlockEnd::Invalid,
            Some(Kind::Exit) => block.end = BlockEnd::Exit,
            Some(Kind::JumpIf { .. }) => {
                block.end = BlockEnd::Jump;
                if let Some(target) = Text::jump_target(instruction) {
                    block.successors.push(code.edge(EdgeKind::Taken, target));
                }
                block
                    .successors
                    .push(code.edge(EdgeKind::FallThrough, next));
            }
            Some(_) => {
                block.end = BlockEnd::Jump;
                if let Some(target) = Text::jump_target(instruction) {
                    block
                        .successors
                        .push(code.edge(EdgeKind::Unconditional, target));
                }
            }
        }
        blocks.insert(block.start, block);
    }
    if let Some(block) = current.take() {
        // The text ends without an exit or a jump: control would run past the last slot.
        let next = code
            .instructions
            .last()
            .map_or(0, |last| last.pc as i128 + last.slots as i128);
        blocks.insert(block.start, finish_fall_through(block, next, code));
    }
    blocks
}

/// A block that ends because the next instruction (at `next`) leads another.
fn finish_fall_through(mut block: Block, next: i128, code: &Text) -> Block {
    block.end = BlockEnd::FallThrough;
    block
        .successors
        .push(code.edge(EdgeKind::FallThrough, next));
    block
}

/// The function starting at `start`: the blocks reachable from it that neither start another
/// function nor belong to one already (searched in order of start, so each block is searched
/// once: the time is linear in the text whatever the calls and jumps).
fn function(
    start: usize,
    blocks: &mut BTreeMap<usize, Block>,
    starts: &BTreeSet<usize>,
    symbols: &Symbols,
    entry_pc: usize,
) -> Function {
    let mut own = vec![start];
    let mut stack = vec![start];
    if let Some(block) = blocks.get_mut(&start) {
        block.function = Some(start);
    }
    while let Some(at) = stack.pop() {
        let Some(block) = blocks.get(&at) else {
            continue;
        };
        let next: Vec<usize> = block
            .successors
            .iter()
            .filter_map(|edge| match edge.target {
                EdgeTarget::Block(next) => Some(next),
                EdgeTarget::Invalid(_) => None,
            })
            .collect();
        for next in next {
            if starts.contains(&next) {
                continue;
            }
            if let Some(block) = blocks.get_mut(&next) {
                if block.function.is_none() {
                    block.function = Some(start);
                    own.push(next);
                    stack.push(next);
                }
            }
        }
    }
    own[1..].sort_unstable();
    let name = match symbols.functions.get(&start) {
        Some(name) if !name.is_empty() => name.clone(),
        _ if start == entry_pc => "entrypoint".to_string(),
        _ => format!("function_{start}"),
    };
    Function {
        start,
        name,
        is_entry: start == entry_pc,
        blocks: own,
    }
}
