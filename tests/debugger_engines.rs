//! The debugger with compiled code between stops (`DebugOptions::engine` = JIT) against the
//! interpreter driving the run: the same session — breakpoints, a watchpoint, continues,
//! single steps, going back — must get the same replies, registers, memory and compute-unit
//! counts from both. The interpreter's answers are the reference (the engines agree on every
//! instruction: tests/jit_differential.rs); for the hand-written loop, its semantics too.

mod common;
mod rsp;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rsp::{start_with, Client};
use sbvm::debugger::{DebugOptions, SessionEnd};
use sbvm::isa::SbpfVersion;
use sbvm::vm::Engine;

/// A loop over stack slots with syscalls, branches and a call: 12 rounds, r0 = 12.
const PROGRAM: &str = "mov64 r6, 0
loop:
mov64 r1, r6
and64 r1, 3
stxdw [r10-8], r6
jne r1, 0, skip
syscall sol_log_64_
skip:
ldxdw r2, [r10-8]
add64 r2, r6
stxdw [r10-16], r2
call function_twice
add64 r6, 1
jne r6, 12, loop
mov64 r0, r6
exit
function_twice:
mov64 r0, r2
add64 r0, r2
stxdw [r10-8], r0
exit";

/// What the client saw in one session: every reply, and the state after every stop.
fn transcript(engine: Engine, record: bool, seed: u64, version: SbpfVersion) -> Vec<String> {
    let options = DebugOptions {
        stderr_notes: false,
        engine,
        record,
        checkpoint_interval: 5,
        ..DebugOptions::default()
    };
    let (mut client, server) =
        start_with(PROGRAM.as_bytes().to_vec(), true, version, 100_000, options);
    client.send_raw(b"+");
    let mut rng = StdRng::seed_from_u64(seed);
    let text_base = client.register(11);
    let mut seen = Vec::new();
    let slot = client.register(10) - 16;
    // Breakpoints at two random instructions of the 19, and a write watchpoint on r10-16.
    for _ in 0..2 {
        let address = text_base + 8 * rng.random_range(0..19u64);
        seen.push(client.ask(&format!("Z0,{address:x},8")));
    }
    if seed % 2 == 0 {
        seen.push(client.ask(&format!("Z2,{slot:x},8")));
    }
    for round in 0..40 {
        let request = match rng.random_range(0..6) {
            0 => "vCont;s",
            1 if record => "bc",
            2 if record => "bs",
            _ => "vCont;c",
        };
        let reply = client.ask(request);
        seen.push(format!("{round} {request} -> {reply}"));
        if reply.starts_with('W') || reply.starts_with('X') {
            break;
        }
        state(&mut client, slot, &mut seen);
    }
    if !seen.last().unwrap().contains("-> W") && !seen.last().unwrap().contains("-> X") {
        // Clear everything and run to the end.
        seen.push(client.ask("D"));
    }
    let ((end, result), logs) = server.join().unwrap();
    seen.push(format!("{end:?} {result:?} {} logs", logs.len()));
    assert!(matches!(end, SessionEnd::Finished | SessionEnd::Detached));
    seen
}

/// Registers, pc, budget, two stack slots and the compute units, as the client reads them.
fn state(client: &mut Client, slot: u64, seen: &mut Vec<String>) {
    seen.push(client.ask("g"));
    seen.push(client.ask(&format!("m{slot:x},10")));
    seen.push(client.monitor("cu"));
}

#[test]
fn compiled_runs_stop_where_the_interpreter_does() {
    for version in [SbpfVersion::V0, SbpfVersion::V3] {
        for record in [false, true] {
            for seed in common::seeds(8) {
                let interpreted = transcript(Engine::Interpreter, record, seed, version);
                let compiled = transcript(Engine::Jit, record, seed, version);
                assert_eq!(
                    interpreted, compiled,
                    "{version:?}, record {record}, seed {seed}"
                );
            }
        }
    }
}

#[test]
fn the_loop_ends_as_it_should_under_compiled_code() {
    // Semantics of PROGRAM: 12 rounds, r0 = 12; sol_log_64_ in rounds 0, 4, 8.
    let options = DebugOptions {
        stderr_notes: false,
        engine: Engine::Jit,
        ..DebugOptions::default()
    };
    let (mut client, server) = start_with(
        PROGRAM.as_bytes().to_vec(),
        true,
        SbpfVersion::V3,
        100_000,
        options,
    );
    client.send_raw(b"+");
    let reply = client.ask("vCont;c");
    assert!(reply.starts_with("W0c"), "{reply}");
    let ((end, (_, result)), logs) = server.join().unwrap();
    assert_eq!(end, SessionEnd::Finished);
    assert_eq!(result, Ok(12));
    assert_eq!(logs.len(), 3);
}
