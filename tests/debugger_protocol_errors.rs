//! The stub at the protocol's edges: resuming with a signal after a fault (what gdb and lldb send
//! when the user continues), requests that are malformed or that the stub does not carry out,
//! garbled, oversized and nacked packets, Ctrl-C sent many times or while stopped, a flood of
//! requests while the program runs, and a second client. Each must get the protocol's answer — a
//! stop reply, an error reply, a `-`, a retransmission, a refused connection — and leave the
//! session working. Expected values follow from the gdb remote protocol (“Packets”, “Stop Reply
//! Packets”, “Packet Acknowledgment”, “Interrupts” in gdb's manual), gdb's signal numbers
//! (include/gdb/signals.def: SIGINT 2, SIGTRAP 5, SIGSEGV 11) and the programs' instruction
//! semantics.

mod rsp;

use rsp::{hex, killed, start, stop_signal, to_hex, Client, COUNTDOWN};
use sbvm::debugger::{listen_and_serve, DebugOptions, SessionEnd};
use sbvm::env::{standard_runtime, standard_vm, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, EbpfError, Executable};
use std::io::{ErrorKind, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// A store through a null pointer: stops with SIGSEGV (11) at instruction 1.
const NULL_STORE: &str = "mov64 r1, 0\nstxdw [r1+0], r1\nexit";

/// Sum of the COUNTDOWN program: 5 + 4 + 3 + 2 + 1.
const COUNTDOWN_SUM: u64 = 15;

/// The next byte the stub sends that is not a `+`.
fn next_non_ack_byte(client: &mut Client) -> u8 {
    if let Some(at) = client.buffer.iter().position(|byte| *byte != b'+') {
        let byte = client.buffer[at];
        client.buffer.drain(..=at);
        return byte;
    }
    client.buffer.clear();
    let mut byte = [0u8];
    loop {
        client.stream.read_exact(&mut byte).unwrap();
        if byte[0] != b'+' {
            return byte[0];
        }
    }
}

#[test]
fn resuming_with_the_fault_signal_reports_the_fault_as_the_end() {
    // What lldb-19 sends on `continue` after a fault, what gdb sends, and a step with the
    // signal. (The older `C`/`S` packets get the empty reply of an unsupported packet from
    // gdbstub; clients then use vCont, whose `vCont?` reply offers C and S.)
    for resume in ["vCont;C0b:p1.1", "vCont;C0b:p1.1;c:p1.-1", "vCont;S0b:1"] {
        let (mut client, server) = start(NULL_STORE, SbpfVersion::V3, 50);
        client.send_raw(b"+");
        assert_eq!(stop_signal(&client.ask("c")), 11, "{resume}: SIGSEGV");
        // The registers at the faulting store are still there to inspect.
        assert_eq!(
            client.register(11),
            0x1_0000_0008,
            "{resume}: pc of the store"
        );
        assert_eq!(
            client.ask(resume),
            "X0b",
            "{resume}: the process ended by SIGSEGV"
        );
        let (end, (_, result)) = server.join().unwrap();
        assert_eq!(end, SessionEnd::Finished, "{resume}");
        assert!(
            matches!(result, Err(EbpfError::AccessViolation { .. })),
            "{resume}: {result:?}"
        );
    }
}

#[test]
fn a_signal_on_a_running_program_is_discarded() {
    // sBPF has no signal handlers: continuing with SIGINT (2) after a Ctrl-C-like stop, or
    // stepping with one, runs the program as a plain continue or step would.
    let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
    client.send_raw(b"+");
    assert_eq!(
        stop_signal(&client.ask("vCont;S02:1")),
        5,
        "a step: SIGTRAP"
    );
    assert_eq!(client.register(11), 0x1_0000_0008, "one instruction on");
    assert_eq!(client.ask("vCont;C02:1"), "W0f", "exit status 15");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Finished, Ok(COUNTDOWN_SUM)));
}

#[test]
fn bad_requests_get_error_replies_and_the_session_goes_on() {
    let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
    client.send_raw(b"+");
    let bad = [
        "mzz,8",                               // address not hex
        "m100000000",                          // no length
        "M1,2:",                               // no data for 2 bytes
        "Mzz,1:00",                            // address not hex
        "Z0,zz,1",                             // address not hex
        "Z0",                                  // no address
        "z0,100000018",                        // no kind
        "p",                                   // no register
        "pzz",                                 // register not hex
        "P0",                                  // no value
        "Pzz=00",                              // register not hex
        "P0=",                                 // r0 is 8 bytes, not 0
        "P0=0102",                             // nor 2
        "G00",                                 // 13 registers are 104 bytes
        "qXfer:features:read:other.xml:0,100", // only target.xml is served
        "vCont;r100000000,100000008:1",        // range steps are not offered in vCont?
        "vCont;x",                             // no such action
        "vCont;s:1;s:2",                       // one thread, one action
    ];
    for packet in bad {
        let reply = client.ask(packet);
        assert!(reply.starts_with('E'), "{packet:?}: {reply:?}");
    }
    // Nothing changed, and the session still answers.
    assert_eq!(client.register(0), 0, "r0 untouched");
    assert_eq!(client.register(11), 0x1_0000_0000, "still at instruction 0");
    assert_eq!(hex(&client.ask("g")).len(), 13 * 8);
    assert_eq!(client.ask("c"), "W0f");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Finished, Ok(COUNTDOWN_SUM)));
}

#[test]
fn after_an_error_reply_the_negotiated_modes_still_hold() {
    let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
    client.send_raw(b"+");
    assert!(client
        .ask("qSupported:multiprocess+")
        .contains("multiprocess+"));
    assert_eq!(client.ask("QStartNoAckMode"), "OK");
    assert!(client.ask("mzz,8").starts_with('E'));
    // Multiprocess: a stop reply names the thread as p<pid>.<tid>.
    assert_eq!(client.ask("Z0,100000018,0"), "OK");
    let stop = client.ask("c");
    assert!(stop.starts_with("T05thread:p"), "{stop}");
    // No acks: after the error reply, no `+` precedes a reply.
    client.send("g");
    let mut first = [0u8];
    client.stream.read_exact(&mut first).unwrap();
    assert_eq!(first[0], b'$', "a reply with no `+` before it");
    client.buffer.push(b'$');
    assert_eq!(hex(&client.receive()).len(), 13 * 8);
    client.send("D");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Detached, Ok(COUNTDOWN_SUM)));
}

#[test]
fn garbled_oversized_and_nacked_packets_get_the_protocols_answers() {
    let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
    client.send_raw(b"+");
    // A bad checksum: `-`, asking for the packet again.
    client.send_raw(b"$g#00");
    assert_eq!(next_non_ack_byte(&mut client), b'-');
    // Bytes outside any packet are ignored.
    client.send_raw(b"junk\x7f\xff");
    // A packet over the 4,096 bytes announced as PacketSize: an error reply.
    let long = format!("m{}", "0".repeat(5_000));
    assert!(client.ask(&long).starts_with('E'), "oversized packet");
    // `-` after a reply: the same reply again.
    let registers = client.ask("g");
    client.send_raw(b"-");
    assert_eq!(client.receive(), registers, "retransmitted");
    // Two steps on, past `mov64 r1, 5`: r1 set now is the countdown's start.
    for _ in 0..2 {
        assert_eq!(stop_signal(&client.ask("vCont;s:1")), 5, "a step: SIGTRAP");
    }
    assert_eq!(client.register(11), 0x1_0000_0010, "at the loop");
    assert_eq!(
        client.ask(&format!("P1={}", to_hex(&2u64.to_le_bytes()))),
        "OK"
    );
    assert_eq!(client.register(1), 2, "read back");
    // The loop sums 2 + 1 = 3: the exit status and the outcome.
    assert_eq!(client.ask("c"), "W03");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Finished, Ok(3)));
}

/// Runs until interrupted: r0 counts the rounds.
const ENDLESS: &str = "loop:\nadd64 r0, 1\nja loop";

#[test]
fn ctrl_c_sent_many_times_stops_the_program_once() {
    let (mut client, server) = start(ENDLESS, SbpfVersion::V3, 50_000_000);
    client.send_raw(b"+");
    client.send("c");
    thread::sleep(Duration::from_millis(50));
    // An impatient user: three Ctrl-Cs before the stop.
    client.send_raw(b"\x03\x03\x03");
    assert_eq!(stop_signal(&client.receive()), 2, "SIGINT");
    // They asked for one stop: the next resume runs. A step stops with SIGTRAP (5), one
    // instruction on: `add64` → `ja` and back.
    let pc = client.register(11);
    assert_eq!(stop_signal(&client.ask("vCont;s:1")), 5, "the step ran");
    assert_ne!(client.register(11), pc, "one instruction on");
    client.send("k");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Killed, killed()));
}

#[test]
fn ctrl_c_while_stopped_interrupts_the_next_resume_even_across_a_refused_request() {
    // gdb manual, “Interrupts”: interrupts received while the program is stopped are queued
    // and the program is interrupted when it is resumed next time.
    let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
    client.send_raw(b"+");
    client.send_raw(b"\x03");
    assert!(client.ask("mzz,8").starts_with('E'), "a refused request");
    assert_eq!(stop_signal(&client.ask("c")), 2, "SIGINT before running");
    assert_eq!(client.register(11), 0x1_0000_0000, "nothing ran");
    assert_eq!(client.ask("c"), "W0f", "then the program runs to its end");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Finished, Ok(COUNTDOWN_SUM)));
}

#[test]
fn a_client_flooding_a_running_program_gets_one_reply_per_request_and_the_session_goes_on() {
    let (mut client, server) = start(ENDLESS, SbpfVersion::V3, u64::MAX);
    client.send_raw(b"+");
    client.send("c");
    // Requests that an all-stop client must not send while the program runs, many more than a
    // stub keeps, then Ctrl-C behind them.
    const FLOOD: usize = 20_000;
    let question = b"$?#3f"; // `?`: its byte sum is 0x3f
    client.send_raw(&question.repeat(FLOOD));
    client.send_raw(b"\x03");
    assert_eq!(
        stop_signal(&client.receive()),
        2,
        "SIGINT, behind the flood"
    );
    // Then one reply for each: the stop reply for those the stub kept, an error reply for
    // those it could not (gdb manual, “Standard Replies”: `E NN`), in that order.
    let mut errors = 0;
    for at in 0..FLOOD {
        let reply = client.receive();
        if reply.starts_with('E') {
            errors += 1;
        } else {
            assert_eq!(errors, 0, "reply {at}: a stop reply after an error reply");
            assert!(reply.starts_with('T'), "reply {at}: {reply}");
        }
    }
    assert!(errors > 0 && errors < FLOOD, "{errors} error replies");
    // The session answers the next request.
    let rounds = client.register(0);
    assert!(rounds > 0, "it ran");
    client.send("k");
    let (end, (_, result)) = server.join().unwrap();
    assert_eq!((end, result), (SessionEnd::Killed, killed()));
}

#[test]
fn a_second_client_is_refused_at_once() {
    // A free port for listen_and_serve (which binds it itself).
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = thread::spawn(move || {
        let runtime = Arc::new(standard_runtime(Config::default()));
        let executable = Executable::from_assembly(COUNTDOWN, SbpfVersion::V3, runtime).unwrap();
        let mut context = EnvContext::new(1_000);
        let mut vm = standard_vm(&executable, &mut context, vec![0; 16], 1024).unwrap();
        let options = DebugOptions {
            stderr_notes: false,
            ..DebugOptions::default()
        };
        listen_and_serve(&mut vm, ("127.0.0.1", port), &options)
            .map(|(end, (_, result))| (end, result))
    });
    let first = (0..200)
        .find_map(|_| {
            TcpStream::connect(("127.0.0.1", port))
                .inspect_err(|_| thread::sleep(Duration::from_millis(10)))
                .ok()
        })
        .expect("the first client connects");
    let mut client = Client::new(first);
    // Once the stub answers, the first client has been accepted.
    assert_eq!(stop_signal(&client.ask("?")), 5);
    let second = TcpStream::connect(("127.0.0.1", port));
    assert_eq!(
        second.map(|_| ()).map_err(|error| error.kind()),
        Err(ErrorKind::ConnectionRefused),
        "a second client is refused while the first is served"
    );
    assert_eq!(client.ask("c"), "W0f");
    let (end, result) = server.join().unwrap().unwrap();
    assert_eq!((end, result), (SessionEnd::Finished, Ok(COUNTDOWN_SUM)));
}

/// What the answer to a request must be (gdb manual, “Standard Replies” and “Packets”).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// `E NN`: a request malformed, cut short, or refused.
    Error,
    /// The empty reply: a packet the stub does not know.
    Empty,
    /// `OK`.
    Ok,
    /// Hex bytes, this many.
    Hex(usize),
    /// A stop reply (`S`/`T`) with SIGTRAP: the program stopped where it started.
    Trap,
    /// A reply that starts so.
    Starts(&'static str),
    /// Part of an XML document: `m` (more follows) or `l` (the last part), then the text.
    Xml,
    /// `OK` if the breakpoint (`z0`) or watchpoint (`z2`) is set, else an error.
    Removal,
}

/// Whether `reply` is what `expect` says.
fn fits(reply: &str, expect: Expect) -> bool {
    let hex = |text: &str| text.bytes().all(|byte| byte.is_ascii_hexdigit());
    match expect {
        Expect::Error => reply.len() == 3 && reply.starts_with('E') && hex(&reply[1..]),
        Expect::Empty => reply.is_empty(),
        Expect::Ok => reply == "OK",
        Expect::Hex(bytes) => reply.len() == 2 * bytes && hex(reply),
        Expect::Trap => {
            (reply.starts_with('S') || reply.starts_with('T')) && stop_signal(reply) == 5
        }
        Expect::Starts(prefix) => reply.starts_with(prefix),
        Expect::Xml => {
            (reply.starts_with('m') || reply.starts_with('l')) && reply[1..].starts_with("<?xml")
        }
        Expect::Removal => unreachable!("resolved by the caller"),
    }
}

/// What the stub sends next: a `-` (send it again) or a reply packet. Acks are skipped.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Nack,
    Reply(String),
}

fn next_answer(client: &mut Client) -> Answer {
    match next_non_ack_byte(client) {
        b'-' => Answer::Nack,
        b'$' => {
            client.buffer.insert(0, b'$');
            Answer::Reply(client.receive())
        }
        other => panic!("the stub sent {other:#x} between packets"),
    }
}

#[test]
fn every_request_gets_one_reply_whatever_its_shape() {
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};
    // Requests that leave the program's outcome alone (no continue, step or memory write),
    // whole or cut short, with what each must get. Cut short, a known packet missing a field
    // is malformed (an error); an unknown name gets the empty reply.
    let requests: &[(&str, Expect)] = &[
        ("g", Expect::Hex(13 * 8)), // r0–r10, pc, remaining
        ("G00", Expect::Error),     // 104 bytes, not 1
        ("?", Expect::Trap),
        ("m100000000,8", Expect::Hex(8)), // the first instruction
        ("m200000ff8,8", Expect::Hex(8)), // the stack's top
        ("m100000000", Expect::Error),
        ("m1", Expect::Error),
        ("mzz", Expect::Error),
        ("p1", Expect::Hex(8)),
        ("p", Expect::Error),
        ("pzz", Expect::Error),
        ("P1=0500000000000000", Expect::Ok), // r1: `mov64 r1, 5` sets it again
        ("P1=05", Expect::Error),            // r1 is 8 bytes
        ("P1", Expect::Error),
        ("Z0,100000018,0", Expect::Ok),
        ("z0,100000018,0", Expect::Removal),
        ("Z0,1000", Expect::Error),
        ("Z0", Expect::Error),
        ("Z2,200000ff8,8", Expect::Ok),
        ("z2,200000ff8,8", Expect::Removal),
        ("qXfer:features:read:target.xml:0,ffffffff", Expect::Xml),
        ("qXfer:features:read:target.xml", Expect::Error),
        ("qXfer:features:read:other.xml:0,10", Expect::Error),
        ("qXf", Expect::Empty),
        ("vCont?", Expect::Starts("vCont;c;C;s;S")),
        ("vCont", Expect::Error),
        ("vCo", Expect::Empty),
        ("vCont;r100000000,100000008:1", Expect::Error), // not offered by vCont?
        ("vCont;x", Expect::Error),
        ("qRegisterInfo0", Expect::Starts("name:r0;")),
        ("qRegisterInfo99", Expect::Error),
        ("qRegisterInfo", Expect::Error),
        ("qHostInfo", Expect::Starts("triple:")),
        ("qHost", Expect::Empty),
        ("qSupported:multiprocess+", Expect::Starts("PacketSize=")),
        ("qSupp", Expect::Empty),
        ("Hg1", Expect::Ok),
        ("Hg", Expect::Error),
        ("X100000000,0:", Expect::Error), // the text is read-only
        ("X1", Expect::Error),
        ("vMustReplyEmpty", Expect::Empty), // the protocol's own probe
    ];
    for seed in 0..30u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let (mut client, server) = start(COUNTDOWN, SbpfVersion::V3, 1_000);
        client.send_raw(b"+");
        let (mut breakpoint, mut watchpoint) = (false, false);
        let mut last_reply: Option<String> = None;
        let mut interrupted = false;
        for step in 0..40 {
            let context = format!("seed {seed}, request {step}");
            // Noise between packets: `+`, `#`, `}` and letters are ignored; `-` asks for the
            // last reply again; 0x03 is Ctrl-C, which interrupts the next resume; a `$` never
            // finished swallows the next packet, which then arrives garbled and gets a `-`.
            let mut noise = Vec::new();
            let mut unfinished = false;
            if rng.random_bool(0.3) {
                let others = b"+-#}\x03";
                for _ in 0..rng.random_range(1..8) {
                    noise.push(if rng.random_bool(0.5) {
                        others[rng.random_range(0..others.len())]
                    } else {
                        rng.random_range(b'a'..=b'z')
                    });
                }
                if rng.random_bool(0.3) {
                    unfinished = true;
                    noise.push(b'$');
                    noise
                        .extend((0..rng.random_range(0..4)).map(|_| rng.random_range(b'a'..=b'z')));
                }
            }
            let (request, expect) = requests[rng.random_range(0..requests.len())];
            if unfinished {
                // The swallowed packet's checksum is that of `request` alone: make sure the
                // noise before it does not happen to sum to zero.
                let sum = noise[noise.iter().rposition(|b| *b == b'$').unwrap() + 1..]
                    .iter()
                    .fold(b'$', |sum, byte| sum.wrapping_add(*byte));
                if sum == 0 {
                    noise.push(b'a');
                }
            }
            client.send_raw(&noise);
            client.send(request);
            interrupted |= noise.contains(&0x03);
            for _ in noise.iter().filter(|byte| **byte == b'-') {
                if let Some(last) = &last_reply {
                    assert_eq!(
                        next_answer(&mut client),
                        Answer::Reply(last.clone()),
                        "{context}: `-` sends the last reply again"
                    );
                }
            }
            if unfinished {
                assert_eq!(next_answer(&mut client), Answer::Nack, "{context}: garbled");
                client.send(request);
            }
            let Answer::Reply(reply) = next_answer(&mut client) else {
                panic!("{context}: `{request}` got a `-`");
            };
            let expect = match (expect, request) {
                (Expect::Removal, _) => {
                    let set = if request.starts_with("z0") {
                        &mut breakpoint
                    } else {
                        &mut watchpoint
                    };
                    if std::mem::take(set) {
                        Expect::Ok
                    } else {
                        Expect::Error
                    }
                }
                (_, "Z0,100000018,0") => {
                    breakpoint = true;
                    expect
                }
                (_, "Z2,200000ff8,8") => {
                    watchpoint = true;
                    expect
                }
                _ => expect,
            };
            assert!(
                fits(&reply, expect),
                "{context}: `{request}` got {reply:?}, not {expect:?}"
            );
            last_reply = Some(reply);
        }
        // Still stopped at the start; a Ctrl-C among the noise interrupts the first resume
        // before anything runs.
        assert_eq!(stop_signal(&client.ask("?")), 5, "seed {seed}");
        if interrupted {
            assert_eq!(stop_signal(&client.ask("c")), 2, "seed {seed}: SIGINT");
            assert_eq!(
                client.register(11),
                0x1_0000_0000,
                "seed {seed}: nothing ran"
            );
        }
        for (set, removal) in [
            (breakpoint, "z0,100000018,0"),
            (watchpoint, "z2,200000ff8,8"),
        ] {
            if set {
                assert_eq!(client.ask(removal), "OK", "seed {seed}");
            }
        }
        assert_eq!(client.ask("c"), "W0f", "seed {seed}: exit status 15");
        let (end, (_, result)) = server.join().unwrap();
        assert_eq!(
            (end, result),
            (SessionEnd::Finished, Ok(COUNTDOWN_SUM)),
            "seed {seed}: the program reaches its real end"
        );
    }
}
