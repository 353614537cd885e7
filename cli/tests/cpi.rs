//! Cross-program invocation through the CLI, as a user checks a program of their own: assemble
//! it with `sbvm asm --elf`, then run mollusk's fixtures for it with `sbvm fixture` on both
//! engines. The program is tests/data/solana/cpi's scripted caller (its script in the
//! instruction data names the callee, the accounts, the seeds); each fixture below is one of
//! Agave's rules, and its expected result is mollusk's (recorded in the fixture).

mod common;

use common::{cpi_data, cpi_programs, sbvm, stderr, stdout};

/// (fixture, the result mollusk recorded in it: the rule it shows).
const RULES: &[(&str, &str)] = &[
    ("err_writable_escalation", "Err(PrivilegeEscalation)"),
    ("err_signer_escalation", "Err(PrivilegeEscalation)"),
    ("err_wrong_signer_seeds", "Err(PrivilegeEscalation)"),
    ("err_reentrancy", "Err(ReentrancyNotAllowed)"),
    ("err_call_depth", "Err(CallDepth)"),
    ("rust_err_writable_escalation", "Err(PrivilegeEscalation)"),
    ("system_create_account_pda", "Ok(())"),
    ("rust_system_create_account_pda", "Ok(())"),
];

#[test]
fn assembled_callers_break_each_rule_as_agave_does_on_both_engines() {
    let programs = cpi_programs("rules");
    for engine in ["interpreter", "jit"] {
        for (name, expected) in RULES {
            let fixture = cpi_data().join(format!("fixtures/{name}.json"));
            let recorded = std::fs::read_to_string(&fixture).unwrap();
            assert!(
                recorded.contains(&format!("\"result\":\"{expected}\"")),
                "{name}: the fixture no longer records {expected}"
            );
            let output = sbvm(&[
                "fixture",
                "--json",
                "--engine",
                engine,
                "--programs",
                programs.to_str().unwrap(),
                fixture.to_str().unwrap(),
            ]);
            let line: serde_json::Value = serde_json::from_str(stdout(&output).trim())
                .unwrap_or_else(|_| panic!("{name}: {}", stderr(&output)));
            assert_eq!(line["result"], *expected, "{name} on {engine}");
            assert_eq!(line["matches"], true, "{name} on {engine}: {line}");
            assert!(output.status.success(), "{name} on {engine}");
        }
    }
    let _ = std::fs::remove_dir_all(&programs);
}
