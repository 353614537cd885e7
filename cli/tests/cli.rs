//! The `sbvm` binary: every subcommand, every exit status, bad input classes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn sbvm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .args(args)
        .output()
        .expect("sbvm runs")
}

fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbvm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn asm_prints_hex_slots_or_writes_raw_bytes() {
    let source = scratch("ok.asm", b"mov64 r0, 42 # answer\nexit\n");
    let output = sbvm(&["asm", source.to_str().unwrap(), "--version", "v0"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Encoding from the instruction format: mov64 imm = 0xb7, exit = 0x95.
    assert_eq!(stdout(&output), "b70000002a000000\n9500000000000000\n");
    let out = source.with_extension("bin");
    let output = sbvm(&[
        "asm",
        source.to_str().unwrap(),
        "--version",
        "v3",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(std::fs::read(&out).unwrap().len(), 16);
}

#[test]
fn disasm_reads_raw_bytes_and_prints_assembly_or_listing() {
    let raw = scratch(
        "prog.bin",
        &[
            0xb7, 0, 0, 0, 0x2a, 0, 0, 0, 0x05, 0, 0xff, 0xff, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0,
            0,
        ],
    );
    let output = sbvm(&["disasm", raw.to_str().unwrap(), "--version", "v0"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "    mov64 r0, 42\nLBB0:\n    ja LBB0\n    exit\n"
    );
    let output = sbvm(&[
        "disasm",
        raw.to_str().unwrap(),
        "--version",
        "v0",
        "--listing",
    ]);
    let listing = stdout(&output);
    assert!(
        listing.contains("       1:  05 00 ff ff 00 00 00 00"),
        "{listing}"
    );
    assert!(listing.contains("ja -1 <LBB0>"), "{listing}");
}

#[test]
fn verify_exit_status_tells_accept_from_reject() {
    let good = scratch("good.asm", b"exit\n");
    assert_eq!(
        sbvm(&["verify", good.to_str().unwrap(), "--version", "v3"])
            .status
            .code(),
        Some(0)
    );
    // Reference: lddw does not exist in V2 (expected.json: UnknownOpCode(24, 0)).
    let lddw = scratch("lddw.asm", b"lddw r0, 1\nexit\n");
    let output = sbvm(&["verify", lddw.to_str().unwrap(), "--version", "v2"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("UnknownOpCode"),
        "{}",
        stderr(&output)
    );
    let raw = scratch("short.bin", &[0x95, 0, 0]);
    let output = sbvm(&["verify", raw.to_str().unwrap(), "--version", "v0"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("ProgramLengthNotMultiple"));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let missing = sbvm(&["verify", "/nonexistent/prog.asm", "--version", "v0"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).starts_with("sbvm: cannot read /nonexistent/prog.asm"));
    assert_eq!(stderr(&missing).lines().count(), 1);
    let bad_version = sbvm(&["asm", "x.asm", "--version", "v9"]);
    assert_eq!(bad_version.status.code(), Some(2));
    assert!(stderr(&bad_version).contains("unknown SBPF version"));
    assert_eq!(sbvm(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(sbvm(&[]).status.code(), Some(2));
    let bad_asm = scratch("bad.asm", b"exit\nmov64 r1,\n");
    let output = sbvm(&["asm", bad_asm.to_str().unwrap(), "--version", "v0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("line 2, column"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("panicked"));
}

#[test]
fn help_teaches() {
    let output = sbvm(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    for subcommand in ["asm", "disasm", "verify"] {
        assert!(stdout(&output).contains(subcommand));
    }
}

#[test]
fn asm_writes_elf_that_disasm_and_verify_read_back() {
    let source = scratch(
        "data.asm",
        b"lddw r1, message\nmov64 r2, 2\nsyscall sol_log_\nexit\n.rodata\nmessage: .ascii \"hi\"\n",
    );
    for version in ["v0", "v3"] {
        let elf = source.with_extension(format!("{version}.so"));
        let output = sbvm(&[
            "asm",
            source.to_str().unwrap(),
            "--version",
            version,
            "--elf",
            "-o",
            elf.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(std::fs::read(&elf).unwrap().starts_with(b"\x7fELF"));
        // The file declares its version: no --version needed.
        let output = sbvm(&["verify", elf.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(stdout(&output).contains(version));
        let output = sbvm(&["disasm", elf.to_str().unwrap()]);
        assert!(
            stdout(&output).contains("entrypoint:"),
            "{}",
            stdout(&output)
        );
        let output = sbvm(&["verify", elf.to_str().unwrap(), "--version", "v2"]);
        assert_eq!(
            output.status.code(),
            Some(3),
            "a pinned version that differs is a load error"
        );
    }
    // Read-only data needs an ELF layout.
    let output = sbvm(&["asm", source.to_str().unwrap(), "--version", "v0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--elf"));
}

#[test]
fn damaged_elf_is_a_load_error_not_an_assembly_error() {
    let mut bytes = std::fs::read(scratch("x", b"")).unwrap();
    bytes.extend_from_slice(b"\x7fELF\x02\x01\x01");
    let damaged = scratch("damaged.so", &bytes);
    let output = sbvm(&["verify", damaged.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("ValueOutOfBounds"),
        "{}",
        stderr(&output)
    );
}
