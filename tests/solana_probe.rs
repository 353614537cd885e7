//! The Solana runtime against mollusk (Agave's runtime) on the error paths and syscalls that
//! real programs' fixtures do not reach. One program, `scripts/solana-probe/probe.asm`, runs a
//! script from its instruction data (stores, loads, exits, recursion, loops, every syscall with
//! good and bad arguments); `tests/data/solana/probe/{v0,v3}/*.json` are the scenarios with
//! mollusk's outcome recorded by the extended solana-oracle (see scripts/solana-probe/README.md).
//!
//! The probe is assembled here, for SBPF V0 and V3, with the library's assembler and ELF writer,
//! and every fixture must agree on both engines: result, compute units, return data, logs and
//! every account after. The fixtures hold mollusk's outcome for the ELF that the committed
//! probe.asm assembles to; change one, regenerate the other.
//!
//! Where sbvm still disagrees with mollusk the fixture is listed in [`KNOWN_DIFFERENCES`]: it
//! runs, prints `SKIP:` with what differs, and fails the test once it agrees (so that the list
//! only ever names real differences).

mod common;

use sbvm::elf::write_elf;
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use sbvm::solana::fixture::{Difference, Fixture};
use sbvm::solana::ProgramRuntime;
use sbvm::vm::Engine;
use std::path::{Path, PathBuf};

/// Fixtures (`version/name`) where sbvm disagrees with mollusk, each with why (Agave 4.2.2 /
/// solana-sbpf 0.21.1 / mollusk 0.15.1). Fix the runtime, then remove the entry.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

const VERSIONS: [(SbpfVersion, &str); 2] = [(SbpfVersion::V0, "v0"), (SbpfVersion::V3, "v3")];

/// Each version folder must hold at least this many fixtures (the generator writes 317).
const MIN_FIXTURES_PER_VERSION: usize = 300;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn probe_elf(version: SbpfVersion) -> Vec<u8> {
    let path = root().join("scripts/solana-probe/probe.asm");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let program = assemble(&source, version)
        .unwrap_or_else(|error| panic!("probe.asm does not assemble for {version:?}: {error}"));
    write_elf(&program).unwrap_or_else(|error| panic!("probe.asm as ELF for {version:?}: {error}"))
}

fn fixtures(dir: &Path) -> Vec<(String, Fixture)> {
    assert!(dir.is_dir(), "{} is not a folder", dir.display());
    common::programs::read_fixtures(dir)
}

fn describe(differences: &[Difference]) -> String {
    differences
        .iter()
        .map(|d| {
            let cut = |s: &str| {
                if s.len() > 200 {
                    format!("{}… ({} chars)", &s[..200], s.len())
                } else {
                    s.to_string()
                }
            };
            format!(
                "\n    {}: expected {:?}, got {:?}",
                d.field,
                cut(&d.expected),
                cut(&d.actual)
            )
        })
        .collect()
}

/// Runs every probe fixture of both versions on `engine`; panics with every fixture that
/// disagrees and is not a known difference, and with every known difference that agrees.
fn check(engine: Engine) {
    let mut failures = Vec::new();
    let mut known_seen = Vec::new();
    for (version, folder) in VERSIONS {
        let elf = probe_elf(version);
        let mut runtime = ProgramRuntime::new();
        runtime.set_engine(engine).unwrap();
        let mut loaded = None;
        let cases = fixtures(&root().join("tests/data/solana/probe").join(folder));
        assert!(
            cases.len() >= MIN_FIXTURES_PER_VERSION,
            "only {} fixtures in tests/data/solana/probe/{folder}",
            cases.len()
        );
        for (stem, fixture) in cases {
            let key = format!("{folder}/{stem}");
            assert_eq!(
                fixture.name, stem,
                "{key}: the fixture's name is not its file's"
            );
            assert_eq!(
                fixture.program.file,
                format!("probe_{folder}.so"),
                "{key}: a fixture of another build of the probe"
            );
            if loaded != Some(fixture.program.program_id) {
                runtime
                    .add_program(fixture.program.program_id, fixture.program.loader, &elf)
                    .unwrap_or_else(|error| panic!("the probe ({folder}) does not load: {error}"));
                loaded = Some(fixture.program.program_id);
            }
            runtime.set_compute_unit_limit(fixture.compute_unit_limit);
            let result = runtime
                .process_instruction(&fixture.instruction, &fixture.accounts)
                .unwrap_or_else(|error| panic!("{key}: the instruction did not run: {error}"));
            let differences = fixture.differences(&result);
            let known = KNOWN_DIFFERENCES.iter().find(|(name, _)| *name == key);
            match (known, differences.is_empty()) {
                (None, true) => {}
                (None, false) => failures.push(format!(
                    "{key} on {}:{}",
                    engine.name(),
                    describe(&differences)
                )),
                (Some((_, why)), false) => {
                    common::skip(format!(
                        "{key} on {} (known difference: {why}):{}",
                        engine.name(),
                        describe(&differences)
                    ));
                    known_seen.push(key);
                }
                (Some(_), true) => failures.push(format!(
                    "{key} on {} now agrees with mollusk: remove it from KNOWN_DIFFERENCES",
                    engine.name()
                )),
            }
        }
    }
    for (name, _) in KNOWN_DIFFERENCES {
        assert!(
            known_seen.iter().any(|seen| seen == name)
                || failures.iter().any(|f| f.starts_with(name)),
            "KNOWN_DIFFERENCES names {name}, which is not a fixture"
        );
    }
    assert!(
        failures.is_empty(),
        "{} probe fixture(s) disagree with mollusk on {}:\n{}",
        failures.len(),
        engine.name(),
        failures.join("\n")
    );
}

#[test]
fn probe_fixtures_agree_on_the_interpreter() {
    check(Engine::Interpreter);
}

#[test]
fn probe_fixtures_agree_on_the_jit() {
    check(Engine::Jit);
}
