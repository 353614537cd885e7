//! The reference's own programs (`shared/oracle/programs`): sbvm's assembler must produce exactly
//! the reference's bytes (`text_hex` in expected.json, written by `oracle conformance`), and where
//! the reference's verifier rejects a program, sbvm's verifier must reject it with the same error
//! kind at the same instruction. Expected values: reference (solana-sbpf 0.26 via the oracle).

mod common;

use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::{disassemble, Symbols};
use sbvm::isa::SbpfVersion;
use sbvm::verifier::{verify, VerifierError};
use serde_json::Value;

struct Case {
    name: String,
    version: SbpfVersion,
    source: String,
    expected: Value,
}

fn cases() -> Option<Vec<Case>> {
    let shared = common::shared_dir()?;
    let programs = shared.join("oracle/programs");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(programs.join("expected.json")).unwrap())
            .unwrap();
    let mut cases = Vec::new();
    for program in expected["programs"].as_array().unwrap() {
        let file = program["file"].as_str().unwrap();
        let source = std::fs::read_to_string(programs.join(file)).unwrap();
        for (version, outcome) in program["versions"].as_object().unwrap() {
            cases.push(Case {
                name: program["name"].as_str().unwrap().to_string(),
                version: version.parse().unwrap(),
                source: source.clone(),
                expected: outcome.clone(),
            });
        }
    }
    assert!(
        cases.len() >= 19 * 5,
        "expected.json lists every program at every version"
    );
    Some(cases)
}

/// `VerifierError(UnknownOpCode(24, 0))` → ("UnknownOpCode", [24, 0]).
fn parse_reference_error(text: &str) -> (String, Vec<i64>) {
    let inner = text
        .strip_prefix("VerifierError(")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(text);
    let (kind, args) = inner.split_once('(').unwrap_or((inner, ")"));
    let args = args
        .trim_end_matches(')')
        .split(',')
        .filter(|a| !a.trim().is_empty())
        .map(|a| a.trim().parse().unwrap())
        .collect();
    (kind.to_string(), args)
}

/// The reference's positional fields for an error, in the reference's order.
fn reference_fields(error: &VerifierError) -> Vec<i64> {
    match *error {
        VerifierError::UnknownOpCode { opcode, pc } => vec![opcode.into(), pc as i64],
        VerifierError::JumpOutOfCode { target, pc } => vec![target, pc as i64],
        VerifierError::JumpToMiddleOfLDDW { target, pc } => vec![target as i64, pc as i64],
        VerifierError::ShiftWithOverflow { shift, bits, pc } => {
            vec![shift as i64, bits as i64, pc as i64]
        }
        other => other.pc().map(|pc| vec![pc as i64]).unwrap_or_default(),
    }
}

#[test]
fn assembler_matches_reference_bytes_and_verifier_matches_reference_verdicts() {
    let Some(cases) = cases() else { return };
    let (mut bytes_checked, mut rejections_checked) = (0, 0);
    for case in &cases {
        let label = format!("{} at {}", case.name, case.version);
        let assembled =
            assemble(&case.source, case.version).unwrap_or_else(|e| panic!("{label}: {e}"));
        if let Some(hex) = case.expected["text_hex"].as_str() {
            assert_eq!(
                assembled.text,
                common::hex_bytes(hex),
                "{label}: bytes differ from the reference"
            );
            bytes_checked += 1;
        }
        match case.expected["stage"].as_str().unwrap() {
            "verify" => {
                let error = verify(&assembled.text, case.version).expect_err(&label);
                let (kind, fields) =
                    parse_reference_error(case.expected["error"].as_str().unwrap());
                assert_eq!(error.kind_name(), kind, "{label}");
                assert_eq!(reference_fields(&error), fields, "{label}");
                rejections_checked += 1;
            }
            _ => verify(&assembled.text, case.version).unwrap_or_else(|e| panic!("{label}: {e}")),
        }
    }
    eprintln!("checked {bytes_checked} byte-exact assemblies and {rejections_checked} verifier rejections");
    assert!(bytes_checked >= 80 && rejections_checked >= 10);
}

#[test]
fn reference_programs_round_trip_through_the_disassembler() {
    let Some(cases) = cases() else { return };
    for case in &cases {
        let assembled = assemble(&case.source, case.version).unwrap();
        for symbols in [Symbols::default(), Symbols::from_assembled(&assembled)] {
            let text = disassemble(&assembled.text, case.version, &symbols);
            let again = assemble(&text, case.version)
                .unwrap_or_else(|e| panic!("{} at {}: {e}\n{text}", case.name, case.version));
            assert_eq!(
                again.text, assembled.text,
                "{} at {}:\n{text}",
                case.name, case.version
            );
        }
    }
}
