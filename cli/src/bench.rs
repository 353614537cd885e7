//! `sbvm bench`: time a program per engine — the median execution time over K runs (fresh
//! memory each run; loading and compiling are not timed) and million instructions per second.
//! A run that fails (a fault, the budget running out) is reported as `run` reports it, with exit
//! status 1: a failure has no speed. eBPF programs (`--dialect ebpf`) are timed by
//! `crate::ebpf::bench` through the same [`time_engine`].

use crate::ebpf::bench::bench as ebpf_bench;
use crate::ebpf::flavour::FlavourArgs;
use crate::ebpf::Dialect;
use crate::load::{EnvironmentArgs, Loaded, ProgramArgs};
use crate::report;
use crate::run::{engine_parser, prepare};
use crate::Failure;
use sbvm::vm::{EbpfError, Engine};
use serde_json::Value;
use std::time::{Duration, Instant};

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

/// One timed run: what it executed, how it ended, and how long it took.
pub struct Timed {
    /// Instructions executed.
    pub instructions: u64,
    /// The run's error, if it failed.
    pub result: Result<(), EbpfError>,
    /// Instruction index where it ended.
    pub pc: usize,
    /// The time measured.
    pub elapsed: Duration,
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

/// Times `engine` on `target` and prints the line: for the JIT the median of `iters`
/// compilations (`compile`; the last one stays), then the median of `iters` runs
/// (`run_once`) after one that warms caches up. A failed run is reported instead, exit 1.
pub fn time_engine<T>(
    target: &mut T,
    engine: Engine,
    iters: u32,
    json: bool,
    compile: impl Fn(&mut T) -> Result<(), Failure>,
    run_once: impl Fn(&mut T) -> Result<Timed, Failure>,
) -> Result<(), Failure> {
    // Compile time: the median of as many compilations as timed runs (the last one stays).
    let compile_median = (engine == Engine::Jit)
        .then(|| {
            let mut compiles = Vec::with_capacity(iters as usize);
            for _ in 0..iters {
                let start = Instant::now();
                compile(target)?;
                compiles.push(start.elapsed().as_nanos() as u64);
            }
            compiles.sort_unstable();
            Ok::<u64, Failure>(compiles[compiles.len() / 2])
        })
        .transpose()?;
    let mut times = Vec::with_capacity(iters as usize);
    let mut instructions = 0;
    for run in 0..=iters {
        let timed = run_once(target)?;
        if let Err(error) = timed.result {
            // A failed run has no speed worth reporting: say how it failed, exit 1.
            report_failure(engine, &error, timed.instructions, timed.pc, json);
            return Err(Failure::Silent(1));
        }
        instructions = timed.instructions;
        // The first run warms caches up and is not counted.
        if run > 0 {
            times.push(timed.elapsed.as_nanos() as u64);
        }
    }
    times.sort_unstable();
    let median = times[times.len() / 2].max(1);
    let mips = instructions as f64 * 1_000.0 / median as f64;
    if json {
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
            "{:<12} {instructions} instructions, median {:.3} ms over {iters} runs, {mips:.1} MIPS{compile}",
            engine.name(),
            median as f64 / 1e6,
        ));
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
