//! Helpers the CLI tests share.
#![allow(dead_code)]

use std::path::PathBuf;

/// `shared/solana-oracle` beside the checkout, if it holds its p-token fixtures. Tests that need
/// it print a clear SKIP line when it does not, unless `SBVM_REQUIRE_SHARED` is set (CI), in
/// which case they fail.
pub fn solana_oracle_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/solana-oracle");
    if dir.join("fixtures/p-token/transfer.json").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("SBVM_REQUIRE_SHARED").is_none(),
        "SBVM_REQUIRE_SHARED is set but {} is missing",
        dir.display()
    );
    eprintln!(
        "SKIP: {} not found; Solana fixtures not exercised",
        dir.display()
    );
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
