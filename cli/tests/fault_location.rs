//! The location line of a fault names the function the way `sbvm disasm` labels it, whatever
//! the program's form (assembly, ELF, raw bytecode) and however the function is reached.

mod common;

use common::{sbvm, scratch_arg as scratch};
use std::process::Output;

/// The function named in `at pc PC in NAME: …` on stderr.
fn faulting_function(output: &Output, pc: usize) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let prefix = format!("  at pc {pc} in ");
    let line = stderr
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no location line naming a function: {stderr}"));
    line.split(':').next().unwrap().to_string()
}

/// Whether the disassembly (`sbvm` with `args`) labels a function `name` and calls it.
fn disassembled_label(args: &[&str], name: &str) -> bool {
    let output = sbvm(args);
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().any(|line| line == format!("{name}:"))
        && text
            .lines()
            .any(|line| line.trim() == format!("call {name}"))
}

#[test]
fn a_helper_reached_by_a_relative_call_is_named_as_disasm_names_it() {
    // From V3 `call helper` is pc-relative: the helper has no registry entry, yet the division
    // at instruction 5 lies in it, not in the entry function.
    let source = scratch(
        "helper.asm",
        b"entrypoint:\nmov64 r0, 1\nmov64 r1, 0\ncall helper\nexit\nhelper:\nmov64 r2, 5\ndiv64 r0, r1\nexit\n",
    );
    let output = sbvm(&["run", &source, "--version", "v3"]);
    assert_eq!(output.status.code(), Some(1));
    let name = faulting_function(&output, 5);
    assert_ne!(name, "entrypoint");
    assert!(
        disassembled_label(&["disasm", &source, "--version", "v3"], &name),
        "{name}"
    );

    let elf = scratch("helper.so", b"");
    let output = sbvm(&["asm", &source, "--version", "v3", "--elf", "-o", &elf]);
    assert_eq!(output.status.code(), Some(0));
    let output = sbvm(&["run", &elf]);
    let name = faulting_function(&output, 5);
    assert!(disassembled_label(&["disasm", &elf], &name), "{name}");

    let raw = scratch("helper.bin", b"");
    let output = sbvm(&["asm", &source, "--version", "v3", "-o", &raw]);
    assert_eq!(output.status.code(), Some(0));
    let output = sbvm(&["run", &raw, "--raw", "--version", "v3"]);
    let name = faulting_function(&output, 5);
    assert!(
        disassembled_label(&["disasm", &raw, "--raw", "--version", "v3"], &name),
        "{name}"
    );
}

#[test]
fn a_fault_in_the_entry_function_names_entrypoint() {
    // The loader registers the entry point as `entrypoint`, whatever its label.
    let source = scratch("main.asm", b"main:\nmov64 r1, 0\ndiv64 r0, r1\nexit\n");
    for version in ["v0", "v3"] {
        let output = sbvm(&["run", &source, "--version", version]);
        assert_eq!(faulting_function(&output, 1), "entrypoint", "{version}");
    }
}
