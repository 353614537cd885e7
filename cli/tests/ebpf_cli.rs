//! `sbvm … --dialect ebpf`: the Linux eBPF dialect on the command line. The C programs of
//! `tests/data/ebpf-c` are compiled by clang-19 when the tests run (`-target bpf -O2 -g
//! -mcpu=v3`, as CI does; without clang-19 those tests skip) and run, listed and verified
//! through the `sbvm` binary; small programs in assembly and raw bytecode cover the rest.
//! Expected values follow from the C sources (worked out in each test), RFC 9669 and the
//! README's command-line contract.

mod common;

use common::ebpf::{compile, json, run_both};
use common::{sbvm, scratch, scratch_arg, stderr, stdout};
use serde_json::Value;

#[test]
fn the_kprobe_counts_across_repeated_runs_and_dumps_its_map() {
    let Some(object) = compile("kprobe") else {
        return;
    };
    let (line, status) = run_both(&[&object, "--dialect", "ebpf", "--repeat", "3", "--dump-maps"]);
    assert_eq!(status, Some(0), "{line}");
    // kprobe.c returns the count for cpu 0 (helper 8), which the legacy hash keeps: 3 runs, 3.
    assert_eq!(line["stage"], "execute");
    assert_eq!(line["result"], 3);
    assert_eq!(line["error"], Value::Null);
    // One trace_printk line per run, "sys_write called %llu times on cpu %u\n" formatted and
    // its newline removed.
    let logs: Vec<String> = (1..=3)
        .map(|count| format!("sys_write called {count} times on cpu 0"))
        .collect();
    assert_eq!(line["logs"], serde_json::json!(logs));
    // struct bpf_map_def calls: BPF_MAP_TYPE_HASH, u32 key, u64 value, 16 entries; key 0
    // (little-endian u32) holds 3 (little-endian u64).
    let calls = &line["maps"]["calls"];
    assert_eq!(calls["type"], "hash");
    assert_eq!(
        (
            &calls["key_size"],
            &calls["value_size"],
            &calls["max_entries"]
        ),
        (&Value::from(4), &Value::from(8), &Value::from(16))
    );
    assert_eq!(
        calls["entries"],
        serde_json::json!([["00000000", "0300000000000000"]])
    );
    // The JSON line keeps the contract's order, maps last.
    let text = stdout(&sbvm(&[
        "run",
        &object,
        "--dialect",
        "ebpf",
        "--json",
        "--dump-maps",
    ]));
    let keys = [
        "engine",
        "stage",
        "result",
        "error",
        "message",
        "instructions",
        "pc",
        "logs",
    ];
    let mut at = 0;
    for key in keys.iter().chain(&["maps"]) {
        let found = text[at..].find(&format!("\"{key}\":")).expect(key);
        at += found;
    }
}

#[test]
fn the_packet_program_runs_in_the_fixed_metadata_flavour() {
    let Some(object) = compile("packet") else {
        return;
    };
    let input = scratch_arg("packet.bin", [1u8, 2, 3, 4, 5]);
    let args = [
        &object[..],
        "--dialect",
        "ebpf",
        "--flavour",
        "mbuff:0,8",
        "--input",
        &input,
        "--dump-maps",
    ];
    let (line, status) = run_both(&args);
    assert_eq!(status, Some(0), "{line}");
    // packet.c: bytes 1 2 3 4 5 weighted 1 2 3 4 1 (weights[i & 3]): 1+4+9+16+5 = 35.
    assert_eq!(line["result"], 35);
    assert_eq!(line["logs"], serde_json::json!([]));
    // The BTF-defined array `totals` (4 u64 values) got 35 at index 0, the rest stay 0.
    let totals = &line["maps"]["totals"];
    assert_eq!(totals["type"], "array");
    assert_eq!(
        totals["entries"][0],
        serde_json::json!(["00000000", "2300000000000000"])
    );
    assert_eq!(
        totals["entries"][3],
        serde_json::json!(["03000000", "0000000000000000"])
    );
    // For people: the result line and the map dump.
    let output = sbvm(&[
        "run",
        &object,
        "--dialect",
        "ebpf",
        "--flavour",
        "mbuff:0,8",
        "--input",
        &input,
        "--dump-maps",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("result: 35 (0x23)"), "{text}");
    assert!(text.contains("map totals: array"), "{text}");
    assert!(text.contains("  00000000: 2300000000000000"), "{text}");
}

#[test]
fn an_object_with_two_programs_needs_a_section() {
    let Some(object) = compile("two_programs") else {
        return;
    };
    // Without --dialect ebpf, the sBPF loader rejects it and says which dialect reads it.
    let output = sbvm(&["run", &object]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("add --dialect ebpf"),
        "{}",
        stderr(&output)
    );
    // No --section: rejected (exit 3), naming both program sections of two_programs.c.
    let output = sbvm(&["run", &object, "--dialect", "ebpf"]);
    assert_eq!(output.status.code(), Some(3));
    let message = stderr(&output);
    assert!(message.contains("SeveralPrograms"), "{message}");
    assert!(
        message.contains("socket") && message.contains("xdp"),
        "{message}"
    );
    let output = sbvm(&["run", &object, "--dialect", "ebpf", "--json"]);
    assert_eq!(output.status.code(), Some(3));
    let line = json(&output);
    assert_eq!(
        (&line["stage"], &line["error"]),
        (&Value::from("load"), &Value::from("SeveralPrograms"))
    );
    // With a section: that program, returning its constant.
    for (section, result) in [("socket", 1), ("xdp", 2)] {
        let (line, status) = run_both(&[&object, "--dialect", "ebpf", "--section", section]);
        assert_eq!((status, &line["result"]), (Some(0), &Value::from(result)));
    }
    // An unknown section is rejected with the ones there are.
    let output = sbvm(&["run", &object, "--dialect", "ebpf", "--section", "kprobe/x"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("UnknownProgram"),
        "{}",
        stderr(&output)
    );
    // verify checks every program section, or the one named.
    let output = sbvm(&["verify", &object, "--dialect", "ebpf"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
    let output = sbvm(&["verify", &object, "--dialect", "ebpf", "--section", "xdp"]);
    assert_eq!(
        stdout(&output),
        "ok: section xdp: 2 slots verify for ebpf\n"
    );
}

#[test]
fn an_object_is_listed_with_labels_and_relocations() {
    let Some(object) = compile("packet") else {
        return;
    };
    let output = sbvm(&["disasm", &object, "--dialect", "ebpf"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    // As llvm-objdump -dr prints packet.o: the xdp section, its function, the map and data
    // lddws (R_BPF_64_64) and the call to weighted_sum in .text (R_BPF_64_32).
    assert!(text.starts_with("Disassembly of section xdp:\n"), "{text}");
    for expected in [
        "\n<weigh_packet>:\n",
        "\n<weighted_sum>:\n",
        "\n\t\tR_BPF_64_64\ttotals\n",
        "\n\t\tR_BPF_64_64\tpackets_seen\n",
        "\n\t\tR_BPF_64_32\t.text\n",
        "lock",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    // Each relocation line follows the instruction it patched: lddw (0x18) for R_BPF_64_64,
    // call (0x85) for R_BPF_64_32.
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.windows(2) {
        if pair[1].starts_with("\t\tR_BPF_64_64") {
            assert!(pair[0].contains(":  18 "), "{pair:?}");
        }
        if pair[1].starts_with("\t\tR_BPF_64_32") {
            assert!(pair[0].contains(":  85 10 "), "{pair:?}");
        }
    }
}

/// An eBPF program in assembly: a bpf-to-bpf call, and a division by zero, which RFC 9669
/// §4.1 defines as 0 (sBPF faults): 20 doubled is 40, plus 7 / 0 = 0, plus 2.
const PROGRAM: &str = "\
    mov64 r1, 20
    call double
    mov64 r2, 7
    mov64 r3, 0
    div64 r2, r3
    add64 r0, r2
    add64 r0, 2
    exit
double:
    mov64 r0, r1
    lsh64 r0, 1
    exit
";

#[test]
fn assembly_assembles_and_runs_as_ebpf() {
    let source = scratch_arg("program.s", PROGRAM);
    let (line, status) = run_both(&[&source, "--dialect", "ebpf"]);
    assert_eq!(
        (status, &line["result"]),
        (Some(0), &Value::from(42)),
        "{line}"
    );
    // `--version ebpf` is the dialect's other name.
    let (line, _) = run_both(&[&source, "--version", "ebpf"]);
    assert_eq!(line["result"], 42);
    // asm writes the bytecode, which runs raw.
    let bytes = scratch("program.bin", b"");
    let output = sbvm(&[
        "asm",
        &source,
        "--dialect",
        "ebpf",
        "-o",
        bytes.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // 11 instructions, 8 bytes each.
    assert_eq!(std::fs::read(&bytes).unwrap().len(), 11 * 8);
    let (line, _) = run_both(&[bytes.to_str().unwrap(), "--raw", "--dialect", "ebpf"]);
    assert_eq!(line["result"], 42);
    // And disassembles to assembly that says the call by its label.
    let output = sbvm(&[
        "disasm",
        bytes.to_str().unwrap(),
        "--raw",
        "--dialect",
        "ebpf",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("call function_8"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn faults_and_the_instruction_limit_exit_1() {
    // ldxdw r0, [r1+100] with an empty input (raw flavour: r1 points at it): out of bounds.
    let source = scratch_arg("fault.s", "ldxdw r0, [r1+100]\nexit\n");
    let (line, status) = run_both(&[&source, "--dialect", "ebpf"]);
    assert_eq!(
        (status, &line["stage"]),
        (Some(1), &Value::from("execute")),
        "{line}"
    );
    assert_eq!(line["pc"], 0);
    // For people, the fault's place on stderr, as `sbvm disasm` lists the instruction.
    let output = sbvm(&["run", &source, "--dialect", "ebpf"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("at pc 0: ldxdw r0, [r1+100]"),
        "{}",
        stderr(&output)
    );
    // ja -1 never ends; --limit stops it after that many instructions.
    let source = scratch_arg("loop.s", "loop:\nja loop\nexit\n");
    let (line, status) = run_both(&[&source, "--dialect", "ebpf", "--limit", "1000"]);
    assert_eq!(status, Some(1), "{line}");
    assert_eq!(line["error"], "ExceededMaxInstructions");
}

#[test]
fn a_bad_program_does_not_verify() {
    // ja +5 in a two-slot program: the target (0 + 1 + 5) lies outside the text.
    let bad = scratch_arg(
        "bad.bin",
        [[0x05, 0, 5, 0, 0, 0, 0, 0], [0x95, 0, 0, 0, 0, 0, 0, 0]].concat(),
    );
    let output = sbvm(&["verify", &bad, "--raw", "--dialect", "ebpf"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("JumpOutOfCode"),
        "{}",
        stderr(&output)
    );
    let output = sbvm(&["run", &bad, "--raw", "--dialect", "ebpf", "--json"]);
    assert_eq!(output.status.code(), Some(3));
    let line = json(&output);
    assert_eq!(
        (&line["stage"], &line["error"]),
        (&Value::from("verify"), &Value::from("JumpOutOfCode"))
    );
}

#[test]
fn misused_options_are_usage_errors() {
    let source = scratch_arg("usage.s", "mov64 r0, 1\nexit\n");
    for args in [
        // Not a flavour.
        vec!["run", &source, "--dialect", "ebpf", "--flavour", "mbuff:8"],
        vec!["run", &source, "--dialect", "ebpf", "--flavour", "packet"],
        // --section names a section of an object; assembly has none.
        vec!["run", &source, "--dialect", "ebpf", "--section", "xdp"],
        vec!["disasm", &source, "--dialect", "ebpf", "--section", "xdp"],
        // eBPF options on an sBPF run, and dialects that disagree.
        vec!["run", &source, "--version", "v3", "--section", "xdp"],
        vec!["run", &source, "--version", "v3", "--repeat", "2"],
        vec!["run", &source, "--dialect", "ebpf", "--version", "v3"],
        vec!["asm", &source, "--dialect", "ebpf", "--elf", "-o", "x.so"],
        // nodata has no input.
        vec![
            "run",
            &source,
            "--dialect",
            "ebpf",
            "--flavour",
            "nodata",
            "--input-len",
            "4",
        ],
    ] {
        let output = sbvm(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = sbvm(&[
        "run",
        &source,
        "--dialect",
        "ebpf",
        "--section",
        "xdp",
        "--json",
    ]);
    assert_eq!(json(&output)["stage"], "usage");
}

#[test]
fn bench_times_an_object_on_both_engines() {
    let Some(object) = compile("packet") else {
        return;
    };
    let input = scratch_arg("bench.bin", [1u8, 2, 3, 4, 5]);
    let common = [
        &object[..],
        "--dialect",
        "ebpf",
        "--flavour",
        "mbuff:0,8",
        "--input",
        &input,
    ];
    let (line, _) = run_both(&common);
    let mut args = vec!["bench"];
    args.extend_from_slice(&common);
    args.extend_from_slice(&["--iters", "2", "--json"]);
    let output = sbvm(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // One line per engine, each counting what `run` counts for the same packet.
    assert_eq!(lines.len(), 2);
    for (bench, engine) in lines.iter().zip(["interpreter", "jit"]) {
        assert_eq!(bench["engine"], engine);
        assert_eq!(bench["instructions"], line["instructions"]);
    }
    assert!(lines[1]["compile_ns_median"].is_u64());
}
