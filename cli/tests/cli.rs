//! The `sbvm` binary: every subcommand, every exit status, bad input classes.

mod common;

use common::{sbvm, scratch, stderr, stdout};

use std::path::PathBuf;

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
        [
            0xb7, 0, 0, 0, 0x2a, 0, 0, 0, 0x05, 0, 0xff, 0xff, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0,
            0,
        ],
    );
    let output = sbvm(&["disasm", raw.to_str().unwrap(), "--version", "v0", "--raw"]);
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
        "--raw",
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
    let raw = scratch("short.bin", [0x95, 0, 0]);
    let output = sbvm(&["verify", raw.to_str().unwrap(), "--version", "v0", "--raw"]);
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
    // Bad assembly is a rejected program (exit 3) under every subcommand (streams.rs).
    let bad_asm = scratch("bad.asm", b"exit\nmov64 r1,\n");
    let output = sbvm(&["asm", bad_asm.to_str().unwrap(), "--version", "v0"]);
    assert_eq!(output.status.code(), Some(3));
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
    for subcommand in ["run", "bench", "asm", "disasm", "verify"] {
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
fn disasm_of_written_elf_reassembles_to_the_same_program() {
    // The examples the README walks through: fib (internal calls; before V3 the loader turns
    // them into function keys) and hello (a message in read-only data). Expected: the outcomes
    // the examples state in their comments, fib(20) = 6765 and the logged "Hello, world!".
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for (example, expected) in [("fib", "result: 6765"), ("hello", "log: Hello, world!")] {
        let example_path = root.join(format!("examples/{example}.asm"));
        for version in ["v0", "v3"] {
            let elf = scratch(&format!("{example}-{version}.so"), b"");
            let output = sbvm(&[
                "asm",
                example_path.to_str().unwrap(),
                "--version",
                version,
                "--elf",
                "-o",
                elf.to_str().unwrap(),
            ]);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            let assembly = sbvm(&["disasm", elf.to_str().unwrap()]);
            assert_eq!(assembly.status.code(), Some(0), "{}", stderr(&assembly));
            let text = stdout(&assembly);
            assert!(!text.contains("syscall -"), "{text}");
            assert!(!text.contains(".fill"), "{text}");
            if example == "hello" {
                assert!(text.contains("\n.rodata\n"), "{text}");
                assert!(text.contains("lddw r1, rodata_0"), "{text}");
            } else {
                assert!(text.contains("call function_fib"), "{text}");
            }
            let source = scratch(&format!("{example}-{version}.asm"), text.as_bytes());
            // Run as assembly, and written as ELF again: the example's outcome, and the same
            // disassembly.
            let run = sbvm(&["run", source.to_str().unwrap(), "--version", version]);
            assert!(
                stdout(&run).contains(expected),
                "{}{}",
                stdout(&run),
                stderr(&run)
            );
            let again = source.with_extension("again.so");
            let output = sbvm(&[
                "asm",
                source.to_str().unwrap(),
                "--version",
                version,
                "--elf",
                "-o",
                again.to_str().unwrap(),
            ]);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            let run = sbvm(&["run", again.to_str().unwrap()]);
            assert!(
                stdout(&run).contains(expected),
                "{}{}",
                stdout(&run),
                stderr(&run)
            );
            let reassembly = sbvm(&["disasm", again.to_str().unwrap()]);
            assert_eq!(stdout(&reassembly), text);
        }
    }
}

/// A file under ../shared, or `None` after [`common::skip`].
fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    common::skip(format!(
        "{} not found; toolchain disassembly check skipped",
        path.display()
    ));
    None
}

#[test]
fn disasm_spells_every_call_of_a_toolchain_program() {
    // p-token.so, built by the Solana toolchain (V0): its calls are LLVM's (src = 1), which the
    // loader relocates to syscall hashes and function keys.
    let Some(program) = shared_file("solana-oracle/programs/p-token.so") else {
        return;
    };
    let program = program.to_str().unwrap();
    let assembly = sbvm(&["disasm", program]);
    assert_eq!(assembly.status.code(), Some(0), "{}", stderr(&assembly));
    let listing = sbvm(&["disasm", program, "--listing"]);
    assert_eq!(listing.status.code(), Some(0), "{}", stderr(&listing));
    for output in [&assembly, &listing] {
        assert!(!stdout(output).contains(".fill"));
        assert!(stdout(output).contains("call sol_memcpy_"));
        assert!(stdout(output).contains("hashcall "));
    }
    // Written back as an ELF file, the assembly loads to text that disassembles the same.
    let source = scratch("p-token.asm", &assembly.stdout);
    let again = source.with_extension("so");
    let output = sbvm(&[
        "asm",
        source.to_str().unwrap(),
        "--version",
        "v0",
        "--elf",
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let reassembly = sbvm(&["disasm", again.to_str().unwrap()]);
    assert!(
        stdout(&reassembly) == stdout(&assembly),
        "disassembly differs"
    );
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

#[test]
fn run_exit_status_tells_exit_fault_and_rejection_apart() {
    // Outcomes from the instruction semantics: 6 * 7 = 42; a division by zero faults.
    let ok = scratch("ok_run.asm", b"mov64 r0, 6\nmul64 r0, 7\nexit\n");
    let output = sbvm(&["run", ok.to_str().unwrap(), "--version", "v0"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("result: 42"));
    let fault = scratch(
        "fault.asm",
        b"mov64 r1, 0\nmov64 r0, 1\ndiv64 r0, r1\nexit\n",
    );
    let output = sbvm(&["run", fault.to_str().unwrap(), "--version", "v0"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("DivideByZero"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("at pc 2") && stderr(&output).contains("div64 r0, r1"),
        "{}",
        stderr(&output)
    );
    let rejected = scratch("rejected.asm", b"lddw r0, 1\nexit\n");
    let output = sbvm(&[
        "run",
        rejected.to_str().unwrap(),
        "--version",
        "v2",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(
        (json["stage"].as_str(), json["error"].as_str()),
        (Some("verify"), Some("UnknownOpCode"))
    );
    // A budget of 2 for three instructions: the meter stops the third.
    let output = sbvm(&[
        "run",
        ok.to_str().unwrap(),
        "--version",
        "v3",
        "--limit",
        "2",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("\"ExceededMaxInstructions\""));
}

#[test]
fn run_reads_input_files_and_lengths_and_traces() {
    let program = scratch("input.asm", b"ldxb r0, [r1+3]\nexit\n");
    let input = scratch("input.bin", [9, 8, 7, 6, 5]);
    let output = sbvm(&[
        "run",
        program.to_str().unwrap(),
        "--version",
        "v0",
        "--input",
        input.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        stdout(&output).contains("\"result\":6"),
        "{}",
        stdout(&output)
    );
    let output = sbvm(&[
        "run",
        program.to_str().unwrap(),
        "--version",
        "v0",
        "--input-len",
        "2",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "reading byte 3 of a 2-byte input faults"
    );
    let output = sbvm(&[
        "run",
        program.to_str().unwrap(),
        "--version",
        "v0",
        "--input-len",
        "4",
        "--trace",
    ]);
    let trace = stdout(&output);
    assert!(
        trace.contains("ldxb r0, [r1+3]") && trace.contains("budget=100000000"),
        "{trace}"
    );
    let raw = scratch(
        "ret7.bin",
        [0xb7, 0, 0, 0, 7, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0],
    );
    let output = sbvm(&[
        "run",
        raw.to_str().unwrap(),
        "--version",
        "v3",
        "--json",
        "--raw",
    ]);
    assert!(
        stdout(&output).contains("\"result\":7"),
        "{}",
        stdout(&output)
    );
    // Without --raw a binary file is taken for a (damaged) ELF file: a load error.
    let output = sbvm(&["run", raw.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(3));
    let output = sbvm(&[
        "run",
        raw.to_str().unwrap(),
        "--version",
        "v3",
        "--json",
        "--raw",
    ]);
    assert!(
        stdout(&output).contains("\"result\":7"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn run_and_bench_refuse_bad_input_with_one_line() {
    let program = scratch("fine.asm", b"exit\n");
    let cases: &[&[&str]] = &[
        &["run", "/nonexistent.asm", "--version", "v0"],
        &["run", program.to_str().unwrap()],
        &["run", program.to_str().unwrap(), "--version", "v7"],
        &[
            "run",
            program.to_str().unwrap(),
            "--version",
            "v0",
            "--engine",
            "jit",
            "--trace",
        ],
        &[
            "run",
            program.to_str().unwrap(),
            "--version",
            "v0",
            "--input",
            "/nonexistent.bin",
        ],
        &[
            "run",
            program.to_str().unwrap(),
            "--version",
            "v0",
            "--input",
            "x",
            "--input-len",
            "3",
        ],
        &[
            "run",
            program.to_str().unwrap(),
            "--version",
            "v0",
            "--limit",
            "-5",
        ],
        &[
            "bench",
            program.to_str().unwrap(),
            "--version",
            "v0",
            "--iters",
            "0",
        ],
        &["bench", "/nonexistent.asm", "--version", "v0"],
    ];
    for args in cases {
        let output = sbvm(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"), "{args:?}");
        assert!(!stderr(&output).trim().is_empty(), "{args:?} says why");
    }
    let bad_asm = scratch("bad_run.asm", b"mov64 r0,\n");
    let output = sbvm(&[
        "run",
        bad_asm.to_str().unwrap(),
        "--version",
        "v0",
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "an assembly error is a load failure of the program"
    );
    assert!(stdout(&output).contains("AssemblerError"));
}

#[test]
fn bench_reports_instructions_and_speed() {
    let program = scratch(
        "loop.asm",
        b"mov64 r1, 1000\nadd64 r1, -1\njne r1, 0, -2\nexit\n",
    );
    let output = sbvm(&[
        "bench",
        program.to_str().unwrap(),
        "--version",
        "v3",
        "--iters",
        "3",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // One line per engine, both by default.
    assert_eq!(lines.len(), 2);
    for (json, engine) in lines.iter().zip(["interpreter", "jit"]) {
        // 1 + 1000 * 2 + 1 instructions, by the loop's structure.
        assert_eq!(json["instructions"], 2002);
        assert_eq!(json["engine"], engine);
        assert!(json["execute_ns_median"].as_u64().unwrap() > 0);
        assert!(json["mips_median"].as_f64().unwrap() > 0.0);
        // Only the JIT compiles.
        assert_eq!(json["compile_ns_median"].is_u64(), engine == "jit");
    }
    let output = sbvm(&[
        "bench",
        program.to_str().unwrap(),
        "--version",
        "v3",
        "--iters",
        "2",
    ]);
    assert!(stdout(&output).contains("MIPS"));
}
