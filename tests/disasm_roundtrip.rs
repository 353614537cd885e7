//! Disassembly reassembles to the same program: for every ELF file under tests/ and ../shared,
//! and every ELF file `asm --elf` writes from the examples' and the tests' assembly at each
//! version it assembles for, disassemble → assemble → write ELF → load gives
//!
//! * the same text: byte for byte where the text lands at the same address (every file the
//!   writer made, so also the same read-only data); where the writer lays a toolchain file out
//!   differently, only an `lddw` of an address may differ, and it must point at the same bytes
//!   (or the same instruction);
//! * the same function registry and entry point;
//! * the same run on the interpreter: result (or error kind and where it stopped),
//!   instruction count and logs.
//!
//! Reference for "the same": the original file loaded by the loader and run by the interpreter
//! (the loader and the interpreter are checked against solana-sbpf 0.26 by
//! tests/elf_fixtures.rs and tests/oracle_execution.rs).

mod common;

use sbvm::elf::{load_text, write_elf, LoadedText};
use sbvm::env::{run_interpreted, standard_runtime, RunSetup};
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::disassemble;
use sbvm::isa::{Insn, SbpfVersion};
use sbvm::vm::{Config, Executable};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files under `dir` (recursively) whose name ends with `.{extension}`, sorted.
fn files_under(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The folders to search: the repository's `dirs`, and the `shared` ones when ../shared is
/// there (a SKIP line otherwise, from `common::shared_dir`).
fn search_dirs(repository: &[&str], shared: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = repository.iter().map(|dir| root.join(dir)).collect();
    if let Some(shared_dir) = common::shared_dir() {
        dirs.extend(shared.iter().map(|dir| shared_dir.join(dir)));
    }
    dirs
}

/// How a run ended, comparable across layouts: an error by kind and instruction index (its
/// text may quote an address, which moves with the layout).
#[derive(Debug, PartialEq, Eq)]
struct Run {
    ending: Result<u64, (&'static str, usize)>,
    instructions: u64,
    logs: Vec<Vec<u8>>,
}

/// Loads, verifies and runs `elf` as ../shared/fixtures/elfs/expected.json does (input the
/// byte 0x01, 32 KiB heap), with a budget that keeps the slowest program short.
fn run(elf: &[u8]) -> Result<Run, String> {
    let runtime = Arc::new(standard_runtime(Config::default()));
    let executable = Executable::from_elf(elf, runtime).map_err(|error| error.to_string())?;
    let setup = RunSetup {
        budget: 2_000_000,
        input: vec![1],
        heap_size: 32 * 1024,
    };
    let outcome = run_interpreted(&executable, &setup).map_err(|error| error.to_string())?;
    Ok(Run {
        ending: outcome
            .result
            .map_err(|error| (error.kind_name(), outcome.pc)),
        instructions: outcome.instructions,
        logs: outcome.logs,
    })
}

/// What guest `address` points at in a loaded file: an instruction index of the text, or up to
/// 16 bytes of read-only data, a byte of a word the loader filled with an address as `None`
/// (that address moves with the layout).
fn pointee(loaded: &LoadedText, address: u64) -> Option<Result<u64, Vec<Option<u8>>>> {
    let text_offset = address.wrapping_sub(loaded.text_vaddr);
    if text_offset < loaded.text.len() as u64 {
        return Some(Ok(text_offset / 8));
    }
    let start = usize::try_from(address.checked_sub(loaded.rodata.vaddr)?).ok()?;
    let end = loaded.rodata.bytes.len().min(start.saturating_add(16));
    let in_pointer = |at: usize| {
        let first = at.saturating_sub(7);
        loaded.rodata.pointers.range(first..=at).next().is_some()
    };
    let window = (start..end)
        .map(|at| (!in_pointer(at)).then(|| loaded.rodata.bytes[at]))
        .collect::<Vec<_>>();
    (!window.is_empty()).then_some(Err(window))
}

/// Whether two addresses point at the same thing: the same instruction, or data that agrees
/// over the shorter window (the writer pads the data to 8 bytes).
fn same_pointee(original: &LoadedText, a: u64, again: &LoadedText, b: u64) -> bool {
    match (pointee(original, a), pointee(again, b)) {
        (Some(Ok(x)), Some(Ok(y))) => x == y,
        (Some(Err(x)), Some(Err(y))) => x.iter().zip(&y).all(|(x, y)| x == y),
        _ => false,
    }
}

/// Checks the text of `again` against `original`'s (see the module docs).
fn same_text(original: &LoadedText, again: &LoadedText) -> Result<(), String> {
    if again.text == original.text {
        return Ok(());
    }
    if again.text_vaddr == original.text_vaddr || again.text.len() != original.text.len() {
        return Err("the text differs though it lies at the same address".into());
    }
    let slots = |text: &[u8]| -> Vec<Insn> { text.chunks_exact(8).map(slot_of).collect() };
    let (old, new) = (slots(&original.text), slots(&again.text));
    let mut pc = 0;
    while pc < old.len() {
        let is_lddw = old[pc].opcode == 0x18 && pc + 1 < old.len();
        let width = if is_lddw { 2 } else { 1 };
        if old[pc..pc + width] != new[pc..pc + width] {
            let value = |slots: &[Insn]| {
                u64::from(slots[pc].imm as u32) | u64::from(slots[pc + 1].imm as u32) << 32
            };
            let same = is_lddw
                && new[pc].opcode == 0x18
                && same_pointee(original, value(&old), again, value(&new));
            if !same {
                return Err(format!("slot {pc} differs and is no lddw of the same data"));
            }
        }
        pc += width;
    }
    Ok(())
}

fn slot_of(chunk: &[u8]) -> Insn {
    let mut slot = [0u8; 8];
    slot.copy_from_slice(chunk);
    Insn::decode(slot)
}

/// Disassembles `elf`, reassembles and writes it, and compares (see the module docs);
/// `written` says `asm --elf` made the file, so its layout must come back exactly.
/// `layout_dependent`: the program computes an address of its text with arithmetic, so only its
/// text is compared, not its run. `Ok(false)` when the loader rejects the file
/// (tests/elf_fixtures.rs checks that outcome).
fn check(elf: &[u8], written: bool, layout_dependent: bool) -> Result<bool, String> {
    let Ok(original) = load_text(elf) else {
        return Ok(false);
    };
    let source = disassemble(&original.text, original.version, &original.symbols());
    let assembled = assemble(&source, original.version).map_err(|e| format!("asm: {e}"))?;
    let elf_again = write_elf(&assembled).map_err(|e| format!("write ELF: {e}"))?;
    let again = load_text(&elf_again).map_err(|e| format!("load the written ELF: {e}"))?;
    same_text(&original, &again)?;
    if written && (again.text_vaddr, &again.rodata) != (original.text_vaddr, &original.rodata) {
        return Err("the read-only data or the text's address differs".into());
    }
    if (again.function_keys.clone(), again.entry_pc)
        != (original.function_keys.clone(), original.entry_pc)
    {
        return Err("another function registry or entry point".into());
    }
    let (before, after) = (run(elf), run(&elf_again));
    let same_run = match (&before, &after) {
        (Ok(before), Ok(after)) => {
            let same_ending = match (before.ending, after.ending) {
                // A returned address must point at the same thing, wherever it now lies.
                (Ok(a), Ok(b)) => a == b || same_pointee(&original, a, &again, b),
                (a, b) => a == b,
            };
            same_ending && (before.instructions, &before.logs) == (after.instructions, &after.logs)
        }
        (before, after) => before == after,
    };
    if !same_run && !layout_dependent {
        return Err(format!("runs differ: {before:?} then {after:?}"));
    }
    Ok(true)
}

/// Toolchain programs whose run depends on where the text lies, and why.
const LAYOUT_DEPENDENT: [(&str, &str); 1] = [(
    "callx_unaligned.so",
    "calls 0x1_0000_0129, built with rsh64 and or64 from the input address: a slot of the \
     original text at 0x120, outside the text the writer puts at 0xe8",
)];

/// Checks every case, failing with every problem at once; at least one case must load.
fn check_all(cases: Vec<(String, Vec<u8>, bool)>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, elf, written) in &cases {
        let layout_dependent = LAYOUT_DEPENDENT
            .iter()
            .any(|(file, _)| name.ends_with(&format!("/{file}")));
        match check(elf, *written, layout_dependent) {
            Ok(true) => checked += 1,
            Ok(false) => {}
            Err(failure) => failures.push(format!("{name}: {failure}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 0, "no program was checked");
    eprintln!("{checked} of {} programs round-tripped", cases.len());
}

#[test]
fn elf_files_disassemble_to_the_same_program() {
    let dirs = search_dirs(
        &["tests"],
        &["fixtures/elfs", "oracle/programs", "solana-oracle/programs"],
    );
    let cases: Vec<(String, Vec<u8>, bool)> = dirs
        .iter()
        .flat_map(|dir| files_under(dir, "so"))
        .map(|path| {
            let elf = std::fs::read(&path).unwrap();
            (path.display().to_string(), elf, false)
        })
        .collect();
    if cases.is_empty() {
        common::skip("no ELF file under tests/ and ../shared is missing");
        return;
    }
    check_all(cases);
}

#[test]
fn written_elf_files_disassemble_to_the_same_program() {
    let dirs = search_dirs(&["examples", "tests"], &["oracle/programs"]);
    let mut cases = Vec::new();
    for path in dirs.iter().flat_map(|dir| files_under(dir, "asm")) {
        let source = std::fs::read_to_string(&path).unwrap();
        for version in SbpfVersion::ALL {
            let Ok(assembled) = assemble(&source, version) else {
                continue;
            };
            let Ok(elf) = write_elf(&assembled) else {
                continue;
            };
            cases.push((format!("{} at {version}", path.display()), elf, true));
        }
    }
    assert!(
        cases.len() >= 3 * SbpfVersion::ALL.len(),
        "the examples alone give more cases: {}",
        cases.len()
    );
    check_all(cases);
}

#[test]
fn mutated_elf_files_disassemble_to_assembly_that_assembles() {
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let fixtures: Vec<Vec<u8>> = files_under(&shared.join("fixtures/elfs"), "so")
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .collect();
    assert!(!fixtures.is_empty());
    let mut loaded = 0;
    for seed in common::seeds(400) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut mutant = fixtures[rng.random_range(0..fixtures.len())].clone();
        for _ in 0..rng.random_range(1..5) {
            let at = rng.random_range(0..mutant.len());
            mutant[at] = rng.random();
        }
        let Ok(text) = load_text(&mutant) else {
            continue;
        };
        loaded += 1;
        let source =
            std::panic::catch_unwind(|| disassemble(&text.text, text.version, &text.symbols()))
                .unwrap_or_else(|_| panic!("seed {seed}: the disassembler panicked"));
        if let Err(error) = assemble(&source, text.version) {
            panic!("seed {seed}: the disassembly does not assemble: {error}");
        }
    }
    assert!(loaded > 0, "no mutant loaded");
    eprintln!("{loaded} mutants loaded and disassembled");
}
