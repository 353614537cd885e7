//! `sbvm fixture`: run instruction fixtures (the JSON files `shared/solana-oracle` writes from
//! mollusk) through the Solana runtime and compare every field with what they expect.
//!
//! Exit status: 0 every expectation holds, 1 one differs, 2 usage (unreadable or malformed
//! fixture), 3 a program does not load.

use crate::input::read_at_most;
use crate::load::compile_failure;
use crate::observe::ObserveArgs;
use crate::report::{self, ordered_object};
use crate::run::engine_parser;
use crate::Failure;
use sbvm::jit::JitError;
use sbvm::observe::ObservingDriver;
use sbvm::solana::fixture::{
    account_json, encode_hex, Difference, Fixture, FixtureRunner, RunFixtureError,
};
use sbvm::solana::{AddProgramError, Callee, InstructionResult, InvokeContext, VmDriver};
use sbvm::vm::{EbpfError, Engine, Vm};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `sbvm fixture`.
#[derive(clap::Args)]
pub struct Args {
    /// Fixture files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Folder of the programs' ELF files, found by the fixture's file names (default: the
    /// fixture's folder, then `../../programs` from it, the oracle's layout).
    #[arg(long)]
    programs: Option<PathBuf>,
    /// Execution engine.
    #[arg(long, value_parser = engine_parser(), default_value = "interpreter")]
    engine: Engine,
    /// One JSON line per fixture.
    #[arg(long)]
    pub json: bool,
    /// Also time the whole instruction (serialize, run, write back) and report the median.
    #[arg(long)]
    bench: bool,
    /// Runs per fixture for --bench.
    #[arg(long, default_value_t = 1000)]
    iters: usize,
    /// Print every executed instruction with the registers and the remaining budget (to stderr
    /// with --json).
    #[arg(long)]
    trace: bool,
    #[command(flatten)]
    observe: ObserveArgs,
}

/// Runs `sbvm fixture`.
pub fn run(args: Args) -> Result<(), Failure> {
    if args.trace && args.engine == Engine::Jit {
        return Err(Failure::Usage(
            "--trace single-steps with the interpreter; drop --engine jit (the engines agree)"
                .into(),
        ));
    }
    args.observe.check(args.engine, args.trace)?;
    if args.bench && args.iters == 0 {
        return Err(Failure::Usage("--iters must be at least 1".into()));
    }
    let fixtures = args
        .files
        .iter()
        .map(|file| read_fixture(file).map(|fixture| (file, fixture)))
        .collect::<Result<Vec<_>, Failure>>()?;
    let mut runner = FixtureRunner::new(args.engine).map_err(engine_failure)?;
    let mut all_match = true;
    let mut observer = args.observe.on().then(ObservingDriver::default);
    // Each program's ELF file by program id, for the coverage's DWARF.
    let mut program_files = BTreeMap::new();
    for (file, fixture) in fixtures {
        let programs = programs_dir(args.programs.as_deref(), file, &fixture)?;
        runner
            .prepare(&fixture, &programs)
            .map_err(|error| run_failure(file, error))?;
        for program in std::iter::once(&fixture.program).chain(&fixture.other_programs) {
            program_files.insert(program.program_id.to_string(), programs.join(&program.file));
        }
        let result = if let Some(observer) = &mut observer {
            observed(&runner, &fixture, observer).map_err(|error| *error)
        } else if args.trace {
            let mut tracer = Tracer {
                to_stderr: args.json,
            };
            runner.run_with(&fixture, &mut tracer)
        } else {
            runner.run(&fixture)
        }
        .map_err(|error| run_failure(file, error))?;
        let ns_median = args.bench.then(|| time(&runner, &fixture, args.iters));
        all_match &= report_result(&fixture, &result, args.json, ns_median);
    }
    if let Some(observer) = &observer {
        let elf_of = |program: &str| std::fs::read(program_files.get(program)?).ok();
        args.observe.write(&observer.observation, &elf_of)?;
    }
    if all_match {
        Ok(())
    } else {
        Err(Failure::Silent(1))
    }
}

/// Runs the fixture's instruction with its programs observed. What the instruction consumed
/// outside the observed instructions (a builtin program, the program's heap, the rest of the
/// budget a fault takes) is charged to the profile's runtime frame, so the profile adds up to
/// the compute units consumed.
fn observed(
    runner: &FixtureRunner,
    fixture: &Fixture,
    observer: &mut ObservingDriver,
) -> Result<InstructionResult, Box<RunFixtureError>> {
    let before = observer.observation.observed_units();
    let result = runner.run_with(fixture, observer).map_err(Box::new)?;
    let observed = observer.observation.observed_units().saturating_sub(before);
    let outside = result.compute_units_consumed.saturating_sub(observed);
    observer.observation.charge_runtime(outside);
    Ok(result)
}

/// An engine that cannot run at all (the JIT on a host it does not support): the `compile`
/// stage's failure, before any program.
pub fn engine_failure(error: JitError) -> Failure {
    Failure::NotLoaded {
        program: "--engine jit".into(),
        failure: compile_failure(error),
    }
}

/// A program that does not load is a rejection (exit 3), one the JIT does not compile too (at
/// the `compile` stage); an instruction that cannot be set up (an account it names is not
/// given) is bad input (exit 2).
pub fn run_failure(file: &Path, error: RunFixtureError) -> Failure {
    match error {
        RunFixtureError::LoadProgram {
            file: program,
            error: AddProgramError::Jit(error),
        } => Failure::NotLoaded {
            program: format!("{} (program {})", file.display(), program.display()),
            failure: compile_failure(error),
        },
        RunFixtureError::ReadProgram { .. }
        | RunFixtureError::NotABuiltin { .. }
        | RunFixtureError::ProgramTooLarge { .. }
        | RunFixtureError::LoadProgram { .. } => {
            Failure::Rejected(format!("{}: {error}", file.display()))
        }
        RunFixtureError::Setup(error) => Failure::Usage(format!("{}: {error}", file.display())),
    }
}

/// Prints the outcome of `fixture` (one JSON line or a report) and says whether it matched.
pub fn report_result(
    fixture: &Fixture,
    result: &InstructionResult,
    json: bool,
    ns_median: Option<u64>,
) -> bool {
    let differences = fixture.differences(result);
    if json {
        report::out(&json_line(fixture, result, &differences, ns_median));
    } else {
        print_human(fixture, result, &differences, ns_median);
    }
    differences.is_empty()
}

/// Longest fixture file read: room for a transaction's worth of accounts at the largest
/// account size (10 MiB), hex-encoded.
pub const MAX_FIXTURE_FILE_LEN: u64 = 256 * 1024 * 1024;

/// Reads and parses a fixture file (a usage error when it cannot be, or when it is longer than
/// [`MAX_FIXTURE_FILE_LEN`]: a fixture can be named `/dev/zero`).
pub fn read_fixture(file: &Path) -> Result<Fixture, Failure> {
    let cannot_read = |error| Failure::Usage(format!("cannot read {}: {error}", file.display()));
    let bytes = read_at_most(
        std::fs::File::open(file).map_err(cannot_read)?,
        MAX_FIXTURE_FILE_LEN,
    )
    .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FIXTURE_FILE_LEN {
        return Err(Failure::Usage(format!(
            "{}: a fixture file holds at most {MAX_FIXTURE_FILE_LEN} bytes (256 MiB); this one is longer",
            file.display()
        )));
    }
    // The words `read_to_string` uses for bytes that are not UTF-8.
    let text = String::from_utf8(bytes).map_err(|_| {
        Failure::Usage(format!(
            "cannot read {}: stream did not contain valid UTF-8",
            file.display()
        ))
    })?;
    Fixture::from_json(&text)
        .map_err(|error| Failure::Usage(format!("{}: {error}", file.display())))
}

/// The folder holding every program the fixture needs: `programs`, else the fixture's folder
/// or `../../programs` from it.
pub fn programs_dir(
    programs: Option<&Path>,
    file: &Path,
    fixture: &Fixture,
) -> Result<PathBuf, Failure> {
    let folder = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let candidates = match programs {
        Some(dir) => vec![dir.to_path_buf()],
        None => vec![folder.clone(), folder.join("../../programs")],
    };
    let needed = fixture.program_files();
    candidates
        .iter()
        .find(|dir| needed.iter().all(|name| dir.join(name).is_file()))
        .cloned()
        .ok_or_else(|| {
            let looked: Vec<String> = candidates
                .iter()
                .map(|dir| dir.display().to_string())
                .collect();
            Failure::Rejected(format!(
                "{}: program file(s) {} not found in {} (pass --programs DIR)",
                file.display(),
                needed.join(", "),
                looked.join(" or ")
            ))
        })
}

/// Median wall time of the whole instruction, in nanoseconds.
fn time(runner: &FixtureRunner, fixture: &Fixture, iters: usize) -> u64 {
    let mut samples: Vec<u64> = (0..iters)
        .map(|_| {
            let start = Instant::now();
            let result = runner.run(fixture);
            let elapsed = start.elapsed();
            std::hint::black_box(result).ok();
            u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn json_line(
    fixture: &Fixture,
    result: &InstructionResult,
    differences: &[Difference],
    ns_median: Option<u64>,
) -> String {
    let mut fields = vec![
        ("name", Value::from(fixture.name.clone())),
        ("result", Value::from(format!("{:?}", result.result))),
        (
            "compute_units_consumed",
            Value::from(result.compute_units_consumed),
        ),
        ("return_data", Value::from(encode_hex(&result.return_data))),
        ("logs", Value::from(result.logs.clone())),
        (
            "accounts",
            Value::Array(result.accounts.iter().map(account_json).collect()),
        ),
    ];
    if fixture.expected.is_some() {
        fields.push(("matches", Value::from(differences.is_empty())));
    }
    if let Some(ns) = ns_median {
        fields.push(("ns_median", Value::from(ns)));
    }
    ordered_object(&fields)
}

fn print_human(
    fixture: &Fixture,
    result: &InstructionResult,
    differences: &[Difference],
    ns_median: Option<u64>,
) {
    let verdict = match (&fixture.expected, differences.is_empty()) {
        (None, _) => "no expectation",
        (Some(_), true) => "matches",
        (Some(_), false) => "DIFFERS",
    };
    let timing = ns_median.map_or_else(String::new, |ns| format!(" · median {ns} ns"));
    report::out(&format!(
        "{}: {:?} · {} compute units{timing} · {verdict}",
        fixture.name, result.result, result.compute_units_consumed
    ));
    for line in &result.logs {
        report::out(&format!("  | {}", report::printable(line)));
    }
    for difference in differences {
        report::out(&format!(
            "  {}: expected {}, got {}",
            difference.field,
            report::printable(&difference.expected),
            report::printable(&difference.actual)
        ));
    }
}

/// Runs the program one instruction at a time, printing each with the registers and the
/// budget left (what `sbvm run --trace` prints).
struct Tracer {
    to_stderr: bool,
}

impl VmDriver for Tracer {
    fn run(&mut self, vm: &mut Vm<'_, InvokeContext>) -> (u64, Result<u64, EbpfError>) {
        crate::trace::run_traced(vm, self.to_stderr)
    }

    /// Programs the traced one invokes are traced too, their lines among the caller's.
    fn callee(&self) -> Callee {
        Callee::Driver(Box::new(Tracer {
            to_stderr: self.to_stderr,
        }))
    }
}
