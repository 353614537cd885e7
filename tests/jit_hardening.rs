//! JIT hardening and sharing: user immediates above 0xFF never appear in the emitted bytes,
//! compilations differ from each other, code pages are never writable and executable, and one
//! compiled executable serves many threads at once.

mod common;

use iced_x86::{Decoder, DecoderOptions};
use sbvm::env::{run_with, standard_runtime, EnvContext, RunSetup};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Engine, Executable};
use std::sync::Arc;

/// Immediates an attacker would plant: distinctive 32-bit patterns (and one 64-bit one).
const PLANTED: [u32; 8] = [
    0x1234_5678,
    0x0bad_c0de,
    0x7eed_f00d,
    0x4afe_0101,
    0x3c3c_3c3c,
    0x0009_0909,
    0x5eed_1234,
    0x00c3_c3c3,
];

fn program() -> String {
    let [a, b, c, d, e, f, g, h] = PLANTED;
    format!(
        "mov64 r1, {a:#x}\n\
         add64 r1, {b:#x}\n\
         xor32 r1, {c:#x}\n\
         jeq r1, {d:#x}, +1\n\
         or64 r1, {e:#x}\n\
         mul64 r1, {f:#x}\n\
         stdw [r10-8], {g:#x}\n\
         ldxdw r2, [r10-8]\n\
         udiv64 r2, {h:#x}\n\
         lddw r3, 0x1122334455667788\n\
         stxb [r10+0x1f0], r3\n\
         mov64 r0, r2\n\
         exit\n"
    )
}

fn compiled(version: SbpfVersion) -> Executable<EnvContext> {
    let runtime = Arc::new(standard_runtime(Config::default()));
    let mut source = program();
    if version.disable_lddw() {
        source = source.replace("lddw r3, 0x1122334455667788\n", "");
    }
    if !version.enable_pqr() {
        source = source.replace("udiv64", "div64");
    } else {
        source = source.replace("mul64", "lmul64");
    }
    let mut executable = Executable::from_assembly(&source, version, runtime).unwrap();
    executable.jit_compile().unwrap();
    executable
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn no_user_immediate_appears_in_the_clear() {
    for version in SbpfVersion::ALL {
        let executable = compiled(version);
        let code = executable.jit_program().unwrap().machine_code();
        // The threat: attacker-chosen bytes anywhere in executable memory, aligned or not.
        for planted in PLANTED {
            assert!(
                !contains(code, &planted.to_le_bytes()),
                "{version}: {planted:#x} appears in the code"
            );
        }
        assert!(!contains(
            code,
            &0x1122_3344_5566_7788u64.to_le_bytes()[..4]
        ));
        assert!(!contains(
            code,
            &0x1122_3344_5566_7788u64.to_le_bytes()[4..]
        ));
        // And as decoded operands: no immediate or displacement equals a planted value.
        let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
        let mut count = 0;
        for instruction in &mut decoder {
            assert!(!instruction.is_invalid(), "{version}: undecodable code");
            count += 1;
            for operand in 0..instruction.op_count() {
                if let Ok(value) = instruction.try_immediate(operand) {
                    assert!(
                        !PLANTED.contains(&(value as u32)),
                        "{version}: immediate {value:#x} in the clear"
                    );
                }
            }
            assert!(!PLANTED.contains(&(instruction.memory_displacement64() as u32)));
        }
        assert!(count > 20, "{version}: only {count} instructions decoded");
        // The blinded program still computes the right thing (checked against the interpreter).
        let setup = RunSetup {
            budget: 100,
            input: vec![],
            heap_size: 0,
        };
        let jit = run_with(&executable, &setup, Engine::Jit).unwrap();
        let interpreted = run_with(&executable, &setup, Engine::Interpreter).unwrap();
        assert_eq!(
            (jit.result, jit.instructions),
            (interpreted.result, interpreted.instructions)
        );
    }
}

/// eBPF's total divisions take their immediates through the key too (the compile-time cases
/// for 0 and -1 need none).
#[test]
fn ebpf_division_immediates_are_blinded() {
    let [a, b, c, d, ..] = PLANTED;
    let source = format!(
        "mov64 r0, -1\nsdiv64 r0, {a:#x}\nsmod32 r0, {b:#x}\ndiv32 r0, {c:#x}\n\
         mod64 r0, {d:#x}\nsdiv64 r0, -1\nmod32 r0, 0\nexit\n"
    );
    let runtime = Arc::new(sbvm::vm::Runtime::new(sbvm::ebpf::run::ebpf_config()));
    let mut executable =
        Executable::<EnvContext>::from_assembly(&source, SbpfVersion::Ebpf, runtime).unwrap();
    executable.jit_compile().unwrap();
    let code = executable.jit_program().unwrap().machine_code();
    for planted in [a, b, c, d] {
        assert!(!contains(code, &planted.to_le_bytes()), "{planted:#x}");
    }
}

#[test]
fn compilations_differ() {
    let first = compiled(SbpfVersion::V3);
    let second = compiled(SbpfVersion::V3);
    assert_ne!(
        first.jit_program().unwrap().machine_code(),
        second.jit_program().unwrap().machine_code(),
        "two compilations emitted the same bytes (key and padding are random)"
    );
}

/// The permissions of the mapping that holds `address`, from /proc/self/maps.
fn permissions_of(address: usize) -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let range = fields.next()?;
        let perms = fields.next()?;
        let (start, end) = range.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        (start <= address && address < end).then(|| perms.to_string())
    })
}

#[test]
fn code_pages_are_read_execute_only() {
    let executable = compiled(SbpfVersion::V0);
    let code = executable.jit_program().unwrap().machine_code();
    let Some(perms) = permissions_of(code.as_ptr() as usize) else {
        common::skip("/proc/self/maps unavailable; page permissions not checked");
        return;
    };
    assert!(perms.starts_with("r-x"), "code pages are {perms}");
}

#[test]
fn one_compiled_program_serves_many_threads() {
    let runtime = Arc::new(standard_runtime(Config::default()));
    let source = "mov64 r0, 0\nmov64 r2, 0\nloop:\nldxb r3, [r1+0]\nadd64 r0, r3\nadd64 r2, 1\njlt r2, 1000, loop\nexit";
    let mut executable = Executable::from_assembly(source, SbpfVersion::V3, runtime).unwrap();
    executable.jit_compile().unwrap();
    let executable = Arc::new(executable);
    let threads: Vec<_> = (0..8u8)
        .map(|byte| {
            let executable = Arc::clone(&executable);
            std::thread::spawn(move || {
                let setup = RunSetup {
                    budget: 1_000_000,
                    input: vec![byte],
                    heap_size: 0,
                };
                (0..50)
                    .map(|_| run_with(&executable, &setup, Engine::Jit).unwrap().result)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for (byte, thread) in threads.into_iter().enumerate() {
        // The program sums its input byte 1000 times.
        for result in thread.join().unwrap() {
            assert_eq!(result, Ok(1000 * byte as u64));
        }
    }
}
