//! Stock lldb (lldb-22, or lldb-19) against `sbvm debug`: connect, read registers, break by
//! address, step, read a string from the stack, write memory and see the result change, stop on a
//! fault with the right signal, detach. Skips (saying so) when no lldb is installed; a failure
//! under `SBVM_NO_SKIP` (CI sets it and installs lldb-22). Expected values follow from the
//! programs below. Each session runs under the interpreter and under the JIT (`sbvm debug
//! --engine jit`: compiled code between stops, the same answers). common/lldb.rs finds lldb and
//! runs it.

mod common;

use common::lldb::{
    finish, finish_fixture, lldb, run_lldb, start_debug, start_debug_fixture, Engine,
};
use std::process::Child;
use std::time::Duration;

/// Builds "Hello, world" on the stack, stores 5 at r10-32 and returns what is there at the end.
const HELLO: &str = "lddw r2, 0x6f77202c6f6c6c65
stxdw [r10-16], r2
mov64 r2, 0x646c72
stxw [r10-8], r2
mov64 r2, 0x48
stxb [r10-17], r2
mov64 r1, 5
stxdw [r10-32], r1
ldxdw r0, [r10-32]
exit
";

fn reads_registers_breaks_steps_reads_and_writes_memory(engine: Engine) {
    let Some(lldb) = lldb() else { return };
    let program = common::scratch(&format!("hello-{}.asm", engine.name()), HELLO);
    let (child, port) = start_debug(&program, "v0", engine);
    // `ldxdw r0, [r10-32]` is instruction 9 (lddw takes two slots): address 0x1_0000_0048.
    let output = run_lldb(
        &lldb,
        port,
        &[
            "register read r1 r10 pc remaining",
            "breakpoint set -a 0x100000048",
            "continue",
            "register read pc r1",
            "memory read --size 1 --count 12 0x200000fef",
            "memory write --size 8 --format x 0x200000fe0 0x2a",
            "stepi",
            "register read r0",
            "process detach",
        ],
    );
    // Registers as the VM starts them: r1 = input address, r10 = top of frame 0, pc = text start.
    assert!(output.contains("r1 = 0x0000000400000000"), "{output}");
    assert!(output.contains("r10 = 0x0000000200001000"), "{output}");
    assert!(output.contains("pc = 0x0000000100000000"), "{output}");
    assert!(output.contains("remaining = 100000000"), "{output}");
    assert!(output.contains("stop reason = breakpoint 1.1"), "{output}");
    assert!(output.contains("pc = 0x0000000100000048"), "{output}");
    assert!(output.contains("Hello, world"), "{output}");
    assert!(
        output.contains("r0 = 0x000000000000002a"),
        "the load sees the written memory: {output}"
    );
    let json = finish(child, engine);
    assert_eq!(
        json["result"], 42,
        "after detach the program ran to its end with the written value"
    );
}

#[test]
fn lldb_reads_registers_breaks_steps_reads_and_writes_memory() {
    reads_registers_breaks_steps_reads_and_writes_memory(Engine::Interpreter);
}

#[test]
fn lldb_reads_registers_breaks_steps_reads_and_writes_memory_under_the_jit() {
    reads_registers_breaks_steps_reads_and_writes_memory(Engine::Jit);
}

fn sees_faults_as_signals(engine: Engine) {
    let Some(lldb) = lldb() else { return };
    let program = common::scratch(
        &format!("div-{}.asm", engine.name()),
        "mov64 r1, 0\nmov64 r0, 7\ndiv64 r0, r1\nexit\n",
    );
    let (child, port) = start_debug(&program, "v3", engine);
    let output = run_lldb(
        &lldb,
        port,
        &["continue", "register read pc r0", "process kill"],
    );
    assert!(output.contains("stop reason = signal SIGFPE"), "{output}");
    assert!(
        output.contains("pc = 0x0000000100000010"),
        "stopped at the division: {output}"
    );
    assert!(output.contains("r0 = 0x0000000000000007"), "{output}");
    let json = finish(child, engine);
    assert!(json["error"].is_string(), "{json}");
    assert_ne!(json["error"], serde_json::Value::Null);
}

#[test]
fn lldb_sees_faults_as_signals() {
    sees_faults_as_signals(Engine::Interpreter);
}

#[test]
fn lldb_sees_faults_as_signals_under_the_jit() {
    sees_faults_as_signals(Engine::Jit);
}

fn continues_after_a_fault_to_the_programs_end(engine: Engine) {
    let Some(lldb) = lldb() else { return };
    let program = common::scratch(
        &format!("null-{}.asm", engine.name()),
        "mov64 r1, 0\nstxdw [r1+0], r1\nexit\n",
    );
    let (child, port) = start_debug(&program, "v3", engine);
    // The README's workflow: fault, inspect, continue (lldb sends `vCont;C0b:p1.1`).
    let output = run_lldb(
        &lldb,
        port,
        &["continue", "register read pc", "continue", "process status"],
    );
    assert!(output.contains("stop reason = signal SIGSEGV"), "{output}");
    assert!(
        output.contains("pc = 0x0000000100000008"),
        "stopped at the store: {output}"
    );
    // The stub reports the end as `X0b` (terminated by SIGSEGV, 11); lldb shows the number as
    // the exit status.
    assert!(
        output.contains("Process 1 exited with status = 11"),
        "the session survived the continue: {output}"
    );
    let json = finish(child, engine);
    assert_eq!(json["error"], "AccessViolation", "{json}");
}

#[test]
fn lldb_continues_after_a_fault_to_the_programs_end() {
    continues_after_a_fault_to_the_programs_end(Engine::Interpreter);
}

#[test]
fn lldb_continues_after_a_fault_to_the_programs_end_under_the_jit() {
    continues_after_a_fault_to_the_programs_end(Engine::Jit);
}

fn runs_to_exit_and_monitor_reports(engine: Engine) {
    let Some(lldb) = lldb() else { return };
    let program = common::scratch(
        &format!("exit-{}.asm", engine.name()),
        "lddw r0, 0x1234567890\nexit\n",
    );
    let (child, port) = start_debug(&program, "v0", engine);
    let output = run_lldb(
        &lldb,
        port,
        &["process plugin packet monitor info", "continue"],
    );
    assert!(output.contains("version: v0"), "{output}");
    // The exit status is r0's low byte; the JSON outcome has all of r0.
    assert!(output.contains("exited with status = 144"), "{output}");
    std::thread::sleep(Duration::from_millis(100));
    let json = finish(child, engine);
    assert_eq!(json["result"], 0x1234567890u64);
}

#[test]
fn lldb_runs_to_exit_and_monitor_reports() {
    runs_to_exit_and_monitor_reports(Engine::Interpreter);
}

#[test]
fn lldb_runs_to_exit_and_monitor_reports_under_the_jit() {
    runs_to_exit_and_monitor_reports(Engine::Jit);
}

/// Starts `sbvm debug --fixture` on a CPI fixture (tests/data/solana/cpi), the program assembled
/// as the fixtures name it (a folder per engine: the sessions run in parallel); returns the
/// process and the port.
fn start_cpi_fixture(fixture: &str, engine: Engine) -> (Child, u16) {
    let programs = common::cpi_programs(&format!("lldb-{}", engine.name()));
    let fixture = common::cpi_data().join("fixtures").join(fixture);
    start_debug_fixture(&fixture, &programs, engine)
}

fn follows_a_cross_program_invocation_into_the_callee(engine: Engine) {
    let Some(lldb) = lldb() else { return };
    let (child, port) = start_cpi_fixture("invoke_callee_logs.json", engine);
    // The text starts at 0xe8, so 0x468 is `syscall sol_log_` (instruction 112 of
    // `sbvm disasm --listing cpi_script.so`): the caller logs "caller before", then the callee
    // (the same ELF under another id) "hello from the callee".
    let output = run_lldb(
        &lldb,
        port,
        &[
            "breakpoint set -a 0x468",
            "continue",
            "process plugin packet monitor info",
            "continue",
            "process plugin packet monitor info",
            "process plugin packet monitor backtrace",
            "stepi",
            "register read pc",
            "breakpoint delete 1",
            "continue",
        ],
    );
    let depth_1 = output.find("invoke depth: 1").unwrap_or(usize::MAX);
    let depth_2 = output.find("invoke depth: 2").unwrap_or(usize::MAX);
    assert!(depth_1 < depth_2 && depth_2 < usize::MAX, "{output}");
    assert!(
        output.contains("depth 2: 5B95ydiUQ2nPY6KhHT9mA3ASLKGtMU9Km8fZs16DNz2V (running)"),
        "{output}"
    );
    assert!(output.contains("pc = 0x0000000000000470"), "{output}");
    assert!(output.contains("exited with status = 0"), "{output}");
    let json = finish_fixture(child);
    assert_eq!(json["matches"], true, "{json}");
}

#[test]
fn lldb_follows_a_cross_program_invocation_into_the_callee() {
    follows_a_cross_program_invocation_into_the_callee(Engine::Interpreter);
}

#[test]
fn lldb_follows_a_cross_program_invocation_into_the_callee_under_the_jit() {
    follows_a_cross_program_invocation_into_the_callee(Engine::Jit);
}
