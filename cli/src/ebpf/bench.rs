//! `sbvm bench --dialect ebpf`: time an eBPF program per engine, as `bench` times sBPF ones
//! ([`crate::bench::time_engine`]: the median of K runs after a warm-up, MIPS, and for the JIT
//! the median compile time).
//!
//! The program is loaded once, so its maps and global data carry over from run to run, as
//! they would in a kernel. One timed span is one [`EbpfProgram::run`]: the run's memory map
//! (a fresh stack, the input and the metadata buffer of `--flavour`) is built inside it, so
//! the time includes that set-up, which the sBPF bench leaves out.

use super::flavour::FlavourArgs;
use super::not_loaded;
use super::read_source;
use super::run::EBPF_DEFAULT_LIMIT;
use crate::load::{compile_failure, EnvironmentArgs, ProgramArgs};
use crate::timing::{time_engine, Timed};
use crate::Failure;
use sbvm::ebpf::program::EbpfProgram;
use sbvm::vm::Engine;
use std::time::Instant;

/// Runs `sbvm bench --dialect ebpf` on `engines`.
pub fn bench(
    program: &ProgramArgs,
    environment: &EnvironmentArgs,
    engines: &[Engine],
    iters: u32,
    json: bool,
    flavour: &FlavourArgs,
) -> Result<(), Failure> {
    let path = &program.program;
    let flavour = flavour.flavour(environment)?;
    let input = environment.input_source()?;
    let section = program.section.as_deref();
    let mut loaded = read_source(path, program.format.raw, section)?
        .and_then(|source| source.load(section))
        .map_err(|failure| not_loaded(path, failure))?;
    let limit = environment.limit.unwrap_or(EBPF_DEFAULT_LIMIT);
    loaded.program.set_instruction_limit(limit);
    for &engine in engines {
        let compile = |program: &mut EbpfProgram| {
            let compiled = program.jit_compile();
            compiled.map_err(|error| not_loaded(path, compile_failure(error)))
        };
        let run_once = |program: &mut EbpfProgram| {
            let input = input.fresh()?;
            let start = Instant::now();
            let run = program
                .run(&flavour, input, engine)
                .map_err(|error| Failure::Usage(format!("cannot build the memory map: {error}")))?;
            Ok(Timed {
                elapsed: start.elapsed(),
                instructions: run.instructions,
                result: run.result.map(|_| ()),
                pc: run.pc,
            })
        };
        time_engine(&mut loaded.program, engine, iters, json, compile, run_once)?;
    }
    Ok(())
}
