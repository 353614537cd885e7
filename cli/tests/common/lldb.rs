//! Stock lldb as the client of `sbvm debug`: finding it, starting a debug session, running an
//! lldb command script against it, reading the outcome `sbvm` prints at the end.
//!
//! lldb-22 comes first, then lldb-19 (Debian installs only one of them: their Python packages
//! conflict). Every lldb since 19 speaks the basic session; reverse execution (`process continue
//! -R`, which sends `bc`) came in lldb 20, so a test that needs it asks for
//! [`lldb_with_reverse`], which skips — visibly, a failure under `SBVM_NO_SKIP` — when only an
//! older lldb is there.
//!
//! ```text
//!   test ──start_debug──► sbvm debug PROGRAM --port 0 --json   (prints its port on stderr)
//!        ──run_lldb────► timeout 60 lldb --batch -s SCRIPT     (connects, runs the commands)
//!        ◄─ what lldb printed            ◄─ finish: the JSON outcome line sbvm printed
//! ```
//!
//! lldb in batch mode stops reading its script at the first command that fails, so a script
//! should hold a command that may fail only where its failure ends the test anyway.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The first lldb version with reverse execution (`process continue --reverse`).
const FIRST_WITH_REVERSE: u32 = 20;

/// Where each lldb may be installed, newest first: on PATH, then Debian's own directory.
const CANDIDATES: [(&str, u32); 4] = [
    ("lldb-22", 22),
    ("/usr/lib/llvm-22/bin/lldb", 22),
    ("lldb-19", 19),
    ("/usr/lib/llvm-19/bin/lldb", 19),
];

/// An lldb on this machine.
#[derive(Debug, Clone)]
pub struct Lldb {
    pub path: PathBuf,
    /// The major version the candidate's name says.
    pub major: u32,
}

/// Which engine runs the program between stops: `sbvm debug --engine NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Interpreter,
    Jit,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreter => "interpreter",
            Engine::Jit => "jit",
        }
    }
}

/// The newest lldb found; when there is none, [`super::skip`] says so.
#[track_caller]
pub fn lldb() -> Option<Lldb> {
    let found = newest();
    if found.is_none() {
        super::skip("neither lldb-22 nor lldb-19 found; real-client debugger tests skipped");
    }
    found
}

/// An lldb that can run backwards (lldb 20 or newer); when there is none, [`super::skip`] says
/// which one there is instead.
#[track_caller]
pub fn lldb_with_reverse() -> Option<Lldb> {
    match newest() {
        Some(lldb) if lldb.major >= FIRST_WITH_REVERSE => Some(lldb),
        Some(older) => {
            super::skip(format!(
                "only lldb-{} found ({}); reverse execution needs lldb-22",
                older.major,
                older.path.display()
            ));
            None
        }
        None => {
            super::skip("lldb-22 not found; reverse-execution debugger tests skipped");
            None
        }
    }
}

fn newest() -> Option<Lldb> {
    CANDIDATES.iter().find_map(|&(path, major)| {
        let runs = Command::new(path)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success());
        runs.then(|| Lldb {
            path: PathBuf::from(path),
            major,
        })
    })
}

/// Starts `sbvm debug PROGRAM --version VERSION --engine ENGINE --port 0 --json`; returns the
/// process and the port it waits on (its later standard error is drained).
pub fn start_debug(program: &Path, version: &str, engine: Engine) -> (Child, u16) {
    start(
        &[program.as_os_str(), "--version".as_ref(), version.as_ref()],
        engine,
    )
}

/// Starts `sbvm debug --fixture FIXTURE --programs PROGRAMS --engine ENGINE --port 0 --json`
/// (a Solana fixture's instruction); returns the process and the port.
pub fn start_debug_fixture(fixture: &Path, programs: &Path, engine: Engine) -> (Child, u16) {
    let args = [
        "--fixture".as_ref(),
        fixture.as_os_str(),
        "--programs".as_ref(),
        programs.as_os_str(),
    ];
    start(&args, engine)
}

fn start(args: &[&OsStr], engine: Engine) -> (Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .arg("debug")
        .args(args)
        .args(["--engine", engine.name(), "--port", "0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let port = super::debug_port(&mut stderr);
    // Keep draining stderr so the child never blocks on it.
    std::thread::spawn(move || for _ in stderr.lines() {});
    (child, port)
}

/// Runs `lldb` in batch mode, synchronous, connected to the stub on `port`, with `commands`;
/// returns everything it printed. At most 60 seconds (`timeout`), so a hung session fails the
/// test instead of hanging it.
pub fn run_lldb(lldb: &Lldb, port: u16, commands: &[&str]) -> String {
    let mut script = String::from("script lldb.debugger.SetAsync(False)\n");
    script += &format!("gdb-remote 127.0.0.1:{port}\n");
    for command in commands {
        script += command;
        script.push('\n');
    }
    let file = super::scratch(&format!("commands-{port}.lldb"), &script);
    let output = Command::new("timeout")
        .arg("60")
        .arg(&lldb.path)
        .args(["--batch", "--no-lldbinit", "-s"])
        .arg(&file)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// Waits for `sbvm debug` to end and returns the JSON outcome it printed, after checking that
/// `engine` ran the program (so a session meant for the JIT cannot pass under the interpreter).
#[track_caller]
pub fn finish(child: Child, engine: Engine) -> serde_json::Value {
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("sbvm printed {stdout:?}"));
    assert_eq!(json["engine"], engine.name(), "{json}");
    json
}

/// Waits for `sbvm debug --fixture` to end and returns the JSON outcome it printed (a fixture's
/// outcome, which does not name the engine).
pub fn finish_fixture(child: Child) -> serde_json::Value {
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("sbvm printed {stdout:?}"))
}

/// What lldb printed after each echo of `command` (`(lldb) COMMAND`), up to the next command, in
/// order: the nth element is the nth run's output.
pub fn replies<'a>(output: &'a str, command: &str) -> Vec<&'a str> {
    let echo = format!("(lldb) {command}\n");
    output
        .match_indices(&echo)
        .map(|(start, _)| {
            let rest = &output[start + echo.len()..];
            let end = rest.find("(lldb) ").unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}
