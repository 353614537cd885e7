//! Helpers the CLI tests share.
#![allow(dead_code)]

use std::path::PathBuf;

#[path = "../../../tests/common/skip.rs"]
mod skip_visibly;
pub use skip_visibly::skip;

/// `shared/solana-oracle` beside the checkout, if it holds its p-token fixtures; when it does
/// not, [`skip`] says so (a failure under `SBVM_NO_SKIP`).
pub fn solana_oracle_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/solana-oracle");
    if dir.join("fixtures/p-token/transfer.json").exists() {
        return Some(dir);
    }
    skip(format!(
        "{} not found; Solana fixtures not exercised",
        dir.display()
    ));
    None
}

/// Writes `contents` to a file named `name` in this process's scratch folder.
pub fn scratch(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbvm-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}
