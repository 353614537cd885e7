//! `sbvm verify`: run the verifier.

use crate::input::{parse_version, read_program};
use crate::Failure;
use sbvm::isa::SbpfVersion;
use sbvm::verifier::verify;
use std::path::PathBuf;

/// Arguments of `sbvm verify`.
#[derive(clap::Args)]
pub struct Args {
    /// Program: raw bytecode (`.bin`, non-text, or with --raw) or assembly.
    program: PathBuf,
    /// SBPF version to verify for (v0..v4).
    #[arg(long, value_parser = parse_version)]
    version: SbpfVersion,
    /// Read the file as raw bytecode even if it looks like text.
    #[arg(long)]
    raw: bool,
}

/// Runs `sbvm verify`.
pub fn run(args: Args) -> Result<(), Failure> {
    let program = read_program(&args.program, args.raw, args.version)?;
    match verify(&program.text, args.version) {
        Ok(()) => {
            println!(
                "ok: {} slots verify for {}",
                program.text.len() / 8,
                args.version
            );
            Ok(())
        }
        Err(error) => Err(Failure::Rejected(format!("{}: {error}", error.kind_name()))),
    }
}
