//! One small program per op the eBPF dialect added, with the edge cases that matter, run on
//! both engines: they must agree with each other (everything `ebpf::Observed` holds) and with
//! the value RFC 9669 gives. Then: every new op compiles to native code (none is handed to the
//! interpreter but `callx`), and atomics that fault do so as stores, mid-run, with the
//! interpreter's error and count.

use super::ebpf::{compare, runtime, Observed, READ_ONLY};
use sbvm::ebpf::layout::{data_address, INPUT_START, STACK_START, TEXT_START};
use sbvm::isa::SbpfVersion;
use sbvm::program::{Arith, Code, Extension, Fault, Operation};
use sbvm::vm::{AccessType, EbpfError, Executable};

/// Assembles `source`, runs it on both engines (also with a clean stack) and returns what the
/// interpreter saw.
fn both(source: &str, input: &[u8]) -> Observed {
    let mut executable = Executable::from_assembly(source, SbpfVersion::Ebpf, runtime())
        .unwrap_or_else(|error| panic!("{error}\n{source}"));
    let observed = compare(&mut executable, 10_000, input, false, source);
    let clean = compare(&mut executable, 10_000, input, true, source);
    assert_eq!(clean.result, observed.result, "{source}");
    observed
}

/// `r0` of `source` (on both engines).
fn r0(source: &str) -> u64 {
    match both(source, &[]).result {
        Ok(value) => value,
        Err(error) => panic!("{error}\n{source}"),
    }
}

/// `dst = a; src = b; op dst, src` and `op dst, b` (when `b` fits an immediate), in r0.
fn divide(op: &str, a: u64, b: i64) -> u64 {
    let by_register = r0(&format!(
        "lddw r0, {a:#x}\nlddw r1, {b:#x}\n{op} r0, r1\nexit\n"
    ));
    if let Ok(imm) = i32::try_from(b) {
        let by_immediate = r0(&format!("lddw r0, {a:#x}\n{op} r0, {imm}\nexit\n"));
        assert_eq!(by_immediate, by_register, "{op} {a:#x}, {b}");
    }
    by_register
}

#[test]
fn total_division() {
    const MIN: u64 = 0x8000_0000_0000_0000;
    // RFC 9669 §4.1: x / 0 = 0; x % 0 = x (ALU32: the low half, zero-extended).
    for op in ["div64", "sdiv64", "div32", "sdiv32"] {
        assert_eq!(divide(op, 0x1_0000_0007, 0), 0, "{op}");
    }
    for op in ["mod64", "smod64"] {
        assert_eq!(divide(op, 0x1_0000_0007, 0), 0x1_0000_0007, "{op}");
    }
    for op in ["mod32", "smod32"] {
        assert_eq!(divide(op, 0x1_0000_0007, 0), 7, "{op}");
        // The divisor's low half is what counts: 2^32 is 0 to a 32-bit op.
        assert_eq!(divide(op, 0x1_0000_0007, 1 << 32), 7, "{op}");
    }
    // Signed overflow wraps: MIN / -1 = MIN, MIN % -1 = 0 (the suite's
    // sdiv64-intmin-by-negone-imm and smod32-intmin-by-negone-imm tests).
    assert_eq!(divide("sdiv64", MIN, -1), MIN);
    assert_eq!(divide("smod64", MIN, -1), 0);
    assert_eq!(divide("sdiv32", 0xffff_ffff_8000_0000, -1), 0x8000_0000);
    assert_eq!(divide("smod32", 0xffff_ffff_8000_0000, -1), 0);
    // x / -1 = -x otherwise; unsigned, -1 is the largest divisor.
    assert_eq!(divide("sdiv64", 7, -1), -7i64 as u64);
    assert_eq!(divide("sdiv32", 7, -1), 0xffff_fff9);
    assert_eq!(divide("div64", 7, -1), 0);
    assert_eq!(divide("div64", u64::MAX, -1), 1);
    assert_eq!(divide("div32", 0xffff_ffff, -1), 1);
    // Truncated signed division: -13 / 3 = -4, -13 % 3 = -1 (§4.1: "truncated").
    assert_eq!(divide("sdiv64", -13i64 as u64, 3), -4i64 as u64);
    assert_eq!(divide("smod64", -13i64 as u64, 3), -1i64 as u64);
    assert_eq!(
        divide("sdiv32", -13i32 as u32 as u64, 3),
        -4i32 as u32 as u64
    );
    assert_eq!(
        divide("smod32", -13i32 as u32 as u64, 3),
        -1i32 as u32 as u64
    );
    assert_eq!(divide("div64", u64::MAX, 3), 0x5555_5555_5555_5555);
    assert_eq!(divide("mod64", 100, 7), 2);
}

#[test]
fn sign_extending_moves() {
    // RFC 9669 §4.1 MOVSX: the low 8/16/32 bits, sign-extended (to 32 bits, then zero-extended,
    // for the 32-bit class).
    let value = 0x1234_5678_9abc_de80u64;
    let cases = [
        ("movsx832", 0xffff_ff80),
        ("movsx1632", 0xffff_de80),
        ("movsx864", 0xffff_ffff_ffff_ff80),
        ("movsx1664", 0xffff_ffff_ffff_de80),
        ("movsx3264", 0xffff_ffff_9abc_de80),
    ];
    for (mnemonic, expected) in cases {
        let source = format!("lddw r1, {value:#x}\nlddw r0, -1\n{mnemonic} r0, r1\nexit\n");
        assert_eq!(r0(&source), expected, "{mnemonic}");
    }
    // A positive value stays as it is.
    assert_eq!(r0("mov64 r1, 0x7f\nmovsx864 r0, r1\nexit\n"), 0x7f);
}

#[test]
fn sign_extending_loads() {
    // RFC 9669 §5.2 MEMSX: the loaded value sign-extended to 64 bits.
    let input = [0x80, 0xff, 0x7f, 0x80, 1, 2, 3, 4];
    let cases = [
        ("ldxsb r0, [r1+0]", 0xffff_ffff_ffff_ff80),
        ("ldxsb r0, [r1+2]", 0x7f),
        ("ldxsh r0, [r1+0]", 0xffff_ffff_ffff_ff80),
        ("ldxsh r0, [r1+2]", 0xffff_ffff_ffff_807f),
        ("ldxsw r0, [r1+0]", 0xffff_ffff_807f_ff80),
        ("ldxsw r0, [r1+4]", 0x0403_0201),
    ];
    for (load, expected) in cases {
        let source = format!("{load}\nexit\n");
        assert_eq!(both(&source, &input).result, Ok(expected), "{load}");
    }
    // Past the end of the input: the interpreter's fault, on both engines.
    let past = both("ldxsw r0, [r1+6]\nexit\n", &input);
    assert!(matches!(
        past.result,
        Err(EbpfError::AccessViolation { .. })
    ));
}

/// An atomic on `[base+off]` holding `0x1111_1111_0000_000c`, with `r1 = 0xffff_ffff_0000_000a`
/// and `r0 = r0_value`; returns (memory after, r1 after, r0 after).
fn atomic(mnemonic: &str, r0_value: u64, on_input: bool) -> (u64, u64, u64) {
    let (setup, place) = if on_input {
        ("", "[r1+8]")
    } else {
        ("mov64 r1, r10\n", "[r1-8]")
    };
    let source = format!(
        "{setup}lddw r2, 0x111111110000000c\nstxdw {place}, r2\nmov64 r6, r1\n\
         lddw r1, 0xffffffff0000000a\nlddw r0, {r0_value:#x}\n\
         {mnemonic} {}, r1\nmov64 r3, r0\nldxdw r0, {}\nexit\n",
        place.replace("r1", "r6"),
        place.replace("r1", "r6"),
    );
    let observed = both(&source, &[0u8; 24]);
    let memory = observed.result.unwrap_or_else(|e| panic!("{e}\n{source}"));
    if on_input {
        // The input region holds the value too (the run's host bytes).
        let input = observed
            .memory
            .iter()
            .find(|(at, _)| *at == INPUT_START)
            .map(|(_, bytes)| u64::from_le_bytes(bytes[8..16].try_into().unwrap()));
        assert_eq!(input, Some(memory), "{source}");
    }
    (memory, observed.registers[1], observed.registers[3])
}

#[test]
fn atomics_on_the_stack_and_the_input() {
    // RFC 9669 §5.3: memory 12 (0b1100) ∘ src 10 (0b1010); FETCH puts the old value in src,
    // zero-extended for the 32-bit class; the upper half of the word is untouched at 32 bits.
    let src = 0xffff_ffff_0000_000a;
    let high = 0x1111_1111_0000_0000;
    for on_input in [false, true] {
        for (op, value) in [("add", 22), ("or", 14), ("and", 8), ("xor", 6)] {
            let wide = atomic(&format!("lock_{op}64"), 0, on_input);
            let expected64 = match op {
                "add" => 0x1111_1111_0000_000c_u64.wrapping_add(src),
                "or" => 0x1111_1111_0000_000c | src,
                "and" => 0x1111_1111_0000_000c & src,
                _ => 0x1111_1111_0000_000c ^ src,
            };
            assert_eq!(wide, (expected64, src, 0), "{op}64 {on_input}");
            let narrow = atomic(&format!("lock_{op}32"), 0, on_input);
            assert_eq!(narrow, (high | value, src, 0), "{op}32 {on_input}");
            let fetched = atomic(&format!("lock_fetch_{op}64"), 0, on_input);
            assert_eq!(fetched, (expected64, high | 12, 0), "fetch {op}64");
            let fetched = atomic(&format!("lock_fetch_{op}32"), 0, on_input);
            assert_eq!(fetched, (high | value, 12, 0), "fetch {op}32");
        }
        // XCHG: memory gets src, src the old value.
        assert_eq!(atomic("lock_xchg64", 0, on_input), (src, high | 12, 0));
        assert_eq!(atomic("lock_xchg32", 0, on_input), (high | 10, 12, 0));
        // CMPXCHG: stores src where memory equals r0 (the 32-bit form compares the low half);
        // r0 gets the old value either way.
        let old = high | 12;
        assert_eq!(atomic("lock_cmpxchg64", old, on_input), (src, src, old));
        assert_eq!(atomic("lock_cmpxchg64", 12, on_input), (old, src, old));
        assert_eq!(
            atomic("lock_cmpxchg32", 0xdead_beef_0000_000c, on_input),
            (high | 10, src, 12)
        );
        assert_eq!(atomic("lock_cmpxchg32", 13, on_input), (old, src, 12));
    }
}

/// Whether the run ended in an access violation of a store (an atomic is one, even where the
/// memory is readable).
fn is_store_fault(observed: &Observed) -> bool {
    matches!(
        observed.result,
        Err(EbpfError::AccessViolation {
            access: AccessType::Store,
            ..
        } | EbpfError::StackAccessViolation {
            access: AccessType::Store,
            ..
        })
    )
}

/// A loop that adds to the input one word after another until it runs past the end, with
/// work before and after the atomic in the same straight-line run.
#[test]
fn atomics_fault_as_stores_mid_run() {
    // The text (read-only), the read-only section, below the stack, and past the input.
    let targets = [
        format!("lddw r9, {TEXT_START:#x}"),
        format!("lddw r9, {:#x}", data_address(0).unwrap()),
        format!("lddw r9, {:#x}", STACK_START - 8),
        "mov64 r9, r1\nadd64 r9, 24".to_string(),
    ];
    for target in &targets {
        for atomic in [
            "lock_add64",
            "lock_fetch_or32",
            "lock_xchg64",
            "lock_cmpxchg32",
        ] {
            let source = format!(
                "{target}\nmov64 r2, 1\nadd64 r3, 5\n{atomic} [r9+0], r2\nadd64 r3, 7\nexit\n"
            );
            let observed = both(&source, &[0u8; 24]);
            assert!(is_store_fault(&observed), "{source}: {:?}", observed.result);
            // The fault is the atomic's: the instructions before it ran, the one after not.
            assert_eq!(observed.registers[3], 5, "{source}");
        }
    }
    // Read-only memory is still readable: a load from where the atomic faulted succeeds.
    let read = format!(
        "lddw r9, {:#x}\nldxdw r0, [r9+0]\nexit\n",
        data_address(0).unwrap()
    );
    let expected = u64::from_le_bytes(READ_ONLY[..8].try_into().unwrap());
    assert_eq!(r0(&read), expected);
    // Three words fit in 24 bytes: the fourth trip faults, after 3 × 5 + 2 instructions.
    let looped = "mov64 r2, 1\nmov64 r9, r1\nl0:\nlock_add64 [r9+0], r2\nadd64 r9, 8\n\
                  add64 r3, 1\nadd64 r2, 1\nja l0\n";
    let observed = both(looped, &[0u8; 24]);
    assert!(is_store_fault(&observed), "{:?}", observed.result);
    assert_eq!(observed.registers[3], 3);
    assert_eq!(observed.instructions, 3 * 5 + 2 + 1);
    let input = &observed
        .memory
        .iter()
        .find(|(at, _)| *at == INPUT_START)
        .unwrap()
        .1;
    let words: Vec<u64> = input
        .chunks(8)
        .map(|word| u64::from_le_bytes(word.try_into().unwrap()))
        .collect();
    assert_eq!(words, [1, 2, 3]);
}

/// Every code the eBPF dialect added, but `callx` (kept with the interpreter: see
/// `jit::lower::recipe`): total divisions, sign-extending moves and loads, atomics.
fn is_new_code(code: Code) -> bool {
    let facts = code.facts();
    match facts.operation {
        Operation::Alu(Arith::Div | Arith::Rem | Arith::Sdiv | Arith::Srem) => {
            facts.fault == Fault::Never
        }
        Operation::Alu(Arith::MovSext8 | Arith::MovSext16 | Arith::MovSext32) => true,
        Operation::Load => facts.extension == Extension::Sign,
        Operation::Atomic(_) | Operation::AtomicFetch(_) => true,
        _ => false,
    }
}

#[test]
fn new_ops_compile_to_native_code() {
    let mut lines = Vec::new();
    for op in ["div", "mod", "sdiv", "smod"] {
        for bits in [32, 64] {
            lines.push(format!("{op}{bits} r2, r3"));
            lines.push(format!("{op}{bits} r2, 3"));
        }
    }
    for mnemonic in [
        "movsx832",
        "movsx1632",
        "movsx864",
        "movsx1664",
        "movsx3264",
    ] {
        lines.push(format!("{mnemonic} r2, r3"));
    }
    for size in ["b", "h", "w"] {
        lines.push(format!("ldxs{size} r2, [r10-8]"));
    }
    for bits in [32, 64] {
        for op in ["add", "or", "and", "xor"] {
            lines.push(format!("lock_{op}{bits} [r10-8], r2"));
            lines.push(format!("lock_fetch_{op}{bits} [r10-8], r2"));
        }
        lines.push(format!("lock_xchg{bits} [r10-8], r2"));
        lines.push(format!("lock_cmpxchg{bits} [r10-8], r2"));
    }
    // One line per code (the op list is the reference for which codes are new).
    let new_codes = Code::ALL.iter().filter(|code| is_new_code(**code)).count();
    assert_eq!(lines.len(), new_codes);
    let source = lines.join("\n") + "\nexit\n";
    let mut executable = Executable::from_assembly(&source, SbpfVersion::Ebpf, runtime()).unwrap();
    executable.jit_compile().unwrap();
    let program = executable.jit_program().unwrap();
    // A pc compiled code can be entered at is one it runs itself; a handed-over op has none.
    for (pc, line) in lines.iter().enumerate() {
        assert!(program.entry_offset(pc).is_some(), "{line} is handed over");
    }
    // `callx` by helper id goes to the host, by design.
    let callx = Executable::from_assembly(
        "mov64 r1, 5\ncallx r1\nexit\n",
        SbpfVersion::Ebpf,
        runtime(),
    )
    .unwrap();
    assert_eq!(callx.jit_program().unwrap().entry_offset(1), None);
}
