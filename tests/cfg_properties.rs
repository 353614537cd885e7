//! Properties of control-flow graphs on random input, and Graphviz reading the DOT output.
//! Seeds are printed on failure; rerun one with `SBVM_SEED=N`, run more with `SBVM_SEEDS=N`.

mod common;

use common::gen::{code_like_bytes, valid_program};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sbvm::cfg::{to_dot, to_text, ControlFlowGraph, EdgeTarget, Source};
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::Symbols;
use sbvm::isa::walk::instructions;
use sbvm::isa::SbpfVersion;
use std::collections::{BTreeMap, BTreeSet};

/// Checks the graph's invariants against the text; `Err` says which broke.
fn check(cfg: &ControlFlowGraph, text: &[u8], version: SbpfVersion) -> Result<(), String> {
    // Every instruction is in exactly one block, and nothing else is.
    let starts: Vec<usize> = instructions(text, version).map(|i| i.pc).collect();
    let mut owner: BTreeMap<usize, usize> = BTreeMap::new();
    for block in cfg.blocks.values() {
        if block.instructions.first() != Some(&block.start) {
            return Err(format!("block {} does not begin at its start", block.start));
        }
        for pc in &block.instructions {
            if let Some(other) = owner.insert(*pc, block.start) {
                return Err(format!("{pc} is in blocks {other} and {}", block.start));
            }
        }
    }
    let owned: Vec<usize> = owner.keys().copied().collect();
    if owned != starts {
        return Err("the blocks do not hold exactly the text's instructions".into());
    }
    // A block's instructions are consecutive.
    for block in cfg.blocks.values() {
        for pair in block.instructions.windows(2) {
            let at = starts.binary_search(&pair[0]).map_err(|_| "not a start")?;
            if starts.get(at + 1) != Some(&pair[1]) {
                return Err(format!("block {} skips an instruction", block.start));
            }
        }
    }
    // Every edge lands on a block start.
    for block in cfg.blocks.values() {
        for edge in &block.successors {
            if let EdgeTarget::Block(at) = edge.target {
                if !cfg.blocks.contains_key(&at) {
                    return Err(format!("edge {} -> {at}: no block there", block.start));
                }
            }
        }
    }
    // Every block is some function's or unreachable, not both; functions list real blocks.
    let mut reached = BTreeSet::new();
    for function in &cfg.functions {
        if function.blocks.first() != Some(&function.start) {
            return Err(format!("function {} lacks its first block", function.name));
        }
        for start in &function.blocks {
            if !cfg.blocks.contains_key(start) {
                return Err(format!("function {} lists no block {start}", function.name));
            }
            reached.insert(*start);
        }
    }
    for (start, block) in &cfg.blocks {
        if reached.contains(start) == cfg.unreachable.contains(start) {
            return Err(format!("block {start}: reached and unreachable disagree"));
        }
        if block.function.is_some() != reached.contains(start) {
            return Err(format!(
                "block {start}: its function and the lists disagree"
            ));
        }
    }
    for function in &cfg.functions {
        for start in &function.blocks {
            if cfg.blocks[start].function != Some(function.start) {
                return Err(format!("block {start} is listed under another function"));
            }
        }
    }
    // The lookup finds each instruction's block.
    for (pc, start) in &owner {
        if cfg.block_of(*pc).map(|block| block.start) != Some(*start) {
            return Err(format!("block_of({pc}) is wrong"));
        }
    }
    Ok(())
}

fn outputs(cfg: &ControlFlowGraph, text: &[u8], symbols: &Symbols) -> (String, String) {
    let source = Source {
        text,
        symbols,
        text_vaddr: 0x1_0000_0000,
    };
    (to_text(cfg, &source, None), to_dot(cfg, &source, None))
}

#[test]
fn every_instruction_of_a_valid_program_is_in_one_block_and_edges_land_on_blocks() {
    for seed in common::seeds(30) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL.into_iter().chain([SbpfVersion::Ebpf]) {
            let text = valid_program(&mut rng, version, 200);
            let cfg = ControlFlowGraph::build(&text, version, &Symbols::default(), 0);
            check(&cfg, &text, version).unwrap_or_else(|e| panic!("seed {seed} {version}: {e}"));
            // The entry is a function, and its first block starts at 0.
            assert!(cfg.functions.iter().any(|f| f.is_entry && f.start == 0));
            let (listing, dot) = outputs(&cfg, &text, &Symbols::default());
            assert!(
                listing.starts_with("function entrypoint at 0"),
                "seed {seed}"
            );
            assert!(dot.starts_with("digraph cfg {") && dot.ends_with("}\n"));
        }
    }
}

#[test]
fn any_bytes_give_a_graph_and_never_a_panic() {
    for seed in common::seeds(60) {
        let mut rng = StdRng::seed_from_u64(seed);
        let text = code_like_bytes(&mut rng, 300);
        for version in SbpfVersion::ALL
            .into_iter()
            .chain([SbpfVersion::Ebpf, SbpfVersion::Reserved])
        {
            // An entry anywhere, even past the text.
            let entry = (seed as usize) % (text.len() / 8 + 2);
            let cfg = ControlFlowGraph::build(&text, version, &Symbols::default(), entry);
            check(&cfg, &text, version).unwrap_or_else(|e| panic!("seed {seed} {version}: {e}"));
            outputs(&cfg, &text, &Symbols::default());
        }
    }
}

/// The graphs of a few programs, as DOT.
fn dot_samples() -> Vec<String> {
    let source = "
entrypoint:
    mov64 r1, 5
    call function_f
    syscall sol_log_
    callx r1
    jeq r1, 0, +1
    ja function_f
    exit
function_f:
    mov64 r0, r1   # a \"quoted\" comment is not in the label
    exit
    exit
    ";
    let mut samples = Vec::new();
    for version in [SbpfVersion::V0, SbpfVersion::V3] {
        let assembled = assemble(source, version).unwrap();
        let symbols = Symbols::from_assembled(&assembled);
        let cfg = ControlFlowGraph::build(&assembled.text, version, &symbols, assembled.entry_pc);
        samples.push(outputs(&cfg, &assembled.text, &symbols).1);
    }
    let mut rng = StdRng::seed_from_u64(17);
    for version in [SbpfVersion::V2, SbpfVersion::V4] {
        let text = code_like_bytes(&mut rng, 100);
        let cfg = ControlFlowGraph::build(&text, version, &Symbols::default(), 0);
        samples.push(outputs(&cfg, &text, &Symbols::default()).1);
    }
    samples
}

#[test]
fn graphviz_reads_the_dot_output() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        common::skip("Graphviz's dot is not installed (apt-get install graphviz)");
        return;
    }
    for (index, dot) in dot_samples().into_iter().enumerate() {
        use std::io::Write;
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dot.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let errors = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && errors.is_empty(),
            "sample {index}: dot says {errors}\n{dot}"
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("<svg"));
    }
}
