//! Hostile ELF bytes: every fixture truncated at every length, and with random bit flips and
//! field overwrites, loads or fails with a typed error — never a panic. With `SBVM_ORACLE` the
//! outcome of every mutant (error kind, or result and instruction count) is also compared with
//! the live reference. Seeds are printed on failure; `SBVM_SEED`/`SBVM_SEEDS` as elsewhere.

mod common;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sbvm::env::{run_interpreted, standard_runtime, RunSetup};
use sbvm::vm::{Config, Executable};
use std::sync::Arc;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let Some(shared) = common::shared_dir() else {
        return Vec::new();
    };
    let dir = shared.join("fixtures/elfs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "so"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(path).unwrap(),
            )
        })
        .collect()
}

/// sbvm's outcome, in the terms the reference reports.
fn outcome(bytes: &[u8]) -> String {
    let runtime = Arc::new(standard_runtime(Config::default()));
    match Executable::from_elf(bytes, runtime) {
        Err(error) => format!("load {}", error.kind_name()),
        Ok(executable) => {
            let setup = RunSetup {
                budget: 10_000,
                input: vec![1],
                heap_size: 32 * 1024,
            };
            let run = run_interpreted(&executable, &setup).unwrap();
            match run.result {
                Ok(value) => format!("ok {value} insns={}", run.instructions),
                Err(error) => format!("err {} insns={}", error.kind_name(), run.instructions),
            }
        }
    }
}

fn reference_outcome(json: &serde_json::Value) -> String {
    match json["stage"].as_str().unwrap() {
        "execute" => match json["result"].as_u64() {
            Some(value) => format!("ok {value} insns={}", json["instructions"]),
            None => format!(
                "err {} insns={}",
                json["error_kind"].as_str().unwrap(),
                json["instructions"]
            ),
        },
        "verify" => format!("load {}", json["error_kind"].as_str().unwrap()),
        _ => {
            // `ElfError(UnknownSymbol(12))` → `UnknownSymbol`.
            let error = json["error"].as_str().unwrap();
            let inner = error.split_once('(').map_or(error, |(_, rest)| rest);
            format!("load {}", inner.split(['(', ')']).next().unwrap())
        }
    }
}

fn mutate(rng: &mut StdRng, bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    for _ in 0..rng.random_range(1..6) {
        let at = rng.random_range(0..bytes.len());
        match rng.random_range(0..4) {
            0 => bytes[at] ^= 1 << rng.random_range(0..8),
            1 => bytes[at] = rng.random(),
            2 => {
                // Overwrite a header field: the first 64 bytes, or a program/section header.
                let at = if rng.random_bool(0.5) {
                    rng.random_range(0..64.min(bytes.len()))
                } else {
                    at
                };
                let value: u64 =
                    [0, 1, 8, u64::MAX, rng.random(), 0x1_0000_0000][rng.random_range(0..6)];
                let end = (at + 8).min(bytes.len());
                bytes[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
            }
            _ => {
                let end = rng.random_range(at..=bytes.len());
                bytes.truncate(end.max(1));
            }
        }
        if bytes.is_empty() {
            break;
        }
    }
    bytes
}

#[test]
fn truncated_fixtures_fail_cleanly() {
    let oracle = common::oracle();
    if oracle.is_none() {
        common::skip("SBVM_ORACLE not set; truncated fixtures are checked for panics only, not against the reference");
    }
    for (name, bytes) in fixtures() {
        for len in 0..bytes.len() {
            let ours = std::panic::catch_unwind(|| outcome(&bytes[..len]));
            let ours = ours.unwrap_or_else(|_| panic!("{name} truncated to {len} bytes panicked"));
            // Against the live reference, every 13th length (all of them take minutes).
            if let Some(oracle) = oracle.as_ref().filter(|_| len % 13 == 0) {
                let reference =
                    reference_outcome(&common::oracle_run_elf(oracle, &bytes[..len], 10_000));
                assert_eq!(ours, reference, "{name} truncated to {len} bytes");
            }
        }
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let fixtures = fixtures();
    if fixtures.is_empty() {
        return;
    }
    let oracle = common::oracle();
    if oracle.is_none() {
        common::skip(
            "SBVM_ORACLE not set; mutants are checked for panics only, not against the reference",
        );
    }
    for seed in common::seeds(1500) {
        let mut rng = StdRng::seed_from_u64(seed);
        let (name, original) = &fixtures[rng.random_range(0..fixtures.len())];
        let mutant = mutate(&mut rng, original);
        let ours = std::panic::catch_unwind(|| outcome(&mutant))
            .unwrap_or_else(|_| panic!("seed {seed}: mutant of {name} panicked"));
        if let Some(oracle) = &oracle {
            let json = common::oracle_run_elf(oracle, &mutant, 10_000);
            let reference = reference_outcome(&json);
            if ours != reference {
                let path = std::env::temp_dir().join(format!("sbvm-mutant-{seed}.so"));
                std::fs::write(&path, &mutant).unwrap();
                panic!("seed {seed}: mutant of {name} (saved as {}): sbvm {ours}, reference {reference} ({})", path.display(), json["error"]);
            }
        }
    }
}
