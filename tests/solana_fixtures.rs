//! Real programs through the Solana runtime, compared with mollusk (Agave's runtime): every
//! fixture under `shared/solana-oracle/fixtures/` must agree on both engines — result, compute
//! units, return data, logs and every account after. Expected values are mollusk's, recorded in
//! the fixtures by `shared/solana-oracle`.

mod common;

use sbvm::solana::fixture::{Fixture, FixtureRunner};
use sbvm::vm::Engine;
use std::path::PathBuf;

fn fixture_dirs(shared: &std::path::Path) -> Vec<PathBuf> {
    let root = shared.join("solana-oracle/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs
}

#[test]
fn shared_fixtures_agree_on_both_engines() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let programs = shared.join("solana-oracle/programs");
    let mut checked = 0;
    for engine in Engine::ALL {
        let mut runner = FixtureRunner::new(engine).unwrap();
        for dir in fixture_dirs(&shared) {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            files.sort();
            for file in files {
                let fixture = Fixture::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
                runner.prepare(&fixture, &programs).unwrap();
                let result = runner.run(&fixture).unwrap();
                let differences = fixture.differences(&result);
                assert!(
                    differences.is_empty(),
                    "{} on {}: {:#?}",
                    file.display(),
                    engine.name(),
                    differences
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 44, "only {checked} fixture runs");
}
