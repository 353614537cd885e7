//! `sbvm-bpf-plugin`: sbvm as a plugin of the bpf_conformance suite's runner.
//!
//! The runner assembles each test itself and runs the plugin once per test:
//!
//! ```text
//! argv:   [MEM] [--engine interpreter|jit] [--elf]     MEM: the test's memory, as hex bytes
//! stdin:  the program as hex bytes (an ELF object with --elf)
//! stdout: r0 as 0x… and exit 0; or the error's text and exit 1
//! ```
//!
//! Hex bytes may be separated by any whitespace (the runner writes two spaces after each). The
//! memory argument is told from options by not starting with `--`. An ELF object's only
//! program is linked with its maps and data. The program runs as Linux eBPF in the raw flavour: `r1` points at the memory, `r2` holds its length. A bad argument
//! or unreadable input exits 2.

use sbvm::ebpf::program::{ebpf_runtime, EbpfProgram};
use sbvm::ebpf::run::Flavour;
use sbvm::vm::Engine;
use std::io::Read;
use std::process::ExitCode;

/// Most instructions a test may run: the suite's programs are short, and a runaway one must
/// stop with an error rather than hang the runner.
const INSTRUCTION_LIMIT: u64 = 1 << 32;

fn main() -> ExitCode {
    match run() {
        Ok(Outcome::Returned(r0)) => {
            println!("{r0:#x}");
            ExitCode::SUCCESS
        }
        Ok(Outcome::Failed(message)) => {
            println!("{message}");
            ExitCode::from(1)
        }
        Err(usage) => {
            eprintln!("sbvm-bpf-plugin: {usage}");
            ExitCode::from(2)
        }
    }
}

/// What the program did.
enum Outcome {
    /// It returned r0.
    Returned(u64),
    /// It was rejected or faulted: the message.
    Failed(String),
}

/// The plugin's arguments.
struct Arguments {
    memory: Vec<u8>,
    engine: Engine,
    elf: bool,
}

fn parse_arguments(args: impl Iterator<Item = String>) -> Result<Arguments, String> {
    let mut parsed = Arguments {
        memory: Vec::new(),
        engine: Engine::Interpreter,
        elf: false,
    };
    let mut args = args.peekable();
    if let Some(first) = args.peek() {
        if !first.starts_with("--") {
            parsed.memory = decode_hex(first).map_err(|e| format!("memory argument: {e}"))?;
            args.next();
        }
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--elf" => parsed.elf = true,
            "--engine" => {
                parsed.engine = match args.next().as_deref() {
                    Some("interpreter") => Engine::Interpreter,
                    Some("jit") => Engine::Jit,
                    other => {
                        return Err(format!("--engine takes interpreter or jit, not {other:?}"))
                    }
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(parsed)
}

/// Hex byte pairs, whitespace anywhere between them.
fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return Err(format!("an odd number ({}) of hex digits", digits.len()));
    }
    digits
        .chunks(2)
        .enumerate()
        .map(|(index, pair)| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| {
                    format!(
                        "byte {index} is not hex: {:?}",
                        String::from_utf8_lossy(pair)
                    )
                })
        })
        .collect()
}

fn run() -> Result<Outcome, String> {
    let arguments = parse_arguments(std::env::args().skip(1))?;
    let mut stdin = String::new();
    std::io::stdin()
        .read_to_string(&mut stdin)
        .map_err(|e| format!("reading the program from stdin: {e}"))?;
    let bytes = decode_hex(&stdin).map_err(|e| format!("program: {e}"))?;
    let loaded = if arguments.elf {
        EbpfProgram::from_object(&bytes, None, ebpf_runtime()).map(|(program, _)| program)
    } else {
        EbpfProgram::from_bytecode(&bytes, ebpf_runtime(), &[])
    };
    let mut program = match loaded {
        Ok(program) => program,
        Err(error) => return Ok(Outcome::Failed(error.to_string())),
    };
    program.set_instruction_limit(INSTRUCTION_LIMIT);
    let run = match program.run(&Flavour::Raw, arguments.memory, arguments.engine) {
        Ok(run) => run,
        Err(error) => return Ok(Outcome::Failed(error.to_string())),
    };
    Ok(match run.result {
        Ok(r0) => Outcome::Returned(r0),
        Err(error) => Outcome::Failed(error.to_string()),
    })
}
