//! Timing an engine on a loaded program: the loop `sbvm bench` runs for either dialect, and
//! the line it prints.

use crate::report;
use crate::Failure;
use sbvm::vm::{EbpfError, Engine};
use serde_json::Value;
use std::time::{Duration, Instant};

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
