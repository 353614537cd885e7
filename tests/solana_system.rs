//! The system program (a builtin: no program file) against mollusk: every fixture in
//! `tests/data/solana/system` must agree on both engines in result, compute units, logs, return
//! data and every account after. `scripts/solana-system/make_scenarios.py` writes the
//! scenarios; the fixtures' expected values are mollusk's (Agave 4.2.2), recorded by the
//! extended `solana-oracle` (see `scripts/solana-system/README.md`).

mod common;

use sbvm::solana::fixture::{Fixture, FixtureRunner, RunFixtureError};
use sbvm::solana::Pubkey;
use sbvm::vm::Engine;
use std::path::{Path, PathBuf};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/solana/system")
}

fn fixtures() -> Vec<(String, Fixture)> {
    common::programs::read_fixtures(&fixture_dir())
}

#[test]
fn every_system_fixture_agrees_with_mollusk_on_both_engines() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 80, "only {} fixtures", fixtures.len());
    for engine in Engine::ALL {
        let mut runner = FixtureRunner::new(engine).unwrap();
        for (file, fixture) in &fixtures {
            assert!(fixture.program_files().is_empty(), "{}", file);
            // No program file to load: the directory is never read.
            runner.prepare(fixture, Path::new("/nonexistent")).unwrap();
            let result = runner.run(fixture).unwrap();
            // The expected outcome in the fixture is mollusk's.
            let differences = fixture.differences(&result);
            assert!(
                differences.is_empty(),
                "{} on {}: {:#?}",
                file,
                engine.name(),
                differences
            );
        }
    }
}

#[test]
fn the_fixtures_cover_every_implemented_instruction_and_its_errors() {
    let results: Vec<String> = fixtures()
        .iter()
        .map(|(_, fixture)| fixture.expected.as_ref().unwrap().result.clone())
        .collect();
    for wanted in [
        "Ok(())",
        "Err(Custom(0))",
        "Err(Custom(1))",
        "Err(Custom(2))",
        "Err(Custom(3))",
        "Err(Custom(5))",
        "Err(MissingRequiredSignature)",
        "Err(MissingAccount)",
        "Err(InvalidInstructionData)",
        "Err(InvalidArgument)",
        "Err(ReadonlyLamportChange)",
        "Err(ReadonlyDataModified)",
        "Err(ModifiedProgramId)",
        "Err(ExternalAccountLamportSpend)",
        "Err(ArithmeticOverflow)",
        "Err(ComputationalBudgetExceeded)",
        "Err(Custom(6))",
        "Err(Custom(7))",
        "Err(InsufficientFunds)",
        "Err(InvalidAccountData)",
        "Err(AccountDataTooSmall)",
        "Err(InvalidAccountOwner)",
        "Err(ExternalAccountDataModified)",
    ] {
        assert!(
            results.iter().any(|result| result == wanted),
            "no fixture ends in {wanted}"
        );
    }
    let tags: std::collections::BTreeSet<u8> = fixtures()
        .iter()
        .filter_map(|(_, fixture)| fixture.instruction.data.first().copied())
        .collect();
    // Every instruction of the enum, CreateAccount (0) to CreateAccountAllowPrefund (13).
    for tag in 0..=13 {
        assert!(tags.contains(&tag), "no fixture with instruction tag {tag}");
    }
}

#[test]
fn a_fixture_without_a_program_file_must_name_a_builtin() {
    let (_, fixture) = fixtures().into_iter().next().unwrap();
    let mut not_builtin = fixture.clone();
    not_builtin.program.program_id = Pubkey::new([7; 32]);
    let mut runner = FixtureRunner::new(Engine::Interpreter).unwrap();
    match runner.prepare(&not_builtin, Path::new("/nonexistent")) {
        Err(error @ RunFixtureError::NotABuiltin { program_id }) => {
            assert_eq!(program_id, Pubkey::new([7; 32]));
            assert!(error.to_string().contains(&program_id.to_string()));
        }
        other => panic!("{other:?}"),
    }
}
