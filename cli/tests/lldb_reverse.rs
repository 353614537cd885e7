//! Stock lldb-22 running `sbvm debug` backwards: `process continue -R` (lldb sends `bc`) back to
//! the last breakpoint hit, to the last write a watchpoint sees, and to the beginning of the
//! recorded history; registers and memory checked after each stop; then forward again
//! (`process continue -F`) to the program's real end. Each session runs under the interpreter
//! and under the JIT (`sbvm debug --engine jit`). Skips (saying so) without lldb 20 or newer; a
//! failure under `SBVM_NO_SKIP`. Expected values follow from the program's text (LOOP below):
//! the comments at each step do the arithmetic.
//!
//! What lldb-22 expects of the stub, and so what these tests pin down:
//! * a direction given with `-R` sticks: a plain `process continue` goes on backwards, `-F`
//!   goes forward again;
//! * a reverse stop at a breakpoint has the pc at the breakpoint, the instruction not yet run;
//! * a reverse stop at a watchpoint has the write undone: the pc at the store, memory as before
//!   it. (lldb's default "modify" watchpoint compares the value it remembers with the value at
//!   the stop, and resumes silently when they are equal: a stop after the store would be lost.)

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

/// Turns recording on from the first instruction, so every run below can go back to it.
const RECORD: &str = "process plugin packet monitor record on";

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
            RECORD,
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
    let json = finish(child);
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
            RECORD,
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
    let json = finish(child);
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

/// lldb keeps the registers it read until the program runs again, and a monitor command is not
/// a run: after `monitor reverse-step` it would show the old ones. A successful `register write`
/// makes it read them all again, so this reads r0 live (`process plugin packet send p0` goes past
/// the cache) and writes that same value back, changing nothing in the VM.
const REFRESH: &str = "script out = lldb.SBCommandReturnObject(); \
    lldb.debugger.GetCommandInterpreter().HandleCommand('process plugin packet send p0', out); \
    live = int.from_bytes(bytes.fromhex(out.GetOutput().split('response: ')[1].split()[0]), 'little'); \
    lldb.debugger.HandleCommand('register write r0 %#x' % live)";

fn monitor_reverse_commands(engine: Engine) {
    let Some(lldb) = lldb_with_reverse() else {
        return;
    };
    let program = loop_program("monitor", engine);
    let (child, port) = start_debug(&program, "v3", engine);
    let read = "register read pc r0 r1 remaining";
    let memory = format!("memory read --size 8 --format x --count 1 {PARTIAL_SUM}");
    let output = run_lldb(
        &lldb,
        port,
        &[
            RECORD,
            "breakpoint set -a 0x100000030",
            "continue",
            "process plugin packet monitor reverse-step",
            REFRESH,
            read,
            "process plugin packet monitor reverse-step 3",
            REFRESH,
            read,
            &memory,
            "process plugin packet monitor info",
            "process plugin packet monitor reverse-continue",
            REFRESH,
            read,
            "process plugin packet monitor record info",
            "process continue -F",
            read,
            "continue",
        ],
    );
    let registers = replies(&output, read);
    assert_eq!(registers.len(), 4, "{output}");
    // From `exit` one instruction back: iteration 4's `jlt` at 0x28, not yet run.
    assert_register(registers[0], "pc", 0x1_0000_0028, &output);
    assert_register(registers[0], "r0", 10, &output);
    assert_register(registers[0], "r1", 5, &output);
    assert_remaining(registers[0], 17, &output);
    // Three more (the jlt, `add64 r1, 1`, the store): iteration 4's `add64 r0, r1`, with r0 = 6
    // and the stored partial sum 6.
    assert_register(registers[1], "pc", 0x1_0000_0010, &output);
    assert_register(registers[1], "r0", 6, &output);
    assert_register(registers[1], "r1", 4, &output);
    assert_remaining(registers[1], 14, &output);
    assert!(
        replies(&output, &memory)[0].contains(": 0x0000000000000006"),
        "{output}"
    );
    // The stub's own view agrees (monitor info: instruction count, pc).
    let info = replies(&output, "process plugin packet monitor info")[0];
    assert!(info.contains("instructions: 14"), "{output}");
    assert!(info.contains("address 0x100000010"), "{output}");
    // No breakpoint behind (the only one is at `exit`): back to the first instruction.
    assert_register(registers[2], "pc", 0x1_0000_0000, &output);
    assert_register(registers[2], "r0", 0, &output);
    assert_remaining(registers[2], 0, &output);
    // Forward again from the beginning to `exit`, then to the end.
    assert_register(registers[3], "pc", 0x1_0000_0030, &output);
    assert_register(registers[3], "r0", 10, &output);
    assert!(output.contains("exited with status = 10"), "{output}");
    let json = finish(child);
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
