//! `sbvm asm`: assembly → text section bytes.

use crate::input::parse_version;
use crate::Failure;
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use std::path::PathBuf;

/// Arguments of `sbvm asm`.
#[derive(clap::Args)]
pub struct Args {
    /// Assembly source file.
    input: PathBuf,
    /// Write the raw text section here; without it, print one hex slot per line.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// SBPF version to encode for (v0..v4).
    #[arg(long, value_parser = parse_version)]
    version: SbpfVersion,
}

/// Runs `sbvm asm`.
pub fn run(args: Args) -> Result<(), Failure> {
    let source = std::fs::read_to_string(&args.input).map_err(|error| {
        Failure::Usage(format!("cannot read {}: {error}", args.input.display()))
    })?;
    let assembled = assemble(&source, args.version)
        .map_err(|error| Failure::Usage(format!("{}: {error}", args.input.display())))?;
    match args.output {
        Some(path) => std::fs::write(&path, &assembled.text)
            .map_err(|error| Failure::Usage(format!("cannot write {}: {error}", path.display()))),
        None => {
            for slot in assembled.text.chunks(8) {
                let hex: String = slot.iter().map(|byte| format!("{byte:02x}")).collect();
                println!("{hex}");
            }
            Ok(())
        }
    }
}
