//! `sbvm verify`: run the verifier (eBPF: `crate::ebpf::verify`).

use crate::dialect::Dialect;
use crate::input::read_program;
use crate::load::ProgramArgs;
use crate::Failure;
use sbvm::verifier::verify;

/// Arguments of `sbvm verify`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    program: ProgramArgs,
}

/// Runs `sbvm verify`.
pub fn run(args: Args) -> Result<(), Failure> {
    if args.program.dialect()? == Dialect::Ebpf {
        return crate::ebpf::verify::verify(&args.program);
    }
    let program = read_program(
        &args.program.program,
        args.program.format.raw,
        args.program.format.version,
    )?;
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
