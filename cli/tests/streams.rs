//! What goes where: results on stdout, errors on stderr, one JSON line with `--json`; one exit
//! status per kind of input whatever the subcommand; `-` for standard input; guest text
//! escaped before it reaches a terminal.

mod common;

use common::{example, scratch_arg as scratch, stderr, stdout};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn sbvm(args: &[&str]) -> Output {
    sbvm_with_stdin(args, b"")
}

fn sbvm_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sbvm runs");
    // A command that does not read its input closes the pipe: not an error here.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// The one JSON line stdout must hold.
fn json_line(output: &Output) -> serde_json::Value {
    let stdout = stdout(output);
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    serde_json::from_str(stdout.trim()).unwrap()
}

#[test]
fn load_and_run_errors_go_to_stderr() {
    let not_elf = scratch("bad.so", [0xff; 100]);
    let output = sbvm(&["run", &not_elf]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(stdout(&output), "", "nothing on stdout");
    assert!(
        stderr(&output).starts_with("error: load failed: "),
        "{}",
        stderr(&output)
    );
    // A division by zero faults at its instruction (the instruction semantics).
    let fault = scratch(
        "fault.asm",
        b"mov64 r0, 1\nmov64 r1, 0\ndiv64 r0, r1\nexit\n",
    );
    let output = sbvm(&["run", &fault, "--version", "v3"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error: DivideByZero")
            && stderr(&output).contains("at pc 2 in entrypoint: div64 r0, r1"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "instructions: 3\n");
}

#[test]
fn json_keeps_stdout_one_line_for_every_failure() {
    let not_elf = scratch("bad-json.so", [0xff; 100]);
    let output = sbvm(&["run", &not_elf, "--json"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(json_line(&output)["stage"], "load");
    // A program that does not verify: every command that loads it reports the stage and the
    // verifier's error kind (lddw does not exist in V2: UnknownOpCode, as the reference names it).
    let rejected = scratch("lddw.asm", b"lddw r0, 1\nexit\n");
    for command in ["run", "bench", "debug"] {
        let mut args = vec![command, rejected.as_str(), "--version", "v2", "--json"];
        if command == "debug" {
            args.extend(["--port", "0"]);
        }
        let output = sbvm(&args);
        assert_eq!(output.status.code(), Some(3), "{command}");
        let line = json_line(&output);
        assert_eq!(line["stage"], "verify", "{command}");
        assert_eq!(line["error"], "UnknownOpCode", "{command}");
    }
    // Arguments that do not parse, and a file that cannot be read.
    for args in [
        &["run", &not_elf, "--json", "--frobnicate"][..],
        &["run", "/nonexistent/prog.so", "--json"],
        &["bench", "/nonexistent/prog.so", "--json"],
        &["fixture", "/nonexistent/fixture.json", "--json"],
    ] {
        let output = sbvm(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(json_line(&output)["stage"], "usage", "{args:?}");
        assert!(!stderr(&output).is_empty(), "{args:?} says why on stderr");
    }
}

/// The keys of `run`'s and `debug`'s JSON line, in order (README, "The command line").
const RUN_LINE_KEYS: [&str; 8] = [
    "engine",
    "stage",
    "result",
    "error",
    "message",
    "instructions",
    "pc",
    "logs",
];

/// The keys of a failure line of the other commands (README, "Streams").
const PLAIN_LINE_KEYS: [&str; 3] = ["stage", "error", "message"];

/// The line's keys, sorted.
fn keys(line: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = line.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = keys.iter().map(|key| key.to_string()).collect();
    keys.sort();
    keys
}

#[test]
fn a_usage_line_has_its_command_s_shape_whether_or_not_the_arguments_parsed() {
    let hello = example("hello.asm");
    // Caught by the argument parser, and found later by the command: the same keys.
    for args in [
        &["run", &hello, "--json", "--frobnicate"][..],
        &["run", &hello, "--json", "--engine", "warp"],
        &["run", &hello, "--json"],
        &["debug", &hello, "--json", "--frobnicate"],
        &["debug", &hello, "--json", "--port", "0"],
    ] {
        let output = sbvm(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let line = json_line(&output);
        assert_eq!(keys(&line), sorted(&RUN_LINE_KEYS), "{args:?}");
        assert_eq!(line["stage"], "usage", "{args:?}");
    }
    // The parser does not say which engine would have run: null, not a guess.
    let line = json_line(&sbvm(&["run", &hello, "--json", "--frobnicate"]));
    assert_eq!(line["engine"], serde_json::Value::Null);
    for args in [
        &["bench", &hello, "--json", "--frobnicate"][..],
        &["bench", &hello, "--json"],
        &["fixture", "--json", "--frobnicate", "x.json"],
        &["fixture", "/nonexistent/fixture.json", "--json"],
    ] {
        let output = sbvm(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            keys(&json_line(&output)),
            sorted(&PLAIN_LINE_KEYS),
            "{args:?}"
        );
    }
}

#[test]
fn bench_of_a_failing_run_says_so_and_exits_1() {
    let sum = example("sum_input.asm");
    // sum_input reads its length from the input: without one the first load faults; a budget
    // of 0 stops the first instruction.
    for args in [
        vec!["bench", &sum, "--version", "v3", "--iters", "1"],
        vec![
            "bench",
            &sum,
            "--version",
            "v3",
            "--iters",
            "1",
            "--input-len",
            "8",
            "--limit",
            "0",
        ],
    ] {
        let output = sbvm(&args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            !stdout(&output).contains("MIPS"),
            "{args:?}: {}",
            stdout(&output)
        );
        assert!(stderr(&output).contains("failed"), "{args:?}");
        let mut json = args.clone();
        json.push("--json");
        let output = sbvm(&json);
        assert_eq!(output.status.code(), Some(1), "{json:?}");
        let line = json_line(&output);
        assert!(line["error"].is_string(), "{line}");
        assert!(line.get("mips_median").is_none(), "{line}");
    }
    let line = json_line(&sbvm(&[
        "bench",
        &sum,
        "--version",
        "v3",
        "--iters",
        "1",
        "--json",
    ]));
    assert_eq!(line["error"], "AccessViolation");
}

#[test]
fn bytes_that_are_not_elf_get_a_hint() {
    let hint = "use --raw for bytecode or name assembly *.s/*.asm";
    let random = scratch("random.bin", [0xff, 0x00, 0x9c, 0x80].repeat(40));
    let empty = scratch("empty.so", b"");
    for (file, problem) in [(&random, "bad magic"), (&empty, "too short")] {
        for command in ["run", "verify", "disasm", "bench"] {
            let output = sbvm(&[command, file]);
            assert_eq!(output.status.code(), Some(3), "{command} {file}");
            let stderr = stderr(&output);
            assert!(
                stderr.contains("not an ELF file") && stderr.contains(problem),
                "{command} {file}: {stderr}"
            );
            assert!(stderr.contains(hint), "{command} {file}: {stderr}");
        }
    }
}

#[test]
fn an_assembly_error_exits_3_under_every_subcommand() {
    let bad = scratch("syntax.asm", b"exit\nmov64 r1,\n");
    for command in ["run", "bench", "asm", "disasm", "verify", "debug"] {
        let mut args = vec![command, bad.as_str(), "--version", "v0"];
        if command == "debug" {
            args.extend(["--port", "0"]);
        }
        let output = sbvm(&args);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{command}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("line 2, column"),
            "{command}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_dash_reads_the_program_from_standard_input() {
    let hello = std::fs::read(example("hello.asm")).unwrap();
    // hello.asm logs "Hello, world!" and returns 0 (its comments say so).
    let output = sbvm_with_stdin(&["run", "-", "--version", "v3"], &hello);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("log: Hello, world!"));
    let elf = scratch("hello.so", b"");
    let output = sbvm_with_stdin(
        &["asm", "-", "--version", "v3", "--elf", "-o", &elf],
        &hello,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let elf = std::fs::read(&elf).unwrap();
    // An ELF file on standard input is told by its magic; it declares its version.
    let output = sbvm_with_stdin(&["run", "-", "--json"], &elf);
    assert_eq!(json_line(&output)["result"], 0);
    let output = sbvm_with_stdin(&["verify", "-"], &elf);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = sbvm_with_stdin(&["disasm", "-"], &elf);
    assert!(
        stdout(&output).contains("syscall sol_log_"),
        "{}",
        stdout(&output)
    );
    let output = sbvm_with_stdin(
        &["bench", "-", "--iters", "1", "--engine", "interpreter"],
        &elf,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn guest_logs_are_escaped_in_text_and_kept_in_json() {
    // Logs an escape sequence (ESC [ 2 J clears a terminal), a bell and a newline.
    let program = scratch(
        "control.asm",
        b"lddw r1, message\nmov64 r2, 7\nsyscall sol_log_\nmov64 r0, 0\nexit\n.rodata\nmessage: .byte 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x0a, 0x41\n",
    );
    let elf = scratch("control.so", b"");
    let output = sbvm(&["asm", &program, "--version", "v3", "--elf", "-o", &elf]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = sbvm(&["run", &elf]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        !output.stdout.iter().any(|byte| [0x1b, 0x07].contains(byte)),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("log: \\u{1b}[2J\\u{7}\\nA\n"),
        "{}",
        stdout(&output)
    );
    let output = sbvm(&["run", &elf, "--json"]);
    assert_eq!(json_line(&output)["logs"][0], "\u{1b}[2J\u{7}\nA");
}

#[test]
fn help_describes_what_there_is() {
    let output = sbvm(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(!stdout(&output).contains("later"), "{}", stdout(&output));
}

/// Bytes that must not reach a terminal from an error message: ESC (starts a terminal escape
/// sequence) and U+202E RIGHT-TO-LEFT OVERRIDE in UTF-8 (E2 80 AE), which reorders what follows.
/// The message still names what carried them, escaped.
fn assert_no_raw_escapes(args: &[&str], output: &Output) {
    let stderr_bytes = &output.stderr;
    assert!(
        !stderr_bytes.contains(&0x1b)
            && !stderr_bytes
                .windows(3)
                .any(|bytes| bytes == [0xe2, 0x80, 0xae]),
        "{args:?}: {:?}",
        stderr(output)
    );
    assert!(
        stderr(output).contains("\\u{202e}"),
        "{args:?}: {}",
        stderr(output)
    );
}

#[test]
fn error_messages_escape_control_and_bidirectional_characters() {
    // An assembler error names its file: a rejection (exit 3) under every command that reads
    // assembly. (The assembler's own excerpts quote only ASCII identifiers; the rest it escapes.)
    let source = scratch("\u{202e}\u{1b}[2J.asm", b"mov64 r1,\nexit\n");
    for command in ["asm", "verify", "disasm"] {
        let args = [command, source.as_str(), "--version", "v3"];
        let output = sbvm(&args);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_no_raw_escapes(&args, &output);
    }
    // A file name in a load failure, in a usage error, and an argument the parser refuses.
    let named = scratch("\u{202e}\u{1b}[31m.so", [0xff; 64]);
    let missing = "/nonexistent/\u{202e}\u{1b}[31m.so";
    for args in [
        &["verify", named.as_str()][..],
        &["bench", named.as_str()],
        &["run", missing],
        &["disasm", missing],
        &["run", named.as_str(), "--engine", "\u{202e}\u{1b}[31m"],
    ] {
        let output = sbvm(args);
        assert_ne!(output.status.code(), Some(0), "{args:?}");
        assert_no_raw_escapes(args, &output);
    }
}
