//! The official bpf_conformance runner against `sbvm-bpf-plugin`, on both engines.
//!
//! Two case sets: the suite's cases in `../shared/conformance/bpf_conformance` (the upstream
//! files as the team received them) and sbvm's own in `tests/data/ebpf-conformance` (written
//! for sbvm, each expected value derived from RFC 9669 as its first line says). The runner
//! assembles each case, runs the plugin on it and compares r0 or the error text; it must
//! report every case passed (`Passed N out of N`, N = every case file, none skipped).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn own_cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ebpf-conformance")
}

fn runner() -> Option<PathBuf> {
    let runner = shared().join("bin/bpf_conformance_runner");
    if runner.exists() {
        return Some(runner);
    }
    common::skip(format!(
        "{} not found; the eBPF conformance suite is not run",
        runner.display()
    ));
    None
}

fn case_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|entry| {
            let path = entry.as_ref().unwrap().path();
            path.extension().is_some_and(|ext| ext == "data")
        })
        .count()
}

/// Runs the whole directory with every group and cpu v4, and checks that all cases pass.
/// With `elf`, the runner hands each program over as an ELF object (`ET_REL`, one `main` in
/// `.text`) instead of bare bytecode.
fn run_suite(dir: &Path, engine: &str, elf: bool) {
    let Some(runner) = runner() else { return };
    let cases = case_count(dir);
    assert!(cases > 0, "no cases in {}", dir.display());
    let output = Command::new(runner)
        .arg("--test_file_directory")
        .arg(dir)
        .arg("--plugin_path")
        .arg(env!("CARGO_BIN_EXE_sbvm-bpf-plugin"))
        .args(["--plugin_options", &format!("--engine {engine}")])
        .args(["--cpu_version", "v4", "--include_groups", "callx", "packet"])
        .args(["--elf", if elf { "true" } else { "false" }])
        .output()
        .expect("the conformance runner starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let failures: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("FAIL") || line.starts_with("SKIP"))
        .collect();
    let summary = format!("Passed {cases} out of {cases} tests.");
    assert!(
        output.status.success() && stdout.contains(&summary) && failures.is_empty(),
        "{} with the {engine} (elf: {elf}): expected {summary:?}\n{}\n{}",
        dir.display(),
        failures.join("\n"),
        stdout.lines().last().unwrap_or_default()
    );
}

fn the_suites_cases() -> PathBuf {
    shared().join("conformance/bpf_conformance")
}

#[test]
fn the_suite_passes_on_the_interpreter() {
    run_suite(&the_suites_cases(), "interpreter", false);
}

#[test]
fn the_suite_passes_on_the_jit() {
    run_suite(&the_suites_cases(), "jit", false);
}

#[test]
fn the_suite_passes_as_elf_objects_on_both_engines() {
    run_suite(&the_suites_cases(), "interpreter", true);
    run_suite(&the_suites_cases(), "jit", true);
}

#[test]
fn sbvms_own_cases_pass_on_the_interpreter() {
    run_suite(&own_cases(), "interpreter", false);
}

#[test]
fn sbvms_own_cases_pass_on_the_jit() {
    run_suite(&own_cases(), "jit", false);
}

#[test]
fn sbvms_own_cases_pass_as_elf_objects_on_both_engines() {
    run_suite(&own_cases(), "interpreter", true);
    run_suite(&own_cases(), "jit", true);
}

/// The runner's protocol by hand, without the runner: memory as the first argument, hex with
/// two spaces after each byte on stdin (the suite's `mem-len` case: `mov r0, r2; exit` returns
/// the memory's length, 8).
#[test]
fn the_plugin_speaks_the_runners_protocol() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbvm-bpf-plugin"))
        .args([
            "00  00  00  01  00  00  00  02  ",
            "--engine",
            "interpreter",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"bf  20  00  00  00  00  00  00  95  00  00  00  00  00  00  00  \n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "0x8\n");
}

/// A fault exits 1 with the error's text; a bad argument exits 2.
#[test]
fn the_plugin_reports_faults_and_bad_arguments() {
    use std::io::Write;
    let run = |args: &[&str], program: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sbvm-bpf-plugin"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A plugin that rejects its arguments exits before reading: the pipe may be closed.
        let _ = child.stdin.take().unwrap().write_all(program);
        child.wait_with_output().unwrap()
    };
    // ldxdw r0, [r1+0] with no memory: the empty input has no byte to load.
    let fault = run(&[], b"79 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00");
    assert_eq!(fault.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&fault.stdout)
        .contains("access violation: load of 8 bytes at 0x400000000"));
    let bad = run(&["--engine", "cranelift"], b"95 00 00 00 00 00 00 00");
    assert_eq!(bad.status.code(), Some(2));
    let odd = run(&[], b"95 0");
    assert_eq!(odd.status.code(), Some(2));
}
