//! Cross-program invocation against mollusk (Agave's runtime), on both engines: every fixture in
//! `tests/data/solana/cpi/fixtures` must agree in result, compute units, return data, logs and
//! every account after. Expected values are mollusk's, written by the scenario oracle (see
//! `tests/data/solana/cpi/README.md`); the rules they check are Agave's: privilege escalation,
//! signer seeds, reentrancy, invoke depth, account-info pointers, realloc limits, the limits on
//! metas, data, infos and signers, and the system program called from a program.
//!
//! The one program, `cpi_script.asm`, is assembled here with the library's assembler and ELF
//! writer for SBPF V0 (the fixtures name it `cpi_script.so`, as caller and as callee).

mod common;

use sbvm::elf::write_elf;
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use sbvm::solana::fixture::Fixture;
use sbvm::solana::ProgramRuntime;
use sbvm::vm::Engine;
use std::path::PathBuf;

/// At least this many fixtures (the scenarios of `make_scenarios.py`).
const MIN_FIXTURES: usize = 36;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/solana/cpi")
}

fn script_elf() -> Vec<u8> {
    let source = std::fs::read_to_string(root().join("programs/cpi_script.asm")).unwrap();
    let program = assemble(&source, SbpfVersion::V0).expect("cpi_script.asm assembles for V0");
    write_elf(&program).expect("cpi_script.asm as an ELF file")
}

fn fixtures() -> Vec<(String, Fixture)> {
    common::programs::read_fixtures(&root().join("fixtures"))
}

fn check(engine: Engine) {
    let elf = script_elf();
    let cases = fixtures();
    assert!(cases.len() >= MIN_FIXTURES, "only {} fixtures", cases.len());
    let mut failures = Vec::new();
    for (name, fixture) in cases {
        let mut runtime = ProgramRuntime::new();
        runtime.set_engine(engine).unwrap();
        for program in std::iter::once(&fixture.program).chain(&fixture.other_programs) {
            assert_eq!(program.file, "cpi_script.so", "{name}: another program");
            runtime
                .add_program(program.program_id, program.loader, &elf)
                .unwrap();
        }
        runtime.set_compute_unit_limit(fixture.compute_unit_limit);
        let result = runtime
            .process_instruction(&fixture.instruction, &fixture.accounts)
            .unwrap_or_else(|error| panic!("{name}: the instruction did not run: {error}"));
        let differences = fixture.differences(&result);
        if !differences.is_empty() {
            failures.push(format!("{name} on {}: {differences:#?}", engine.name()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cpi_fixtures_agree_on_the_interpreter() {
    check(Engine::Interpreter);
}

#[test]
fn cpi_fixtures_agree_on_the_jit() {
    check(Engine::Jit);
}
