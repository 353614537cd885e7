//! A skipped check is seen by whoever runs `cargo test`, and is a failure under `SBVM_NO_SKIP`.
//!
//! The test runs this very test binary again, as `cargo test` does (libtest capturing output),
//! with only [`a_check_that_skips`] selected, and reads what the child printed.

mod common;

use std::process::{Command, Output};

/// Set only in the child runs: makes [`a_check_that_skips`] skip.
const CHILD_VARIABLE: &str = "SBVM_SKIP_VISIBILITY_CHILD";

#[test]
fn a_check_that_skips() {
    if std::env::var_os(CHILD_VARIABLE).is_none() {
        return;
    }
    common::skip("the skip-visibility child was asked to skip");
}

fn run_child(no_skip: bool) -> Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "a_check_that_skips", "--test-threads", "1"])
        .env(CHILD_VARIABLE, "1")
        .env_remove(common::skip::NO_SKIP_VARIABLE);
    if no_skip {
        command.env(common::skip::NO_SKIP_VARIABLE, "1");
    }
    command.output().unwrap()
}

#[test]
fn a_skip_is_printed_past_the_capture() {
    let output = run_child(false);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("SKIP: a_check_that_skips")
            && stderr.contains("the skip-visibility child was asked to skip"),
        "the SKIP line did not reach the terminal; stderr: {stderr:?}"
    );
}

#[test]
fn a_skip_fails_under_no_skip() {
    let output = run_child(true);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("SBVM_NO_SKIP is set, but a_check_that_skips would skip"),
        "{stdout}"
    );
}
