//! `--dialect`: which instruction set a command reads its program in, decided once from
//! `--dialect` and `--version` together.

use crate::Failure;
use sbvm::isa::SbpfVersion;

/// The instruction set a command reads its program in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// Solana's sBPF, versions v0–v4 (`--version`).
    Sbpf,
    /// Linux eBPF (RFC 9669).
    Ebpf,
}

/// The dialect of `--dialect` and `--version` together: `--version ebpf` alone means eBPF; an
/// sBPF version with `--dialect ebpf`, or `--version ebpf` with `--dialect sbpf`, is a usage
/// error.
pub fn resolve_dialect(
    dialect: Option<Dialect>,
    version: Option<SbpfVersion>,
) -> Result<Dialect, Failure> {
    match (dialect, version) {
        (Some(Dialect::Ebpf), Some(version)) if version != SbpfVersion::Ebpf => {
            Err(Failure::Usage(format!(
                "--version {version} is an sBPF version; --dialect ebpf takes none"
            )))
        }
        (Some(Dialect::Sbpf), Some(SbpfVersion::Ebpf)) => Err(Failure::Usage(
            "--version ebpf is the eBPF dialect; drop --dialect sbpf".into(),
        )),
        (Some(dialect), _) => Ok(dialect),
        (None, Some(SbpfVersion::Ebpf)) => Ok(Dialect::Ebpf),
        (None, _) => Ok(Dialect::Sbpf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialect_comes_from_either_option_and_they_must_agree() {
        // The defaults: sBPF; `--version ebpf` is the eBPF dialect's alias.
        assert!(matches!(resolve_dialect(None, None), Ok(Dialect::Sbpf)));
        let v3 = Some(SbpfVersion::V3);
        assert!(matches!(resolve_dialect(None, v3), Ok(Dialect::Sbpf)));
        let ebpf = Some(SbpfVersion::Ebpf);
        assert!(matches!(resolve_dialect(None, ebpf), Ok(Dialect::Ebpf)));
        let both = resolve_dialect(Some(Dialect::Ebpf), ebpf);
        assert!(matches!(both, Ok(Dialect::Ebpf)));
        let mixed = resolve_dialect(Some(Dialect::Ebpf), v3);
        assert!(matches!(mixed, Err(Failure::Usage(_))));
        let mixed = resolve_dialect(Some(Dialect::Sbpf), ebpf);
        assert!(matches!(mixed, Err(Failure::Usage(_))));
    }
}
