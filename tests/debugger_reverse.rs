//! Reverse execution through the gdb-remote stub, packet by packet: going back one instruction
//! (`bs`, `monitor reverse-step N`) and to the last breakpoint or watched access (`bc`,
//! `monitor reverse-continue`), forward again through the record, and the host never called
//! twice. The expected states are forward execution's own (the property the issue states:
//! forward N then back M is the state forward execution had at N − M, read from a plain VM
//! stepped N − M times), and for the hand-written program, its instruction semantics.

mod common;
mod rsp;

use common::gen::valid_program;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rsp::{build, hex, start_with, stop_signal, to_hex, Client};
use sbvm::debugger::{DebugOptions, SessionEnd};
use sbvm::env::{standard_vm, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{StopReason, Vm};

const BUDGET: u64 = 400;

/// A plain stop after a step: SIGTRAP, no other reason.
fn is_step_stop(reply: &str) -> bool {
    stop_signal(reply) == 5 && !reply.contains("replaylog") && !reply.contains("watch")
}

/// The address of a watchpoint stop (`watch:ADDR;`).
fn watched(reply: &str) -> Option<u64> {
    let rest = reply.split("watch:").nth(1)?;
    u64::from_str_radix(rest.split(';').next()?, 16).ok()
}

fn options(checkpoint_interval: u64) -> DebugOptions {
    DebugOptions {
        stderr_notes: false,
        checkpoint_interval,
        ..DebugOptions::default()
    }
}

/// The guest ranges a state comparison reads: every writable region, frame by frame where the
/// region has gaps.
fn writable_ranges(vm: &Vm<'_, EnvContext>) -> Vec<(u64, u64)> {
    let mut ranges = Vec::new();
    for region in vm
        .memory
        .regions()
        .iter()
        .filter(|region| region.is_writable())
    {
        let range = region.vm_range();
        match region.gap_size() {
            0 => ranges.push((range.start, region.len())),
            gap => {
                let mut at = range.start;
                while at < range.end {
                    ranges.push((at, gap));
                    at += 2 * gap;
                }
            }
        }
    }
    ranges
}

/// Reads `len` bytes at `addr` through the stub.
fn read_memory(client: &mut Client, addr: u64, len: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut at = addr;
    while at < addr + len {
        let chunk = (addr + len - at).min(1024);
        let reply = client.ask(&format!("m{at:x},{chunk:x}"));
        let got = hex(&reply);
        assert_eq!(got.len() as u64, chunk, "m{at:x},{chunk:x}: {reply}");
        bytes.extend_from_slice(&got);
        at += chunk;
    }
    bytes
}

/// The client sees exactly `reference`'s registers, pc, remaining budget and writable memory.
fn assert_same_state(client: &mut Client, reference: &Vm<'_, EnvContext>, what: &str) {
    let registers = hex(&client.ask("g"));
    let value = |index: usize| u64::from_le_bytes(registers[index * 8..][..8].try_into().unwrap());
    for (index, expected) in reference.registers().iter().enumerate() {
        assert_eq!(value(index), *expected, "r{index} {what}");
    }
    let pc = reference.executable().symbol_address(reference.pc());
    assert_eq!(value(11), pc, "pc {what}");
    assert_eq!(value(12), reference.remaining_budget(), "budget {what}");
    for (addr, len) in writable_ranges(reference) {
        let expected = reference.memory.read_bytes(addr, len).unwrap().to_vec();
        assert!(
            read_memory(client, addr, len) == expected,
            "memory at {addr:#x} {what}"
        );
    }
}

/// Steps a plain VM `count` times.
fn step(vm: &mut Vm<'_, EnvContext>, count: u64) {
    for _ in 0..count {
        vm.step();
    }
}

/// How many steps a plain run takes to its end, and whether it ends by exiting.
fn run_length(program: &[u8], assembly: bool, version: SbpfVersion) -> (u64, bool) {
    let executable = build(program, assembly, version);
    let mut context = EnvContext::new(BUDGET);
    let mut vm = standard_vm(&executable, &mut context, vec![0; 16], 1024).unwrap();
    let mut steps = 0;
    loop {
        steps += 1;
        match vm.step() {
            StopReason::Stepped => {}
            StopReason::Exited(_) => return (steps, true),
            StopReason::Faulted(_) => return (steps, false),
        }
    }
}

/// A random loop over stack slots: moves, arithmetic, stores and loads of `[r10-8k]`, byte
/// stores, syscalls that log, and a backward jump that runs until the budget is spent.
fn stack_program(rng: &mut StdRng) -> String {
    let mut lines = vec!["mov64 r6, 0".to_string()];
    for _ in 0..24 {
        let (a, b) = (rng.random_range(0..10), rng.random_range(0..10));
        let slot = 8 * rng.random_range(1..9);
        lines.push(match rng.random_range(0..8) {
            0 => format!("mov64 r{a}, {}", rng.random_range(-100..100)),
            1 => format!("add64 r{a}, r{b}"),
            2 => format!("xor64 r{a}, {}", rng.random_range(0..1000)),
            3 | 4 => format!("stxdw [r10-{slot}], r{a}"),
            5 => format!("ldxdw r{a}, [r10-{slot}]"),
            6 => format!("stb [r10-{}], {}", slot - 3, rng.random_range(0..256)),
            _ => "syscall sol_log_64_".to_string(),
        });
    }
    lines.push("add64 r6, 1".to_string());
    lines.push(format!("jne r6, 1000, -{}", lines.len()));
    lines.push("exit".to_string());
    lines.join("\n")
}

#[test]
fn forward_n_then_back_m_is_forward_n_minus_m() {
    let versions = [
        SbpfVersion::V0,
        SbpfVersion::V2,
        SbpfVersion::V3,
        SbpfVersion::V4,
    ];
    for seed in common::seeds(12) {
        for version in versions {
            let mut rng = StdRng::seed_from_u64(seed);
            // Half the runs are any valid instructions (most fault soon); half work the stack
            // and call the host in loops, so that going back has memory and syscalls to undo.
            let assembly = seed % 4 < 2;
            let program = if assembly {
                stack_program(&mut rng).into_bytes()
            } else {
                valid_program(&mut rng, version, 40)
            };
            let (length, exits) = run_length(&program, assembly, version);
            // An exit ends the session; a fault stops with a signal and can be gone back from.
            let last = if exits { length - 1 } else { length };
            if last == 0 {
                continue;
            }
            let forward = rng.random_range(1..=last);
            let back = rng.random_range(0..=forward);
            let again = rng.random_range(0..=back);
            let interval = [1, 3, 7, 1_000][rng.random_range(0..4)];
            let what = format!(
                "(seed {seed}, {version:?}, forward {forward}, back {back}, again {again}, \
                 checkpoints every {interval})"
            );
            let (mut client, server) = start_with(
                program.clone(),
                assembly,
                version,
                BUDGET,
                options(interval),
            );
            client.send_raw(b"+");
            for _ in 0..forward {
                client.ask("vCont;s");
            }
            if seed % 2 == 0 {
                for _ in 0..back {
                    let stop = client.ask("bs");
                    assert!(is_step_stop(&stop), "{stop} {what}");
                }
            } else {
                let said = client.monitor(&format!("reverse-step {back}"));
                assert!(
                    said.contains(&format!("position {}", forward - back)),
                    "{said} {what}"
                );
            }
            let executable = build(&program, assembly, version);
            let mut context = EnvContext::new(BUDGET);
            let mut reference = standard_vm(&executable, &mut context, vec![0; 16], 1024).unwrap();
            step(&mut reference, forward - back);
            assert_same_state(&mut client, &reference, &format!("after going back {what}"));
            // Forward again through the record: the same states as forward execution.
            for _ in 0..again {
                client.ask("vCont;s");
            }
            step(&mut reference, again);
            assert_same_state(&mut client, &reference, &format!("forward again {what}"));
            // On to the end: the run ends as a plain run does, its syscalls called once.
            let mut stop = client.ask("vCont;c");
            if !stop.starts_with('W') && !stop.starts_with('X') {
                // Stopped by the fault's signal: resuming reports the end.
                stop = client.ask("vCont;c");
            }
            assert!(
                stop.starts_with('W') || stop.starts_with('X'),
                "{stop} {what}"
            );
            let ((end, (count, result)), _) = server.join().unwrap();
            assert_eq!(end, SessionEnd::Finished, "{what}");
            let mut context = EnvContext::new(BUDGET);
            let mut plain = standard_vm(&executable, &mut context, vec![0; 16], 1024).unwrap();
            assert_eq!((count, result), plain.execute(), "{what}");
        }
    }
}

/// Writes its counter to the stack, logs it with a syscall, and loops 4 times; r0 = 4.
const LOGGING_LOOP: &str = "mov64 r6, 0
loop:
stxdw [r10-8], r6
mov64 r1, r6
syscall sol_log_64_
add64 r6, 1
jne r6, 4, loop
mov64 r0, r6
exit";

/// Instruction indexes in LOGGING_LOOP: the store, and the syscall.
const STORE: u64 = 1;
const SYSCALL: u64 = 3;

fn address(pc: u64) -> String {
    format!("{:x}", 0x1_0000_0000 + pc * 8)
}

#[test]
fn reverse_continue_to_breakpoints_and_watchpoints_replays_syscalls() {
    let program = LOGGING_LOOP.as_bytes().to_vec();
    let (mut client, server) = start_with(program, true, SbpfVersion::V3, 10_000, options(2));
    client.send_raw(b"+");
    assert!(client
        .ask("qSupported:swbreak+")
        .contains("ReverseContinue+"));
    // Forward to the syscall of the third round (r6 = 2), then on to the end of the loop's
    // fourth store: three logs written so far.
    assert_eq!(client.ask(&format!("Z0,{},8", address(SYSCALL))), "OK");
    for _ in 0..3 {
        assert_eq!(stop_signal(&client.ask("vCont;c")), 5);
    }
    assert_eq!(client.register(6), 2);
    assert_eq!(client.ask(&format!("z0,{},8", address(SYSCALL))), "OK");
    let slot = client.register(10) - 8;
    // Back to the breakpoint at the store, set now: the store of round 3 (r6 = 2), before it
    // ran, so the slot still holds round 2's value.
    assert_eq!(client.ask(&format!("Z0,{},8", address(STORE))), "OK");
    let stop = client.ask("bc");
    assert!(stop.contains("swbreak"), "{stop}");
    assert_eq!(client.register(11), 0x1_0000_0000 + STORE * 8);
    assert_eq!(client.register(6), 2);
    assert_eq!(
        hex(&client.ask(&format!("m{slot:x},8"))),
        1u64.to_le_bytes()
    );
    // Once more: round 2's store.
    let stop = client.ask("bc");
    assert!(stop.contains("swbreak"), "{stop}");
    assert_eq!(client.register(6), 1);
    assert_eq!(client.ask(&format!("z0,{},8", address(STORE))), "OK");
    // A write watchpoint on the slot: going back stops before round 1's store (r6 = 0), the
    // last earlier access; the slot holds what the stack started with, zero.
    assert_eq!(client.ask(&format!("Z2,{slot:x},8")), "OK");
    let stop = client.ask("bc");
    assert_eq!(watched(&stop), Some(slot), "{stop}");
    assert_eq!(client.register(6), 0);
    assert_eq!(client.register(11), 0x1_0000_0000 + STORE * 8);
    assert_eq!(
        hex(&client.ask(&format!("m{slot:x},8"))),
        0u64.to_le_bytes()
    );
    // Nothing earlier: the start of the record.
    let stop = client.ask("bc");
    assert!(stop.contains("replaylog:begin"), "{stop}");
    assert_eq!(client.register(11), 0x1_0000_0000);
    assert_eq!(client.register(12), 10_000, "the whole budget again");
    // Changing registers in the past is refused; forward, the watchpoint stops after each store.
    assert!(client
        .ask(&format!("P6={}", to_hex(&7u64.to_le_bytes())))
        .starts_with('E'));
    // Writing back the value it has is no change, and is taken (how lldb users refresh).
    assert_eq!(
        client.ask(&format!("P6={}", to_hex(&0u64.to_le_bytes()))),
        "OK"
    );
    let stop = client.ask("vCont;c");
    assert_eq!(watched(&stop), Some(slot), "{stop}");
    assert_eq!(client.ask(&format!("z2,{slot:x},8")), "OK");
    let info = client.monitor("record");
    assert!(info.contains("recording: on"), "{info}");
    let said = client.monitor("reverse-continue");
    assert!(said.contains("at the start of the record"), "{said}");
    // To the end: four rounds, r0 = 4, and the syscall logged once a round, not once a replay.
    let stop = client.ask("vCont;c");
    assert!(stop.starts_with("W04"), "{stop}");
    let ((end, (_, result)), logs) = server.join().unwrap();
    assert_eq!(end, SessionEnd::Finished);
    assert_eq!(result, Ok(4));
    assert_eq!(logs.len(), 4, "{logs:?}");
}

#[test]
fn changes_at_the_present_are_part_of_the_record() {
    let program = LOGGING_LOOP.as_bytes().to_vec();
    let (mut client, server) = start_with(program, true, SbpfVersion::V3, 10_000, options(1_000));
    client.send_raw(b"+");
    for _ in 0..3 {
        client.ask("vCont;s");
    }
    // At the present: r6 = 2 from now on.
    assert_eq!(
        client.ask(&format!("P6={}", to_hex(&2u64.to_le_bytes()))),
        "OK"
    );
    for _ in 0..4 {
        client.ask("vCont;s");
    }
    for _ in 0..4 {
        assert!(is_step_stop(&client.ask("bs")));
    }
    assert_eq!(client.register(6), 2, "the change, not the value before it");
    let cu = client.monitor("cu");
    assert!(cu.contains("remaining"), "{cu}");
    let stop = client.ask("vCont;c");
    assert!(stop.starts_with("W04"), "{stop}");
    // The change came after `mov64 r1, r6` of round 1: it logged 0, then r6 = 3 logged 3;
    // each once, though the record went back over the first.
    let (_, logs) = server.join().unwrap();
    let first: Vec<String> = logs
        .iter()
        .map(|line| {
            String::from_utf8_lossy(line)
                .split(' ')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(first, ["0x0", "0x3"], "{logs:?}");
}

#[test]
fn leaving_in_the_past_goes_on_from_the_present() {
    // LOGGING_LOOP logs once a round, 4 rounds, r0 = 4: whatever the client does in the past,
    // the run ends as a plain run does, each syscall called once.
    for leave in ["D", "drop", "k"] {
        let program = LOGGING_LOOP.as_bytes().to_vec();
        let (mut client, server) = start_with(program, true, SbpfVersion::V3, 10_000, options(3));
        client.send_raw(b"+");
        assert_eq!(client.ask(&format!("Z0,{},8", address(SYSCALL))), "OK");
        for _ in 0..2 {
            assert_eq!(stop_signal(&client.ask("vCont;c")), 5);
        }
        // The second round's syscall is next; one log so far. Back to the start.
        assert!(client.ask("bc").contains("swbreak"));
        assert!(client.ask("bc").contains("replaylog:begin"));
        match leave {
            "D" => assert_eq!(client.ask("D"), "OK"),
            "k" => client.send("vKill;1"),
            _ => drop(client),
        }
        let ((end, (_, result)), logs) = server.join().unwrap();
        if leave == "k" {
            assert_eq!(end, SessionEnd::Killed, "{leave}");
            assert!(result.is_err(), "{leave}");
            assert_eq!(logs.len(), 1, "killed before the second syscall: {leave}");
        } else {
            assert_eq!(result, Ok(4), "{leave}");
            assert_eq!(logs.len(), 4, "{leave}: {logs:?}");
        }
    }
}

#[test]
fn random_sessions_that_go_back_and_forth_and_leave_anywhere_keep_the_result() {
    // Whatever a client does — steps, continues, going back, breakpoints, watchpoints, writes
    // that may be refused — and wherever it disconnects, the run ends as a plain run of
    // LOGGING_LOOP does (r0 = 4, four logs) unless the client changed it (a write) or killed it.
    let requests = [
        "vCont;s",
        "vCont;c",
        "bs",
        "bc",
        "bs",
        "bc",
        "g",
        "Z0,100000018,8",
        "z0,100000018,8",
        "Z2,200000ff8,8",
        "z2,200000ff8,8",
        "P6=0000000000000000",
    ];
    for seed in common::seeds(40) {
        let mut rng = StdRng::seed_from_u64(seed);
        let program = LOGGING_LOOP.as_bytes().to_vec();
        let interval = rng.random_range(1..6);
        let (mut client, server) =
            start_with(program, true, SbpfVersion::V3, 10_000, options(interval));
        client.send_raw(b"+");
        let mut wrote = false;
        let mut over = false;
        for _ in 0..rng.random_range(0..30) {
            let request = requests[rng.random_range(0..requests.len())];
            let reply = if rng.random_bool(0.1) {
                let monitor = ["reverse-step 3", "reverse-continue", "record", "cu", "bt"];
                client.monitor(monitor[rng.random_range(0..monitor.len())])
            } else {
                client.ask(request)
            };
            wrote |= request.starts_with('P') && reply == "OK";
            if reply.starts_with('W') || reply.starts_with('X') {
                over = true;
                break;
            }
        }
        if !over {
            drop(client);
        }
        let ((_, (_, result)), logs) = server.join().unwrap();
        if !wrote {
            assert_eq!(result, Ok(4), "seed {seed}");
            assert_eq!(logs.len(), 4, "seed {seed}");
        }
    }
}
