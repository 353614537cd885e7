//! Programs and runtimes for the stop tests: assembly that mixes loops, calls, `callx`,
//! syscalls that change the budget, loads, stores and divisions, for every SBPF version and
//! for eBPF.

use rand::rngs::StdRng;
use rand::RngExt;
use sbvm::ebpf::run::ebpf_config;
use sbvm::env::{standard_runtime, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, ContextObject, Runtime};
use std::sync::Arc;

/// The eBPF helper ids the programs call (`call 5`, `callx r0` with r0 = 5).
pub const EBPF_ADD: u32 = 5;
/// Consumes `r2 % 4` compute units beyond the call and returns `r1 + r2`.
pub const EBPF_BURN: u32 = 6;

/// `burn(r1, r2)`: consumes `r2 % 4` units (the meter must settle around it) and returns
/// `r1 + r2`.
fn burn(
    context: &mut EnvContext,
    _: &mut sbvm::memory::MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, sbvm::vm::SyscallError> {
    context.consume(args[1] % 4);
    Ok(args[0].wrapping_add(args[1]))
}

/// The standard runtime for `version` (meter on or off) with `burn` added.
pub fn sbpf_runtime(version: SbpfVersion, metered: bool) -> Arc<Runtime<EnvContext>> {
    let config = Config {
        enabled_sbpf_versions: version..=version,
        enable_instruction_meter: metered,
        ..Config::default()
    };
    let mut runtime = standard_runtime(config);
    runtime
        .syscalls
        .register("burn", burn)
        .expect("a name the standard set does not use");
    Arc::new(runtime)
}

/// The eBPF runtime with the helpers `add` (5) and `burn` (6).
pub fn ebpf_runtime() -> Arc<Runtime<EnvContext>> {
    let mut runtime = Runtime::new(ebpf_config());
    runtime
        .syscalls
        .register_with_key(
            EBPF_ADD,
            "add",
            |_: &mut EnvContext, _: &mut _, args: [u64; 5]| Ok(args[0].wrapping_add(args[1])),
        )
        .expect("a fresh registry");
    runtime
        .syscalls
        .register_with_key(EBPF_BURN, "burn", burn)
        .expect("a fresh registry");
    Arc::new(runtime)
}

/// A random program in assembly: `function_callee` at pc 0 (the `callx` target), then the
/// entry point with `body` random items, then `function_helper`. r1 = input (64 bytes), r10 =
/// stack, r6 counts loop trips (so loops end), r2–r5, r7, r8 scratch. eBPF calls its helpers
/// by id; SBPF calls `burn` by name (and `sol_log_64_`).
pub fn mixed_program(rng: &mut StdRng, version: SbpfVersion) -> String {
    let ebpf = version == SbpfVersion::Ebpf;
    let mut lines = vec![
        "function_callee:".to_string(),
        "add64 r0, 3".to_string(),
        "exit".to_string(),
        "entrypoint:".to_string(),
        "mov64 r6, 0".to_string(),
        "mov64 r0, 0".to_string(),
    ];
    let scratch = |rng: &mut StdRng| [2, 3, 4, 5, 7, 8][rng.random_range(0..6)];
    let sizes = ["b", "h", "w", "dw"];
    let body = rng.random_range(5..40);
    for index in 0..body {
        lines.push(format!("l{index}:"));
        match rng.random_range(0..20) {
            0..=4 => {
                let ops = ["add64", "sub64", "xor64", "or64", "and64", "mov64", "add32"];
                let op = ops[rng.random_range(0..ops.len())];
                let operand = if rng.random_bool(0.5) {
                    format!("r{}", scratch(rng))
                } else {
                    rng.random_range(-100_000i64..100_000).to_string()
                };
                lines.push(format!("{op} r{}, {operand}", scratch(rng)));
            }
            5 => {
                let op = if version.enable_pqr() {
                    "udiv64"
                } else {
                    "div64"
                };
                // A register divisor: zero sometimes (a fault, or 0 in eBPF).
                let op = if ebpf { "div64" } else { op };
                lines.push(format!("{op} r{}, r{}", scratch(rng), scratch(rng)));
            }
            6..=7 => {
                // A short loop back, bounded by r6.
                let target = rng.random_range(0..=index);
                lines.push("add64 r6, 1".to_string());
                lines.push(format!("jlt r6, {}, l{target}", rng.random_range(2..30)));
            }
            8 => {
                // Forward only (loops are the r6-bounded ones): runs end with the meter off.
                let target = rng.random_range(index + 1..=body);
                lines.push(format!(
                    "jgt r{}, {}, l{target}",
                    scratch(rng),
                    rng.random_range(-5..5)
                ));
            }
            9 => lines.push("call function_helper".to_string()),
            10 => {
                if ebpf {
                    lines.push(format!("mov64 r0, {EBPF_ADD}"));
                    lines.push("callx r0".to_string());
                } else {
                    // The text starts at 4 GiB: r9 = the address of pc 0.
                    lines.push("mov64 r9, 1".to_string());
                    lines.push("lsh64 r9, 32".to_string());
                    lines.push("callx r9".to_string());
                }
            }
            11..=12 => {
                lines.push(format!("mov64 r2, {}", rng.random_range(0..9)));
                let call = if ebpf {
                    format!("call {EBPF_BURN}")
                } else {
                    "syscall burn".to_string()
                };
                lines.push(call);
            }
            13..=14 => {
                let offset = rng.random_range(-4..70);
                let size = sizes[rng.random_range(0..4)];
                lines.push(format!("ldx{size} r{}, [r1{offset:+}]", scratch(rng)));
            }
            15..=16 => {
                let offset = -rng.random_range(1..600);
                let size = sizes[rng.random_range(0..4)];
                lines.push(format!("stx{size} [r10{offset:+}], r{}", scratch(rng)));
            }
            17 => {
                let offset = rng.random_range(-4..70);
                lines.push(format!("stxw [r1{offset:+}], r{}", scratch(rng)));
            }
            18 if !ebpf => lines.push("syscall sol_log_64_".to_string()),
            _ => lines.push(format!("mov64 r{}, r10", scratch(rng))),
        }
    }
    lines.push(format!("l{body}:"));
    lines.push("add64 r0, r6".to_string());
    lines.push("exit".to_string());
    lines.push("function_helper:".to_string());
    lines.push("add64 r7, 1".to_string());
    lines.push("stxdw [r10-8], r7".to_string());
    lines.push("ldxdw r7, [r10-8]".to_string());
    lines.push("exit".to_string());
    lines.join("\n") + "\n"
}
