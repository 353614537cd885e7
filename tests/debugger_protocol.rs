//! The gdb-remote stub, packet by packet, with a small RSP client of our own: registers, memory,
//! breakpoints of every kind value, steps, continue, interrupt, watchpoints, monitor commands,
//! detach, kill, and garbage. Expected values follow from the programs' instruction semantics
//! and the debugger's documented conventions (src/debugger/mod.rs).

mod rsp;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rsp::{hex, killed, start, stop_signal, to_hex, COUNTDOWN};
use sbvm::debugger::SessionEnd;
use sbvm::isa::SbpfVersion;
use std::io::Write;
use std::thread;
use std::time::Duration;

#[test]
fn registers_steps_breakpoints_and_exit() {
    let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
    client.send_raw(b"+");
    assert!(client.ask("qSupported:swbreak+").contains("swbreak+"));
    assert_eq!(stop_signal(&client.ask("?")), 5);
    // 13 registers of 8 bytes; pc is the address of instruction 0 (V3: 0x1_0000_0000).
    let registers = hex(&client.ask("g"));
    assert_eq!(registers.len(), 13 * 8);
    assert_eq!(client.register(11), 0x1_0000_0000);
    assert_eq!(
        client.register(10),
        0x2_0000_1000,
        "r10 starts at the top of frame 0"
    );
    assert_eq!(client.register(12), 1_000, "remaining budget");
    assert!(client.ask("vCont?").contains('s'));
    assert_eq!(stop_signal(&client.ask("s")), 5);
    assert_eq!(client.register(11), 0x1_0000_0008);
    // A breakpoint on `add64 r0, r1` (instruction 3), any kind value.
    for kind in [0, 1, 4, 8] {
        assert_eq!(client.ask(&format!("Z0,100000018,{kind}")), "OK");
    }
    assert_eq!(stop_signal(&client.ask("c")), 5, "SIGTRAP");
    assert_eq!(client.register(11), 0x1_0000_0018);
    assert_eq!(client.register(1), 5);
    assert_eq!(
        stop_signal(&client.ask("c")),
        5,
        "the loop comes back to the breakpoint"
    );
    assert_eq!(client.register(1), 4);
    assert_eq!(client.ask("z0,100000018,0"), "OK");
    assert!(
        client.ask("Z0,100000019,0").starts_with('E'),
        "not an instruction address"
    );
    // Register writes, pc included (as an address).
    assert_eq!(
        client.ask(&format!("P1={}", to_hex(&1u64.to_le_bytes()))),
        "OK"
    );
    assert_eq!(client.register(1), 1);
    assert!(
        client
            .ask(&format!("Pb={}", to_hex(&0x1_0000_0004u64.to_le_bytes())))
            .starts_with('E'),
        "misaligned pc"
    );
    // Stopped before the second `add64 r0, r1` with r0 = 5; with r1 set to 1 the loop adds 1
    // and ends: r0 = 6, exit status 6.
    assert_eq!(client.ask("c"), "W06");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Finished, Ok(6)));
}

#[test]
fn memory_reads_and_writes_go_through_the_mapping() {
    let (mut client, server) = start(COUNTDOWN, SbpfVersion::V0, 1_000);
    client.send_raw(b"+");
    // Run one pass of the loop: the stack then holds 5 at r10-8.
    assert_eq!(client.ask("Z0,100000018,0"), "OK");
    client.ask("c");
    let frame_top = 0x2_0000_1000u64;
    assert_eq!(
        hex(&client.ask(&format!("m{:x},8", frame_top - 8))),
        5u64.to_le_bytes()
    );
    // Unmapped: an error, never stale bytes.
    assert!(client.ask("m500000000,8").starts_with('E'));
    // A read that runs off the end of the input region: a short read.
    assert_eq!(client.ask("m40000000c,8").len(), 8, "4 of 8 bytes");
    // Writes to the stack work; to the read-only text they are refused.
    assert_eq!(
        client.ask(&format!(
            "M{:x},8:{}",
            frame_top - 16,
            to_hex(&7u64.to_le_bytes())
        )),
        "OK"
    );
    assert_eq!(
        hex(&client.ask(&format!("m{:x},8", frame_top - 16))),
        7u64.to_le_bytes()
    );
    assert!(client.ask("M100000000,1:00").starts_with('E'));
    // The text reads back at the pc's addresses (here the guest addresses).
    assert_eq!(hex(&client.ask("m100000000,8"))[0], 0xb7, "mov64 r0, 0");
    client.send("D");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!(
        (end, result),
        (SessionEnd::Detached, Ok(15)),
        "after detach the program runs to its real end"
    );
}

#[test]
fn faults_stop_with_the_right_signal_and_can_be_inspected() {
    let cases: [(&'static str, u8); 4] = [
        ("mov64 r1, 0\nstxdw [r1+0], r1\nexit", 11), // SIGSEGV
        ("mov64 r1, 0\nmov64 r0, 1\ndiv64 r0, r1\nexit", 8), // SIGFPE
        ("ja -1", 24),                               // SIGXCPU
        ("mov64 r0, 1\nsyscall abort\nexit", 6),     // SIGABRT
    ];
    for (source, signal) in cases {
        let (mut client, server) = start(source, SbpfVersion::V3, 50);
        client.send_raw(b"+");
        let stop = client.ask("c");
        assert_eq!(stop_signal(&stop), signal, "{source:?}: {stop}");
        // The registers and memory at the faulting instruction are still there.
        let pc = client.register(11);
        assert!(pc >= 0x1_0000_0000, "{source:?}");
        let stack = client.ask("m200000ff8,8");
        assert_eq!(stack.len(), 16, "{source:?}");
        // Resuming a faulted program reports it terminated by that signal.
        let terminated = client.ask("c");
        assert!(
            terminated.starts_with(&format!("X{signal:02x}")),
            "{source:?}: {terminated}"
        );
        let (end, (_, result)) = server.join().unwrap();
        assert_eq!(end, SessionEnd::Finished);
        assert!(result.is_err());
    }
}

#[test]
fn watchpoints_stop_on_loads_and_stores() {
    let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
    client.send_raw(b"+");
    // Z2: write watchpoint on the stack slot the loop stores to.
    assert_eq!(client.ask("Z2,200000ff8,8"), "OK");
    let stop = client.ask("c");
    let watched = stop
        .split(';')
        .find_map(|field| field.strip_prefix("watch:"))
        .map(|addr| u64::from_str_radix(addr, 16).unwrap());
    assert_eq!(watched, Some(0x2_0000_0ff8), "{stop}");
    assert_eq!(
        client.register(11),
        0x1_0000_0018,
        "stopped after the store"
    );
    assert_eq!(client.ask("z2,200000ff8,8"), "OK");
    // Z3: read watchpoint on the input (never read): the program exits.
    assert_eq!(client.ask("Z3,400000000,8"), "OK");
    assert_eq!(client.ask("c"), "W0f");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Finished, Ok(15)));
}

#[test]
fn interrupt_kill_and_monitor() {
    let (mut client, server) = start("loop:\nadd64 r0, 1\nja loop", SbpfVersion::V0, 50_000_000);
    client.send_raw(b"+");
    let info = client.monitor("info");
    assert!(
        info.contains("version: v0") && info.contains("outcome: running"),
        "{info}"
    );
    client.send("c");
    thread::sleep(Duration::from_millis(50));
    client.send_raw(&[0x03]);
    let stop = client.receive();
    assert_eq!(stop_signal(&stop), 2, "SIGINT: {stop}");
    assert!(client.register(0) > 0, "it ran");
    let regions = client.monitor("regions");
    assert!(
        regions.contains("0x000200000000-0x000200080000 rw"),
        "{regions}"
    );
    client.send("k");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!(
        (end, result),
        (SessionEnd::Killed, killed()),
        "kill never looks like a success"
    );
}

#[test]
fn garbage_and_dropped_connections_never_take_the_host_down() {
    for seed in 0..40u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
        let packets = [
            "g",
            "G00",
            "m",
            "M1,2:",
            "Z0,zz,1",
            "qRcmd,zz",
            "p99",
            "P0=",
            "vCont;x",
            "qXfer:features:read:target.xml:0,ffffffff",
            "X0,1:a",
        ];
        for _ in 0..rng.random_range(1..20) {
            if rng.random_bool(0.5) {
                let len = rng.random_range(0..40);
                let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
                let _ = client.stream.write_all(&bytes);
            } else {
                let packet = packets[rng.random_range(0..packets.len())];
                let truncate = rng.random_range(0..=packet.len());
                client.send(&packet[..truncate]);
            }
        }
        drop(client);
        let (end, (_, result)) = server
            .join()
            .unwrap_or_else(|_| panic!("seed {seed}: the stub panicked"));
        // Whatever the client did, the program reached a real outcome.
        assert!(
            matches!(
                end,
                SessionEnd::Detached
                    | SessionEnd::Killed
                    | SessionEnd::Finished
                    | SessionEnd::Lost { .. }
            ),
            "seed {seed}: {end:?}"
        );
        assert!(
            result == Ok(15) || result.is_err(),
            "seed {seed}: {result:?}"
        );
    }
}
