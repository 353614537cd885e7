//! What the debugger costs: a program run to its end with a client attached that only says
//! `continue` (`attached/<engine>/record_off`), the same while the run is recorded for going
//! back (`attached/<engine>/record_on`: checkpoints every 65,536 instructions and after every
//! syscall), beside the plain run without a debugger (`plain/<engine>`), in one session. The
//! session costs a TCP connection and a thread (tens of microseconds), against a run of
//! millions of instructions.
//!
//! The program is the reference's `stack_mem_loop` (`shared/oracle/programs`) as V3: a loop of
//! stack stores and loads, the worst case for recording (memory changes all the time), with a
//! syscall-free loop body like most of a real program's instructions.

// The benchmark program list is for the engine benches; this one runs one program.
#[allow(dead_code)]
mod common;

use common::{load, programs_dir};
use criterion::{criterion_group, criterion_main, Criterion};
use sbvm::debugger::{serve, DebugOptions};
use sbvm::env::{standard_vm, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Engine, Executable};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

const BUDGET: u64 = u64::MAX >> 1;

/// A plain run to the end.
fn plain(executable: &Executable<EnvContext>, engine: Engine) -> u64 {
    let mut context = EnvContext::new(BUDGET);
    let mut vm = standard_vm(executable, &mut context, vec![0; 16], 1024).unwrap();
    vm.execute_with(engine).0
}

/// A run to the end under a client that sends `vCont;c` and waits for the exit.
fn attached(executable: &Executable<EnvContext>, engine: Engine, record: bool) -> u64 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let client = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_nodelay(true).unwrap();
        stream.write_all(b"+$vCont;c#a8").unwrap();
        let mut seen = Vec::new();
        let mut chunk = [0u8; 256];
        // Until the exit's `W` packet.
        while !seen.windows(2).any(|pair| pair == b"$W") {
            let read = stream.read(&mut chunk).unwrap();
            if read == 0 {
                break;
            }
            seen.extend_from_slice(&chunk[..read]);
        }
        let _ = stream.write_all(b"+");
    });
    let mut context = EnvContext::new(BUDGET);
    let mut vm = standard_vm(executable, &mut context, vec![0; 16], 1024).unwrap();
    let (stream, _) = listener.accept().unwrap();
    let options = DebugOptions {
        stderr_notes: false,
        record,
        engine,
        ..DebugOptions::default()
    };
    let (_, (instructions, _)) = serve(&mut vm, stream, &options);
    client.join().unwrap();
    instructions
}

fn debugger(c: &mut Criterion) {
    let Some(dir) = programs_dir() else {
        return;
    };
    let mut executable = load(&dir, "stack_mem_loop", SbpfVersion::V3);
    executable.jit_compile().unwrap();
    let mut group = c.benchmark_group("debugger");
    group.sample_size(10);
    for engine in Engine::ALL {
        let name = engine.name();
        group.bench_function(format!("plain/{name}"), |b| {
            b.iter(|| plain(&executable, engine))
        });
        for (record, label) in [(false, "record_off"), (true, "record_on")] {
            group.bench_function(format!("attached/{name}/{label}"), |b| {
                b.iter(|| attached(&executable, engine, record))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, debugger);
criterion_main!(benches);
