//! `sbvm disasm`: text section → assembly or a listing (eBPF: `crate::ebpf::listing`).

use crate::dialect::Dialect;
use crate::input::read_program;
use crate::load::ProgramArgs;
use crate::report;
use crate::Failure;
use sbvm::isa::disasm;

/// Arguments of `sbvm disasm`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    program: ProgramArgs,
    /// Print an llvm-objdump-style listing (index, bytes, instruction) instead of assembly
    /// (an eBPF object is always listed, with its relocations).
    #[arg(long)]
    listing: bool,
}

/// Runs `sbvm disasm`.
pub fn run(args: Args) -> Result<(), Failure> {
    if args.program.dialect()? == Dialect::Ebpf {
        return crate::ebpf::listing::disasm(&args.program, args.listing);
    }
    let program = read_program(
        &args.program.program,
        args.program.format.raw,
        args.program.format.version,
    )?;
    let output = if args.listing {
        disasm::listing(&program.text, program.version, &program.symbols)
    } else {
        disasm::disassemble(&program.text, program.version, &program.symbols)
    };
    report::out(output.trim_end_matches('\n'));
    Ok(())
}
