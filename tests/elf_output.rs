//! The project's own ELF fixtures: programs in tests/elf_programs (and examples/) assembled and
//! written as ELF by sbvm for V0 and V3, loaded back and run. Expected outcomes are recorded from
//! the reference loading the same files (`oracle run --elf`); re-bless with
//! `SBVM_BLESS=1 SBVM_ORACLE=path cargo test --test elf_output`, and with `SBVM_ORACLE` alone
//! every file is also checked live.

mod common;

use sbvm::elf::{function_symbols, write_elf};
use sbvm::env::{run_interpreted, standard_runtime, RunSetup};
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Executable};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

const BUDGET: u64 = 1_000_000;
const VERSIONS: [SbpfVersion; 3] = [SbpfVersion::V0, SbpfVersion::V1, SbpfVersion::V3];

fn programs() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("tests/elf_programs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "asm"))
        .collect();
    paths.push(root.join("examples/fib.asm"));
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            (
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(path).unwrap(),
            )
        })
        .collect()
}

fn elf_of(source: &str, version: SbpfVersion) -> Vec<u8> {
    write_elf(&assemble(source, version).unwrap()).unwrap()
}

/// The run both sides of every comparison get.
fn setup() -> RunSetup {
    RunSetup {
        budget: BUDGET,
        input: vec![1],
        heap_size: 32 * 1024,
    }
}

fn outcome(elf: &[u8]) -> String {
    let executable = match Executable::from_elf(elf, Arc::new(standard_runtime(Config::default())))
    {
        Ok(executable) => executable,
        Err(error) => return format!("load {}", error.kind_name()),
    };
    let run = run_interpreted(&executable, &setup()).unwrap();
    let logs: Vec<String> = run
        .logs
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    match run.result {
        Ok(value) => format!("ok {value} insns={} logs={logs:?}", run.instructions),
        Err(error) => format!(
            "err {} insns={} logs={logs:?}",
            error.kind_name(),
            run.instructions
        ),
    }
}

fn expected_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/elf_programs/expected.txt")
}

fn expectations() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(expected_path()).unwrap_or_default();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            line.split_once(": ")
                .map(|(key, value)| (key.to_string(), value.to_string()))
        })
        .collect()
}

#[test]
fn own_elf_files_load_and_run_like_the_reference() {
    let oracle = common::oracle();
    let bless = std::env::var_os("SBVM_BLESS").is_some();
    let expected = expectations();
    let mut blessed = String::from("# Outcome of each program written as ELF by sbvm, run by the reference (oracle run --elf).\n");
    let mut checked = 0;
    for (name, source) in programs() {
        for version in VERSIONS {
            let key = format!("{name} {version}");
            let elf = elf_of(&source, version);
            let ours = outcome(&elf);
            if let Some(oracle) = &oracle {
                let json = common::oracle_run_elf(oracle, &elf, BUDGET);
                let logs: Vec<String> = json["logs"]
                    .as_array()
                    .map(|l| l.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default();
                let reference = match (json["stage"].as_str(), json["result"].as_u64()) {
                    (Some("execute"), Some(value)) => {
                        format!("ok {value} insns={} logs={logs:?}", json["instructions"])
                    }
                    (Some("execute"), None) => format!(
                        "err {} insns={} logs={logs:?}",
                        json["error_kind"].as_str().unwrap(),
                        json["instructions"]
                    ),
                    _ => format!("load {}", json["error"]),
                };
                assert_eq!(ours, reference, "{key}: sbvm vs live reference");
                blessed += &format!("{key}: {reference}\n");
            }
            if !bless {
                assert_eq!(Some(&ours), expected.get(&key), "{key}");
            }
            checked += 1;
        }
    }
    if bless {
        std::fs::write(expected_path(), blessed).unwrap();
    }
    assert!(checked >= 6);
}

#[test]
fn assembling_with_rodata_goes_through_the_elf_loader() {
    // from_assembly lays out programs with read-only data as ELF: same outcome as the file.
    for (name, source) in programs() {
        for version in VERSIONS {
            let runtime = Arc::new(standard_runtime(Config::default()));
            let executable = Executable::from_assembly(&source, version, runtime).unwrap();
            let run = run_interpreted(&executable, &setup()).unwrap();
            let elf_run = outcome(&elf_of(&source, version));
            assert!(
                elf_run.starts_with(&format!("ok {}", run.result.clone().unwrap())),
                "{name} {version}: {elf_run} vs {:?}",
                run.result
            );
        }
    }
}

#[test]
fn written_elf_names_functions_for_the_disassembler() {
    for version in VERSIONS {
        let source = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/elf_programs/every_relocation.asm"),
        )
        .unwrap();
        let assembled = assemble(&source, version).unwrap();
        let names = function_symbols(&write_elf(&assembled).unwrap());
        let expected: BTreeMap<usize, String> = [
            (0, "entrypoint".to_string()),
            (assembled.labels["function_add"], "function_add".to_string()),
            (
                assembled.labels["function_double"],
                "function_double".to_string(),
            ),
        ]
        .into();
        assert_eq!(names, expected, "{version}");
    }
}
