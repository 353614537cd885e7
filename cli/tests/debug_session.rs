//! `sbvm debug` at the protocol's edges, over raw TCP: a malformed request gets an error reply
//! and a line on stderr that names it, the session goes on; a second client is refused at once;
//! continuing after a fault with the fault's signal (what lldb-19 sends) ends the session with
//! the fault as the outcome; a client flooding a running program costs the debugger no memory
//! and the session goes on. Expected values follow from the gdb remote protocol, gdb's signal
//! numbers (include/gdb/signals.def: SIGSEGV 11) and the programs' instruction semantics.

mod common;

use common::{debug_port, exchange, scratch, skip};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

/// Sums 5 + 4 + 3 + 2 + 1 into r0 (15) and exits.
const COUNTDOWN: &str = "mov64 r0, 0
mov64 r1, 5
loop:
add64 r0, r1
add64 r1, -1
jne r1, 0, loop
exit
";

/// A store through a null pointer: SIGSEGV at instruction 1.
const NULL_STORE: &str = "mov64 r1, 0\nstxdw [r1+0], r1\nexit\n";

/// Starts `sbvm debug` on `source` (assembly, v3) on a free port, with `options` besides;
/// returns the process, its stderr after the "waiting" line, and the port.
fn start_debug(name: &str, source: &str, options: &[&str]) -> (Child, BufReader<ChildStderr>, u16) {
    let program = scratch(name, source);
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .arg("debug")
        .arg(&program)
        .args(["--version", "v3", "--port", "0", "--json"])
        .args(options)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let port = debug_port(&mut stderr);
    (child, stderr, port)
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// Waits for `sbvm debug` to end; returns its JSON outcome, the rest of its stderr and whether
/// it succeeded.
fn finish(child: Child, mut stderr: BufReader<ChildStderr>) -> (serde_json::Value, String, bool) {
    let output = child.wait_with_output().unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|_| panic!("sbvm printed {stdout:?}; stderr {rest}"));
    (json, rest, output.status.success())
}

#[test]
fn a_malformed_request_is_answered_and_named_and_a_second_client_refused() {
    let (child, stderr, port) = start_debug("countdown.asm", COUNTDOWN, &[]);
    let mut stream = connect(port);
    stream.write_all(b"+").unwrap();
    let reply = exchange(&mut stream, "mzz,8");
    assert!(reply.starts_with('E'), "an error reply: {reply:?}");
    assert!(
        exchange(&mut stream, "?").starts_with('T'),
        "the session goes on"
    );
    let second = TcpStream::connect(("127.0.0.1", port));
    assert_eq!(
        second.map(|_| ()).map_err(|error| error.kind()),
        Err(ErrorKind::ConnectionRefused),
        "a second client is refused while the first is served"
    );
    assert_eq!(exchange(&mut stream, "c"), "W0f", "exit status 15");
    drop(stream);
    let (json, stderr, success) = finish(child, stderr);
    assert!(
        stderr.contains("answered E16 to `mzz,8`"),
        "stderr names the request: {stderr}"
    );
    assert!(
        stderr.contains("the program ended under the debugger"),
        "{stderr}"
    );
    assert_eq!(json["result"], 15);
    assert!(success);
}

#[test]
fn continuing_after_a_fault_with_its_signal_reports_the_fault() {
    let (child, stderr, port) = start_debug("null.asm", NULL_STORE, &[]);
    let mut stream = connect(port);
    stream.write_all(b"+").unwrap();
    assert_eq!(&exchange(&mut stream, "c")[..3], "S0b", "SIGSEGV");
    // lldb-19's `continue` after the fault.
    assert_eq!(exchange(&mut stream, "vCont;C0b:p1.1"), "X0b");
    drop(stream);
    let (json, stderr, success) = finish(child, stderr);
    assert!(
        stderr.contains("the program ended under the debugger"),
        "{stderr}"
    );
    assert_eq!(
        json["error"], "AccessViolation",
        "the outcome is the fault: {json}"
    );
    assert!(!success, "a faulted program fails the command");
}

/// The resident memory of process `pid` in KiB (Linux), if it can be read.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Reads from `reader` the next `count` reply packets (`$…#cc`, acks between them skipped) and
/// nothing after them; returns the payload of the last one. The replies counted here carry no
/// `$` or `#` inside them.
fn skip_replies(reader: &mut BufReader<TcpStream>, count: usize) -> String {
    let mut last = Vec::new();
    let mut seen = 0;
    // Where the reader is: between packets, inside one, or in its checksum (digits left).
    let mut in_packet = false;
    let mut checksum_left = 0;
    while seen < count || checksum_left > 0 {
        let bytes = reader.fill_buf().unwrap();
        assert!(
            !bytes.is_empty(),
            "sbvm closed the connection after {seen} replies"
        );
        let mut used = 0;
        for &byte in bytes {
            if seen == count && checksum_left == 0 {
                break;
            }
            used += 1;
            if checksum_left > 0 {
                checksum_left -= 1;
            } else if byte == b'$' {
                in_packet = true;
                last.clear();
            } else if byte == b'#' && in_packet {
                in_packet = false;
                seen += 1;
                checksum_left = 2;
            } else if in_packet {
                last.push(byte);
            }
        }
        reader.consume(used);
    }
    String::from_utf8(last).unwrap()
}

#[test]
fn a_client_flooding_a_running_program_costs_no_memory_and_the_session_goes_on() {
    let (child, stderr, port) = start_debug(
        "endless.asm",
        "loop:\nadd64 r0, 1\nja loop\n",
        &["--limit", "100000000000"],
    );
    let Some(before) = resident_kib(child.id()) else {
        skip("no /proc/<pid>/status here: the memory of sbvm debug is not measured");
        return;
    };
    let mut stream = connect(port);
    let mut replies = BufReader::new(stream.try_clone().unwrap());
    stream.write_all(b"+$vCont;c#a8").unwrap(); // "vCont;c" sums to 0xa8
                                                // A million `?` requests (5 MB) while the program runs, then Ctrl-C behind them. Kept, each
                                                // would cost the debugger tens of bytes: tens of MB.
    const FLOOD: usize = 1_000_000;
    stream.write_all(&b"$?#3f".repeat(FLOOD)).unwrap();
    stream.write_all(b"\x03").unwrap();
    // The stop reply comes once the Ctrl-C behind the flood was read: the flood is all in.
    let stop = skip_replies(&mut replies, 1);
    assert!(
        matches!(stop.get(..3), Some("S02" | "T02")),
        "SIGINT: {stop}"
    );
    let after = resident_kib(child.id()).unwrap();
    assert!(
        after < before + 16 * 1024,
        "resident memory went from {before} KiB to {after} KiB"
    );
    // One reply per request, then the session answers the next one.
    skip_replies(&mut replies, FLOOD);
    assert!(replies.buffer().is_empty(), "nothing more came");
    // The resume actions the stub offers (gdb manual, “vCont?”): continue and step, with or
    // without a signal.
    assert_eq!(exchange(&mut stream, "vCont?"), "vCont;c;C;s;S");
    write!(stream, "$k#6b").unwrap(); // "k" is 0x6b
    drop((stream, replies));
    let (json, stderr, success) = finish(child, stderr);
    assert!(
        stderr.contains("answered E16 to") && stderr.contains("sent while the program ran"),
        "stderr says what happened to the flood: {stderr}"
    );
    assert_eq!(json["error"], "Killed", "{json}");
    assert!(!success);
}
