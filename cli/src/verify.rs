//! `sbvm verify`: run the verifier.

use crate::input::{parse_version, read_program};
use crate::Failure;
use sbvm::isa::SbpfVersion;
use sbvm::verifier::verify;
use std::path::PathBuf;

/// Arguments of `sbvm verify`.
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
}

/// Runs `sbvm verify`.
pub fn run(args: Args) -> Result<(), Failure> {
    let program = read_program(&args.program, args.raw, args.version)?;
    match verify(&program.text, program.version) {
        Ok(()) => {
            crate::report::out(&format!(
                "ok: {} slots verify for {}",
                program.text.len() / 8,
                program.version
            ));
            Ok(())
        }
        Err(error) => Err(Failure::Rejected(format!("{}: {error}", error.kind_name()))),
    }
}
