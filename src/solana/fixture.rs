//! Instruction fixtures: the JSON files `shared/solana-oracle` writes from mollusk, read into
//! an instruction, accounts and the expected outcome, and a run compared with them field by
//! field.
//!
//! ```json
//! { "name": "transfer", "program": "p-token.so", "program_id": "Tokenkeg…", "loader": "BPFLoader2…",
//!   "other_programs": [ {"program_id": "…", "program": "…so", "loader": "…"} ],
//!   "compute_unit_limit": 1400000,
//!   "instruction": { "data": "03fa…", "accounts": [ {"pubkey": "…", "is_signer": false, "is_writable": true} ] },
//!   "accounts": [ {"pubkey": "…", "lamports": 2039280, "owner": "…", "executable": false, "rent_epoch": 0, "data": "…"} ],
//!   "expected": { "result": "Ok(())", "compute_units_consumed": 76, "return_data": "", "logs": ["…"], "accounts": [ … ] } }
//! ```
//!
//! Keys are base58, bytes hex. A builtin (the system program) has `"program": ""`: no file.
//! Every error names the field it is about (`accounts[2].pubkey:
//! invalid base58 …`).

use super::account::{Account, AccountMeta, Instruction};
use super::pubkey::Pubkey;
use super::runtime::InstructionResult;
use serde_json::{json, Map, Value};

/// A program a fixture needs: its id, ELF file name and loader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureProgram {
    /// The program id.
    pub program_id: Pubkey,
    /// The ELF's file name.
    pub file: String,
    /// The loader.
    pub loader: Pubkey,
}

impl FixtureProgram {
    /// Whether it names no file (`"program": ""`): a builtin, which the runtime runs itself.
    pub fn is_builtin_reference(&self) -> bool {
        self.file.is_empty()
    }
}

/// What the reference produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// `Ok(())` or `Err(…)`, in Agave's notation.
    pub result: String,
    /// Compute units consumed.
    pub compute_units_consumed: u64,
    /// Return data.
    pub return_data: Vec<u8>,
    /// Log lines.
    pub logs: Vec<String>,
    /// Every account after.
    pub accounts: Vec<(Pubkey, Account)>,
}

/// One instruction with its accounts and, usually, the reference's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// The scenario's name.
    pub name: String,
    /// The invoked program.
    pub program: FixtureProgram,
    /// Programs it may call.
    pub other_programs: Vec<FixtureProgram>,
    /// The compute budget.
    pub compute_unit_limit: u64,
    /// The instruction.
    pub instruction: Instruction,
    /// The accounts before.
    pub accounts: Vec<(Pubkey, Account)>,
    /// The outcome to match, if recorded.
    pub expected: Option<Expected>,
}

/// A fixture that does not parse: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FixtureError {
    /// The field (`instruction.accounts[1].pubkey`), or `(document)`.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

fn error(path: &str, message: impl Into<String>) -> FixtureError {
    FixtureError {
        path: path.to_string(),
        message: message.into(),
    }
}

fn field<'v>(
    object: &'v Map<String, Value>,
    path: &str,
    name: &str,
) -> Result<&'v Value, FixtureError> {
    object
        .get(name)
        .ok_or_else(|| error(&join(path, name), "missing"))
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn object<'v>(value: &'v Value, path: &str) -> Result<&'v Map<String, Value>, FixtureError> {
    value
        .as_object()
        .ok_or_else(|| error(path, "expected an object"))
}

fn array<'v>(value: &'v Value, path: &str) -> Result<&'v Vec<Value>, FixtureError> {
    value
        .as_array()
        .ok_or_else(|| error(path, "expected an array"))
}

fn string<'v>(
    object: &'v Map<String, Value>,
    path: &str,
    name: &str,
) -> Result<&'v str, FixtureError> {
    field(object, path, name)?
        .as_str()
        .ok_or_else(|| error(&join(path, name), "expected a string"))
}

fn unsigned(object: &Map<String, Value>, path: &str, name: &str) -> Result<u64, FixtureError> {
    field(object, path, name)?
        .as_u64()
        .ok_or_else(|| error(&join(path, name), "expected an unsigned 64-bit integer"))
}

fn boolean(object: &Map<String, Value>, path: &str, name: &str) -> Result<bool, FixtureError> {
    field(object, path, name)?
        .as_bool()
        .ok_or_else(|| error(&join(path, name), "expected true or false"))
}

fn pubkey(object: &Map<String, Value>, path: &str, name: &str) -> Result<Pubkey, FixtureError> {
    string(object, path, name)?
        .parse()
        .map_err(|e: super::pubkey::PubkeyParseError| error(&join(path, name), e.to_string()))
}

fn hex(object: &Map<String, Value>, path: &str, name: &str) -> Result<Vec<u8>, FixtureError> {
    decode_hex(string(object, path, name)?).map_err(|message| error(&join(path, name), message))
}

/// Bytes from lowercase or uppercase hex.
pub fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    if text.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", text.len()));
    }
    text.as_bytes()
        .chunks_exact(2)
        .enumerate()
        .map(|(index, pair)| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|digits| u8::from_str_radix(digits, 16).ok())
                .ok_or_else(|| format!("not hex at byte {}", 2 * index))
        })
        .collect()
}

/// Lowercase hex.
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn accounts(value: &Value, path: &str) -> Result<Vec<(Pubkey, Account)>, FixtureError> {
    array(value, path)?
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let path = format!("{path}[{index}]");
            let entry = object(entry, &path)?;
            Ok((
                pubkey(entry, &path, "pubkey")?,
                Account {
                    lamports: unsigned(entry, &path, "lamports")?,
                    owner: pubkey(entry, &path, "owner")?,
                    executable: boolean(entry, &path, "executable")?,
                    rent_epoch: unsigned(entry, &path, "rent_epoch")?,
                    data: hex(entry, &path, "data")?,
                },
            ))
        })
        .collect()
}

fn parse_program(
    entry: &Map<String, Value>,
    path: &str,
    file_key: &str,
) -> Result<FixtureProgram, FixtureError> {
    Ok(FixtureProgram {
        program_id: pubkey(entry, path, "program_id")?,
        file: string(entry, path, file_key)?.to_string(),
        loader: pubkey(entry, path, "loader")?,
    })
}

impl Fixture {
    /// Parses a fixture.
    pub fn from_json(text: &str) -> Result<Fixture, FixtureError> {
        let document: Value =
            serde_json::from_str(text).map_err(|e| error("(document)", e.to_string()))?;
        let root = object(&document, "(document)")?;
        let instruction_value = object(field(root, "", "instruction")?, "instruction")?;
        let metas = array(
            field(instruction_value, "instruction", "accounts")?,
            "instruction.accounts",
        )?
        .iter()
        .enumerate()
        .map(|(index, meta)| {
            let path = format!("instruction.accounts[{index}]");
            let meta = object(meta, &path)?;
            Ok(AccountMeta {
                pubkey: pubkey(meta, &path, "pubkey")?,
                is_signer: boolean(meta, &path, "is_signer")?,
                is_writable: boolean(meta, &path, "is_writable")?,
            })
        })
        .collect::<Result<Vec<_>, FixtureError>>()?;
        let program = parse_program(root, "", "program")?;
        let other_programs = match root.get("other_programs") {
            None | Some(Value::Null) => Vec::new(),
            Some(value) => array(value, "other_programs")?
                .iter()
                .enumerate()
                .map(|(index, entry)| {
                    let path = format!("other_programs[{index}]");
                    parse_program(object(entry, &path)?, &path, "program")
                })
                .collect::<Result<_, _>>()?,
        };
        let expected = match root.get("expected") {
            None | Some(Value::Null) => None,
            Some(value) => {
                let path = "expected";
                let expected = object(value, path)?;
                let logs = array(field(expected, path, "logs")?, "expected.logs")?
                    .iter()
                    .enumerate()
                    .map(|(index, line)| {
                        line.as_str().map(str::to_string).ok_or_else(|| {
                            error(&format!("expected.logs[{index}]"), "expected a string")
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Some(Expected {
                    result: string(expected, path, "result")?.to_string(),
                    compute_units_consumed: unsigned(expected, path, "compute_units_consumed")?,
                    return_data: hex(expected, path, "return_data")?,
                    logs,
                    accounts: accounts(field(expected, path, "accounts")?, "expected.accounts")?,
                })
            }
        };
        Ok(Fixture {
            name: string(root, "", "name")?.to_string(),
            instruction: Instruction {
                program_id: program.program_id,
                accounts: metas,
                data: hex(instruction_value, "instruction", "data")?,
            },
            program,
            other_programs,
            compute_unit_limit: unsigned(root, "", "compute_unit_limit")?,
            accounts: accounts(field(root, "", "accounts")?, "accounts")?,
            expected,
        })
    }

    /// The program files the fixture needs (builtins need none).
    pub fn program_files(&self) -> Vec<&str> {
        std::iter::once(&self.program)
            .chain(&self.other_programs)
            .filter(|program| !program.is_builtin_reference())
            .map(|program| program.file.as_str())
            .collect()
    }

    /// Every way `result` differs from the expected outcome (none when nothing is expected).
    pub fn differences(&self, result: &InstructionResult) -> Vec<Difference> {
        let Some(expected) = &self.expected else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut compare = |field: String, want: String, got: String| {
            if want != got {
                out.push(Difference {
                    field,
                    expected: want,
                    actual: got,
                });
            }
        };
        compare(
            "result".into(),
            expected.result.clone(),
            format!("{:?}", result.result),
        );
        compare(
            "compute_units_consumed".into(),
            expected.compute_units_consumed.to_string(),
            result.compute_units_consumed.to_string(),
        );
        compare(
            "return_data".into(),
            encode_hex(&expected.return_data),
            encode_hex(&result.return_data),
        );
        let lines = expected.logs.len().max(result.logs.len());
        for line in 0..lines {
            compare(
                format!("logs[{line}]"),
                expected
                    .logs
                    .get(line)
                    .cloned()
                    .unwrap_or_else(|| "(none)".into()),
                result
                    .logs
                    .get(line)
                    .cloned()
                    .unwrap_or_else(|| "(none)".into()),
            );
        }
        let count = expected.accounts.len().max(result.accounts.len());
        for index in 0..count {
            let want = expected.accounts.get(index);
            let got = result.accounts.get(index);
            for (name, render) in ACCOUNT_FIELDS {
                compare(
                    format!("accounts[{index}].{name}"),
                    want.map_or_else(|| "(none)".into(), render),
                    got.map_or_else(|| "(none)".into(), render),
                );
            }
        }
        out
    }
}

/// The account fields compared, each rendered as the fixture writes it.
type AccountField = (&'static str, fn(&(Pubkey, Account)) -> String);
const ACCOUNT_FIELDS: [AccountField; 6] = [
    ("pubkey", |(key, _)| key.to_string()),
    ("lamports", |(_, account)| account.lamports.to_string()),
    ("owner", |(_, account)| account.owner.to_string()),
    ("executable", |(_, account)| account.executable.to_string()),
    ("rent_epoch", |(_, account)| account.rent_epoch.to_string()),
    ("data", |(_, account)| encode_hex(&account.data)),
];

/// One field where a run and a fixture disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The field (`logs[2]`, `accounts[0].data`).
    pub field: String,
    /// What the fixture says.
    pub expected: String,
    /// What the run gave.
    pub actual: String,
}

/// An account in the fixture's JSON shape.
pub fn account_json((key, account): &(Pubkey, Account)) -> Value {
    json!({
        "pubkey": key.to_string(),
        "lamports": account.lamports,
        "owner": account.owner.to_string(),
        "executable": account.executable,
        "rent_epoch": account.rent_epoch,
        "data": encode_hex(&account.data),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_program_file_without_end_is_refused_at_a_program_accounts_most() {
        // The limit is Agave's MAX_PERMITTED_DATA_LENGTH (10 MiB): no program account is longer.
        match super::read_program_file(std::path::Path::new("/dev/zero")) {
            Err(super::RunFixtureError::ProgramTooLarge { limit, .. }) => {
                assert_eq!(limit, 10 * 1024 * 1024)
            }
            other => panic!("{:?}", other.map(|bytes| bytes.len())),
        }
    }

    use super::*;

    const MINIMAL: &str = r#"{"name":"n","program":"p.so","program_id":"11111111111111111111111111111111",
        "loader":"BPFLoader2111111111111111111111111111111111","compute_unit_limit":5,
        "instruction":{"data":"0aFF","accounts":[]},"accounts":[]}"#;

    #[test]
    fn parses_and_names_bad_fields() {
        let fixture = Fixture::from_json(MINIMAL).unwrap();
        assert_eq!(fixture.instruction.data, vec![0x0a, 0xff]);
        assert_eq!(fixture.expected, None);
        let bad_key = MINIMAL.replace("\"program_id\":\"111", "\"program_id\":\"0OI");
        assert_eq!(Fixture::from_json(&bad_key).unwrap_err().path, "program_id");
        let bad_hex = MINIMAL.replace("0aFF", "0aF");
        assert_eq!(
            Fixture::from_json(&bad_hex).unwrap_err().path,
            "instruction.data"
        );
        let truncated = &MINIMAL[..MINIMAL.len() / 2];
        assert_eq!(
            Fixture::from_json(truncated).unwrap_err().path,
            "(document)"
        );
        assert_eq!(Fixture::from_json("[]").unwrap_err().path, "(document)");
        let big = MINIMAL.replace("\"compute_unit_limit\":5", "\"compute_unit_limit\":-1");
        assert_eq!(
            Fixture::from_json(&big).unwrap_err().path,
            "compute_unit_limit"
        );
    }
}

/// Runs fixtures: loads each program the fixtures name once (by file name from a folder) and
/// processes each fixture's instruction.
pub struct FixtureRunner {
    runtime: super::runtime::ProgramRuntime,
    loaded: std::collections::HashMap<Pubkey, String>,
}

/// Why a fixture could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunFixtureError {
    /// A program file could not be read.
    #[error("program {file}: {error}")]
    ReadProgram {
        /// The file.
        file: std::path::PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A program file is longer than a program account can be.
    #[error(
        "program {file}: longer than {limit} bytes, the most a program account holds \
         (MAX_PERMITTED_DATA_LENGTH)"
    )]
    ProgramTooLarge {
        /// The file.
        file: std::path::PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// A program did not load.
    #[error("program {file}: {error}")]
    LoadProgram {
        /// The file.
        file: std::path::PathBuf,
        /// Why.
        error: super::runtime::AddProgramError,
    },
    /// A fixture names no program file (`"program": ""`) for a program that is not a builtin.
    #[error(
        "program {program_id}: no program file given, and it is not a builtin (the system \
         program or a loader)"
    )]
    NotABuiltin {
        /// The program id.
        program_id: Pubkey,
    },
    /// The instruction could not be set up.
    #[error("{0}")]
    Setup(#[from] super::message::MessageError),
}

impl FixtureRunner {
    /// A runner on `engine`.
    pub fn new(engine: crate::vm::Engine) -> Result<Self, crate::jit::JitError> {
        let mut runtime = super::runtime::ProgramRuntime::new();
        runtime.set_engine(engine)?;
        Ok(FixtureRunner {
            runtime,
            loaded: std::collections::HashMap::new(),
        })
    }

    /// The runtime the fixtures run in.
    pub fn runtime(&self) -> &super::runtime::ProgramRuntime {
        &self.runtime
    }

    /// Loads the programs `fixture` needs from `programs_dir` (each program file once).
    pub fn prepare(
        &mut self,
        fixture: &Fixture,
        programs_dir: &std::path::Path,
    ) -> Result<(), RunFixtureError> {
        self.prepare_from(fixture, &[programs_dir])
    }

    /// Loads the programs `fixture` needs, each from the first of `programs_dirs` that has its
    /// file (programs of one fixture may ship apart, as mollusk's crates ship them).
    pub fn prepare_from(
        &mut self,
        fixture: &Fixture,
        programs_dirs: &[&std::path::Path],
    ) -> Result<(), RunFixtureError> {
        for program in std::iter::once(&fixture.program).chain(&fixture.other_programs) {
            if program.is_builtin_reference() {
                if !super::runtime::is_builtin_id(&program.program_id) {
                    return Err(RunFixtureError::NotABuiltin {
                        program_id: program.program_id,
                    });
                }
                continue;
            }
            if self.loaded.get(&program.program_id) == Some(&program.file) {
                continue;
            }
            let found = programs_dirs
                .iter()
                .map(|dir| dir.join(&program.file))
                .find(|file| file.is_file());
            let file = found.unwrap_or_else(|| {
                programs_dirs.first().map_or_else(
                    || program.file.clone().into(),
                    |dir| dir.join(&program.file),
                )
            });
            let elf = read_program_file(&file)?;
            self.runtime
                .add_program(program.program_id, program.loader, &elf)
                .map_err(|error| RunFixtureError::LoadProgram { file, error })?;
            self.loaded.insert(program.program_id, program.file.clone());
        }
        self.runtime
            .set_compute_unit_limit(fixture.compute_unit_limit);
        Ok(())
    }

    /// Processes the fixture's instruction (its programs prepared).
    pub fn run(&self, fixture: &Fixture) -> Result<InstructionResult, RunFixtureError> {
        Ok(self
            .runtime
            .process_instruction(&fixture.instruction, &fixture.accounts)?)
    }

    /// Processes the fixture's instruction with `driver` running the program's VM.
    pub fn run_with(
        &self,
        fixture: &Fixture,
        driver: &mut dyn super::context::VmDriver,
    ) -> Result<InstructionResult, RunFixtureError> {
        Ok(self.runtime.process_instruction_with(
            &fixture.instruction,
            &fixture.accounts,
            driver,
        )?)
    }
}

/// Reads a program file, refusing one longer than a program account can be (a fixture names
/// the file: it may be anything, `/dev/zero` included).
fn read_program_file(file: &std::path::Path) -> Result<Vec<u8>, RunFixtureError> {
    use std::io::Read;
    let limit = super::transaction::MAX_ACCOUNT_DATA_LEN;
    let read_error = |error| RunFixtureError::ReadProgram {
        file: file.to_path_buf(),
        error,
    };
    let mut elf = Vec::new();
    std::fs::File::open(file)
        .map_err(read_error)?
        .take(limit + 1)
        .read_to_end(&mut elf)
        .map_err(read_error)?;
    if elf.len() as u64 > limit {
        return Err(RunFixtureError::ProgramTooLarge {
            file: file.to_path_buf(),
            limit,
        });
    }
    Ok(elf)
}
