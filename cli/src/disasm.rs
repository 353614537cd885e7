//! `sbvm disasm`: text section → assembly or a listing.

use crate::input::{parse_version, read_program};
use crate::report;
use crate::Failure;
use sbvm::isa::disasm;
use sbvm::isa::SbpfVersion;
use std::path::PathBuf;

/// Arguments of `sbvm disasm`.
#[derive(clap::Args)]
pub struct Args {
    /// Program: an ELF file (or any non-text file), raw bytecode with --raw, or assembly.
    program: PathBuf,
    /// SBPF version (required for assembly and raw bytecode; an ELF file declares its own).
    #[arg(long, value_parser = parse_version)]
    version: Option<SbpfVersion>,
    /// Read the file as raw bytecode even if it looks like text.
    #[arg(long)]
    raw: bool,
    /// Print an llvm-objdump-style listing (index, bytes, instruction) instead of assembly.
    #[arg(long)]
    listing: bool,
}

/// Runs `sbvm disasm`.
pub fn run(args: Args) -> Result<(), Failure> {
    let program = read_program(&args.program, args.raw, args.version)?;
    let output = if args.listing {
        disasm::listing(&program.text, program.version, &program.symbols)
    } else {
        disasm::disassemble(&program.text, program.version, &program.symbols)
    };
    report::out(output.trim_end_matches('\n'));
    Ok(())
}
