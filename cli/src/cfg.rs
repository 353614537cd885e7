//! `sbvm cfg`: the control-flow graph of a program, as text or Graphviz DOT
//! ([`sbvm::cfg`]).

use crate::dialect::Dialect;
use crate::input::read_program;
use crate::load::ProgramArgs;
use crate::report;
use crate::Failure;
use sbvm::cfg::{to_dot, to_text, ControlFlowGraph, Source};
use sbvm::memory::MM_BYTECODE_START;

/// Arguments of `sbvm cfg`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    program: ProgramArgs,
    /// Only this function: its name, or the instruction index it starts at.
    #[arg(long)]
    function: Option<String>,
    /// Print Graphviz DOT (`dot -Tsvg`) instead of text.
    #[arg(long)]
    dot: bool,
}

/// Runs `sbvm cfg`.
pub fn run(args: Args) -> Result<(), Failure> {
    if args.program.dialect()? == Dialect::Ebpf {
        return Err(Failure::Usage(
            "cfg reads sBPF programs; an eBPF object is not supported".into(),
        ));
    }
    let program = read_program(
        &args.program.program,
        args.program.format.raw,
        args.program.format.version,
    )?;
    // The entry point: the function the loader registers as `entrypoint`, else instruction 0
    // (as a bare text section is entered).
    let entry_pc = program
        .symbols
        .functions
        .iter()
        .find(|(_, name)| name.as_str() == "entrypoint")
        .map_or(0, |(pc, _)| *pc);
    let cfg = ControlFlowGraph::build(&program.text, program.version, &program.symbols, entry_pc);
    let only = match &args.function {
        Some(name) => Some(
            cfg.function(name)
                .ok_or_else(|| Failure::Usage(format!("no function {name:?} in the program")))?,
        ),
        None => None,
    };
    let source = Source {
        text: &program.text,
        symbols: &program.symbols,
        text_vaddr: program.symbols.text_vaddr.unwrap_or(MM_BYTECODE_START),
    };
    let output = if args.dot {
        to_dot(&cfg, &source, only)
    } else {
        to_text(&cfg, &source, only)
    };
    report::out(output.trim_end_matches('\n'));
    Ok(())
}
