//! Disassembly reassembles to the same program: for every ELF file under tests/ and ../shared,
//! and every ELF file `asm --elf` writes from the examples' and the tests' assembly at each
//! version it assembles for, disassemble → assemble → write ELF → load gives
//!
//! * the same text: byte for byte where the text lands at the same address (every file the
//!   writer made, so also the same read-only data); where the writer lays a toolchain file out
//!   differently, only an `lddw` of an address may differ, and it must point at the same
//!   instruction or the same bytes, where a word the loader filled with an address counts by
//!   what that address points at;
//! * the same read-only data: the same bytes in the order the disassembler writes them, each
//!   word the loader filled with an address pointing at the same instruction or data offset;
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

/// What a guest address points at in a loaded file, in terms that outlive a new layout.
#[derive(Debug)]
enum Pointee {
    /// An instruction index of the text.
    Instruction(u64),
    /// The read-only data from the address on: up to 16 bytes, cut where the data ends (at the
    /// text, which lies inside the region before V3, or at the region's end).
    Data(Vec<DataByte>),
}

/// A byte of read-only data.
#[derive(Debug)]
enum DataByte {
    /// A byte the loader left alone.
    Plain(u8),
    /// Byte `index` of a word the loader filled with an address, which moves with the layout:
    /// what the address points at counts, not its value. `pointee` is `None` where it is not
    /// followed (deeper than [`POINTER_DEPTH`]) or points at nothing.
    InPointer {
        index: usize,
        pointee: Option<Box<Pointee>>,
    },
}

/// How many pointers deep [`pointee`] follows the data.
const POINTER_DEPTH: usize = 2;

/// What guest `address` points at in `loaded`, following the pointers in the data it points at
/// `depth` levels deep.
fn pointee(loaded: &LoadedText, address: u64, depth: usize) -> Option<Pointee> {
    let text_offset = address.wrapping_sub(loaded.text_vaddr);
    if text_offset < loaded.text.len() as u64 {
        return Some(Pointee::Instruction(text_offset / 8));
    }
    let data = &loaded.rodata;
    let start = usize::try_from(address.checked_sub(data.vaddr)?).ok()?;
    // The data around the text ends where the text starts.
    let text_start = usize::try_from(loaded.text_vaddr.saturating_sub(data.vaddr)).ok()?;
    let data_end = if start < text_start {
        text_start.min(data.bytes.len())
    } else {
        data.bytes.len()
    };
    let end = data_end.min(start.saturating_add(16));
    let window: Vec<DataByte> = (start..end)
        .map(|at| {
            let word = data.pointers.range(at.saturating_sub(7)..=at).next_back();
            match word {
                None => DataByte::Plain(data.bytes[at]),
                Some(&word) => DataByte::InPointer {
                    index: at - word,
                    pointee: depth
                        .checked_sub(1)
                        .zip(data.bytes.get(word..word + 8))
                        .and_then(|(depth, value)| {
                            let value = u64::from_le_bytes(value.try_into().ok()?);
                            pointee(loaded, value, depth).map(Box::new)
                        }),
                },
            }
        })
        .collect();
    (!window.is_empty()).then_some(Pointee::Data(window))
}

/// Whether `again` points at what `original` does: the same instruction, or data that agrees
/// byte for byte over the original's window, pointers by what they point at. The window in
/// `again` may run on where the original's stops (the writer puts the data after the text
/// in one piece and pads it to 8 bytes).
fn same_pointees(original: &Pointee, again: &Pointee) -> bool {
    match (original, again) {
        (Pointee::Instruction(x), Pointee::Instruction(y)) => x == y,
        (Pointee::Data(x), Pointee::Data(y)) => {
            y.len() >= x.len()
                && x.iter().zip(y).all(|pair| match pair {
                    (DataByte::Plain(x), DataByte::Plain(y)) => x == y,
                    (
                        DataByte::InPointer { index, pointee },
                        DataByte::InPointer {
                            index: index_again,
                            pointee: pointee_again,
                        },
                    ) => {
                        index == index_again
                            && match (pointee, pointee_again) {
                                (Some(x), Some(y)) => same_pointees(x, y),
                                (x, y) => x.is_none() && y.is_none(),
                            }
                    }
                    _ => false,
                })
        }
        _ => false,
    }
}

/// Whether address `b` of `again` points at what address `a` of `original` does.
fn same_pointee(original: &LoadedText, a: u64, again: &LoadedText, b: u64) -> bool {
    match (
        pointee(original, a, POINTER_DEPTH),
        pointee(again, b, POINTER_DEPTH),
    ) {
        (Some(x), Some(y)) => same_pointees(&x, &y),
        _ => false,
    }
}

/// Where an address lands, in terms that outlive a new layout: a byte offset of the text, or
/// an offset of the data read in the order the disassembler writes it (the part of the region
/// after the text, then the part before; see src/isa/disasm/rodata.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Text(u64),
    Data(usize),
}

/// The read-only data of `loaded` apart from the text, in the order the disassembler writes it:
/// the region's offsets after the text, then before it.
fn data_offsets(loaded: &LoadedText) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let data = &loaded.rodata;
    let offset = |address: u64| {
        let offset = address
            .saturating_sub(data.vaddr)
            .min(data.bytes.len() as u64);
        offset as usize
    };
    let text_end = loaded.text_vaddr.saturating_add(loaded.text.len() as u64);
    (
        offset(text_end)..data.bytes.len(),
        0..offset(loaded.text_vaddr),
    )
}

/// Where `address` lands in `loaded` (see [`Place`]).
fn place(loaded: &LoadedText, address: u64) -> Option<Place> {
    let text_offset = address.wrapping_sub(loaded.text_vaddr);
    if text_offset < loaded.text.len() as u64 {
        return Some(Place::Text(text_offset));
    }
    let offset = usize::try_from(address.checked_sub(loaded.rodata.vaddr)?).ok()?;
    let (after, before) = data_offsets(loaded);
    if after.contains(&offset) {
        Some(Place::Data(offset - after.start))
    } else if before.contains(&offset) {
        Some(Place::Data(after.len() + offset))
    } else {
        None
    }
}

/// A byte of the data in a comparable form: a plain byte, or byte `index` of a word the loader
/// filled with an address, with where that address lands.
#[derive(Debug, PartialEq, Eq)]
enum DataCell {
    Plain(u8),
    InPointer { index: usize, place: Option<Place> },
}

/// The data of `loaded` (see [`data_offsets`]) as [`DataCell`]s.
fn data_cells(loaded: &LoadedText) -> Vec<DataCell> {
    let data = &loaded.rodata;
    let (after, before) = data_offsets(loaded);
    after
        .chain(before)
        .map(
            |at| match data.pointers.range(at.saturating_sub(7)..=at).next_back() {
                None => DataCell::Plain(data.bytes[at]),
                Some(&word) => DataCell::InPointer {
                    index: at - word,
                    place: data
                        .bytes
                        .get(word..word + 8)
                        .and_then(|value| value.try_into().ok())
                        .and_then(|value| place(loaded, u64::from_le_bytes(value))),
                },
            },
        )
        .collect()
}

/// Checks the read-only data of `again` against `original`'s: the same bytes in the order the
/// disassembler writes them (the writer may pad the end), and every word the loader filled
/// with an address in the same place, pointing at the same place.
fn same_data(original: &LoadedText, again: &LoadedText) -> Result<(), String> {
    let (old, new) = (data_cells(original), data_cells(again));
    if new.len() < old.len() {
        return Err(format!("{} bytes of data, not {}", new.len(), old.len()));
    }
    match old.iter().zip(&new).position(|(old, new)| old != new) {
        Some(at) => Err(format!(
            "data byte {at} was {:?}, now {:?}",
            old[at], new[at]
        )),
        None => Ok(()),
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
    same_data(&original, &again)?;
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
        common::skip("found no ELF file under tests/ or ../shared");
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

/// A V0 program with a table of function addresses in its read-only data (`table`, words of
/// `.quad first` or `.quad second`), loaded, and the address its `lddw` takes (the table's).
fn program_with_table(table: &[&str]) -> (LoadedText, u64) {
    let words: String = table
        .iter()
        .map(|label| format!("    .quad {label}\n"))
        .collect();
    let source = format!(
        "entrypoint:\n    lddw r1, table\n    mov64 r0, 0\n    exit\nfirst:\n    exit\n\
         second:\n    exit\n.rodata\n    .ascii \"head\"\ntable:\n{words}"
    );
    let assembled = assemble(&source, SbpfVersion::V0).unwrap();
    let loaded = load_text(&write_elf(&assembled).unwrap()).unwrap();
    let slots: Vec<Insn> = loaded.text.chunks_exact(8).map(slot_of).collect();
    let address = u64::from(slots[0].imm as u32) | u64::from(slots[1].imm as u32) << 32;
    // The loader relocates every word (R_BPF_64_RELATIVE): all are pointers.
    assert_eq!(loaded.rodata.pointers.len(), table.len());
    (loaded, address)
}

#[test]
fn pointers_an_lddw_points_at_are_compared_by_what_they_point_at() {
    let (ordered, at) = program_with_table(&["first", "second"]);
    let (swapped, at_swapped) = program_with_table(&["second", "first"]);
    // Same layout, so the words hold the same two addresses, in another order.
    assert_eq!(at, at_swapped);
    assert!(same_pointee(&ordered, at, &ordered, at));
    assert!(!same_pointee(&ordered, at, &swapped, at_swapped));
    // From four bytes before the table, the window holds the first word and half the second.
    assert!(same_pointee(&ordered, at - 4, &ordered, at - 4));
    assert!(!same_pointee(&ordered, at - 4, &swapped, at_swapped - 4));
}

#[test]
fn pointers_anywhere_in_the_data_are_compared_by_where_they_point() {
    let (ordered, at) = program_with_table(&["first", "second", "first", "second"]);
    let (swapped, _) = program_with_table(&["first", "second", "second", "first"]);
    assert_eq!(same_data(&ordered, &ordered), Ok(()));
    // The words that differ lie past what the lddw's window shows ...
    assert!(same_pointee(&ordered, at, &swapped, at));
    // ... but not past the comparison of the whole data.
    assert!(same_data(&ordered, &swapped).is_err());
}
