//! `sbvm verify --dialect ebpf`: the verifier's eBPF rules on bytecode, or on each program
//! section of an object as the loader links it (or `--section`'s alone).
//!
//! One `ok:` line per program that verifies; the first that does not is rejected (exit 3)
//! with the verifier's error kind and, for an object, the section's name.

use super::{not_loaded, object_failure, program_sections, read_source, Source};
use crate::load::ProgramArgs;
use crate::report::{out, printable};
use crate::Failure;
use sbvm::isa::SbpfVersion;
use sbvm::verifier::verify as verify_text;

/// Runs `sbvm verify --dialect ebpf`.
pub fn verify(args: &ProgramArgs) -> Result<(), Failure> {
    let path = &args.program;
    let section = args.section.as_deref();
    let source =
        read_source(path, args.format.raw, section)?.map_err(|error| not_loaded(path, error))?;
    match source {
        Source::Text { text, .. } => verified(&text, None),
        Source::Object(object) => {
            let names = program_sections(&object, section).map_err(|e| not_loaded(path, e))?;
            for name in names {
                let linked = object
                    .link(Some(&name))
                    .map_err(|error| not_loaded(path, object_failure(error)))?;
                verified(&linked.text, Some(&name))?;
            }
            Ok(())
        }
    }
}

/// Verifies one program's text, printing `ok: …` or rejecting it with the error's kind.
fn verified(text: &[u8], section: Option<&str>) -> Result<(), Failure> {
    let section = section
        .map(|name| format!("section {}: ", printable(name)))
        .unwrap_or_default();
    match verify_text(text, SbpfVersion::Ebpf) {
        Ok(()) => {
            let slots = text.len() / 8;
            out(&format!("ok: {section}{slots} slots verify for ebpf"));
            Ok(())
        }
        Err(error) => Err(Failure::Rejected(format!(
            "{section}{}: {error}",
            error.kind_name()
        ))),
    }
}
