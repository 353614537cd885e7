//! Helpers the CLI tests share.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{ChildStderr, Command, Output};

pub mod ebpf;
pub mod lldb;

#[path = "../../../tests/common/skip.rs"]
mod skip_visibly;
pub use skip_visibly::skip;

#[path = "../../../tests/common/programs.rs"]
mod program_files;

/// The folder holding the Token-2022 program (`token_2022.so`, from mollusk's crates, which
/// `.ci/run` fetches), if one does; when none does, [`skip`] says so.
pub fn token_2022_programs() -> Option<PathBuf> {
    let dirs = program_files::program_dirs(None);
    let found = program_files::dir_with(&dirs, &["token_2022.so"]).cloned();
    if found.is_none() {
        skip("token_2022.so not found (scripts/fetch-solana-programs.sh fetches it)");
    }
    found
}

/// `tests/data/solana` of the checkout.
pub fn solana_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/solana")
}

/// `shared/solana-oracle` beside the checkout, if it holds its p-token fixtures; when it does
/// not, [`skip`] says so (a failure under `SBVM_NO_SKIP`).
pub fn solana_oracle_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/solana-oracle");
    if dir.join("fixtures/p-token/transfer.json").exists() {
        return Some(dir);
    }
    skip(format!(
        "{} not found; Solana fixtures not exercised",
        dir.display()
    ));
    None
}

/// Writes `contents` to a file named `name` in this process's scratch folder.
pub fn scratch(name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbvm-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// [`scratch`], with the path as a command-line argument.
pub fn scratch_arg(name: &str, contents: impl AsRef<[u8]>) -> String {
    scratch(name, contents).to_string_lossy().into_owned()
}

/// The path of `examples/NAME`, as a command-line argument.
pub fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Runs the `sbvm` binary with `args` (standard input closed) to its end.
pub fn sbvm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .args(args)
        .output()
        .expect("sbvm runs")
}

/// What a run printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What a run printed on standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The repository's `tests/data/solana/cpi` (the CPI fixtures and their scripted program).
pub fn cpi_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/solana/cpi")
}

/// A folder holding `cpi_script.so`, assembled by `sbvm asm --elf` from the CPI fixtures'
/// `cpi_script.asm` (for SBPF V0, as the fixtures were recorded); `name` keeps tests apart.
pub fn cpi_programs(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbvm-cpi-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = cpi_data().join("programs/cpi_script.asm");
    let elf = dir.join("cpi_script.so");
    let output = sbvm(&[
        "asm",
        source.to_str().unwrap(),
        "--version",
        "v0",
        "--elf",
        "-o",
        elf.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    dir
}

/// Starts `sbvm debug --fixture FIXTURE --programs PROGRAMS --json --port 0`; returns the
/// process and the port it waits on (its later standard error is drained).
pub fn debug_fixture(
    fixture: &std::path::Path,
    programs: &std::path::Path,
) -> (std::process::Child, u16) {
    debug_fixture_with(fixture, programs, &[])
}

/// [`debug_fixture`] with more options (`--engine jit`, …).
pub fn debug_fixture_with(
    fixture: &std::path::Path,
    programs: &std::path::Path,
    options: &[&str],
) -> (std::process::Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .args(["debug", "--fixture"])
        .arg(fixture)
        .arg("--programs")
        .arg(programs)
        .args(["--port", "0", "--json"])
        .args(options)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let port = debug_port(&mut stderr);
    std::thread::spawn(move || for _ in stderr.lines() {});
    (child, port)
}

/// [`debug_fixture`] on the CPI fixture `fixture` (a file name of tests/data/solana/cpi).
pub fn debug_cpi_fixture(fixture: &str, programs: &std::path::Path) -> (std::process::Child, u16) {
    debug_fixture(&cpi_data().join("fixtures").join(fixture), programs)
}

/// Register `index` (r0–r10, then the pc) of a `g` reply: 16 hex digits each, little-endian.
pub fn register(registers: &str, index: usize) -> u64 {
    let hex = &registers[index * 16..index * 16 + 16];
    u64::from_le_bytes(
        (0..8)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect::<Vec<_>>()
            .try_into()
            .unwrap(),
    )
}

/// The port `sbvm debug` listens on, from the "waiting for a debugger on 127.0.0.1:PORT" line
/// it prints first on standard error.
pub fn debug_port(stderr: &mut BufReader<ChildStderr>) -> u16 {
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    line.trim()
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"))
}

/// Sends one gdb-remote packet and returns the reply's payload, run-length encoding expanded
/// (acknowledgements before the reply are skipped; the reply is acknowledged).
pub fn exchange(stream: &mut TcpStream, payload: &str) -> String {
    send_packet(stream, payload);
    read_reply(stream)
}

/// Sends one gdb-remote packet.
pub fn send_packet(stream: &mut TcpStream, payload: &str) {
    let checksum = payload
        .bytes()
        .fold(0u8, |sum, byte| sum.wrapping_add(byte));
    write!(stream, "${payload}#{checksum:02x}").unwrap();
}

/// Reads the next reply packet's payload, run-length encoding expanded (acknowledgements before
/// it are skipped; it is acknowledged).
pub fn read_reply(stream: &mut TcpStream) -> String {
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        stream.read_exact(&mut byte).unwrap();
        if byte[0] == b'$' {
            break;
        }
    }
    loop {
        stream.read_exact(&mut byte).unwrap();
        if byte[0] == b'#' {
            break;
        }
        reply.push(byte[0]);
    }
    let mut checksum = [0u8; 2];
    stream.read_exact(&mut checksum).unwrap();
    stream.write_all(b"+").unwrap();
    run_length_decoded(&reply)
}

/// Runs `monitor COMMAND` (`qRcmd`) and returns what it printed (its `O` packets, decoded),
/// after the final `OK`.
pub fn monitor(stream: &mut TcpStream, command: &str) -> String {
    let hex: String = command.bytes().map(|byte| format!("{byte:02x}")).collect();
    let mut reply = exchange(stream, &format!("qRcmd,{hex}"));
    let mut text = Vec::new();
    while let Some(output) = reply.strip_prefix('O').filter(|_| reply != "OK") {
        text.extend(
            (0..output.len() / 2)
                .filter_map(|i| u8::from_str_radix(&output[2 * i..2 * i + 2], 16).ok()),
        );
        reply = read_reply(stream);
    }
    assert_eq!(reply, "OK", "monitor {command} ended with {reply}");
    String::from_utf8_lossy(&text).into_owned()
}

/// Expands the protocol's run-length encoding: `x*n` repeats `x` (`n` − 29) more times.
fn run_length_decoded(reply: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut bytes = reply.iter();
    while let Some(&byte) = bytes.next() {
        if byte == b'*' {
            let count = bytes.next().map_or(0, |n| n.saturating_sub(29));
            let last = *out.last().unwrap();
            out.extend(std::iter::repeat_n(last, usize::from(count)));
        } else {
            out.push(byte);
        }
    }
    String::from_utf8(out).unwrap()
}
