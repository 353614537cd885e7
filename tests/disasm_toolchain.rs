//! Programs built by the Solana toolchain, disassembled: every call is an instruction (never a
//! raw `.fill`), and the disassembly assembles back to the text the loader made of the original
//! (the addresses `lddw` takes aside: tests/disasm_roundtrip.rs checks what they point at), both
//! as a bare text section and written as an ELF file and loaded again.
//!
//! The programs: ../shared/solana-oracle/programs, ../shared/fixtures/elfs, and the Token,
//! Token-2022 and associated-token-account ELFs of the `mollusk-svm-programs-token*` crates in
//! the cargo registry (never copied into the repository). Reference for the comparisons: the
//! original file loaded by the loader, whose relocation the reference (solana-sbpf 0.26) defines.
//! Also: the syscall names against Agave's list, the new call forms' encodings, and (with
//! `SBVM_ORACLE`) an ELF written with them running in the reference.

mod common;

use sbvm::elf::{load_text, write_elf, LoadedText};
use sbvm::isa::asm::{assemble, AsmProblem, Site};
use sbvm::isa::disasm::{disassemble, listing};
use sbvm::isa::syscall_names::KNOWN_SYSCALLS;
use sbvm::isa::{Insn, SbpfVersion};
use std::path::{Path, PathBuf};

/// A file or folder under ../shared; `None` (after [`common::skip`]) when it is missing.
fn shared_path(relative: &str) -> Option<PathBuf> {
    let path = common::shared_dir()?.join(relative);
    if path.exists() {
        return Some(path);
    }
    common::skip(format!("{} not found", path.display()));
    None
}

/// Folders of the cargo registry's unpacked crates whose name starts with `prefix`.
fn registry_crates(prefix: &str) -> Vec<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let registry_indexes = cargo_home
        .map(|home| home.join("registry/src"))
        .and_then(|sources| std::fs::read_dir(sources).ok())
        .into_iter()
        .flatten()
        .flatten()
        .map(|index| index.path());
    // scripts/fetch-solana-programs.sh unpacks the crates it only reads here.
    let fetched = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/reference-crates");
    let mut crates: Vec<PathBuf> = registry_indexes
        .chain(std::iter::once(fetched))
        .flat_map(|index| std::fs::read_dir(index).into_iter().flatten().flatten())
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(prefix))
        })
        .collect();
    crates.sort();
    crates
}

/// The `*.so` files of a folder, sorted, with their names.
fn elf_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "so"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// Whether a slot is a call the assembler can spell: `0x85`, no stray `dst` or `off`, `src` 0
/// or 1.
fn is_call(slot: &Insn) -> bool {
    slot.opcode == 0x85 && slot.dst == 0 && slot.off == 0 && slot.src <= 1
}

/// The slots of every `.fill 1, 0x…` in disassembly or listing text.
fn filled_slots(text: &str) -> Vec<Insn> {
    text.match_indices(".fill 1, 0x")
        .map(|(at, directive)| {
            let digits: String = text[at + directive.len()..]
                .chars()
                .take_while(char::is_ascii_hexdigit)
                .collect();
            Insn::from_u64(u64::from_str_radix(&digits, 16).unwrap())
        })
        .collect()
}

/// `text` with the immediates of the `lddw`s at `pcs` zeroed.
fn without_addresses(text: &[u8], pcs: &[usize]) -> Vec<u8> {
    let mut out = text.to_vec();
    for pc in pcs {
        for at in [pc * 8 + 4, pc * 8 + 12] {
            if let Some(imm) = out.get_mut(at..at + 4) {
                imm.fill(0);
            }
        }
    }
    out
}

/// Checks one ELF file; `Ok(None)` when the loader rejects it (that outcome is
/// tests/elf_fixtures.rs's concern), else a one-line summary.
fn check(name: &str, bytes: &[u8]) -> Result<Option<String>, String> {
    let Ok(original) = load_text(bytes) else {
        return Ok(None);
    };
    let LoadedText { version, text, .. } = &original;
    let symbols = original.symbols();
    let source = disassemble(text, *version, &symbols);
    let people = listing(text, *version, &symbols);

    // 1. No call is a raw slot, in either output.
    for (output, what) in [(&source, "assembly"), (&people, "listing")] {
        if let Some(slot) = filled_slots(output).iter().find(|slot| is_call(slot)) {
            return Err(format!(
                "{name}: the {what} has a call as .fill {:#018x}",
                slot.to_u64()
            ));
        }
    }

    // 2. As a bare text section: the same bytes, apart from the addresses `lddw LABEL` takes
    //    (filled in by ELF output; tests/disasm_roundtrip.rs checks where they point).
    let assembled = assemble(&source, *version).map_err(|e| format!("{name}: asm: {e}"))?;
    let addresses: Vec<usize> = assembled
        .references
        .iter()
        .filter_map(|reference| match reference.site {
            Site::Lddw(pc) => Some(pc),
            Site::Rodata(_) => None,
        })
        .collect();
    if without_addresses(&assembled.text, &addresses) != without_addresses(text, &addresses) {
        return Err(format!("{name}: reassembled text differs"));
    }

    // 3. As an ELF file, loaded again: the same text (addresses aside) and the same function
    //    registry.
    let elf = write_elf(&assembled).map_err(|e| format!("{name}: write ELF: {e}"))?;
    let again = load_text(&elf).map_err(|e| format!("{name}: load written ELF: {e}"))?;
    if without_addresses(&again.text, &addresses) != without_addresses(text, &addresses) {
        let slot = again
            .text
            .chunks(8)
            .zip(text.chunks(8))
            .position(|(a, b)| a != b)
            .unwrap_or(usize::MAX);
        return Err(format!(
            "{name}: written ELF loads to different text (first at slot {slot})"
        ));
    }
    if again.function_keys != original.function_keys || again.entry_pc != original.entry_pc {
        return Err(format!("{name}: written ELF has another function registry"));
    }
    let calls = text
        .chunks_exact(8)
        .filter(|chunk| {
            is_call(&Insn::from_u64(u64::from_le_bytes(
                (*chunk).try_into().unwrap(),
            )))
        })
        .count();
    Ok(Some(format!(
        "{name}: {version}, {} slots, {calls} calls, {} .fill",
        text.len() / 8,
        filled_slots(&source).len()
    )))
}

/// Checks every file, printing a summary per file and failing with all problems at once.
fn check_all(files: &[(String, Vec<u8>)]) {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, bytes) in files {
        match check(name, bytes) {
            Ok(Some(summary)) => {
                eprintln!("{summary}");
                checked += 1;
            }
            Ok(None) => eprintln!("{name}: the loader rejects it; not disassembled"),
            Err(failure) => failures.push(failure),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 0, "no file loaded");
}

#[test]
fn solana_oracle_programs_disassemble_calls_and_round_trip() {
    let Some(dir) = shared_path("solana-oracle/programs/p-token.so") else {
        return;
    };
    check_all(&elf_files(dir.parent().unwrap()));
}

#[test]
fn toolchain_fixtures_disassemble_calls_and_round_trip() {
    let Some(dir) = shared_path("fixtures/elfs") else {
        return;
    };
    check_all(&elf_files(&dir));
}

#[test]
fn mollusk_token_programs_disassemble_calls_and_round_trip() {
    let dirs: Vec<PathBuf> = registry_crates("mollusk-svm-programs-token")
        .into_iter()
        .map(|krate| krate.join("src/elf"))
        .filter(|dir| dir.is_dir())
        .collect();
    if dirs.is_empty() {
        common::skip("no mollusk-svm-programs-token* crate in the cargo registry");
        return;
    }
    let files: Vec<(String, Vec<u8>)> = dirs.iter().flat_map(|dir| elf_files(dir)).collect();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        names.contains(&"token_2022.so") || names.contains(&"associated_token.so"),
        "{names:?}"
    );
    check_all(&files);
}

#[test]
fn known_syscalls_are_the_names_agave_registers() {
    // Reference: solana-syscalls 4.2.2, `create_program_runtime_environment` (every string
    // literal in it is a registered name), plus the reference harness's log, log_64 and panic.
    let Some(krate) = registry_crates("solana-syscalls-4.2.2").pop() else {
        common::skip("solana-syscalls 4.2.2 is not in the cargo registry");
        return;
    };
    let source = std::fs::read_to_string(krate.join("src/lib.rs")).unwrap();
    let start = source
        .find("pub fn create_program_runtime_environment")
        .unwrap();
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").unwrap()];
    let mut registered: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
    registered.extend(["log", "log_64", "panic"]);
    registered.sort_unstable();
    registered.dedup();
    assert_eq!(KNOWN_SYSCALLS, registered.as_slice());
}

/// The one slot `source` assembles to at `version`.
fn slot(source: &str, version: SbpfVersion) -> u64 {
    let text = assemble(source, version).unwrap().text;
    u64::from_le_bytes(text[text.len() - 8..].try_into().unwrap())
}

#[test]
fn llvm_calls_assemble_to_their_relocated_slots() {
    use SbpfVersion::{V0, V3};
    // LLVM's call to a syscall, relocated: src = 1 (the slot in syscall_reloc_64_32_sbpfv0.so
    // is 85 10 00 00 ff ff ff ff) and murmur3("log") = 0x6bf5c3fe (reference expected.json).
    assert_eq!(slot("call log", V0), 0x6bf5_c3fe_0000_1085);
    // From V3 the toolchain writes a static syscall: syscall_static.so, slot 3.
    assert_eq!(slot("call log", V3), 0x6bf5_c3fe_0000_0085);
    // The reference assembler's forms keep their encodings.
    assert_eq!(slot("syscall log", V0), 0x6bf5_c3fe_0000_0085);
    assert_eq!(
        slot("exit\nfunction_1:\ncall function_1", V0),
        0x0000_0001_0000_0085
    );
    // A relocated internal call carries the registry key: murmur3 of the index as u64 bytes
    // (0 → 0x63852afc, MurmurHash3_x86_32 computed independently in Python), or of the name
    // `entrypoint` (0x71e3cf81, shared/oracle/README.md).
    assert_eq!(
        slot("function_0:\nhashcall function_0", V0),
        0x6385_2afc_0000_1085
    );
    assert_eq!(
        slot("entrypoint:\nhashcall entrypoint", V0),
        0x71e3_cf81_0000_1085
    );
    assert_eq!(slot("hashcall 0xfffffffe", V0), 0xffff_fffe_0000_1085);
    let error = assemble("function_0:\nhashcall function_0", V3).unwrap_err();
    assert!(matches!(
        error.problem,
        AsmProblem::CallByKeyUnavailable(V3)
    ));
}

#[test]
fn relocated_calls_name_their_target_or_keep_their_key() {
    use sbvm::isa::disasm::Symbols;
    // Keys: MurmurHash3_x86_32 computed independently in Python (index as u64 bytes, or the
    // name); expected text: the table of src/isa/disasm/callee.rs.
    const ENTRYPOINT: u32 = 0x71e3_cf81; // "entrypoint"
    const INDEX_0: u32 = 0x6385_2afc; // index 0
    const INDEX_5: u32 = 0x67c2_5ef7; // index 5
    const SOL_MEMCPY: u32 = 0x717c_c4a3; // "sol_memcpy_"
    let call = |imm: u32| Insn {
        opcode: 0x85,
        dst: 0,
        src: 1,
        off: 0,
        imm: imm as i32,
    };
    let exit = Insn {
        opcode: 0x95,
        ..Insn::default()
    };
    let slots = [
        call(ENTRYPOINT),
        call(INDEX_0), // the entry point by index: the label `entrypoint` gives another key
        call(SOL_MEMCPY),
        call(0x1234_5678), // neither a key nor a syscall
        call(INDEX_5),
        exit,
    ];
    let text: Vec<u8> = slots.iter().flat_map(Insn::encode).collect();
    let symbols = Symbols {
        // A function named like a syscall: `call abort` must stay the syscall.
        functions: [(0, "entrypoint".to_string()), (5, "abort".to_string())].into(),
        function_keys: [(ENTRYPOINT, 0), (INDEX_0, 0), (INDEX_5, 5)].into(),
        ..Symbols::default()
    };
    let source = disassemble(&text, SbpfVersion::V0, &symbols);
    assert_eq!(
        source,
        "entrypoint:\n    hashcall entrypoint\n    hashcall 0x63852afc\n    call sol_memcpy_\n    \
         .fill 1, 0x1234567800001085\n    hashcall function_5\nfunction_5:\n    exit\n"
    );
    assert_eq!(assemble(&source, SbpfVersion::V0).unwrap().text, text);
    let people = listing(&text, SbpfVersion::V0, &symbols);
    assert!(
        people.contains("hashcall 0x63852afc <entrypoint>"),
        "{people}"
    );
}

#[test]
fn written_llvm_calls_run_like_the_reference() {
    use sbvm::env::{run_interpreted, standard_runtime, RunSetup};
    use sbvm::vm::{Config, Executable};
    use std::sync::Arc;
    let Some(oracle) = common::oracle() else {
        common::skip("SBVM_ORACLE not set; reference run of hashcall ELF output skipped");
        return;
    };
    let source = "entrypoint:\n mov64 r1, 5\n hashcall function_double\n mov64 r6, r0\n \
                  mov64 r1, r0\n call log_64\n mov64 r0, r6\n exit\n\
                  function_double:\n mov64 r0, r1\n add64 r0, r1\n exit\n";
    let elf = write_elf(&assemble(source, SbpfVersion::V0).unwrap()).unwrap();
    // Expected: the reference loading and running the same file (`oracle run --elf`).
    let reference = common::oracle_run_elf(&oracle, &elf, 1000);
    let runtime = Arc::new(standard_runtime(Config::default()));
    let executable = Executable::from_elf(&elf, runtime).unwrap();
    let setup = RunSetup {
        budget: 1000,
        input: vec![1],
        heap_size: 32 * 1024,
    };
    let ours = run_interpreted(&executable, &setup).unwrap();
    assert_eq!(reference["result"].as_u64(), ours.result.ok());
    assert_eq!(reference["instructions"].as_u64(), Some(ours.instructions));
    let logs: Vec<String> = ours
        .logs
        .iter()
        .map(|log| String::from_utf8_lossy(log).into_owned())
        .collect();
    assert_eq!(reference["logs"], serde_json::json!(logs));
}
