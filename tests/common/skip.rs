//! Skipping a check that needs something this machine lacks, visibly.
//!
//! Some checks need what a checkout alone does not have: the reference data in `../shared`,
//! the reference runner (`SBVM_ORACLE`), the Solana programs in cargo's registry, a stock
//! lldb. Without it such a check returns early, and says so with a `SKIP:` line.
//!
//! libtest captures what a test prints with `print!` and `eprint!` and shows it only when the
//! test fails, so a skipped test would look like a pass. [`skip`] writes to the process's
//! standard error directly, which libtest does not capture: the line shows up between the test
//! results, where a person running `cargo test` sees it.
//!
//! Where everything is meant to be present (CI sets `SBVM_NO_SKIP`), a skip is a failure
//! instead: the check that would have been skipped fails, naming what is missing.
//!
//! Shared by the library's and the CLI's integration tests (the CLI's include this file).

use std::fmt::Display;
use std::io::Write;

/// The variable that turns every skip into a failure.
pub const NO_SKIP_VARIABLE: &str = "SBVM_NO_SKIP";

/// Reports that the calling check is skipped because of `reason`: a `SKIP:` line on standard
/// error, past libtest's capture. Panics instead when [`NO_SKIP_VARIABLE`] is set.
#[track_caller]
pub fn skip(reason: impl Display) {
    let location = std::panic::Location::caller();
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    if std::env::var_os(NO_SKIP_VARIABLE).is_some() {
        panic!("{NO_SKIP_VARIABLE} is set, but {test} would skip: {reason}");
    }
    let line = format!(
        "SKIP: {test} ({}:{}): {reason}\n",
        location.file(),
        location.line()
    );
    // Best effort: a closed stderr must not fail the test that is skipping.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}
