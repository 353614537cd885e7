//! `sbvm run`: run a program in the standard environment (the reference harness's: read-only
//! data, 64 stack frames of 4 KiB, heap, input at 0x4_0000_0000 with r1 pointing at it), or
//! with `--dialect ebpf` as a Linux eBPF program (`crate::ebpf::run`).

use crate::dialect::Dialect;
use crate::ebpf::run::{run as ebpf_run, EbpfRunArgs};
use crate::load::{compile_failure, EnvironmentArgs, LoadFailure, Loaded, ProgramArgs};
use crate::observe::ObserveArgs;
use crate::report::report_outcome;
use crate::report::Outcome;
use crate::Failure;
use sbvm::env::Driven;
use sbvm::observe::{FunctionNames, Observation};
use sbvm::vm::{EbpfError, Engine};

/// Arguments of `sbvm run`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    program: ProgramArgs,
    #[command(flatten)]
    environment: EnvironmentArgs,
    /// Execution engine.
    #[arg(long, value_parser = engine_parser(), default_value = "interpreter")]
    pub engine: Engine,
    /// Print exactly one JSON line with the outcome.
    #[arg(long)]
    pub json: bool,
    /// Print every executed instruction with the registers and the remaining budget (to stderr
    /// with --json).
    #[arg(long)]
    trace: bool,
    #[command(flatten)]
    observe: ObserveArgs,
    #[command(flatten)]
    ebpf: EbpfRunArgs,
}

/// `--engine`: the library's engines, by their names (the possible values are exactly the names
/// `Engine::from_name` knows).
pub fn engine_parser() -> impl clap::builder::TypedValueParser<Value = Engine> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Engine::ALL.map(Engine::name)).try_map(
        |name: String| Engine::from_name(&name).ok_or_else(|| format!("no engine named {name}")),
    )
}

/// Prepares `loaded` for `engine`: compiles it for the JIT. A failure is the `compile` stage's,
/// reported as a load or verify failure is.
pub fn prepare(engine: Engine, loaded: &mut Loaded) -> Result<(), LoadFailure> {
    if engine == Engine::Jit {
        loaded.executable.jit_compile().map_err(compile_failure)?;
    }
    Ok(())
}

/// Runs `sbvm run`.
pub fn run(args: Args) -> Result<(), Failure> {
    if args.program.dialect()? == Dialect::Ebpf {
        if args.observe.on() {
            return Err(Failure::Usage(
                "--profile and --coverage run sBPF programs; they do not observe eBPF ones yet"
                    .into(),
            ));
        }
        let (program, environment) = (&args.program, &args.environment);
        return ebpf_run(
            program,
            environment,
            args.engine,
            args.json,
            args.trace,
            &args.ebpf,
        );
    }
    args.ebpf.check_unused()?;
    if args.trace && args.engine == Engine::Jit {
        return Err(Failure::Usage(
            "--trace single-steps with the interpreter; drop --engine jit (the engines agree)"
                .into(),
        ));
    }
    args.observe.check(args.engine, args.trace)?;
    let observation = args.observe.on().then(Observation::new);
    let input = args.environment.input_bytes()?;
    let prepared = args.program.load()?.and_then(|mut loaded| {
        prepare(args.engine, &mut loaded)?;
        Ok(loaded)
    });
    let outcome = match prepared {
        Err(failure) => Outcome::failed(
            Some(args.engine),
            failure.stage,
            failure.kind,
            &failure.message,
        ),
        Ok(loaded) => {
            let run = args.environment.run(&loaded.executable, input, |vm| {
                if args.trace {
                    crate::trace::run_traced(vm, args.json)
                } else if let Some(observation) = &observation {
                    let names = FunctionNames::of_executable(&loaded.executable, &loaded.functions);
                    observation.run(vm, "", names)
                } else {
                    vm.execute_with(args.engine)
                }
            })?;
            if let Some(observation) = &observation {
                args.observe
                    .write(observation, &|_| elf_bytes(&args.program))?;
            }
            executed_outcome(args.engine, &loaded, run)
        }
    };
    report_outcome(&outcome, args.json)
}

/// The program's file again when it is an ELF file (for its DWARF): not standard input, which
/// has been read.
fn elf_bytes(program: &ProgramArgs) -> Option<Vec<u8>> {
    if program.format.raw || program.program.as_os_str() == "-" {
        return None;
    }
    let bytes = std::fs::read(&program.program).ok()?;
    bytes.starts_with(b"\x7fELF").then_some(bytes)
}

/// The outcome of a run that got to execute (`run` and `debug`): the result or error, the
/// count, the final pc, the logs and, for a fault, where it happened.
pub fn executed_outcome(
    engine: Engine,
    loaded: &Loaded,
    run: Driven<(u64, Result<u64, EbpfError>)>,
) -> Outcome {
    let Driven {
        driven: (instructions, result),
        pc,
        logs,
    } = run;
    let location = result
        .as_ref()
        .err()
        .map(|_| crate::location::fault_location(loaded, pc));
    Outcome {
        engine: Some(engine.name()),
        stage: "execute".into(),
        result: result.as_ref().ok().copied(),
        error: result
            .as_ref()
            .err()
            .map(|error| error.kind_name().to_string()),
        message: result.as_ref().err().map(ToString::to_string),
        instructions,
        pc,
        logs: logs
            .iter()
            .map(|log| String::from_utf8_lossy(log).into_owned())
            .collect(),
        location,
    }
}
