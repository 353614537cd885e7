//! `sbvm asm`: assembly → text section bytes (sBPF, or eBPF with `--dialect ebpf`).

use crate::dialect::{resolve_dialect, Dialect};
use crate::input::{assembly_failure, parse_version, read_bytes};
use crate::Failure;
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use std::path::PathBuf;

/// Arguments of `sbvm asm`.
#[derive(clap::Args)]
pub struct Args {
    /// Assembly source file (`-`: standard input).
    input: PathBuf,
    /// Write the output here: the raw text section, or with --elf an ELF file. Without it, print
    /// the text as one hex slot per line.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Write a loadable ELF shared object (V0–V2 with relocations, V3+ strict) instead of the
    /// bare text section.
    #[arg(long, requires = "output")]
    elf: bool,
    /// SBPF version to encode for (v0..v4); required for sBPF.
    #[arg(long, value_parser = parse_version)]
    version: Option<SbpfVersion>,
    /// Instruction set: sbpf (the default) or ebpf (Linux's; `--version ebpf` means it too).
    #[arg(long, value_enum)]
    dialect: Option<Dialect>,
}

/// Runs `sbvm asm`.
pub fn run(args: Args) -> Result<(), Failure> {
    let version = match resolve_dialect(args.dialect, args.version)? {
        Dialect::Ebpf if args.elf => {
            return Err(Failure::Usage(
                "--elf writes sBPF shared objects; an eBPF program is written as bare bytecode"
                    .into(),
            ))
        }
        Dialect::Ebpf => SbpfVersion::Ebpf,
        Dialect::Sbpf => args.version.ok_or_else(|| {
            Failure::Usage("--version is required for sBPF (or give --dialect ebpf)".into())
        })?,
    };
    let source = String::from_utf8(read_bytes(&args.input)?)
        .map_err(|_| assembly_failure(&args.input, "not UTF-8 text"))?;
    let assembled =
        assemble(&source, version).map_err(|error| assembly_failure(&args.input, error))?;
    let bytes = if args.elf {
        sbvm::elf::write_elf(&assembled).map_err(|error| {
            Failure::Rejected(format!(
                "{}: cannot write ELF: {error}",
                args.input.display()
            ))
        })?
    } else if assembled.needs_elf() && version == SbpfVersion::Ebpf {
        return Err(Failure::Rejected(format!(
            "{}: the program has read-only data or takes addresses, which bare eBPF bytecode \
             has nowhere to hold",
            args.input.display()
        )));
    } else if assembled.needs_elf() {
        return Err(Failure::Usage(format!(
            "{}: the program has read-only data or takes addresses; write it with --elf",
            args.input.display()
        )));
    } else {
        assembled.text.clone()
    };
    match args.output {
        Some(path) => std::fs::write(&path, &bytes)
            .map_err(|error| Failure::Usage(format!("cannot write {}: {error}", path.display()))),
        None => {
            for slot in assembled.text.chunks(8) {
                let hex: String = slot.iter().map(|byte| format!("{byte:02x}")).collect();
                crate::report::out(&hex);
            }
            Ok(())
        }
    }
}
