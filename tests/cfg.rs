//! Control-flow graphs of hand-written programs whose graph is known by reading them: every
//! expected block, edge and call below is read off the program's text (instruction indices are
//! in the comments).

use sbvm::cfg::{
    Block, BlockEnd, Call, Callee, ControlFlowGraph, Edge, EdgeKind, EdgeTarget, Function,
};
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::Symbols;
use sbvm::isa::hash::symbol_hash;
use sbvm::isa::{Insn, SbpfVersion};

use EdgeKind::{FallThrough, Taken, Unconditional};

fn graph(source: &str, version: SbpfVersion) -> ControlFlowGraph {
    let assembled = assemble(source, version).unwrap_or_else(|e| panic!("{e}\n{source}"));
    let symbols = Symbols::from_assembled(&assembled);
    ControlFlowGraph::build(&assembled.text, version, &symbols, assembled.entry_pc)
}

fn raw_graph(slots: &[Insn], version: SbpfVersion) -> ControlFlowGraph {
    let text: Vec<u8> = slots.iter().flat_map(Insn::encode).collect();
    ControlFlowGraph::build(&text, version, &Symbols::default(), 0)
}

fn to(kind: EdgeKind, at: usize) -> Edge {
    Edge {
        kind,
        target: EdgeTarget::Block(at),
    }
}

/// The blocks as (start, instructions, successors, end), for comparing at a glance.
fn shape(cfg: &ControlFlowGraph) -> Vec<(usize, Vec<usize>, Vec<Edge>, BlockEnd)> {
    cfg.blocks
        .values()
        .map(|block| {
            (
                block.start,
                block.instructions.clone(),
                block.successors.clone(),
                block.end,
            )
        })
        .collect()
}

fn starts_and_blocks(cfg: &ControlFlowGraph) -> Vec<(usize, &str, Vec<usize>)> {
    cfg.functions
        .iter()
        .map(|f| (f.start, f.name.as_str(), f.blocks.clone()))
        .collect()
}

const LOOP: &str = "
entrypoint:
    mov64 r0, 0          # 0
loop:
    add64 r0, 1          # 1
    jlt r0, 10, loop     # 2: back to 1, or on to 3
    exit                 # 3
";

#[test]
fn a_loop_is_a_block_with_an_edge_back_to_itself() {
    for version in SbpfVersion::ALL {
        let cfg = graph(LOOP, version);
        // Expected from the program's text.
        assert_eq!(
            shape(&cfg),
            vec![
                (0, vec![0], vec![to(FallThrough, 1)], BlockEnd::FallThrough),
                (
                    1,
                    vec![1, 2],
                    vec![to(Taken, 1), to(FallThrough, 3)],
                    BlockEnd::Jump
                ),
                (3, vec![3], vec![], BlockEnd::Exit),
            ],
            "{version}"
        );
        assert_eq!(
            starts_and_blocks(&cfg),
            vec![(0, "entrypoint", vec![0, 1, 3])]
        );
        assert!(cfg.unreachable.is_empty());
    }
}

const DIAMOND: &str = "
    jeq r1, 0, +2        # 0: to 3, or on to 1
    mov64 r0, 1          # 1
    ja +1                # 2: to 4
    mov64 r0, 2          # 3
    exit                 # 4
";

#[test]
fn an_if_else_is_a_diamond() {
    for version in SbpfVersion::ALL {
        let cfg = graph(DIAMOND, version);
        // Expected from the program's text.
        assert_eq!(
            shape(&cfg),
            vec![
                (
                    0,
                    vec![0],
                    vec![to(Taken, 3), to(FallThrough, 1)],
                    BlockEnd::Jump
                ),
                (1, vec![1, 2], vec![to(Unconditional, 4)], BlockEnd::Jump),
                (3, vec![3], vec![to(FallThrough, 4)], BlockEnd::FallThrough),
                (4, vec![4], vec![], BlockEnd::Exit),
            ],
            "{version}"
        );
        assert_eq!(
            starts_and_blocks(&cfg),
            vec![(0, "entrypoint", vec![0, 1, 3, 4])]
        );
    }
}

const CALLS: &str = "
entrypoint:
    mov64 r1, 5          # 0
    call function_f      # 1: the function at 5
    syscall sol_log_     # 2
    callx r1             # 3
    exit                 # 4
function_f:
    mov64 r0, r1         # 5
    exit                 # 6
";

#[test]
fn calls_do_not_end_a_block_and_start_functions_in_v0_and_v3() {
    for version in [SbpfVersion::V0, SbpfVersion::V2, SbpfVersion::V3] {
        let cfg = graph(CALLS, version);
        // Expected from the program's text: one block per function, the calls in the first.
        assert_eq!(
            starts_and_blocks(&cfg),
            vec![(0, "entrypoint", vec![0]), (5, "function_f", vec![5])],
            "{version}"
        );
        let entry = &cfg.blocks[&0];
        assert_eq!(entry.instructions, vec![0, 1, 2, 3, 4], "{version}");
        assert_eq!(entry.end, BlockEnd::Exit);
        assert_eq!(
            entry.calls,
            vec![
                Call {
                    pc: 1,
                    callee: Callee::Function(5)
                },
                Call {
                    pc: 2,
                    callee: Callee::Syscall {
                        hash: symbol_hash("sol_log_"),
                        name: Some("sol_log_".into())
                    }
                },
                Call {
                    pc: 3,
                    callee: Callee::Indirect { register: 1 }
                },
            ],
            "{version}"
        );
        assert!(cfg.function("entrypoint").is_some_and(|f| f.is_entry));
        assert_eq!(
            cfg.function("5").map(|f| f.name.as_str()),
            Some("function_f")
        );
    }
}

const LDDW: &str = "
    lddw r0, 0x100000000 # 0 and 1
    jne r0, 0, +1        # 2: to 4, or on to 3
    exit                 # 3
    exit                 # 4
";

#[test]
fn an_lddw_is_one_instruction_of_its_block() {
    for version in [SbpfVersion::V0, SbpfVersion::V3] {
        let cfg = graph(LDDW, version);
        // Expected from the program's text: the lddw's second slot is no instruction.
        assert_eq!(
            shape(&cfg),
            vec![
                (
                    0,
                    vec![0, 2],
                    vec![to(Taken, 4), to(FallThrough, 3)],
                    BlockEnd::Jump
                ),
                (3, vec![3], vec![], BlockEnd::Exit),
                (4, vec![4], vec![], BlockEnd::Exit),
            ]
        );
    }
}

#[test]
fn code_after_an_exit_that_nothing_reaches_is_unreachable() {
    let source = "
    exit                 # 0
    mov64 r0, 1          # 1: nothing jumps here
    exit                 # 2
    ";
    let cfg = graph(source, SbpfVersion::V3);
    // Expected from the program's text.
    assert_eq!(starts_and_blocks(&cfg), vec![(0, "entrypoint", vec![0])]);
    assert_eq!(cfg.unreachable, vec![1]);
    assert_eq!(cfg.blocks[&1].instructions, vec![1, 2]);
}

fn slot(opcode: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        opcode,
        dst: 0,
        src,
        off,
        imm,
    }
}

#[test]
fn jumps_to_no_instruction_and_a_fall_past_the_end_are_invalid_edges() {
    let text = [
        slot(0x18, 0, 0, 1),   // 0: lddw r0, …
        slot(0x00, 0, 0, 0),   // 1: its second slot
        slot(0x15, 0, -2, 0),  // 2: jeq r0, 0, -2 → 1, the lddw's second slot
        slot(0x05, 0, 100, 0), // 3: ja +100 → 104, past the text
        slot(0xb7, 0, 0, 0),   // 4: mov64 r0, 0, then the text ends
    ];
    let cfg = raw_graph(&text, SbpfVersion::V0);
    let invalid = |kind, at| Edge {
        kind,
        target: EdgeTarget::Invalid(at),
    };
    // Expected from the slots above.
    assert_eq!(
        shape(&cfg),
        vec![
            (
                0,
                vec![0, 2],
                vec![invalid(Taken, 1), to(FallThrough, 3)],
                BlockEnd::Jump
            ),
            (
                3,
                vec![3],
                vec![invalid(Unconditional, 104)],
                BlockEnd::Jump
            ),
            (
                4,
                vec![4],
                vec![invalid(FallThrough, 5)],
                BlockEnd::FallThrough
            ),
        ]
    );
    assert_eq!(cfg.unreachable, vec![4]);
}

#[test]
fn an_opcode_the_version_lacks_ends_its_block() {
    let text = [
        slot(0xb7, 0, 0, 0), // 0: mov64 r0, 0
        slot(0xff, 0, 0, 0), // 1: no instruction in any version
        slot(0x95, 0, 0, 0), // 2: exit
    ];
    let cfg = raw_graph(&text, SbpfVersion::V3);
    // Expected from the slots above.
    assert_eq!(
        shape(&cfg),
        vec![
            (0, vec![0, 1], vec![], BlockEnd::Invalid),
            (2, vec![2], vec![], BlockEnd::Exit),
        ]
    );
    assert_eq!(cfg.unreachable, vec![2]);
}

#[test]
fn calls_the_names_do_not_resolve_are_unresolved() {
    // V0: a key no syscall and no registered function has (a bare text has no registry).
    let v0 = raw_graph(
        &[slot(0x85, 0, 0, 12345), slot(0x95, 0, 0, 0)],
        SbpfVersion::V0,
    );
    // V3: a pc-relative call past the text, and a src the runtime gives no meaning.
    let v3 = raw_graph(
        &[
            slot(0x85, 1, 0, 50),
            slot(0x85, 2, 0, 0),
            slot(0x95, 0, 0, 0),
        ],
        SbpfVersion::V3,
    );
    // Expected from the slots above.
    let callees = |cfg: &ControlFlowGraph| -> Vec<Callee> {
        cfg.blocks[&0]
            .calls
            .iter()
            .map(|c| c.callee.clone())
            .collect()
    };
    assert_eq!(callees(&v0), vec![Callee::Unresolved { imm: 12345 }]);
    assert_eq!(
        callees(&v3),
        vec![
            Callee::Unresolved { imm: 50 },
            Callee::Unresolved { imm: 0 }
        ]
    );
    // V3, src 0: a syscall by hash even when no name is known.
    let unnamed = raw_graph(&[slot(0x85, 0, 0, 7), slot(0x95, 0, 0, 0)], SbpfVersion::V3);
    assert_eq!(
        callees(&unnamed),
        vec![Callee::Syscall {
            hash: 7,
            name: None
        }]
    );
}

#[test]
fn a_jump_into_another_function_stops_at_its_start() {
    let source = "
entrypoint:
    call function_g      # 0
    ja function_g        # 1: a jump into function_g (a tail call)
function_g:
    exit                 # 2
    ";
    let cfg = graph(source, SbpfVersion::V3);
    // Expected from the program's text: the jump is an edge to g's block, which stays g's.
    assert_eq!(
        starts_and_blocks(&cfg),
        vec![(0, "entrypoint", vec![0]), (2, "function_g", vec![2])]
    );
    assert_eq!(cfg.blocks[&0].successors, vec![to(Unconditional, 2)]);
    let block: &Block = cfg.block_of(1).unwrap();
    assert_eq!(block.start, 0);
    let f: &Function = cfg.function("function_g").unwrap();
    assert!(!f.is_entry);
}

#[test]
fn no_text_is_an_empty_graph() {
    let cfg = ControlFlowGraph::build(&[1, 2, 3], SbpfVersion::V3, &Symbols::default(), 0);
    // Expected: three bytes are no whole slot.
    assert!(cfg.blocks.is_empty() && cfg.functions.is_empty() && cfg.unreachable.is_empty());
}

#[test]
fn an_address_the_program_takes_starts_a_function_where_the_text_is_mapped() {
    use sbvm::isa::disasm::ReadOnlyData;
    const TEXT_VADDR: u64 = 0x1_0000_0120;
    let address = |pc: u64| TEXT_VADDR + 8 * pc;
    let text = [
        slot(0x18, 0, 0, address(4) as i32), // 0: lddw r0, the address of 4
        slot(0x00, 0, 0, (address(4) >> 32) as i32), // 1
        slot(0x8d, 0, 0, 0),                 // 2: callx r0 (V0: the register in imm)
        slot(0x95, 0, 0, 0),                 // 3: exit
        slot(0x95, 0, 0, 0),                 // 4: exit, called through r0
        slot(0x95, 0, 0, 0),                 // 5: exit, whose address a data word holds
    ];
    let bytes: Vec<u8> = text.iter().flat_map(Insn::encode).collect();
    let mut data = vec![0u8; 16];
    data[8..].copy_from_slice(&address(5).to_le_bytes());
    let mut symbols = Symbols {
        text_vaddr: Some(TEXT_VADDR),
        rodata: Some(ReadOnlyData {
            vaddr: 0x2_0000_0000,
            bytes: data,
            pointers: [8].into(),
        }),
        ..Symbols::default()
    };
    let cfg = ControlFlowGraph::build(&bytes, SbpfVersion::V0, &symbols, 0);
    // Expected from the slots and the data word: functions at 0 (entry), 4 and 5.
    assert_eq!(
        starts_and_blocks(&cfg),
        vec![
            (0, "entrypoint", vec![0]),
            (4, "function_4", vec![4]),
            (5, "function_5", vec![5])
        ]
    );
    assert_eq!(
        cfg.blocks[&0].calls,
        vec![Call {
            pc: 2,
            callee: Callee::Indirect { register: 0 }
        }]
    );
    // Without knowing where the text is, the addresses are numbers only: the blocks at 4 and 5
    // (each after an exit) are unreachable.
    symbols.text_vaddr = None;
    let cfg = ControlFlowGraph::build(&bytes, SbpfVersion::V0, &symbols, 0);
    assert_eq!(starts_and_blocks(&cfg), vec![(0, "entrypoint", vec![0])]);
    assert_eq!(cfg.unreachable, vec![4, 5]);
}

#[test]
fn code_two_functions_reach_belongs_to_the_one_with_the_lower_start() {
    let source = "
entrypoint:
    jeq r1, 0, shared    # 0: to 3, or on to 1
    exit                 # 1
function_g:
    ja shared            # 2: to 3
shared:
    exit                 # 3
    ";
    let cfg = graph(source, SbpfVersion::V3);
    // Expected from the program's text: 3 is the entry's; g has an edge into it.
    assert_eq!(
        starts_and_blocks(&cfg),
        vec![(0, "entrypoint", vec![0, 1, 3]), (2, "function_g", vec![2])]
    );
    assert_eq!(cfg.blocks[&3].function, Some(0));
    assert_eq!(cfg.blocks[&2].successors, vec![to(Unconditional, 3)]);
}

#[test]
fn many_functions_jumping_into_one_long_chain_take_linear_time() {
    // 30,000 functions, each `ja` into a chain of 30,000 one-instruction blocks (the farthest
    // jump a 16-bit offset reaches): searching the chain once per function would visit 9e8
    // blocks.
    const N: usize = 30_000;
    let mut text = Vec::new();
    for i in 0..N {
        let to_chain = (N - i - 1) as i16; // from i to N: pc + 1 + off
        text.push(slot(0x05, 0, to_chain, 0));
    }
    for _ in 0..N {
        text.push(slot(0x15, 0, 0, 0)); // jeq r0, 0, +0: a block of its own
    }
    text.push(slot(0x95, 0, 0, 0));
    let bytes: Vec<u8> = text.iter().flat_map(Insn::encode).collect();
    let symbols = Symbols {
        functions: (0..N).map(|pc| (pc, format!("f{pc}"))).collect(),
        ..Symbols::default()
    };
    let started = std::time::Instant::now();
    let cfg = ControlFlowGraph::build(&bytes, SbpfVersion::V3, &symbols, 0);
    // Expected from the slots: the chain and the exit are the first function's.
    assert_eq!(cfg.functions.len(), N);
    assert_eq!(cfg.functions[0].blocks.len(), 1 + N + 1);
    assert!(cfg.functions[1..].iter().all(|f| f.blocks == [f.start]));
    // Generous for a loaded machine; the linear search takes well under a second.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}
