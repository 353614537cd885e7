//! Sizes that do not fit the memory map (`--heap`, `--input-len`, `--input`) are usage errors
//! that name the limit, found before anything is allocated and, under `debug`, before waiting
//! for a client — never a panic, an abort or a hang. So are a program file past its limit and a
//! size that fits its slot but not the host's memory.

mod common;

use common::example;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The limit of a heap or an input: one 4 GiB slot of the sBPF memory map (0x3_0000_0000 and
/// 0x4_0000_0000 are 1 << 32 apart), in the words the error uses.
const SLOT_LIMIT: &str = "at most 4294967296 bytes";

/// Runs sbvm with `args`, killing it after `limit` (a failure: it waited or hung).
fn sbvm_within(args: &[&str], limit: Duration) -> Output {
    sbvm_within_reading(args, Stdio::null(), limit)
}

/// Runs sbvm with `args` and `stdin`, killing it after `limit`.
fn sbvm_within_reading(args: &[&str], stdin: Stdio, limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sbvm runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "{args:?} still running after {limit:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn assert_usage_error_naming_the_limit(args: &[&str], output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(stderr.contains(SLOT_LIMIT), "{args:?}: {stderr}");
    assert!(
        !stderr.contains("waiting for a debugger"),
        "{args:?} validates before listening: {stderr}"
    );
}

#[test]
fn sizes_beyond_their_slot_are_usage_errors_under_every_command() {
    let hello = example("hello.asm");
    // u64::MAX overflowed a capacity; 1 TiB and 32 GiB aborted on a failed allocation; 8 GiB
    // made `debug` wait for a client first.
    let sizes: &[(&str, &str)] = &[
        ("--heap", "18446744073709551615"),
        ("--heap", "1099511627776"),
        ("--heap", "8589934592"),
        ("--heap", "4294967297"),
        ("--input-len", "18446744073709551615"),
        ("--input-len", "34359738368"),
    ];
    for (option, size) in sizes {
        for command in [
            vec!["run", &hello, "--version", "v3"],
            vec!["run", &hello, "--version", "v3", "--engine", "jit"],
            vec!["bench", &hello, "--version", "v3", "--iters", "1"],
            vec!["debug", &hello, "--version", "v3", "--port", "0"],
        ] {
            let mut args = command.clone();
            args.extend([*option, *size]);
            let output = sbvm_within(&args, Duration::from_secs(20));
            assert_usage_error_naming_the_limit(&args, &output);
        }
    }
}

#[test]
fn debug_of_a_fixture_checks_sizes_before_listening_too() {
    // Sizes come first: even a fixture that does not exist is not read.
    let args = [
        "debug",
        "--fixture",
        "/nonexistent/fixture.json",
        "--port",
        "0",
        "--heap",
        "18446744073709551615",
    ];
    let output = sbvm_within(&args, Duration::from_secs(20));
    assert_usage_error_naming_the_limit(&args, &output);
}

#[test]
fn an_input_file_beyond_its_slot_is_refused_before_it_is_read() {
    let dir = std::env::temp_dir().join(format!("sbvm-cli-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge-input.bin");
    // A sparse file one byte longer than the input's slot: no disk space, no reading.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len((1 << 32) + 1).unwrap();
    drop(file);
    let hello = example("hello.asm");
    let args = [
        "run",
        &hello,
        "--version",
        "v3",
        "--input",
        path.to_str().unwrap(),
    ];
    let output = sbvm_within(&args, Duration::from_secs(20));
    std::fs::remove_file(&path).unwrap();
    assert_usage_error_naming_the_limit(&args, &output);
}

#[test]
fn a_usage_error_under_json_is_still_one_json_line() {
    let hello = example("hello.asm");
    let args = [
        "run",
        &hello,
        "--version",
        "v3",
        "--heap",
        "18446744073709551615",
        "--json",
    ];
    let output = sbvm_within(&args, Duration::from_secs(20));
    assert_usage_error_naming_the_limit(&args, &output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    // The run contract's fields (README), with the usage stage.
    assert_eq!(json["stage"], "usage");
    assert_eq!(json["error"], "Usage");
    assert_eq!(json["engine"], "interpreter");
    assert!(json["message"].as_str().unwrap().contains(SLOT_LIMIT));
}

/// The most a program file may hold: 64 MiB, README's "Sizes", in the words the error uses.
const PROGRAM_FILE_LIMIT: &str = "at most 67108864 bytes";

#[test]
fn an_endless_program_file_or_standard_input_is_refused_at_the_limit() {
    let zero = std::path::Path::new("/dev/zero");
    if !zero.exists() {
        common::skip("/dev/zero not found; endless program input not exercised");
        return;
    }
    // Before the limit, each of these read until memory ran out.
    for args in [
        vec!["verify", "/dev/zero", "--raw", "--version", "v3"],
        vec!["disasm", "/dev/zero", "--raw", "--version", "v3"],
        vec!["run", "/dev/zero", "--raw", "--version", "v3"],
        vec!["asm", "/dev/zero", "--version", "v3"],
        vec!["run", "-", "--raw", "--version", "v3"],
        vec!["verify", "-", "--version", "v3"],
        vec!["bench", "-", "--raw", "--version", "v3", "--iters", "1"],
    ] {
        let stdin = std::fs::File::open(zero).unwrap();
        let output = sbvm_within_reading(&args, stdin.into(), Duration::from_secs(30));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(PROGRAM_FILE_LIMIT), "{args:?}: {stderr}");
        let named = if args[1] == "-" {
            "standard input"
        } else {
            "/dev/zero"
        };
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}

/// Runs sbvm with `args` in an address space of at most `kib` KiB (`ulimit -v`): an allocation
/// beyond that fails as it does on a host short of memory. `None` (after a `SKIP:`) without a
/// shell to set the limit.
fn sbvm_in_address_space(kib: u64, args: &[&str]) -> Option<Output> {
    if !std::path::Path::new("/bin/sh").exists() {
        common::skip("/bin/sh not found; allocation failures not exercised");
        return None;
    }
    let output = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_sbvm"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
    Some(output)
}

#[test]
fn a_region_the_host_cannot_give_is_a_usage_error_not_an_abort() {
    let hello = example("hello.asm");
    // 1 GiB of address space: a 4 GiB heap or input fits its slot but not this host.
    for (option, what) in [("--heap", "heap"), ("--input-len", "input")] {
        let args = ["run", &hello, "--version", "v3", option, "4294967296"];
        let Some(output) = sbvm_in_address_space(1 << 20, &args) else {
            return;
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Before: `vec![0; n]` aborted the process (no exit status, SIGABRT).
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot allocate 4294967296 bytes for the")
                && stderr.contains(what)
                && stderr.contains("out of memory"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn bench_never_holds_a_zero_input_twice() {
    let hello = example("hello.asm");
    // 6 GiB of address space: room for one 4 GiB input, not for the copy each run used to take.
    let args = [
        "bench",
        &hello,
        "--version",
        "v3",
        "--engine",
        "interpreter",
        "--iters",
        "2",
        "--input-len",
        "4294967296",
    ];
    let Some(output) = sbvm_in_address_space(6 << 20, &args) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
}
