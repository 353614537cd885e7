//! Helpers of the eBPF CLI tests: C programs compiled by clang-19, and JSON lines compared
//! across engines.

use super::{sbvm, scratch, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "../../../tests/common/clang.rs"]
mod clang;

/// The shared skip helper, where `clang.rs` looks for it (`super::skip::skip`).
mod skip {
    pub use super::super::skip;
}

/// Compiles `tests/data/ebpf-c/NAME.c` into this process's scratch folder (a file of its own
/// for each call: tests run side by side), or says why not.
pub fn compile(name: &str) -> Option<String> {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let object: PathBuf = scratch(&format!("{name}-{call}.o"), b"");
    clang::compile_c(&repository, name, &object)?;
    Some(object.to_string_lossy().into_owned())
}

/// The one JSON line a `--json` run printed.
pub fn json(output: &std::process::Output) -> Value {
    let text = stdout(output);
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

/// Runs `sbvm run ARGS --json` on both engines, checks that they print the same line but for
/// the engine, and returns the interpreter's.
pub fn run_both(args: &[&str]) -> (Value, Option<i32>) {
    let mut lines = Vec::new();
    for engine in ["interpreter", "jit"] {
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--json", "--engine", engine]);
        let output = sbvm(&all);
        let mut line = json(&output);
        assert_eq!(line["engine"], engine);
        line["engine"] = Value::Null;
        lines.push((line, output.status.code()));
    }
    assert_eq!(lines[0], lines[1], "the engines differ");
    lines.swap_remove(0)
}
