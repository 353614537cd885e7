//! `sbvm bench`: time a program per engine — the median execution time over K runs (fresh
//! memory each run; loading and compiling are not timed) and million instructions per second.
//! A run that fails (a fault, the budget running out) is reported as `run` reports it, with exit
//! status 1: a failure has no speed. eBPF programs (`--dialect ebpf`) are timed by
//! `crate::ebpf::bench` through the same [`time_engine`].

use crate::dialect::Dialect;
use crate::ebpf::bench::bench as ebpf_bench;
use crate::ebpf::flavour::FlavourArgs;
use crate::load::{EnvironmentArgs, Loaded, ProgramArgs};
use crate::run::{engine_parser, prepare};
use crate::timing::{time_engine, Timed};
use crate::Failure;
use sbvm::vm::Engine;
use std::time::Instant;

/// Arguments of `sbvm bench`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    program: ProgramArgs,
    #[command(flatten)]
    environment: EnvironmentArgs,
    /// Time only this engine (default: every available engine).
    #[arg(long, value_parser = engine_parser())]
    engine: Option<Engine>,
    /// Timed runs per engine.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    iters: u32,
    /// One JSON line per engine.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    flavour: FlavourArgs,
}

/// Runs `sbvm bench`.
pub fn run(args: Args) -> Result<(), Failure> {
    let engines = match args.engine {
        Some(engine) => vec![engine],
        None => Engine::ALL.to_vec(),
    };
    if args.program.dialect()? == Dialect::Ebpf {
        let (program, environment) = (&args.program, &args.environment);
        return ebpf_bench(
            program,
            environment,
            &engines,
            args.iters,
            args.json,
            &args.flavour,
        );
    }
    args.flavour.check_unused()?;
    // Every run gets its own input; zeroes are allocated anew, so `--input-len 4294967296` is
    // never held twice.
    let input = args.environment.input_source()?;
    let mut loaded = args.program.load_or_reject()?;
    let path = args.program.program.display().to_string();
    for engine in engines {
        let compile = |loaded: &mut Loaded| {
            prepare(engine, loaded).map_err(|failure| Failure::NotLoaded {
                program: path.clone(),
                failure,
            })
        };
        let run_once = |loaded: &mut Loaded| {
            let timed = args
                .environment
                .run(&loaded.executable, input.fresh()?, |vm| {
                    let start = Instant::now();
                    let ran = vm.execute_with(engine);
                    (ran, start.elapsed())
                })?;
            let ((instructions, result), elapsed) = timed.driven;
            Ok(Timed {
                instructions,
                result: result.map(|_| ()),
                pc: timed.pc,
                elapsed,
            })
        };
        time_engine(
            &mut loaded,
            engine,
            args.iters,
            args.json,
            compile,
            run_once,
        )?;
    }
    Ok(())
}
