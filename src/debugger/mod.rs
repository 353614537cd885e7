//! The gdb-remote debugger: gdb or lldb attach over TCP to a running program.
//!
//! ```text
//!   lldb ──TCP──► Wire ──► gdbstub (protocol) ──► DebugTarget ──► Vm::step(), registers, memory
//!       wire.rs, framing.rs       ▲               target.rs, and one file per gdbstub extension:
//!                                 │                 base.rs, single_register_access.rs,
//!                                 │                 resume.rs, reverse.rs, breakpoints.rs,
//!                                 │                 monitor.rs, host_info.rs, process_info.rs,
//!                                 │                 lldb_register_info.rs; arch.rs the registers
//!                                 └── session.rs drives it; run.rs runs the program between stops
//!                                     (until_marked.rs: the engine's own loop between stops)
//!   History (history.rs, memory_image.rs): the run's record — checkpoints and replay — for
//!   going back
//!   Client (client.rs): the wire and what the client set, shared by the sessions of a program
//!   and of the programs it invokes (each VM gets its own gdbstub and DebugTarget)
//! ```
//!
//! The debugger is an adapter beside the engines: it knows the VM only through its public
//! API ([`Vm::step`], [`Vm::run_until_marked`], registers, [`Vm::save_state`], the memory mapping),
//! and the VM knows nothing of it.
//!
//! What the client sees:
//!
//! * registers r0–r10, `pc` and a read-only `remaining` (the instruction budget left); the pc is
//!   the address the program's ELF symbols use for the instruction (the VM address for assembly
//!   and raw text), so breakpoints by symbol address work in every version;
//! * memory through the memory mapping: unmapped bytes are an error (or a short read), never
//!   stale data; writes go through the mapping too, and read-only regions refuse them;
//! * software breakpoints of any kind value, single steps, continue, Ctrl-C, watchpoints on
//!   guest loads and stores (write, read, access), detach (the program then runs to its real
//!   outcome) and kill (the session ends as [`SessionEnd::Killed`]; the VM's run, stopped
//!   from outside with [`Vm::abort`], ends with [`EbpfError::Aborted`] saying [`KILLED`]);
//! * stops that tell the truth: a breakpoint is SIGTRAP; a fault stops the program with a
//!   signal — SIGSEGV for access violations, SIGFPE for division faults, SIGILL for invalid or
//!   unsupported instructions, SIGXCPU when the budget is spent, SIGABRT for a failed syscall —
//!   and registers and memory can be inspected at the faulting instruction; an exit reports the
//!   low byte of r0 as the exit status (`monitor info` shows all of it);
//! * going back (history.rs, reverse.rs): the run is recorded — checkpoints of the VM state
//!   and of the memory pages that changed, every syscall's effects kept — so `bs` goes back one
//!   instruction and `bc` to the last earlier breakpoint or watched access (stopping in front
//!   of the access, the write undone) or to the record's start (`replaylog:begin`), exactly:
//!   registers, memory and the remaining budget are what they were. Forward from the past
//!   replays the record (never calling the host again) and then runs on live. Registers and
//!   memory change only at the present (in the past, writing a register's own value back is
//!   taken: it changes nothing). `monitor reverse-step [N]` and `monitor reverse-continue` do
//!   the same for clients without reverse commands; `monitor record on|off` starts or stops
//!   recording ([`DebugOptions::record`]). A session that ends in the past returns the program
//!   to the present first;
//! * compiled code between stops ([`DebugOptions::engine`] = JIT; until_marked.rs): breakpoints,
//!   watchpoints and steps stop at the same instruction with the same registers and counts as
//!   with the interpreter;
//! * `monitor info`, `monitor regions`, `monitor backtrace` (the VM's call frames with function
//!   names, then the invoke stack), `monitor cu` (compute units used and left), `monitor trace
//!   on|off`;
//! * one session across cross-program invocations, when the embedder runs the VMs of invoked
//!   programs with [`Client::serve_callee`] (as `sbvm debug --fixture` does): a callee's VM runs
//!   inside the caller's invoke syscall, and the client sees one process whose program changes.
//!   Breakpoints and watchpoints are addresses, and every program's text is mapped at the same
//!   guest addresses, so a breakpoint hits in whichever program runs there. A single step of the
//!   invoke stops at the callee's first instruction, before it runs; while the callee is
//!   stopped, registers, memory and `monitor` are the callee's; its faults stop it with their
//!   signal. Its end is not reported: the caller goes on as the client last resumed — a single
//!   step that ended the callee stops just after the caller's invoke, a continue continues.
//!   Ctrl-C works in callees; a kill there ends the whole instruction (the callee is killed, so
//!   the invoke fails and the caller runs no further); a detach lets every program run to its
//!   end. `monitor info` shows the invoke depth (1 at the top, 2 in a callee…) and the program,
//!   `monitor backtrace` the invoke stack, from what the embedder puts in
//!   [`DebugOptions::invoke_stack`] (the debugger knows nothing of the runtime above it);
//! * Ctrl-C stops a running program (SIGINT); one sent while the program is stopped stops the
//!   next resume before it runs anything, as the gdb manual asks (“Interrupts”);
//! * requests sent while the program runs (an all-stop client sends none) wait for the stop, up
//!   to 64; beyond those, each gets an error reply at the stop, unread, so memory stays bounded;
//! * a request the stub cannot take (malformed, too long, garbled, or one it does not carry
//!   out) gets an error reply (`E16`, or `-` for a bad checksum while acks are on) and a line on
//!   stderr saying what was wrong; the session goes on (`session.rs` explains how);
//! * one client per session: the listener closes once it has connected, so a second client is
//!   refused at once.
//!
//! Stock lldb (19 or 22) knows no sBPF (or BPF) architecture; given an unknown one it reads register
//! bytes as big-endian whatever the stub says. So `qHostInfo` and `qProcessInfo` name a
//! little-endian triple lldb knows ([`DebugOptions::host_triple`], `x86_64-unknown-none` by
//! default) only to carry the byte order; the target description still says `sbpf`, and the
//! registers are described by `qRegisterInfo`. lldb then shows correct values with no client
//! settings (see `cli/tests/lldb.rs`). A client that knows sBPF can be given its own triple.

mod arch;
mod base;
mod breakpoints;
mod client;
mod framing;
mod history;
mod host_info;
mod lldb_register_info;
mod marks;
mod memory_image;
mod monitor;
mod process_info;
mod resume;
mod reverse;
mod run;
mod session;
mod shared;
mod single_register_access;
mod target;
mod until_marked;
mod wire;

pub use arch::{Sbpf, SbpfRegId, SbpfRegisters};
pub use history::INTERVAL as CHECKPOINT_INTERVAL;
pub use shared::Client;
pub use target::DebugTarget;

use crate::vm::{ContextObject, EbpfError, Engine, Vm};
use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream, ToSocketAddrs};

/// Why a killed run ended: the reason of its [`EbpfError::Aborted`], which a runtime that logs the
/// VM's error (a Solana invoke) shows.
pub const KILLED: &str = "killed by the debugger";

/// The environment variable that asks embedders' programs to wait for a debugger on a port.
pub const DEBUG_PORT_VARIABLE: &str = "SBVM_DEBUG_PORT";

/// How a debug session presents the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugOptions {
    /// Function names by instruction index, for `monitor info`.
    pub functions: BTreeMap<usize, String>,
    /// The triple `qHostInfo`/`qProcessInfo` report (module docs).
    pub host_triple: String,
    /// Write a line on stderr when a request gets an error reply or the connection fails (on by
    /// default; the session goes on either way).
    pub stderr_notes: bool,
    /// The programs on the invoke stack, outermost first, the last being the one served (its
    /// length is the invoke depth, Solana's stack height), for `monitor info` and `monitor
    /// backtrace`; empty when no runtime invokes programs. The embedder fills it in: the
    /// debugger knows nothing of the runtime above it.
    pub invoke_stack: Vec<String>,
    /// Record the run for reverse execution (history.rs; `monitor record on|off` changes it
    /// during the session). On by default.
    pub record: bool,
    /// Instructions between two periodic checkpoints of the record: going back replays at
    /// most this many ([`CHECKPOINT_INTERVAL`] by default).
    pub checkpoint_interval: u64,
    /// How the program runs between stops: the interpreter one instruction at a time, or
    /// compiled code that stops where the client asked (run.rs).
    pub engine: Engine,
}

impl Default for DebugOptions {
    fn default() -> Self {
        DebugOptions {
            functions: BTreeMap::new(),
            host_triple: "x86_64-unknown-none".to_string(),
            stderr_notes: true,
            invoke_stack: Vec::new(),
            record: true,
            checkpoint_interval: CHECKPOINT_INTERVAL,
            engine: Engine::Interpreter,
        }
    }
}

/// A finished run: (instructions, r0 or the error).
pub type RunResult = (u64, Result<u64, EbpfError>);

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The program ended while the client watched.
    Finished,
    /// The client detached (or closed the connection); the program then ran to its end.
    Detached,
    /// The client killed the program: its run was aborted ([`Vm::abort`]) and ends with
    /// [`EbpfError::Aborted`] saying [`KILLED`], unless it had ended already.
    Killed,
    /// The connection failed (the reason says how; it is also written to stderr unless
    /// [`DebugOptions::stderr_notes`] is off); the program then ran to its end.
    Lost {
        /// What went wrong.
        reason: String,
    },
}

/// Serves one client on `stream` until it detaches, kills the program, the program ends or the
/// connection fails; then finishes the run (for a session that follows the program into the
/// programs it invokes, make a [`Client`] and serve each VM with it). A request the stub cannot take gets an error reply
/// and the session goes on (module docs). Returns how the session ended and the run's
/// (instructions, outcome).
pub fn serve<C: ContextObject>(
    vm: &mut Vm<'_, C>,
    stream: TcpStream,
    options: &DebugOptions,
) -> (SessionEnd, RunResult) {
    Client::new(stream).serve(vm, options)
}

/// Waits on `address` for one client, then [`serve`]s it.
pub fn listen_and_serve<C: ContextObject>(
    vm: &mut Vm<'_, C>,
    address: impl ToSocketAddrs,
    options: &DebugOptions,
) -> std::io::Result<(SessionEnd, RunResult)> {
    let listener = TcpListener::bind(address)?;
    let (stream, _) = listener.accept()?;
    // One client at a time: closing the listener makes the kernel refuse a second one at once,
    // where a listener kept open would accept it and leave it waiting until the run ends.
    drop(listener);
    Ok(serve(vm, stream, options))
}

/// The port in `SBVM_DEBUG_PORT`, if it is set to one.
pub fn port_from_env() -> Option<u16> {
    std::env::var(DEBUG_PORT_VARIABLE).ok()?.trim().parse().ok()
}

/// Runs `vm` under a debugger when `SBVM_DEBUG_PORT` asks for one (on 127.0.0.1), else
/// normally: the one call an embedder needs.
pub fn execute_or_debug<C: ContextObject>(
    vm: &mut Vm<'_, C>,
    options: &DebugOptions,
) -> (u64, Result<u64, EbpfError>) {
    match port_from_env() {
        Some(port) => match listen_and_serve(vm, ("127.0.0.1", port), options) {
            Ok((_, result)) => result,
            Err(_) => vm.execute(),
        },
        None => vm.execute(),
    }
}
