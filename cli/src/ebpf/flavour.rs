//! `--flavour`: how an eBPF program's `r1` (and `r2`) are set up, as rbpf's VM flavours
//! ([`sbvm::ebpf::run::Flavour`]); shared by `run` and `bench`.
//!
//! ```text
//!   raw                    r1 = the input, r2 = its length (the default)
//!   nodata                 r1 = 0, no input (--input and --input-len are usage errors)
//!   mbuff:DATA_OFF,END_OFF r1 = a metadata buffer holding the input's start address at byte
//!                          DATA_OFF and its end address at byte END_OFF (as a packet
//!                          program's context holds `data` and `data_end`)
//! ```

use crate::load::EnvironmentArgs;
use crate::Failure;
use sbvm::ebpf::run::Flavour;

/// The `--flavour` option.
#[derive(clap::Args)]
pub struct FlavourArgs {
    /// eBPF: how r1 is set up: raw (r1 = the input, r2 = its length; the default), nodata
    /// (r1 = 0), or mbuff:DATA_OFF,END_OFF (r1 = a metadata buffer holding the input's start
    /// and end addresses at those byte offsets).
    #[arg(long, value_parser = parse_flavour)]
    flavour: Option<Flavour>,
}

impl FlavourArgs {
    /// The flavour asked for (raw by default); `nodata` with an input is a usage error.
    pub fn flavour(&self, environment: &EnvironmentArgs) -> Result<Flavour, Failure> {
        let flavour = self.flavour.clone().unwrap_or(Flavour::Raw);
        let has_input = environment.input.is_some() || environment.input_len.is_some();
        if flavour == Flavour::NoData && has_input {
            return Err(Failure::Usage(
                "--flavour nodata runs without input; drop --input/--input-len".into(),
            ));
        }
        Ok(flavour)
    }

    /// A usage error when `--flavour` is given for an sBPF program.
    pub fn check_unused(&self) -> Result<(), Failure> {
        match self.flavour {
            Some(_) => Err(Failure::Usage(
                "--flavour is for eBPF programs; add --dialect ebpf".into(),
            )),
            None => Ok(()),
        }
    }
}

/// Parses `--flavour`: `raw`, `nodata` or `mbuff:DATA_OFF,END_OFF` (decimal byte offsets).
pub fn parse_flavour(text: &str) -> Result<Flavour, String> {
    match text {
        "raw" => return Ok(Flavour::Raw),
        "nodata" => return Ok(Flavour::NoData),
        _ => {}
    }
    let offsets = text
        .strip_prefix("mbuff:")
        .ok_or_else(|| format!("{text:?}: a flavour is raw, nodata or mbuff:DATA_OFF,END_OFF"))?;
    let offset = |part: Option<&str>| {
        part.and_then(|part| part.trim().parse::<usize>().ok())
            .ok_or_else(|| {
                format!("{text:?}: mbuff takes two byte offsets, mbuff:DATA_OFF,END_OFF")
            })
    };
    let mut parts = offsets.split(',');
    let (data_offset, data_end_offset) = (offset(parts.next())?, offset(parts.next())?);
    if parts.next().is_some() {
        return Err(format!("{text:?}: mbuff takes two byte offsets, not more"));
    }
    Ok(Flavour::FixedMbuff {
        data_offset,
        data_end_offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavours_parse_by_name_and_offsets() {
        // The three forms the option's help names.
        assert_eq!(parse_flavour("raw"), Ok(Flavour::Raw));
        assert_eq!(parse_flavour("nodata"), Ok(Flavour::NoData));
        assert_eq!(
            parse_flavour("mbuff:0,8"),
            Ok(Flavour::FixedMbuff {
                data_offset: 0,
                data_end_offset: 8
            })
        );
        for bad in [
            "",
            "mbuff",
            "mbuff:",
            "mbuff:1",
            "mbuff:1,x",
            "mbuff:1,2,3",
            "packet",
        ] {
            assert!(parse_flavour(bad).is_err(), "{bad:?}");
        }
    }
}
