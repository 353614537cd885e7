//! `sbvm run --dialect ebpf`: run an eBPF program in one of rbpf's flavours (`--flavour`,
//! `flavour.rs`), once or `--repeat N` times in the same loaded program, and report the last
//! run.
//!
//! Maps and global data live as long as the command: a counter in a map counts every run of
//! `--repeat`. Each run gets a fresh stack and a fresh copy of the input. The report is the
//! `run` contract's (`--json`: one line, `engine`, `stage`, `result`, `error`, `message`,
//! `instructions`, `pc`, `logs`), for the last run; its `logs` are every run's
//! `bpf_trace_printk` messages in order. A run that fails ends the repetition and is the one
//! reported. `--dump-maps` adds the maps as the runs left them (`maps` in the JSON line).

use super::flavour::FlavourArgs;
use super::{read_source, Loaded};
use crate::load::{compile_failure, EnvironmentArgs, ProgramArgs};
use crate::location::function_in;
use crate::report::exit_status;
use crate::report::{self, json_fields, ordered_object, out, raw_object, Outcome};
use crate::Failure;
use sbvm::ebpf::map_def::MapKind;
use sbvm::ebpf::maps::Maps;
use sbvm::ebpf::program::EbpfRun;
use sbvm::env::copied;
use sbvm::isa::disasm::{instruction_text, Symbols};
use sbvm::isa::SbpfVersion;
use sbvm::vm::Engine;
use serde_json::Value;

/// The most instructions one eBPF run executes without `--limit`: 2^32, a few seconds of
/// interpretation. eBPF has no compute budget; this stops a runaway loop with
/// `ExceededMaxInstructions` instead of hanging the command.
pub const EBPF_DEFAULT_LIMIT: u64 = 1 << 32;

/// The options of `run` that only eBPF programs take.
#[derive(clap::Args)]
pub struct EbpfRunArgs {
    #[command(flatten)]
    flavour: FlavourArgs,
    /// eBPF: run N times in the same loaded program (maps and global data persist); the last
    /// run is reported, with every run's logs.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: Option<u32>,
    /// eBPF: print the maps after the runs (with --json, as the line's `maps` field).
    #[arg(long)]
    dump_maps: bool,
}

impl EbpfRunArgs {
    /// A usage error when any of these options is given for an sBPF program.
    pub fn check_unused(&self) -> Result<(), Failure> {
        self.flavour.check_unused()?;
        let given = [
            (self.repeat.is_some(), "--repeat"),
            (self.dump_maps, "--dump-maps"),
        ];
        match given.iter().find(|(given, _)| *given) {
            Some((_, option)) => Err(Failure::Usage(format!(
                "{option} is for eBPF programs; add --dialect ebpf"
            ))),
            None => Ok(()),
        }
    }
}

/// Runs `sbvm run` for an eBPF program.
pub fn run(
    program: &ProgramArgs,
    environment: &EnvironmentArgs,
    engine: Engine,
    json: bool,
    trace: bool,
    options: &EbpfRunArgs,
) -> Result<(), Failure> {
    if trace {
        return Err(Failure::Usage(
            "--trace single-steps sBPF programs; it does not run eBPF ones".into(),
        ));
    }
    let flavour = options.flavour.flavour(environment)?;
    let input = environment.input_bytes()?;
    let section = program.section.as_deref();
    let loaded = read_source(&program.program, program.format.raw, section)?
        .and_then(|source| source.load(section))
        .and_then(|mut loaded| {
            if engine == Engine::Jit {
                loaded.program.jit_compile().map_err(compile_failure)?;
            }
            Ok(loaded)
        });
    let mut loaded = match loaded {
        Ok(loaded) => loaded,
        Err(failure) => {
            let (stage, kind) = (failure.stage, failure.kind);
            let outcome = Outcome::failed(Some(engine), stage, kind, &failure.message);
            return crate::report::report_outcome(&outcome, json);
        }
    };
    let limit = environment.limit.unwrap_or(EBPF_DEFAULT_LIMIT);
    loaded.program.set_instruction_limit(limit);
    let mut logs = Vec::new();
    let mut last = None;
    for _ in 0..options.repeat.unwrap_or(1) {
        let input = copied("input", &input)
            .map_err(|error| Failure::Usage(format!("cannot build the input: {error}")))?;
        let run = loaded
            .program
            .run(&flavour, input, engine)
            .map_err(|error| Failure::Usage(format!("cannot build the memory map: {error}")))?;
        logs.extend(run.logs.iter().cloned());
        let failed = run.result.is_err();
        last = Some(run);
        if failed {
            break;
        }
    }
    let Some(run) = last else {
        return Err(Failure::Usage("--repeat 0 runs nothing".into()));
    };
    let outcome = executed_outcome(engine, &loaded, run, logs);
    let maps = options.dump_maps.then(|| loaded.program.maps());
    if json {
        let mut fields: Vec<(&str, String)> = json_fields(&outcome)
            .into_iter()
            .map(|(key, value)| (key, value.to_string()))
            .collect();
        if let Some(maps) = maps {
            fields.push(("maps", maps_json(maps)));
        }
        out(&raw_object(&fields));
    } else {
        outcome.print_human();
        if let Some(maps) = maps {
            print_maps(maps);
        }
    }
    exit_status(&outcome)
}

/// The outcome of the last run, with the logs of all of them.
fn executed_outcome(engine: Engine, loaded: &Loaded, run: EbpfRun, logs: Vec<String>) -> Outcome {
    let location = run.result.as_ref().err().map(|_| {
        let text = loaded.program.executable().text();
        let instruction = instruction_text(text, run.pc, SbpfVersion::Ebpf);
        let symbols = Symbols {
            functions: loaded.functions.clone(),
            ..Symbols::default()
        };
        let function = function_in(text, SbpfVersion::Ebpf, &symbols, run.pc);
        (instruction, function)
    });
    Outcome {
        engine: Some(engine.name()),
        stage: "execute".into(),
        result: run.result.as_ref().ok().copied(),
        error: run.result.as_ref().err().map(|e| e.kind_name().to_string()),
        message: run.result.as_ref().err().map(ToString::to_string),
        instructions: run.instructions,
        pc: run.pc,
        logs,
        location,
    }
}

/// A map type's name as bpftool prints it (`hash`, `array`, …; `type N` for the rest).
fn type_name(kind: MapKind) -> String {
    match kind {
        MapKind::Hash => "hash".into(),
        MapKind::Array => "array".into(),
        MapKind::PerCpuHash => "percpu_hash".into(),
        MapKind::PerCpuArray => "percpu_array".into(),
        MapKind::Other(number) => format!("type {number}"),
    }
}

/// Bytes as lowercase hex digits, two per byte.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The maps as a JSON object, by name in the object's order: `{type, key_size, value_size,
/// max_entries, entries: [[key hex, value hex], …]}` each.
fn maps_json(maps: &Maps) -> String {
    let fields: Vec<(String, String)> = maps
        .iter()
        .map(|map| {
            let def = map.def();
            let entries: Vec<Value> = map
                .entries()
                .iter()
                .map(|(key, value)| Value::from(vec![hex(key), hex(value)]))
                .collect();
            let body = ordered_object(&[
                ("type", Value::from(type_name(def.kind))),
                ("key_size", Value::from(def.key_size)),
                ("value_size", Value::from(def.value_size)),
                ("max_entries", Value::from(def.max_entries)),
                ("entries", Value::from(entries)),
            ]);
            (def.name.clone(), body)
        })
        .collect();
    raw_object(&fields)
}

/// The maps for people: a header per map, then `key: value` in hex, one entry a line.
fn print_maps(maps: &Maps) {
    for map in maps.iter() {
        let def = map.def();
        let entries = map.entries();
        out(&format!(
            "map {}: {}, key {} bytes, value {} bytes, at most {} entries, {} present",
            report::printable(&def.name),
            type_name(def.kind),
            def.key_size,
            def.value_size,
            def.max_entries,
            entries.len()
        ));
        for (key, value) in entries {
            out(&format!("  {}: {}", hex(&key), hex(&value)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_types_are_named_as_bpftool_names_them() {
        // bpftool's names for BPF_MAP_TYPE_HASH (1), ARRAY (2), PERCPU_HASH (5), PERCPU_ARRAY (6).
        let names: Vec<String> = [1, 2, 5, 6, 27]
            .map(|number| type_name(MapKind::from_number(number)))
            .into();
        assert_eq!(
            names,
            ["hash", "array", "percpu_hash", "percpu_array", "type 27"]
        );
    }
}
