//! `sbvm debug`: wait for gdb or lldb on a TCP port, let it drive the program, then report the
//! outcome as `sbvm run` does — or, with `--fixture`, serve a Solana instruction: the program of
//! a fixture with its accounts serialized in guest memory and the compute budget as the budget
//! register, reported as `sbvm fixture` does.

use crate::fixture::{engine_failure, programs_dir, read_fixture, report_result, run_failure};
use crate::load::{EnvironmentArgs, FormatArgs, ProgramArgs};
use crate::report;
use crate::report::report_outcome;
use crate::run::{engine_parser, executed_outcome, prepare};
use crate::Failure;
use sbvm::debugger::{serve, Client, DebugOptions, SessionEnd, CHECKPOINT_INTERVAL};
use sbvm::env::Driven;
use sbvm::solana::fixture::FixtureRunner;
use sbvm::solana::{Callee, InvokeContext, VmDriver};
use sbvm::vm::Engine;
use sbvm::vm::{EbpfError, Vm};
use std::net::{TcpListener, TcpStream};

/// Arguments of `sbvm debug`.
#[derive(clap::Args)]
pub struct Args {
    /// Program: an ELF file (or any non-text file), raw bytecode with --raw, or assembly; `-`
    /// reads standard input.
    #[arg(required_unless_present = "fixture", conflicts_with = "fixture")]
    program: Option<std::path::PathBuf>,
    #[command(flatten)]
    format: FormatArgs,
    /// Debug the instruction of a Solana fixture (JSON from shared/solana-oracle) instead.
    #[arg(long)]
    fixture: Option<std::path::PathBuf>,
    /// With --fixture: the folder of the programs' ELF files (as for `sbvm fixture`).
    #[arg(long, requires = "fixture")]
    programs: Option<std::path::PathBuf>,
    #[command(flatten)]
    environment: EnvironmentArgs,
    /// TCP port to wait on (0 picks a free one; the port is printed on stderr).
    #[arg(long)]
    port: u16,
    /// Address to listen on (loopback unless you mean otherwise).
    #[arg(long, default_value = "127.0.0.1")]
    listen: String,
    /// The triple reported to the client in qHostInfo (a little-endian one lldb knows).
    #[arg(long, default_value = "x86_64-unknown-none")]
    host_triple: String,
    /// Print the outcome as one JSON line.
    #[arg(long)]
    pub json: bool,
    /// How the program runs between stops: the interpreter, or compiled code that stops at
    /// the same instructions with the same registers and counts.
    #[arg(long, value_parser = engine_parser(), default_value = "interpreter")]
    engine: Engine,
    /// Do not record the run (no reverse-step or reverse-continue; `monitor record on` starts
    /// recording later).
    #[arg(long)]
    no_record: bool,
    /// Instructions between two checkpoints of the record: going back replays at most this many.
    #[arg(long, default_value_t = CHECKPOINT_INTERVAL, value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_interval: u64,
}

impl Args {
    /// The session's options for this command line.
    fn debug_options(&self) -> DebugOptions {
        DebugOptions {
            host_triple: self.host_triple.clone(),
            record: !self.no_record,
            checkpoint_interval: self.checkpoint_interval,
            engine: self.engine,
            ..DebugOptions::default()
        }
    }
}

/// Listens on the requested address, says where, and waits for one client.
fn accept_client(args: &Args) -> Result<TcpStream, Failure> {
    let listener = TcpListener::bind((args.listen.as_str(), args.port)).map_err(|error| {
        Failure::Usage(format!(
            "cannot listen on {}:{}: {error}",
            args.listen, args.port
        ))
    })?;
    let port = listener
        .local_addr()
        .map(|address| address.port())
        .unwrap_or(args.port);
    report::err(&format!(
        "sbvm: waiting for a debugger on {}:{port}",
        args.listen
    ));
    let (stream, peer) = listener
        .accept()
        .map_err(|error| Failure::Usage(format!("accepting a debugger: {error}")))?;
    report::err(&format!("sbvm: debugger connected from {peer}"));
    Ok(stream)
}

fn session_report(end: &SessionEnd) {
    let how = match end {
        SessionEnd::Finished => "the program ended under the debugger",
        SessionEnd::Detached => "the debugger detached; the program ran to its end",
        SessionEnd::Killed => "the debugger killed the program",
        // The debugger has already said why on stderr.
        SessionEnd::Lost { .. } => "the debugger connection was lost; the program ran to its end",
    };
    report::err(&format!("sbvm: {how}"));
}

/// Runs `sbvm debug`.
pub fn run(args: Args) -> Result<(), Failure> {
    if let Some(file) = args.fixture.clone() {
        return debug_fixture(&args, &file);
    }
    let program = ProgramArgs {
        program: args.program.clone().unwrap_or_default(),
        format: args.format,
        dialect: None,
        section: None,
    };
    // Everything that can be wrong with the options is found before waiting for a client: the
    // sizes, the program (load and verify) and the memory map.
    let input = args.environment.input_bytes()?;
    let mut loaded = program.load_or_reject()?;
    // A program the JIT cannot compile fails here, before a client connects.
    prepare(args.engine, &mut loaded).map_err(|failure| Failure::NotLoaded {
        program: program.program.display().to_string(),
        failure,
    })?;
    let options = DebugOptions {
        functions: loaded.functions.clone(),
        ..args.debug_options()
    };
    // The memory map is built before waiting for the client.
    let run = args.environment.run(&loaded.executable, input, |vm| {
        accept_client(&args).map(|stream| serve(vm, stream, &options))
    })?;
    let (end, ran) = run.driven?;
    session_report(&end);
    // A run the client killed was aborted (the VM's neutral stop): the report names it `Killed`.
    let killed = end == SessionEnd::Killed && matches!(ran.1, Err(EbpfError::Aborted { .. }));
    let run = Driven {
        driven: ran,
        pc: run.pc,
        logs: run.logs,
    };
    // The outcome is an executed one, so its exit status is 0 or 1.
    let mut outcome = executed_outcome(args.engine, &loaded, run);
    if killed {
        outcome.error = Some("Killed".to_string());
    }
    report_outcome(&outcome, args.json)
}

/// Runs a program's VM under the client that connected, and the VMs of the programs it invokes
/// under the same session (the debugger's `Client`, shared): the first program run is served
/// (`top`), the ones it invokes follow; any later top-level run (none for a single instruction)
/// runs by itself.
struct DebugDriver {
    client: Client,
    options: DebugOptions,
    /// This driver serves the top-level program (not yet served while `end` is `None`); else it
    /// serves a callee.
    top: bool,
    end: Option<SessionEnd>,
}

impl DebugDriver {
    /// What `monitor info` and `monitor backtrace` show of this VM: its functions, and the
    /// invoke stack as the runtime has it now (the callee's frame is pushed before its VM runs).
    fn options_for(&self, vm: &Vm<'_, InvokeContext>) -> DebugOptions {
        let functions = vm
            .executable()
            .functions()
            .iter()
            .map(|(_, name, pc)| (pc, name.to_string()))
            .collect();
        let invoke_stack = vm
            .context
            .transaction
            .stack_program_ids()
            .iter()
            .map(ToString::to_string)
            .collect();
        DebugOptions {
            functions,
            invoke_stack,
            ..self.options.clone()
        }
    }
}

impl VmDriver for DebugDriver {
    fn run(&mut self, vm: &mut Vm<'_, InvokeContext>) -> (u64, Result<u64, EbpfError>) {
        let options = self.options_for(vm);
        if !self.top {
            return self.client.serve_callee(vm, &options);
        }
        if self.end.is_some() {
            return vm.execute();
        }
        let (end, result) = self.client.serve(vm, &options);
        self.end = Some(end);
        result
    }

    /// The programs this one invokes run under the same session.
    fn callee(&self) -> Callee {
        Callee::Driver(Box::new(DebugDriver {
            client: self.client.clone(),
            options: self.options.clone(),
            top: false,
            end: None,
        }))
    }
}

/// `sbvm debug --fixture`: the fixture's instruction under the debugger, reported as
/// `sbvm fixture` reports it (exit 1 when it differs from the fixture's expectation).
fn debug_fixture(args: &Args, file: &std::path::Path) -> Result<(), Failure> {
    args.environment.check_sizes()?;
    let fixture = read_fixture(file)?;
    let programs = programs_dir(args.programs.as_deref(), file, &fixture)?;
    let mut runner = FixtureRunner::new(args.engine).map_err(engine_failure)?;
    runner
        .prepare(&fixture, &programs)
        .map_err(|error| run_failure(file, error))?;
    // Set the instruction up once before waiting, so bad input fails before a client connects.
    runner
        .run(&fixture)
        .map_err(|error| run_failure(file, error))?;
    let stream = accept_client(args)?;
    let mut driver = DebugDriver {
        client: Client::new(stream),
        options: args.debug_options(),
        top: true,
        end: None,
    };
    let result = runner
        .run_with(&fixture, &mut driver)
        .map_err(|error| run_failure(file, error))?;
    match &driver.end {
        Some(end) => session_report(end),
        None => report::err("sbvm: the instruction ended before its program ran"),
    }
    if report_result(&fixture, &result, args.json, None) {
        Ok(())
    } else {
        Err(Failure::Silent(1))
    }
}
