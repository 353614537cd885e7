//! `sbvm bench`: time a program per engine — the median execution time over K runs (fresh
//! memory each run; loading and compiling are not timed) and million instructions per second.
//! A run that fails (a fault, the budget running out) is reported as `run` reports it, with exit
//! status 1: a failure has no speed.

use crate::ebpf::Dialect;
use crate::load::{EnvironmentArgs, ProgramArgs};
use crate::report;
use crate::run::{engine_parser, prepare};
use crate::Failure;
use sbvm::vm::{EbpfError, Engine};
use serde_json::Value;
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
}

/// Runs `sbvm bench`.
pub fn run(args: Args) -> Result<(), Failure> {
    if args.program.dialect()? == Dialect::Ebpf {
        return Err(Failure::Usage(
            "bench times sBPF programs; eBPF programs are timed by the criterion benches".into(),
        ));
    }
    let engines = match args.engine {
        Some(engine) => vec![engine],
        None => Engine::ALL.to_vec(),
    };
    // Every run gets its own input; zeroes are allocated anew, so `--input-len 4294967296` is
    // never held twice.
    let input = args.environment.input_source()?;
    let mut loaded = args.program.load_or_reject()?;
    for engine in engines {
        // Compile time: the median of as many compilations as timed runs (the last one stays).
        let compile_median = (engine == Engine::Jit)
            .then(|| {
                let mut compiles = Vec::with_capacity(args.iters as usize);
                for _ in 0..args.iters {
                    let start = Instant::now();
                    prepare(engine, &mut loaded).map_err(|failure| Failure::NotLoaded {
                        program: args.program.program.display().to_string(),
                        failure,
                    })?;
                    compiles.push(start.elapsed().as_nanos() as u64);
                }
                compiles.sort_unstable();
                Ok::<u64, Failure>(compiles[compiles.len() / 2])
            })
            .transpose()?;
        let mut times = Vec::with_capacity(args.iters as usize);
        let mut instructions = 0;
        for run in 0..=args.iters {
            let timed = args
                .environment
                .run(&loaded.executable, input.fresh()?, |vm| {
                    let start = Instant::now();
                    let ran = vm.execute_with(engine);
                    (ran, start.elapsed())
                })?;
            let ((count, result), elapsed) = timed.driven;
            if let Err(error) = result {
                // A failed run has no speed worth reporting: say how it failed, exit 1.
                report_failure(engine, &error, count, timed.pc, args.json);
                return Err(Failure::Silent(1));
            }
            instructions = count;
            // The first run warms caches up and is not counted.
            if run > 0 {
                times.push(elapsed.as_nanos() as u64);
            }
        }
        times.sort_unstable();
        let median = times[times.len() / 2].max(1);
        let mips = instructions as f64 * 1_000.0 / median as f64;
        if args.json {
            report::out(&report::ordered_object(&[
                ("engine", Value::from(engine.name())),
                ("instructions", Value::from(instructions)),
                ("execute_ns_median", Value::from(median)),
                ("mips_median", Value::from((mips * 10.0).round() / 10.0)),
                (
                    "compile_ns_median",
                    compile_median.map_or(Value::Null, Value::from),
                ),
            ]));
        } else {
            let compile = compile_median
                .map(|ns| format!(", compile {:.1} µs", ns as f64 / 1e3))
                .unwrap_or_default();
            report::out(&format!(
                "{:<12} {instructions} instructions, median {:.3} ms over {} runs, {mips:.1} MIPS{compile}",
                engine.name(),
                median as f64 / 1e6,
                args.iters
            ));
        }
    }
    Ok(())
}

/// Says that a timed run failed: a JSON line with the engine, the error and where, or a line on
/// stderr.
fn report_failure(engine: Engine, error: &EbpfError, instructions: u64, pc: usize, json: bool) {
    let message = error.to_string();
    if json {
        report::out(&report::ordered_object(&[
            ("engine", Value::from(engine.name())),
            ("stage", Value::from("execute")),
            ("error", Value::from(error.kind_name())),
            ("message", Value::from(message.clone())),
            ("instructions", Value::from(instructions)),
            ("pc", Value::from(pc)),
        ]));
    }
    report::err(&format!(
        "sbvm: the run failed on the {}, so it has no speed: {}: {message} (at pc {pc}, after \
         {instructions} instructions)",
        engine.name(),
        error.kind_name()
    ));
}
