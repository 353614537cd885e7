//! Where Solana program files are found, for tests and benchmarks: `shared/solana-oracle/programs`
//! and the ELF folders of the `mollusk-svm-programs-*` crates in cargo's registry (the crates
//! mollusk ships programs in; `.ci/run` fetches them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Folders that may hold a fixture's program files.
pub fn program_dirs(shared: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = shared
        .map(|shared| shared.join("solana-oracle/programs"))
        .into_iter()
        .collect();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    if let Some(registry) = cargo_home.map(|home| home.join("registry/src")) {
        for index in std::fs::read_dir(registry).into_iter().flatten().flatten() {
            for krate in std::fs::read_dir(index.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = krate.file_name().to_string_lossy().into_owned();
                if name.starts_with("mollusk-svm-programs-") {
                    dirs.push(krate.path().join("src/elf"));
                }
            }
        }
    }
    dirs.sort();
    dirs
}

/// The first of `dirs` holding every file of `files`.
pub fn dir_with<'d>(dirs: &'d [PathBuf], files: &[&str]) -> Option<&'d PathBuf> {
    dirs.iter()
        .find(|dir| files.iter().all(|file| dir.join(file).is_file()))
}

/// The `*.json` files of `dir`, sorted (none when it cannot be read).
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// The fixtures of `dir` by file stem, sorted; a fixture that does not parse fails the test,
/// naming its file.
pub fn read_fixtures(dir: &Path) -> Vec<(String, sbvm::solana::fixture::Fixture)> {
    json_files(dir)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            let fixture = sbvm::solana::fixture::Fixture::from_json(&text)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (stem, fixture)
        })
        .collect()
}
