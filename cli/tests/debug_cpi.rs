//! `sbvm debug --fixture` follows cross-program invocations: one gdb-remote session (a raw client
//! here, no lldb) stops in the invoked program, shows its registers and the invoke depth, steps
//! in it and out of it, sees watchpoints, Ctrl-C and faults there, and the instruction's
//! outcome still matches the fixture — also when the client detaches inside the callee.
//!
//! The fixture is `invoke_callee_logs.json` (tests/data/solana/cpi): the program
//! `cpi_script.so` logs "caller before", invokes itself under another id with a script that
//! logs "hello from the callee", then logs the invoke's result and "caller after". Both
//! programs are the same ELF, so an address means the same instruction in both (a breakpoint
//! by address applies to whichever program runs). Instruction indexes below are from
//! `sbvm disasm --listing cpi_script.so`.

mod common;

use common::{cpi_programs, debug_cpi_fixture, exchange, monitor};
use std::io::Write;
use std::net::TcpStream;
use std::process::Child;
use std::time::Duration;

/// `syscall sol_invoke_signed_c`.
const INVOKE: u64 = 103;
/// `syscall sol_log_`.
const LOG: u64 = 112;

const CALLER: &str = "7n1cePpi6hyfUo1MWuYsdy8siMPobmT8Mn7iosk9FgTZ";
const CALLEE: &str = "5B95ydiUQ2nPY6KhHT9mA3ASLKGtMU9Km8fZs16DNz2V";

/// `sbvm debug --fixture invoke_callee_logs.json`, and a client connected to it.
fn start(name: &str) -> (Child, TcpStream) {
    start_fixture(name, "invoke_callee_logs.json")
}

/// `sbvm debug --fixture FIXTURE` (a CPI fixture), and a client connected to it.
fn start_fixture(name: &str, fixture: &str) -> (Child, TcpStream) {
    let (child, port) = debug_cpi_fixture(fixture, &cpi_programs(name));
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    (child, stream)
}

/// The pc from a `g` reply.
fn pc(stream: &mut TcpStream) -> u64 {
    register(stream, 11)
}

/// Sets a breakpoint at `address`, continues, and checks the program stopped at a breakpoint.
fn break_at_then_continue(stream: &mut TcpStream, address: u64) {
    assert_eq!(exchange(stream, &format!("Z0,{address:x},8")), "OK");
    let stop = exchange(stream, "vCont;c");
    assert!(stop.contains("swbreak"), "{stop}");
}

/// Register `index` (r0–r10, then the pc) of the stopped VM.
fn register(stream: &mut TcpStream, index: usize) -> u64 {
    common::register(&exchange(stream, "g"), index)
}

/// The signal of a stop reply (`Sxx` or `Txx…`).
fn signal(stop: &str) -> u8 {
    assert!(
        stop.starts_with(['S', 'T']),
        "not a stop by a signal: {stop}"
    );
    u8::from_str_radix(&stop[1..3], 16).unwrap()
}

/// The invoke depth `monitor info` shows.
fn depth(stream: &mut TcpStream) -> usize {
    let info = monitor(stream, "info");
    info.lines()
        .find_map(|line| line.strip_prefix("invoke depth: "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|depth| depth.parse().ok())
        .unwrap_or_else(|| panic!("no invoke depth in {info}"))
}

/// The JSON report, which must match the fixture, and the exit status.
fn finish(child: Child) -> (serde_json::Value, bool) {
    let output = child.wait_with_output().unwrap();
    let line = output.stdout.split(|b| *b == b'\n').next().unwrap();
    (
        serde_json::from_slice(line).unwrap(),
        output.status.success(),
    )
}

#[test]
fn a_session_follows_the_program_into_its_callee_and_back() {
    let (child, mut stream) = start("follow");
    assert!(exchange(&mut stream, "?").starts_with('T'));
    let entry = pc(&mut stream);
    let caller_data = register(&mut stream, 2);
    assert_eq!(depth(&mut stream), 1);
    let at = |index: u64| entry + 8 * index;

    // To the invoke, and a single step into it: the callee's first instruction, unrun.
    assert_eq!(
        exchange(&mut stream, &format!("Z0,{:x},8", at(INVOKE))),
        "OK"
    );
    let stop = exchange(&mut stream, "vCont;c");
    assert!(stop.contains("swbreak"), "{stop}");
    assert_eq!(pc(&mut stream), at(INVOKE));
    assert_eq!(depth(&mut stream), 1);
    let stop = exchange(&mut stream, "vCont;s");
    assert_eq!(stop, "S05", "a single step ends with SIGTRAP");
    assert_eq!(pc(&mut stream), entry, "the callee stops at its entrypoint");
    assert_eq!(depth(&mut stream), 2);
    let info = monitor(&mut stream, "info");
    assert!(info.contains(&format!("program: {CALLEE}")), "{info}");
    assert!(
        info.contains("instructions: 0"),
        "nothing of the callee ran: {info}"
    );
    // The registers are the callee's: r2 points at its own instruction data (its script,
    // which follows its own serialized accounts).
    let callee_data = register(&mut stream, 2);
    assert_ne!(callee_data, caller_data);
    assert_eq!(register(&mut stream, 1), 0x4_0000_0000);
    // A request the stub cannot take gets E16 in a callee too, and the session goes on there.
    assert_eq!(exchange(&mut stream, "mzz,4"), "E16");
    assert_eq!(depth(&mut stream), 2);
    let frames = monitor(&mut stream, "backtrace");
    // The callee has just started: one VM frame (its entry, at pc 0), then the invoke stack.
    assert_eq!(
        frames.lines().collect::<Vec<_>>()[1..],
        [
            format!("invoke depth 1: {CALLER}"),
            format!("invoke depth 2: {CALLEE} (running)")
        ],
        "{frames}"
    );
    assert!(frames.starts_with("#0 pc 0 "), "{frames}");

    // A breakpoint hits in the callee; single steps go on in it.
    assert_eq!(exchange(&mut stream, &format!("Z0,{:x},8", at(LOG))), "OK");
    let stop = exchange(&mut stream, "vCont;c");
    assert!(stop.contains("swbreak"), "{stop}");
    assert_eq!(pc(&mut stream), at(LOG));
    assert_eq!(depth(&mut stream), 2);
    let stop = exchange(&mut stream, "vCont;s");
    assert_eq!(stop, "S05", "a single step ends with SIGTRAP");
    assert_eq!(pc(&mut stream), at(LOG + 1));
    assert_eq!(depth(&mut stream), 2);

    // Stepping out: the step that ends the callee stops after the invoke, in the caller.
    let mut steps = 0;
    while depth(&mut stream) == 2 {
        let stop = exchange(&mut stream, "vCont;s");
        assert_eq!(stop, "S05", "a single step ends with SIGTRAP");
        steps += 1;
        assert!(steps < 500, "the callee never returned");
    }
    assert_eq!(pc(&mut stream), at(INVOKE + 1), "just after the invoke");
    let info = monitor(&mut stream, "info");
    assert!(info.contains(&format!("program: {CALLER}")), "{info}");

    // The caller's own "caller after" log still hits the shared breakpoint; then to the end.
    let stop = exchange(&mut stream, "vCont;c");
    assert!(stop.contains("swbreak"), "{stop}");
    assert_eq!(depth(&mut stream), 1);
    assert_eq!(exchange(&mut stream, &format!("z0,{:x},8", at(LOG))), "OK");
    let stop = exchange(&mut stream, "vCont;c");
    assert!(
        stop.starts_with("W00"),
        "the instruction ran to its end: {stop}"
    );
    drop(stream);

    let (report, success) = finish(child);
    assert_eq!(report["matches"], true, "{report}");
    assert!(success);
}

#[test]
fn a_breakpoint_at_the_entrypoint_hits_in_the_callee_and_a_detach_there_runs_everything() {
    let (child, mut stream) = start("detach");
    assert!(exchange(&mut stream, "?").starts_with('T'));
    let entry = pc(&mut stream);
    // The caller stands on it: the continue goes past it, and the callee starts on it.
    break_at_then_continue(&mut stream, entry);
    assert_eq!(pc(&mut stream), entry);
    assert_eq!(depth(&mut stream), 2);
    assert_eq!(exchange(&mut stream, "D"), "OK");
    drop(stream);

    let (report, success) = finish(child);
    assert_eq!(report["matches"], true, "{report}");
    assert!(success);
}

#[test]
fn a_kill_inside_the_callee_ends_the_whole_instruction() {
    let (child, mut stream) = start("kill");
    assert!(exchange(&mut stream, "?").starts_with('T'));
    let entry = pc(&mut stream);
    break_at_then_continue(&mut stream, entry);
    assert_eq!(depth(&mut stream), 2);
    common::send_packet(&mut stream, "k");
    drop(stream);

    let (report, success) = finish(child);
    assert_eq!(report["matches"], false, "{report}");
    assert!(!success);
    let logs = report["logs"].to_string();
    assert!(logs.contains("killed by the debugger"), "{report}");
    assert!(
        !logs.contains("caller after"),
        "the caller ran no further: {report}"
    );
}

#[test]
fn a_watchpoint_set_in_the_caller_stops_the_callee() {
    let (child, mut stream) = start("watch");
    assert!(exchange(&mut stream, "?").starts_with('T'));
    let entry = pc(&mut stream);
    break_at_then_continue(&mut stream, entry + 8 * INVOKE);
    // The callee's entry stores at [r10-8] (instruction 6); its frame pointer is the caller's
    // as the caller started (each VM has its own stack, at the same guest addresses).
    let slot = register(&mut stream, 10) - 8;
    assert_eq!(exchange(&mut stream, &format!("Z2,{slot:x},8")), "OK");
    let stop = exchange(&mut stream, "vCont;c");
    assert!(stop.contains("watch"), "{stop}");
    assert_eq!(depth(&mut stream), 2);
    // Reported once the store has run, as for any watchpoint: at the next instruction.
    assert_eq!(pc(&mut stream), entry + 8 * 7);
    assert_eq!(exchange(&mut stream, "D"), "OK");
    drop(stream);

    let (report, success) = finish(child);
    assert_eq!(report["matches"], true, "{report}");
    assert!(success);
}

#[test]
fn ctrl_c_and_a_fault_in_the_callee_stop_it_and_the_failed_invoke_stops_the_caller() {
    // The callee burns its budget: it runs out of compute units, which fails the invoke.
    let (child, mut stream) = start_fixture("fault", "err_callee_compute_exhausted.json");
    assert!(exchange(&mut stream, "?").starts_with('T'));
    let entry = pc(&mut stream);
    break_at_then_continue(&mut stream, entry);
    assert_eq!(depth(&mut stream), 2);
    assert_eq!(exchange(&mut stream, &format!("z0,{entry:x},8")), "OK");
    // A Ctrl-C while the callee is stopped interrupts its next resume before it runs anything.
    stream.write_all(&[0x03]).unwrap();
    let stop = exchange(&mut stream, "vCont;c");
    assert_eq!(signal(&stop), 2, "SIGINT: {stop}");
    assert_eq!(pc(&mut stream), entry);
    assert_eq!(depth(&mut stream), 2);
    // The callee's fault: SIGXCPU (24), in the callee.
    let stop = exchange(&mut stream, "vCont;c");
    assert_eq!(signal(&stop), 24, "SIGXCPU: {stop}");
    assert_eq!(depth(&mut stream), 2);
    // Then the caller's invoke fails: SIGABRT (6) at the invoke, in the caller.
    let stop = exchange(&mut stream, "vCont;c");
    assert_eq!(signal(&stop), 6, "SIGABRT: {stop}");
    assert_eq!(depth(&mut stream), 1);
    assert_eq!(pc(&mut stream), entry + 8 * INVOKE);
    let stop = exchange(&mut stream, "vCont;c");
    assert_eq!(stop, "X06", "terminated by the invoke's failure");
    drop(stream);

    let (report, success) = finish(child);
    assert_eq!(report["matches"], true, "{report}");
    assert!(success);
}

#[test]
fn going_back_stays_in_the_callee_and_goes_over_a_finished_invoke_in_the_caller() {
    let (child, mut stream) = start("reverse");
    assert!(exchange(&mut stream, "?").starts_with('T'));
    let entry = pc(&mut stream);
    let at = |index: u64| entry + 8 * index;
    // Into the callee, to its log: the callee's own record starts at its entry, so going all
    // the way back stops there, in the callee (its invoke depth), with its registers.
    break_at_then_continue(&mut stream, at(INVOKE));
    exchange(&mut stream, "vCont;s");
    assert_eq!(depth(&mut stream), 2);
    let callee_data = register(&mut stream, 2);
    assert_eq!(
        exchange(&mut stream, &format!("z0,{:x},8", at(INVOKE))),
        "OK"
    );
    break_at_then_continue(&mut stream, at(LOG));
    assert_eq!(depth(&mut stream), 2);
    let stop = exchange(&mut stream, "bc");
    assert!(stop.contains("replaylog:begin"), "{stop}");
    assert_eq!(pc(&mut stream), entry);
    assert_eq!(depth(&mut stream), 2);
    assert_eq!(register(&mut stream, 2), callee_data);
    assert_eq!(exchange(&mut stream, &format!("z0,{:x},8", at(LOG))), "OK");
    // On to the caller's next log, after the invoke (the callee's log first, replayed from
    // its record and then run on): going back over the finished invoke puts back its record
    // (the callee is not run again) and stops at the invoke's breakpoint.
    break_at_then_continue(&mut stream, at(LOG));
    assert_eq!(depth(&mut stream), 2);
    let stop = exchange(&mut stream, "vCont;c");
    assert!(stop.contains("swbreak"), "{stop}");
    assert_eq!(depth(&mut stream), 1);
    assert_eq!(
        exchange(&mut stream, &format!("Z0,{:x},8", at(INVOKE))),
        "OK"
    );
    let stop = exchange(&mut stream, "bc");
    assert!(stop.contains("swbreak"), "{stop}");
    assert_eq!(pc(&mut stream), at(INVOKE));
    assert_eq!(depth(&mut stream), 1);
    // Forward over it again from the record, then to the end: the instruction's logs, accounts
    // and compute units are mollusk's, as if nobody had gone back.
    assert_eq!(
        exchange(&mut stream, &format!("z0,{:x},8", at(INVOKE))),
        "OK"
    );
    assert_eq!(exchange(&mut stream, &format!("z0,{:x},8", at(LOG))), "OK");
    let stop = exchange(&mut stream, "vCont;c");
    assert!(stop.starts_with('W'), "{stop}");
    drop(stream);
    let (report, success) = finish(child);
    assert_eq!(report["matches"], true, "{report}");
    assert!(success);
}
