//! `sbvm`: run, time, assemble, disassemble and verify sBPF programs.
//!
//! Exit status: 0 success (the program exited), 1 the program failed at run time, 2 usage error
//! (bad arguments, unreadable file, bad assembly for asm), 3 the program failed to load or verify.

#![deny(unsafe_code)]

mod asm;
mod bench;
mod debug;
mod disasm;
mod fixture;
mod input;
mod load;
mod report;
mod run;
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
    /// Run Solana instruction fixtures (JSON from shared/solana-oracle) and compare every field.
    Fixture(fixture::Args),
}

/// How a subcommand ended.
pub enum Failure {
    /// Bad input from the user: exit status 2.
    Usage(String),
    /// The program was rejected by the loader or verifier: exit status 3.
    Rejected(String),
    /// The outcome is already printed; exit with this status.
    Silent(u8),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let outcome = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Debug(args) => debug::run(args),
        Command::Asm(args) => asm::run(args),
        Command::Disasm(args) => disasm::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Fixture(args) => fixture::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            report::err(&format!("sbvm: {message}"));
            ExitCode::from(2)
        }
        Err(Failure::Rejected(message)) => {
            report::err(&format!("sbvm: {message}"));
            ExitCode::from(3)
        }
        Err(Failure::Silent(status)) => ExitCode::from(status),
    }
}
