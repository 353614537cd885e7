//! `sbvm debug`: wait for gdb or lldb on a TCP port, let it drive the program, then report the
//! outcome as `sbvm run` does.

use crate::load::{EnvironmentArgs, ProgramArgs};
use crate::report::{self, json_line};
use crate::run::executed_outcome;
use crate::Failure;
use sbvm::debugger::{serve, DebugOptions, SessionEnd};
use sbvm::env::{standard_vm, EnvContext};
use sbvm::vm::Engine;
use std::net::TcpListener;

/// Arguments of `sbvm debug`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    program: ProgramArgs,
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
    json: bool,
}

/// Runs `sbvm debug`.
pub fn run(args: Args) -> Result<(), Failure> {
    let input = args.environment.input_bytes()?;
    let loaded = args.program.load_or_reject()?;
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

    let executable = &loaded.executable;
    let options = DebugOptions {
        functions: loaded.functions.clone(),
        host_triple: args.host_triple.clone(),
    };
    let mut context = EnvContext::new(args.environment.limit);
    let (end, (instructions, result), pc) = {
        let mut vm = standard_vm(executable, &mut context, input, args.environment.heap)
            .map_err(|error| Failure::Usage(format!("cannot build the memory map: {error}")))?;
        let (end, result) = serve(&mut vm, stream, &options);
        (end, result, vm.pc())
    };
    let how = match end {
        SessionEnd::Finished => "the program ended under the debugger",
        SessionEnd::Detached => "the debugger detached; the program ran to its end",
        SessionEnd::Killed => "the debugger killed the program",
    };
    report::err(&format!("sbvm: {how}"));
    // The debugger drives the interpreter (single steps).
    let outcome = executed_outcome(
        Engine::Interpreter,
        &loaded,
        &context,
        (instructions, result, pc),
    );
    if args.json {
        report::out(&json_line(&outcome));
    } else {
        outcome.print_human();
    }
    match outcome.error {
        None => Ok(()),
        Some(_) => Err(Failure::Silent(1)),
    }
}
