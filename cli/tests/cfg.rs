//! `sbvm cfg`: the text and DOT of a program's control-flow graph, on hand-written assembly and
//! on real ELF files (the toolchain's p-token and the loader's fixtures).

mod common;

use common::{sbvm, scratch_arg, skip, stderr, stdout};
use std::collections::BTreeMap;
use std::path::PathBuf;

const PROGRAM: &str = "
entrypoint:
    mov64 r1, 5          # 0
    call function_f      # 1
    syscall sol_log_     # 2
    jeq r0, 0, +1        # 3: to 5, or on to 4
    callx r1             # 4
    exit                 # 5
function_f:
    mov64 r0, r1         # 6
    exit                 # 7
    mov64 r0, 2          # 8: nothing reaches it
    exit                 # 9
";

#[test]
fn cfg_prints_each_function_s_blocks_successors_and_calls() {
    let path = scratch_arg("cfg.s", PROGRAM);
    let output = sbvm(&["cfg", &path, "--version", "v3"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Expected from the program's text (V3: calls are pc-relative, so `call 4` reaches 6; the
    // text is mapped at 0x100000000 as a bare text section is).
    let expected = "\
function entrypoint at 0 (0x100000000), entry, 3 blocks
  block 0 (0x100000000), 4 instructions
           0:  mov64 r1, 5
           1:  call 4 <function_f>
           2:  syscall sol_log_
           3:  jeq r0, 0, +1 <LBB0>
    calls: 1 function_f, 2 sol_log_
    successors: taken 5, fallthrough 4
  block 4 (0x100000020), 1 instruction
           4:  callx r1
    calls: 4 callx r1
    successors: fallthrough 5
  block 5 (0x100000028), 1 instruction
           5:  exit
    exit
function function_f at 6 (0x100000030), 1 block
  block 6 (0x100000030), 2 instructions
           6:  mov64 r0, r1
           7:  exit
    exit
unreachable: 1 block(s)
  block 8 (0x100000040), 2 instructions
           8:  mov64 r0, 2
           9:  exit
    exit
";
    assert_eq!(stdout(&output), expected);

    let only = sbvm(&["cfg", &path, "--version", "v0", "--function", "function_f"]);
    assert_eq!(only.status.code(), Some(0), "{}", stderr(&only));
    // Expected: only function_f's block, no unreachable code.
    assert!(stdout(&only).starts_with("function function_f at 6 (0x100000030), 1 block\n"));
    assert!(!stdout(&only).contains("entrypoint") && !stdout(&only).contains("unreachable"));

    let missing = sbvm(&["cfg", &path, "--version", "v3", "--function", "nothing"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no function \"nothing\""));
}

#[test]
fn cfg_takes_programs_as_the_other_commands_do() {
    // Raw bytecode needs a version, as for disasm.
    let raw = scratch_arg("cfg.bin", [0x95u8, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(sbvm(&["cfg", &raw, "--raw"]).status.code(), Some(2));
    let output = sbvm(&["cfg", &raw, "--raw", "--version", "v0"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Expected from the one slot: an exit.
    assert!(stdout(&output).contains("           0:  exit\n    exit"));
    // Assembly that does not assemble is rejected (3); an eBPF object is not read (2).
    let bad = scratch_arg("bad.s", "frobnicate r0");
    assert_eq!(
        sbvm(&["cfg", &bad, "--version", "v3"]).status.code(),
        Some(3)
    );
    assert_eq!(
        sbvm(&["cfg", &raw, "--dialect", "ebpf"]).status.code(),
        Some(2)
    );
}

/// Whether Graphviz's `dot` reads `text` without a complaint; `None` (after saying SKIP) when it
/// is not installed.
fn graphviz_accepts(text: &str) -> Option<Result<(), String>> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if Command::new("dot").arg("-V").output().is_err() {
        skip("Graphviz's dot is not installed (apt-get install graphviz)");
        return None;
    }
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let errors = String::from_utf8_lossy(&output.stderr).into_owned();
    Some(if output.status.success() && errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    })
}

#[test]
fn cfg_dot_is_one_digraph_that_graphviz_reads() {
    let path = scratch_arg("cfg-dot.s", PROGRAM);
    let output = sbvm(&["cfg", &path, "--version", "v0", "--dot"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let dot = stdout(&output);
    // Expected from the program: two functions (clusters), the unreachable code, dashed calls.
    assert!(dot.starts_with("digraph cfg {\n"));
    assert_eq!(dot.matches("subgraph cluster_").count(), 3);
    assert!(dot.contains("f0_b0 -> f6_b6 [style=dashed];"));
    assert!(dot.contains("f0_b0 -> f0_b5 [label=\"taken\"];"));
    assert!(dot.contains("f0_b0 -> f0_b4 [label=\"fallthrough\"];"));
    if let Some(verdict) = graphviz_accepts(&dot) {
        verdict.unwrap_or_else(|errors| panic!("dot says {errors}\n{dot}"));
    }
}

/// A file of `../shared`, or `None` after saying SKIP.
fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    skip(format!("{} not found; cfg of ELF files", path.display()));
    None
}

/// Instruction text by index from `sbvm disasm --listing` (index, bytes, then the text at a
/// fixed column).
fn listing_texts(listing: &str) -> BTreeMap<usize, String> {
    listing
        .lines()
        .filter_map(|line| {
            let (pc, _) = line.split_once(':')?;
            let pc = pc.trim().parse().ok()?;
            Some((pc, line.get(60..)?.to_string()))
        })
        .collect()
}

/// Instruction text by index from `sbvm cfg`, and how many times each index is listed.
fn cfg_texts(text: &str) -> (BTreeMap<usize, String>, BTreeMap<usize, usize>) {
    let mut texts = BTreeMap::new();
    let mut counts = BTreeMap::new();
    for line in text.lines().filter(|line| line.starts_with("     ")) {
        let Some((pc, rest)) = line.split_once(":  ") else {
            continue;
        };
        let Ok(pc) = pc.trim().parse::<usize>() else {
            continue;
        };
        texts.insert(pc, rest.to_string());
        *counts.entry(pc).or_insert(0) += 1;
    }
    (texts, counts)
}

#[test]
fn cfg_of_p_token_lists_every_instruction_as_the_disassembler_does() {
    let Some(program) = shared_file("solana-oracle/programs/p-token.so") else {
        return;
    };
    let program = program.to_str().unwrap();
    let output = sbvm(&["cfg", program]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let listing = sbvm(&["disasm", program, "--listing"]);
    // Every instruction is in the graph, with the listing's text (reference: the disassembler).
    let (texts, counts) = cfg_texts(&text);
    assert_eq!(texts, listing_texts(&stdout(&listing)));
    // The functions of a compiled program share no code: each instruction is listed once.
    assert!(counts.values().all(|count| *count == 1));
    // The toolchain's calls are resolved: functions by key, syscalls by name, callx by register.
    assert!(text.contains("sol_memcpy_") && text.contains("callx r"));
    assert!(!text.contains("unresolved"));
    // Each function header's block count matches the blocks printed under it.
    let mut functions = 0;
    for section in format!("\n{text}").split("\nfunction ").skip(1) {
        let header = section.lines().next().unwrap();
        let blocks: usize = header
            .rsplit(", ")
            .next()
            .and_then(|tail| tail.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        let body = section.split("\nunreachable").next().unwrap();
        assert_eq!(body.matches("\n  block ").count(), blocks, "{header}");
        functions += 1;
    }
    assert!(functions > 10);

    // One function by its start (the entry point's 1,936 blocks keep Graphviz busy for many
    // minutes; the first function's 38 take a tenth of a second).
    let first = sbvm(&["cfg", program, "--function", "0", "--dot"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    if let Some(verdict) = graphviz_accepts(&stdout(&first)) {
        verdict.unwrap_or_else(|errors| panic!("dot says {errors}"));
    }
}

#[test]
fn cfg_reads_every_elf_fixture_the_disassembler_reads() {
    let Some(dir) = shared_file("fixtures/elfs") else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "so"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        let file = file.to_str().unwrap();
        let disasm = sbvm(&["disasm", file, "--listing"]);
        let cfg = sbvm(&["cfg", file]);
        // The same status as the disassembler's (reference: disasm): 0, or 3 for a rejection.
        assert_eq!(cfg.status.code(), disasm.status.code(), "{file}");
        if cfg.status.success() {
            let (texts, _) = cfg_texts(&stdout(&cfg));
            assert_eq!(texts, listing_texts(&stdout(&disasm)), "{file}");
        }
    }
}
