//! The assembler: the reference's syntax and encoding quirks, sbvm's extensions (comments), and
//! errors that name the line and column.

mod common;

use sbvm::isa::asm::{assemble, AsmProblem};
use sbvm::isa::SbpfVersion::{self, *};

/// Every operand shape and the version-dependent encodings in one program (reference syntax:
/// no comments).
const QUIRKS: &str = "add64 r10, -64
add r1, 5
neg r2
jeq64 r1, 2, +1
lmul r1, 3
callx r4
call 2
call function_x
lddw r3, -2
le16 r1
be64 r2
ja -1
syscall sol_log_
function_x:
stxdw [r10-8], r1
ldxb r0, [r1 + 3]
stw [r1-0x10], -1
.fill 2, 0x1122334455667788
exit
";

fn hex(version: SbpfVersion, source: &str) -> String {
    let text = assemble(source, version).unwrap().text;
    text.chunks(8)
        .map(|slot| slot.iter().map(|b| format!("{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn encodes_like_the_reference_assembler() {
    // Expected: reference (`oracle assemble --asm quirks.asm --version V`, solana-sbpf 0.26).
    // V0: `add64 r10` is a no-op `or64 r0, 0`; callx register in imm; call imm = target index.
    assert_eq!(hex(V0, QUIRKS), "4700000000000000 0701000005000000 8702000000000000 1501010002000000 9601000003000000 8d00000004000000 8500000009000000 850000000e000000 18030000feffffff 00000000ffffffff d401000010000000 dc02000040000000 0500ffff00000000 85000000bd597520 7b1af8ff00000000 7110030000000000 6201f0ffffffffff 8877665544332211 8877665544332211 9500000000000000");
    // V2: frame bump kept; callx register in src; stores and loads on the moved opcodes.
    assert_eq!(hex(V2, QUIRKS), "070a0000c0ffffff 0701000005000000 8702000000000000 1501010002000000 9601000003000000 8d40000000000000 8500000009000000 850000000e000000 18030000feffffff 00000000ffffffff d401000010000000 dc02000040000000 0500ffff00000000 85000000bd597520 9f1af8ff00000000 2c10030000000000 8701f0ffffffffff 8877665544332211 8877665544332211 9500000000000000");
    // V3: callx register in dst; calls are pc-relative with src = 1.
    assert_eq!(hex(V3, QUIRKS), "4700000000000000 0701000005000000 8702000000000000 1501010002000000 9601000003000000 8d04000000000000 8510000002000000 8510000006000000 18030000feffffff 00000000ffffffff d401000010000000 dc02000040000000 0500ffff00000000 85000000bd597520 7b1af8ff00000000 7110030000000000 6201f0ffffffffff 8877665544332211 8877665544332211 9500000000000000");
}

#[test]
fn accepts_comments_of_three_kinds() {
    let plain = hex(V0, "mov64 r0, 1\nexit");
    let commented = hex(
        V0,
        "# header\nmov64 r0, 1 ; set the result\n  // and leave\nexit // done",
    );
    assert_eq!(plain, commented);
}

#[test]
fn registers_functions_like_the_reference() {
    let program = assemble(
        "entrypoint:\ncall function_a\ncall 1\nexit\nfunction_a:\nexit\nhelper:\nexit",
        V0,
    )
    .unwrap();
    let functions: Vec<(u32, &str, usize)> = program
        .functions
        .iter()
        .map(|f| (f.key, f.name.as_str(), f.pc))
        .collect();
    // Labels `entrypoint` and `function_*` are registered by index; `call 1` at 1 registers 3.
    assert_eq!(functions, [(0, "entrypoint", 0), (3, "function_a", 3)]);
    assert_eq!(program.entry_pc, 0);
    let program = assemble("exit\nentrypoint:\nmov64 r0, 0\nexit", V3).unwrap();
    assert_eq!(program.entry_pc, 1);
}

#[test]
fn errors_say_where() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("exit\nfoo r1", 2, 1, "unknown instruction \"foo\""),
        ("mov64 r1, r2, r3", 1, 1, "mov64 takes"),
        (
            "mov64 r1, 0x80000000",
            1,
            11,
            "immediate 2147483648 is out of range",
        ),
        ("ja +40000", 1, 4, "offset 40000 is out of range"),
        (
            "  jeq r1, 0, nowhere",
            1,
            14,
            "label \"nowhere\" is not defined",
        ),
        ("a:\nexit\na:", 3, 1, "already defined on line 1"),
        ("ldxw r1, [r2+4]]", 1, 16, "unexpected ']'"),
        (".data 1", 1, 1, "unknown directive .data"),
        ("lddw r1, -0x8000000000000001", 1, 10, "out of range"),
        ("stxw [r1+0x8000], r2", 1, 6, "offset 32768 is out of range"),
    ];
    for (source, line, column, message) in cases {
        let error = assemble(source, V0).unwrap_err();
        assert_eq!(
            (error.line, error.column),
            (*line, *column),
            "{source:?}: {error}"
        );
        assert!(error.to_string().contains(message), "{source:?}: {error}");
    }
}

#[test]
fn instructions_missing_from_a_version_still_encode() {
    // The reference assembles them and its verifier rejects them (expected.json: pqr_v2 at v0 is
    // UnknownOpCode(247, 1), i.e. hor64 encoded as 0xf7).
    assert_eq!(hex(V0, "hor64 r6, 1"), "f706000001000000");
    assert_eq!(hex(V2, "lddw r0, 1"), "1800000001000000 0000000000000000");
    assert!(matches!(
        assemble("mov64 r1, 1\nfrobnicate r1", V0)
            .unwrap_err()
            .problem,
        AsmProblem::UnknownMnemonic(_)
    ));
}

#[test]
fn errors_quote_at_most_a_short_piece_of_a_long_token() {
    // The case: a 1 MB literal must not give a 1 MB error line. Expected: the first 64
    // characters, an ellipsis and the token's length (src/isa/asm/error.rs).
    let digits = "9".repeat(1 << 20);
    let long_name = "x".repeat(1 << 20);
    let cases = [
        (format!("mov64 r1, {digits}"), digits.len()),
        (format!("{long_name} r1, 1"), long_name.len()),
        (format!("ja {long_name}"), long_name.len()),
        (format!("mov64 r1{digits}, 1"), digits.len() + 2),
        (format!("lddw r1, {long_name}"), long_name.len()),
        (format!(".{long_name} 1"), long_name.len()),
        (format!("{long_name}:\n{long_name}:"), long_name.len()),
    ];
    for (source, token_len) in cases {
        let message = assemble(&source, V0).unwrap_err().to_string();
        assert!(
            message.len() < 300,
            "{} bytes: {:.200}",
            message.len(),
            message
        );
        assert!(
            message.contains(&format!("… ({token_len} bytes)")),
            "{message}"
        );
    }
    // A short token is still quoted whole.
    let message = assemble("mov64 r1, 12x", V0).unwrap_err().to_string();
    assert!(message.contains("\"12x\" is not"), "{message}");
}
