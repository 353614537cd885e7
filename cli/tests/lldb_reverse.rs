//! Stock lldb-22 running `sbvm debug` backwards: `process continue -R` (lldb sends `bc`) back to
//! the last breakpoint hit, to the last write a watchpoint sees, and to the beginning of the
//! recorded history; registers and memory checked after each stop; then forward again
//! (`process continue -F`) to the program's real end. Each session runs under the interpreter
//! and under the JIT (`sbvm debug --engine jit`). Skips (saying so) without lldb 20 or newer; a
//! failure under `SBVM_NO_SKIP`. Expected values follow from the programs' text (LOOP and CALLS
//! below): the comments at each step do the arithmetic. The stub records from the first
//! instruction unless told otherwise (`monitor record on` restarts the record where it is).
//!
//! What lldb-22 expects of the stub, and so what these tests pin down:
//! * a direction given with `-R` sticks: a plain `process continue` goes on backwards, `-F`
//!   goes forward again;
//! * a reverse stop at a breakpoint has the pc at the breakpoint, the instruction not yet run;
//! * a reverse stop at a watchpoint has the write undone: the pc at the store, memory as before
//!   it. (lldb's default "modify" watchpoint compares the value it remembers with the value at
//!   the stop, and resumes silently when they are equal: a stop after the store would be lost.)
//! * lldb has no reverse step: `monitor reverse-step [N]` is the way back by instructions. lldb
//!   does not know the program moved (a monitor command is not a stop), so it shows the old
//!   registers until the next stop; `process plugin packet send pN` reads one live.
//! * lldb resumes after a signal by passing the signal on, and cannot pass one backwards: it
//!   refuses `process continue -R` after a fault unless told not to pass the signal
//!   (`process handle SIGSEGV --pass false`).

mod common;

use common::lldb::{finish, lldb_with_reverse, replies, run_lldb, start_debug, Engine};

/// Sums 1..=4 into r0, storing each partial sum at r10-8; returns 10. SBPF V3 text starts at
/// 0x1_0000_0000, one 8-byte slot per instruction:
///
/// ```text
/// 0x00 mov64 r0, 0         0x18 stxdw [r10-8], r0   0x30 exit
/// 0x08 mov64 r1, 1         0x20 add64 r1, 1
/// 0x10 add64 r0, r1        0x28 jlt r1, 5, -4  (back to 0x10)
/// ```
///
/// Iteration k (r1 = k at 0x10) adds k: r0 goes 1, 3, 6, 10 and each value is stored; 19
/// instructions run in all. Each costs one unit of the budget (100,000,000 by default), which
/// the `remaining` register shows: before iteration k's add, 2 + 4(k-1) instructions have run.
const LOOP: &str = "mov64 r0, 0
mov64 r1, 1
add64 r0, r1
stxdw [r10-8], r0
add64 r1, 1
jlt r1, 5, -4
exit
";

/// LOOP in a file of its own for each session (sessions run in parallel).
fn loop_program(session: &str, engine: Engine) -> std::path::PathBuf {
    common::scratch(&format!("loop-{session}-{}.asm", engine.name()), LOOP)
}

/// r10 - 8 in frame 0: r10 starts at 0x2_0000_1000 (the top of the first stack frame).
const PARTIAL_SUM: &str = "0x200000ff8";

fn reverse_to_breakpoints_and_watchpoints(engine: Engine) {
    let Some(lldb) = lldb_with_reverse() else {
        return;
    };
    let program = loop_program("breakpoints", engine);
    let (child, port) = start_debug(&program, "v3", engine);
    let read = "register read pc r0 r1 remaining";
    let memory = format!("memory read --size 8 --format x --count 1 {PARTIAL_SUM}");
    let watch = format!("watchpoint set expression -w modify -s 8 -- {PARTIAL_SUM}");
    let output = run_lldb(
        &lldb,
        port,
        &[
            "breakpoint set -a 0x100000030",
            "continue",
            read,
            "breakpoint set -a 0x100000010",
            "process continue -R",
            read,
            &memory,
            "process continue",
            read,
            &memory,
            "breakpoint delete 2",
            &watch,
            "process continue -R",
            read,
            &memory,
            "watchpoint delete 1",
            "process continue -F",
            read,
            "continue",
        ],
    );
    let registers = replies(&output, read);
    let memory = replies(&output, &memory);
    assert_eq!(registers.len(), 5, "{output}");
    // Forward to `exit`: r0 = 1+2+3+4, r1 = 5.
    assert_register(registers[0], "pc", 0x1_0000_0030, &output);
    assert_register(registers[0], "r0", 10, &output);
    assert_register(registers[0], "r1", 5, &output);
    assert_remaining(registers[0], 18, &output);
    // Back to the last time `add64 r0, r1` was about to run: iteration 4, r0 = 1+2+3, and the
    // stored partial sum is 6.
    let stops = replies(&output, "process continue -R");
    assert!(
        stops[0].contains("stop reason = breakpoint 2.1"),
        "{output}"
    );
    assert_register(registers[1], "pc", 0x1_0000_0010, &output);
    assert_register(registers[1], "r0", 6, &output);
    assert_register(registers[1], "r1", 4, &output);
    assert_remaining(registers[1], 14, &output);
    assert!(memory[0].contains(": 0x0000000000000006"), "{output}");
    // A plain continue keeps going backwards: iteration 3, r0 = 1+2, stored 3.
    let again = replies(&output, "process continue");
    assert!(
        again[0].contains("stop reason = breakpoint 2.1"),
        "{output}"
    );
    assert_register(registers[2], "r0", 3, &output);
    assert_register(registers[2], "r1", 3, &output);
    assert_remaining(registers[2], 10, &output);
    assert!(memory[1].contains(": 0x0000000000000003"), "{output}");
    // Back to the last write of the partial sum before that: iteration 2's store of 3, undone:
    // the pc at the store, r0 = 3 about to be stored, memory still holding iteration 1's 1.
    assert!(stops[1].contains("stop reason = watchpoint 1"), "{output}");
    assert_register(registers[3], "pc", 0x1_0000_0018, &output);
    assert_register(registers[3], "r0", 3, &output);
    assert_register(registers[3], "r1", 2, &output);
    // 2 + 4 (iteration 1) + 1 (iteration 2's add) have run.
    assert_remaining(registers[3], 7, &output);
    assert!(memory[2].contains(": 0x0000000000000001"), "{output}");
    // Forward again to `exit` and to the end: the same sum as a run without the debugger.
    let forward = replies(&output, "process continue -F");
    assert!(
        forward[0].contains("stop reason = breakpoint 1.1"),
        "{output}"
    );
    assert_register(registers[4], "pc", 0x1_0000_0030, &output);
    assert_register(registers[4], "r0", 10, &output);
    assert_remaining(registers[4], 18, &output);
    assert!(output.contains("exited with status = 10"), "{output}");
    // Going back gave back the budget: the run cost what a run without the debugger costs.
    let json = finish(child, engine);
    assert_eq!(json["result"], 10, "{json}");
    assert_eq!(json["error"], serde_json::Value::Null, "{json}");
    assert_eq!(json["instructions"], 19, "{json}");
}

#[test]
fn lldb_reverse_continues_to_breakpoints_and_watchpoints() {
    reverse_to_breakpoints_and_watchpoints(Engine::Interpreter);
}

#[test]
fn lldb_reverse_continues_to_breakpoints_and_watchpoints_under_the_jit() {
    reverse_to_breakpoints_and_watchpoints(Engine::Jit);
}

fn reverse_to_the_beginning(engine: Engine) {
    let Some(lldb) = lldb_with_reverse() else {
        return;
    };
    let program = loop_program("beginning", engine);
    let (child, port) = start_debug(&program, "v3", engine);
    let read = "register read pc r0 r1 remaining";
    let memory = format!("memory read --size 8 --format x --count 1 {PARTIAL_SUM}");
    let output = run_lldb(
        &lldb,
        port,
        &[
            "breakpoint set -a 0x100000030",
            "continue",
            "process continue -R",
            read,
            &memory,
            // Still backwards: already at the beginning, so it stops there again.
            "process continue",
            "process continue -F",
            read,
            "continue",
        ],
    );
    let registers = replies(&output, read);
    let stops = replies(&output, "process continue -R");
    assert!(
        stops[0].contains("stop reason = history boundary"),
        "{output}"
    );
    // As the VM starts: the pc at the first instruction, r0 = 0, r1 = the input's address; the
    // stack slot not yet written.
    assert_register(registers[0], "pc", 0x1_0000_0000, &output);
    assert_register(registers[0], "r0", 0, &output);
    assert_register(registers[0], "r1", 0x4_0000_0000, &output);
    assert_remaining(registers[0], 0, &output);
    assert!(
        replies(&output, &memory)[0].contains(": 0x0000000000000000"),
        "{output}"
    );
    let again = replies(&output, "process continue");
    assert!(
        again[0].contains("stop reason = history boundary"),
        "{output}"
    );
    assert_register(registers[1], "pc", 0x1_0000_0030, &output);
    assert_register(registers[1], "r0", 10, &output);
    assert_remaining(registers[1], 18, &output);
    assert!(output.contains("exited with status = 10"), "{output}");
    let json = finish(child, engine);
    assert_eq!(json["result"], 10, "{json}");
    assert_eq!(json["instructions"], 19, "{json}");
}

#[test]
fn lldb_reverse_continues_to_the_beginning_of_history() {
    reverse_to_the_beginning(Engine::Interpreter);
}

#[test]
fn lldb_reverse_continues_to_the_beginning_of_history_under_the_jit() {
    reverse_to_the_beginning(Engine::Jit);
}

/// Asserts that `register read` printed `name = VALUE` (lldb's 16-digit hex).
#[track_caller]
fn assert_register(reply: &str, name: &str, value: u64, output: &str) {
    let line = format!("{name} = {value:#018x}");
    assert!(
        reply.contains(&line),
        "expected {line} in {reply:?}; all:\n{output}"
    );
}

/// The default instruction budget of `sbvm debug` (`--limit`).
const BUDGET: u64 = 100_000_000;

/// Asserts that `register read` printed the budget left after `ran` instructions (lldb prints
/// `remaining` in decimal).
#[track_caller]
fn assert_remaining(reply: &str, ran: u64, output: &str) {
    let line = format!("remaining = {}", BUDGET - ran);
    assert!(
        reply.contains(&line),
        "expected {line} in {reply:?}; all:\n{output}"
    );
}

/// `process plugin packet send pN` (past lldb's register cache): lldb prints the reply, the
/// register's 8 bytes little-endian.
fn live_register(index: u8) -> String {
    format!("process plugin packet send p{index:x}")
}

/// The value of each reply `live_register` printed, in order.
fn live_values(output: &str, index: u8) -> Vec<u64> {
    replies(output, &live_register(index))
        .iter()
        .filter_map(|reply| {
            let hex = reply
                .split("response: ")
                .nth(1)?
                .split_whitespace()
                .next()?;
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect::<Option<_>>()?;
            Some(u64::from_le_bytes(bytes.try_into().ok()?))
        })
        .collect()
}

fn monitor_reverse_commands(engine: Engine) {
    let Some(lldb) = lldb_with_reverse() else {
        return;
    };
    let program = loop_program("monitor", engine);
    let (child, port) = start_debug(&program, "v3", engine);
    let read = "register read pc r0 r1 remaining";
    let (r0, pc) = (live_register(0), live_register(11));
    let output = run_lldb(
        &lldb,
        port,
        &[
            // Iteration 1's add (2 instructions run): the record starts here. (`record on` alone
            // keeps a record that is already on: off first.)
            "breakpoint set -a 0x100000010",
            "continue",
            "process plugin packet monitor record off",
            "process plugin packet monitor record on",
            "breakpoint delete 1",
            "breakpoint set -a 0x100000030",
            "continue",
            "process plugin packet monitor reverse-step",
            &pc,
            &r0,
            "process plugin packet monitor reverse-step 3",
            &pc,
            &r0,
            "process plugin packet monitor cu",
            // A real stop: lldb reads the registers again (the step replays the record).
            "stepi",
            read,
            "process plugin packet monitor reverse-continue",
            &pc,
            "process plugin packet monitor record",
            "process continue -F",
            read,
            "continue",
        ],
    );
    // From `exit` (18 run) one back: iteration 4's `jlt` at 0x28 (index 5), r0 = 10. Positions
    // count the recorded instructions, from the record's start (2 run): 17 - 2 = 15.
    assert!(
        output.contains("stepped back: pc 5 (0x100000028) in entrypoint+5, position 15"),
        "{output}"
    );
    // Three more (`add64 r1, 1`, the store, the add): iteration 4's `add64 r0, r1` (index 2),
    // r0 = 1+2+3, 14 run.
    assert!(
        output.contains("stepped back: pc 2 (0x100000010) in entrypoint+2, position 12"),
        "{output}"
    );
    assert_eq!(
        live_values(&output, 11),
        [0x1_0000_0028, 0x1_0000_0010, 0x1_0000_0010],
        "{output}"
    );
    assert_eq!(live_values(&output, 0), [10, 6], "{output}");
    assert!(
        output.contains("compute units used: 14; remaining: 99999986 (of 100000000"),
        "{output}"
    );
    // stepi runs that add again: r0 = 6 + 4, at the store.
    let registers = replies(&output, read);
    assert_eq!(registers.len(), 2, "{output}");
    assert_register(registers[0], "pc", 0x1_0000_0018, &output);
    assert_register(registers[0], "r0", 10, &output);
    assert_register(registers[0], "r1", 4, &output);
    assert_remaining(registers[0], 15, &output);
    // No breakpoint behind: back to where the record starts, iteration 1's add.
    assert!(
        output
            .contains("at the start of the record: pc 2 (0x100000010) in entrypoint+2, position 0"),
        "{output}"
    );
    assert!(output.contains("recording: on"), "{output}");
    // Forward again: the record replayed up to `exit`, then live to the end.
    assert_register(registers[1], "pc", 0x1_0000_0030, &output);
    assert_register(registers[1], "r0", 10, &output);
    assert_remaining(registers[1], 18, &output);
    assert!(output.contains("exited with status = 10"), "{output}");
    let json = finish(child, engine);
    assert_eq!(json["result"], 10, "{json}");
    assert_eq!(json["instructions"], 19, "{json}");
}

#[test]
fn lldb_moves_backwards_with_monitor_commands() {
    monitor_reverse_commands(Engine::Interpreter);
}

#[test]
fn lldb_moves_backwards_with_monitor_commands_under_the_jit() {
    monitor_reverse_commands(Engine::Jit);
}

/// entrypoint calls function_a, which calls function_b; returns 2 + 3. SBPF V3, one 8-byte slot
/// per instruction from 0x1_0000_0000; each call pushes a 4 KiB stack frame (r10 + 0x1000):
///
/// ```text
/// 0x00 entrypoint: mov64 r1, 2     0x18 function_a: add64 r1, 3    0x30 function_b: mov64 r0, r1
/// 0x08             call function_a 0x20             call function_b 0x38             exit
/// 0x10             exit            0x28             exit
/// ```
const CALLS: &str = "entrypoint:
    mov64 r1, 2
    call function_a
    exit
function_a:
    add64 r1, 3
    call function_b
    exit
function_b:
    mov64 r0, r1
    exit
";

fn call_frames_going_back(engine: Engine) {
    let Some(lldb) = lldb_with_reverse() else {
        return;
    };
    let program = common::scratch(&format!("calls-{}.asm", engine.name()), CALLS);
    let (child, port) = start_debug(&program, "v3", engine);
    let backtrace = "process plugin packet monitor backtrace";
    let read = "register read pc r1 r10";
    let output = run_lldb(
        &lldb,
        port,
        &[
            "breakpoint set -a 0x100000030",
            "continue",
            backtrace,
            "breakpoint set -a 0x100000018",
            "process continue -R",
            read,
            backtrace,
            "process continue -F",
            read,
            "process continue",
        ],
    );
    // In function_b, called from function_a+1, called from entrypoint+1.
    let deepest = "#0 pc 6 (0x100000030) in function_b+0\n\
                   #1 pc 4 (0x100000020) in function_a+1, r10 = 0x200002000\n\
                   #2 pc 1 (0x100000008) in entrypoint+1, r10 = 0x200001000\n";
    let traces = replies(&output, backtrace);
    assert_eq!(traces.len(), 2, "{output}");
    assert!(traces[0].contains(deepest), "{output}");
    // Back to function_a's first instruction: function_b's frame is gone, r1 = 2 as passed,
    // r10 the top of frame 2.
    assert!(replies(&output, "process continue -R")[0].contains("stop reason = breakpoint 2.1"));
    let registers = replies(&output, read);
    assert_register(registers[0], "pc", 0x1_0000_0018, &output);
    assert_register(registers[0], "r1", 2, &output);
    assert_register(registers[0], "r10", 0x2_0000_2000, &output);
    assert!(
        traces[1].contains(
            "#0 pc 3 (0x100000018) in function_a+0\n\
             #1 pc 1 (0x100000008) in entrypoint+1, r10 = 0x200001000\n\
             invoke depth 1"
        ),
        "{output}"
    );
    // Forward into function_b again: r1 = 2 + 3, r10 the top of frame 3; then to the end.
    assert_register(registers[1], "pc", 0x1_0000_0030, &output);
    assert_register(registers[1], "r1", 5, &output);
    assert_register(registers[1], "r10", 0x2_0000_3000, &output);
    assert!(output.contains("exited with status = 5"), "{output}");
    let json = finish(child, engine);
    assert_eq!(json["result"], 5, "{json}");
    assert_eq!(json["instructions"], 8, "{json}");
}

#[test]
fn lldb_goes_back_out_of_a_call() {
    call_frames_going_back(Engine::Interpreter);
}

#[test]
fn lldb_goes_back_out_of_a_call_under_the_jit() {
    call_frames_going_back(Engine::Jit);
}

fn back_from_a_fault(engine: Engine) {
    let Some(lldb) = lldb_with_reverse() else {
        return;
    };
    // The store to address 0 faults (instruction 2, 0x1_0000_0010) with r0 = 7 set.
    let program = common::scratch(
        &format!("null-{}.asm", engine.name()),
        "mov64 r0, 7\nmov64 r1, 0\nstxdw [r1+0], r0\nexit\n",
    );
    let (child, port) = start_debug(&program, "v3", engine);
    let read = "register read pc r0 r1";
    let output = run_lldb(
        &lldb,
        port,
        &[
            "process handle SIGSEGV --pass false",
            "continue",
            "process continue -R",
            read,
            "process continue -F",
            read,
            "process continue",
        ],
    );
    let stops = replies(&output, "continue");
    assert!(
        stops[0].contains("stop reason = signal SIGSEGV"),
        "{output}"
    );
    assert!(
        replies(&output, "process continue -R")[0].contains("stop reason = history boundary"),
        "{output}"
    );
    let registers = replies(&output, read);
    assert_register(registers[0], "pc", 0x1_0000_0000, &output);
    assert_register(registers[0], "r0", 0, &output);
    // Forward again: the same fault at the same store, and then the end it causes.
    assert!(
        replies(&output, "process continue -F")[0].contains("stop reason = signal SIGSEGV"),
        "{output}"
    );
    assert_register(registers[1], "pc", 0x1_0000_0010, &output);
    assert_register(registers[1], "r0", 7, &output);
    // The stub reports the end as `X0b` (terminated by SIGSEGV, 11).
    assert!(output.contains("exited with status = 11"), "{output}");
    let json = finish(child, engine);
    assert_eq!(json["error"], "AccessViolation", "{json}");
    assert_eq!(json["instructions"], 3, "{json}");
}

#[test]
fn lldb_goes_back_from_a_fault() {
    back_from_a_fault(Engine::Interpreter);
}

#[test]
fn lldb_goes_back_from_a_fault_under_the_jit() {
    back_from_a_fault(Engine::Jit);
}
