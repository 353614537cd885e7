//! Real programs through the Solana runtime, compared with mollusk (Agave's runtime): every
//! fixture must agree on both engines — result, compute units, return data, logs and every
//! account after. Expected values are mollusk's, recorded in the fixtures by
//! `shared/solana-oracle` (for `shared/solana-oracle/fixtures/` and `tests/data/solana/`).
//!
//! Program files are found by name in `shared/solana-oracle/programs/` and in the ELF folders
//! of the `mollusk-svm-programs-*` crates in cargo's registry (`.ci/run` fetches them).

mod common;

use common::programs::{dir_with, json_files, program_dirs};
use sbvm::solana::fixture::{Fixture, FixtureRunner};
use sbvm::vm::Engine;
use std::path::{Path, PathBuf};

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Runs every fixture of `dirs` on both engines; returns how many ran and which were skipped
/// for want of their program.
fn check(dirs: &[PathBuf], programs: &[PathBuf]) -> (usize, Vec<String>) {
    let mut ran = 0;
    let mut missing = Vec::new();
    for engine in Engine::ALL {
        let mut runner = FixtureRunner::new(engine).unwrap();
        for file in dirs.iter().flat_map(|dir| json_files(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            let fixture = Fixture::from_json(&text).unwrap();
            let needed = fixture.program_files();
            let absent: Vec<&str> = needed
                .iter()
                .copied()
                .filter(|file| dir_with(programs, &[file]).is_none())
                .collect();
            if !absent.is_empty() {
                missing.extend(absent.iter().map(|file| file.to_string()));
                continue;
            }
            let dirs: Vec<&Path> = programs.iter().map(PathBuf::as_path).collect();
            runner.prepare_from(&fixture, &dirs).unwrap();
            let result = runner.run(&fixture).unwrap();
            let differences = fixture.differences(&result);
            assert!(
                differences.is_empty(),
                "{} on {}: {:#?}",
                file.display(),
                engine.name(),
                differences
            );
            ran += 1;
        }
    }
    missing.sort();
    missing.dedup();
    (ran, missing)
}

#[test]
fn shared_fixtures_agree_on_both_engines() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dirs = subdirs(&shared.join("solana-oracle/fixtures"));
    let (ran, missing) = check(&dirs, &program_dirs(Some(&shared)));
    assert!(
        missing.is_empty(),
        "programs missing from shared/: {missing:?}"
    );
    assert!(ran >= 44, "only {ran} fixture runs");
}

#[test]
fn recorded_fixtures_agree_on_both_engines() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/solana");
    let shared = common::shared_dir();
    let (ran, missing) = check(&subdirs(&root), &program_dirs(shared.as_deref()));
    if !missing.is_empty() {
        common::skip(format!("fixtures of {missing:?} (program files not found; scripts/fetch-solana-programs.sh fetches them)"));
    }
    assert!(ran > 0 || !missing.is_empty(), "no fixtures ran");
}
