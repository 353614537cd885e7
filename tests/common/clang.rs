//! The eBPF C programs of `tests/data/ebpf-c`, compiled by clang-19 as the issue asks
//! (`-target bpf -O2 -g -mcpu=v3 -I/usr/include/x86_64-linux-gnu`) when a test runs. Without
//! clang-19 the check says `SKIP:` (a failure under `SBVM_NO_SKIP`, as in CI, which installs it).

use super::skip::skip;
use std::path::Path;
use std::process::Command;

/// Compiles `tests/data/ebpf-c/NAME.c` (`repository` is the checkout's root) to `object`, or
/// says why not.
pub fn compile_c(repository: &Path, name: &str, object: &Path) -> Option<()> {
    let source = repository.join(format!("tests/data/ebpf-c/{name}.c"));
    let compiled = Command::new("clang-19")
        .args(["-target", "bpf", "-O2", "-g", "-mcpu=v3"])
        .arg("-I/usr/include/x86_64-linux-gnu")
        .arg("-c")
        .arg(&source)
        .arg("-o")
        .arg(object)
        .output();
    match compiled {
        Ok(output) if output.status.success() => Some(()),
        Ok(output) => panic!(
            "clang-19 failed on {name}.c:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => {
            skip(format!(
                "clang-19 not runnable ({error}); C programs not compiled"
            ));
            None
        }
    }
}
