//! `sbvm`: run, time, assemble, disassemble and verify sBPF programs (and Linux eBPF ones with
//! `--dialect ebpf`: `ebpf.rs`).
//!
//! Exit status, the same for every subcommand: 0 success (the program exited), 1 the program
//! failed at run time (or a fixture differs), 2 usage error (bad arguments, unreadable file, a
//! size that does not fit the memory map), 3 the program was rejected: it does not assemble,
//! load, verify or compile.
//!
//! Streams: results go to stdout, errors to stderr. With `--json`, stdout carries JSON lines
//! only — also for a usage error or a rejection, which then gets a line of its own
//! (`{"stage","error","message"}`; for `run` and `debug` every field of their line, the engine
//! null when the arguments did not parse). A JIT that cannot compile the program is the
//! `compile` stage, `JitCompileFailed`.

#![deny(unsafe_code)]

mod asm;
mod bench;
mod cfg;
mod debug;
mod dialect;
mod disasm;
mod ebpf;
mod fixture;
mod input;
mod load;
mod location;
mod observe;
mod report;
mod run;
mod timing;
mod trace;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// sbvm: a runtime for Solana-style sBPF programs.
#[derive(Parser)]
#[command(name = "sbvm", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program in the standard environment; --json prints one line with the outcome.
    Run(run::Args),
    /// Time a program: median execution time and MIPS per engine.
    Bench(bench::Args),
    /// Run a program under gdb or lldb: wait for a client on a TCP port (loopback by default).
    Debug(debug::Args),
    /// Assemble a program: the text section as raw bytes (-o) or hex slots on stdout.
    Asm(asm::Args),
    /// Disassemble a program: reassemblable assembly, or a listing with --listing.
    Disasm(disasm::Args),
    /// Run the verifier on a program; exit status 3 when it is rejected.
    Verify(verify::Args),
    /// Print a program's control-flow graph: functions, basic blocks, edges, calls (--dot: DOT).
    Cfg(cfg::Args),
    /// Run Solana instruction fixtures (JSON from shared/solana-oracle) and compare every field.
    Fixture(fixture::Args),
}

/// How a subcommand ended.
pub enum Failure {
    /// Bad input from the user: exit status 2.
    Usage(String),
    /// The program was rejected by the assembler, loader, verifier or JIT: exit status 3.
    Rejected(String),
    /// The program did not load or verify, at a stage and with an error kind that a JSON line
    /// reports as `run` does: exit status 3.
    NotLoaded {
        /// The program's path.
        program: String,
        /// Where and how loading failed.
        failure: load::LoadFailure,
    },
    /// The outcome is already printed; exit with this status.
    Silent(u8),
}

/// The shape of a command's JSON failure line.
#[derive(Clone, Copy)]
enum LineShape {
    /// `run` and `debug`: the run contract's line, every field, with the engine (`None` when
    /// the arguments did not parse).
    Run(Option<sbvm::vm::Engine>),
    /// The other commands: `{"stage","error","message"}`.
    Plain,
}

impl Command {
    /// Whether stdout is to carry JSON lines, and the shape of a failure line.
    fn json(&self) -> (bool, LineShape) {
        match self {
            Command::Run(args) => (args.json, LineShape::Run(Some(args.engine))),
            Command::Debug(args) => (
                args.json,
                LineShape::Run(Some(sbvm::vm::Engine::Interpreter)),
            ),
            Command::Bench(args) => (args.json, LineShape::Plain),
            Command::Fixture(args) => (args.json, LineShape::Plain),
            Command::Asm(_) | Command::Disasm(_) | Command::Verify(_) | Command::Cfg(_) => {
                (false, LineShape::Plain)
            }
        }
    }
}

/// The shape of the failure line for arguments that did not parse, from the subcommand's word
/// (the first argument: `sbvm` takes no options before it but `--help` and `--version`).
fn unparsed_shape() -> LineShape {
    match std::env::args_os().nth(1) {
        Some(word) if word == "run" || word == "debug" => LineShape::Run(None),
        _ => LineShape::Plain,
    }
}

/// The JSON line of a failure that ended a command before it printed an outcome.
fn failure_line(shape: LineShape, stage: &str, kind: &str, message: &str) -> String {
    match shape {
        LineShape::Run(engine) => {
            report::json_line(&report::Outcome::failed(engine, stage, kind, message))
        }
        LineShape::Plain => report::ordered_object(&[
            ("stage", stage.into()),
            ("error", kind.into()),
            ("message", message.into()),
        ]),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            if !error.use_stderr() {
                // --help and --version: our own text, on stdout.
                let _ = error.print();
                return ExitCode::SUCCESS;
            }
            // The parser's message quotes the arguments given: escaped, line by line.
            for line in error.render().to_string().lines() {
                report::err(line);
            }
            // The arguments did not parse, so whether JSON was asked for is a guess from the
            // words given; the line keeps stdout machine-readable when it was.
            if std::env::args_os().any(|arg| arg == "--json") {
                let message = error.kind().to_string();
                report::out(&failure_line(unparsed_shape(), "usage", "Usage", &message));
            }
            return ExitCode::from(2);
        }
    };
    let (json, shape) = cli.command.json();
    let outcome = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Debug(args) => debug::run(args),
        Command::Asm(args) => asm::run(args),
        Command::Disasm(args) => disasm::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Cfg(args) => cfg::run(args),
        Command::Fixture(args) => fixture::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            if json {
                report::out(&failure_line(shape, "usage", "Usage", &message));
            }
            report::err(&format!("sbvm: {message}"));
            ExitCode::from(2)
        }
        Err(Failure::Rejected(message)) => {
            if json {
                report::out(&failure_line(shape, "load", "Rejected", &message));
            }
            report::err(&format!("sbvm: {message}"));
            ExitCode::from(3)
        }
        Err(Failure::NotLoaded { program, failure }) => {
            let (stage, kind, message) = (failure.stage, failure.kind, &failure.message);
            if json {
                report::out(&failure_line(shape, stage, kind, message));
            }
            report::err(&format!(
                "sbvm: {program}: {stage} failed: {kind}: {message}"
            ));
            ExitCode::from(3)
        }
        Err(Failure::Silent(status)) => ExitCode::from(status),
    }
}
