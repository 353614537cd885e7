//! The eBPF helpers, called through a syscall registry over a real memory mapping with the
//! maps lent to the context, and by a program through the VM. (`bpf_trace_printk`'s
//! formatting alone: `ebpf_printk.rs`.)

use sbvm::ebpf::helpers::{
    register_builtin_helpers, HelperContext, GET_PRANDOM_U32, GET_SMP_PROCESSOR_ID, KTIME_GET_NS,
    MAP_DELETE_ELEM, MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, TRACE_PRINTK,
};
use sbvm::ebpf::layout;
use sbvm::ebpf::map_def::{MapDef, MapKind};
use sbvm::ebpf::maps::errno::{BPF_ANY, BPF_NOEXIST, E2BIG, EEXIST, EINVAL, ENOENT};
use sbvm::ebpf::maps::Maps;
use sbvm::isa::SbpfVersion;
use sbvm::memory::{MappingSettings, MemoryMapping, MemoryRegion};
use sbvm::vm::{SyscallError, SyscallRegistry};

/// Guest scratch memory for keys, values and formats.
const SCRATCH: u64 = layout::STACK_START;

const SETTINGS: MappingSettings = MappingSettings {
    aligned: false,
    stack_frame_size: layout::STACK_FRAME_SIZE,
    max_call_depth: layout::MAX_CALL_DEPTH,
};

fn def(name: &str, kind: MapKind, key_size: u32, value_size: u32, max_entries: u32) -> MapDef {
    MapDef {
        name: name.to_string(),
        kind,
        key_size,
        value_size,
        max_entries,
        flags: 0,
    }
}

fn registry() -> SyscallRegistry<HelperContext> {
    let mut registry = SyscallRegistry::default();
    register_builtin_helpers(&mut registry);
    registry
}

fn call(
    registry: &SyscallRegistry<HelperContext>,
    id: u32,
    context: &mut HelperContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let helper = registry.lookup(id).expect("registered");
    (helper.function)(context, memory, args)
}

/// A mapping of the lent maps plus a scratch region holding `scratch`.
fn mapping<'a>(mut regions: Vec<MemoryRegion<'a>>, scratch: Vec<u8>) -> MemoryMapping<'a> {
    regions.push(MemoryRegion::owned(scratch, SCRATCH));
    MemoryMapping::new(regions, SETTINGS, SbpfVersion::V1).unwrap()
}

fn errno(negative: i64) -> u64 {
    negative as u64
}

#[test]
fn map_helpers_round_trip_and_persist() {
    let registry = registry();
    let mut maps = Maps::new(&[
        def("counts", MapKind::Hash, 4, 8, 4),
        def("table", MapKind::Array, 4, 8, 2),
    ])
    .unwrap();
    let counts = layout::map_address(0).unwrap();
    let table = layout::map_address(1).unwrap();
    let mut context = HelperContext::new();
    // Scratch: key 7 at +0, value 5 at +8, key 1 at +16, key 9 at +20.
    let mut scratch = vec![0u8; 64];
    scratch[0..4].copy_from_slice(&7u32.to_le_bytes());
    scratch[8..16].copy_from_slice(&5u64.to_le_bytes());
    scratch[16..20].copy_from_slice(&1u32.to_le_bytes());
    scratch[20..24].copy_from_slice(&9u32.to_le_bytes());
    let (key, value, index1, index9) = (SCRATCH, SCRATCH + 8, SCRATCH + 16, SCRATCH + 20);

    // Errnos: kernel/bpf/hashtab.c and arraymap.c, as in tests/ebpf_maps.rs.
    maps.with_lent(&mut context, |regions, context| {
        let mut memory = mapping(regions, scratch.clone());
        let mut call = |id, args| call(&registry, id, context, &mut memory, args);
        assert_eq!(
            call(MAP_LOOKUP_ELEM, [counts, key, 0, 0, 0]),
            Ok(0),
            "absent"
        );
        assert_eq!(
            call(MAP_UPDATE_ELEM, [counts, key, value, BPF_NOEXIST, 0]),
            Ok(0)
        );
        assert_eq!(
            call(MAP_UPDATE_ELEM, [counts, key, value, BPF_NOEXIST, 0]),
            Ok(errno(-EEXIST))
        );
        let pointer = call(MAP_LOOKUP_ELEM, [counts, key, 0, 0, 0]).unwrap();
        assert_eq!(pointer, counts, "the first slot of the map's region");
        assert_eq!(
            call(MAP_UPDATE_ELEM, [table, index1, value, BPF_ANY, 0]),
            Ok(0)
        );
        assert_eq!(
            call(MAP_UPDATE_ELEM, [table, index9, value, BPF_ANY, 0]),
            Ok(errno(-E2BIG))
        );
        assert_eq!(call(MAP_LOOKUP_ELEM, [table, index9, 0, 0, 0]), Ok(0));
        assert_eq!(
            call(MAP_LOOKUP_ELEM, [table, index1, 0, 0, 0]),
            Ok(table + 8)
        );
        assert_eq!(
            call(MAP_DELETE_ELEM, [table, index1, 0, 0, 0]),
            Ok(errno(-EINVAL))
        );
        // An update whose value is the slot itself.
        assert_eq!(
            call(MAP_UPDATE_ELEM, [counts, key, pointer, BPF_ANY, 0]),
            Ok(0)
        );
        // Unknown handles: a lookup finds nothing, the rest is -EINVAL.
        let bogus = layout::map_address(5).unwrap();
        assert_eq!(call(MAP_LOOKUP_ELEM, [bogus, key, 0, 0, 0]), Ok(0));
        assert_eq!(call(MAP_LOOKUP_ELEM, [0, key, 0, 0, 0]), Ok(0));
        assert_eq!(
            call(MAP_UPDATE_ELEM, [counts + 8, key, value, 0, 0]),
            Ok(errno(-EINVAL))
        );
        assert_eq!(
            call(MAP_DELETE_ELEM, [bogus, key, 0, 0, 0]),
            Ok(errno(-EINVAL))
        );
        // The guest adds through the pointer, as `*(u64 *)r0 += 37` would.
        memory.store(pointer, 42u64.to_le_bytes()).unwrap();
    });
    assert!(context.map(counts).is_none(), "the bookkeeping went back");
    let counts_map = maps.get("counts").unwrap();
    assert_eq!(
        counts_map.lookup(&7u32.to_le_bytes()),
        Some(&42u64.to_le_bytes()[..])
    );
    assert_eq!(
        maps.get("table").unwrap().lookup(&1u32.to_le_bytes()),
        Some(&5u64.to_le_bytes()[..])
    );

    // The next run sees the same state, and deletes.
    maps.with_lent(&mut context, |regions, context| {
        let mut memory = mapping(regions, scratch.clone());
        let lookup = [counts, key, 0, 0, 0];
        let pointer = call(&registry, MAP_LOOKUP_ELEM, context, &mut memory, lookup).unwrap();
        assert_eq!(memory.load::<8>(pointer), Ok(42u64.to_le_bytes()));
        let mut call = |id, args| call(&registry, id, context, &mut memory, args);
        assert_eq!(call(MAP_DELETE_ELEM, [counts, key, 0, 0, 0]), Ok(0));
        assert_eq!(
            call(MAP_DELETE_ELEM, [counts, key, 0, 0, 0]),
            Ok(errno(-ENOENT))
        );
        assert_eq!(call(MAP_LOOKUP_ELEM, [counts, key, 0, 0, 0]), Ok(0));
    });
    assert_eq!(
        maps.get("counts").unwrap().lookup(&7u32.to_le_bytes()),
        None
    );
}

#[test]
fn an_unreadable_key_is_an_access_violation() {
    let registry = registry();
    let mut maps = Maps::new(&[def("h", MapKind::Hash, 4, 4, 1)]).unwrap();
    let handle = layout::map_address(0).unwrap();
    let mut context = HelperContext::new();
    let mut lent = maps.lend(&mut context);
    lent.push(MemoryRegion::owned(vec![0; 2], SCRATCH));
    let mut memory = MemoryMapping::new(lent, SETTINGS, SbpfVersion::V1).unwrap();
    // The key runs past the 2-byte scratch region.
    let result = call(
        &registry,
        MAP_LOOKUP_ELEM,
        &mut context,
        &mut memory,
        [handle, SCRATCH, 0, 0, 0],
    );
    assert!(
        matches!(result, Err(SyscallError::AccessViolation { vaddr, len: 4, .. }) if vaddr == SCRATCH)
    );
    let result = call(
        &registry,
        MAP_UPDATE_ELEM,
        &mut context,
        &mut memory,
        [handle, 0, 0, 0, 0],
    );
    assert!(matches!(
        result,
        Err(SyscallError::AccessViolation { vaddr: 0, .. })
    ));
    drop(memory);
    maps.reclaim(&mut context);
    assert!(
        maps.get("h").unwrap().entries().is_empty(),
        "nothing changed"
    );
}

#[test]
fn trace_printk_logs_and_returns_the_length() {
    let registry = registry();
    let mut context = HelperContext::new();
    let mut scratch = vec![0u8; 64];
    let fmt = b"pid %d says %s\n\0";
    scratch[..fmt.len()].copy_from_slice(fmt);
    scratch[32..35].copy_from_slice(b"hi\0");
    let mut memory = mapping(Vec::new(), scratch);
    let size = fmt.len() as u64;
    let args = [SCRATCH, size, 42, SCRATCH + 32, 0];
    let written = call(&registry, TRACE_PRINTK, &mut context, &mut memory, args);
    assert_eq!(written, Ok("pid 42 says hi\n".len() as u64));
    assert_eq!(
        context.logs,
        vec!["pid 42 says hi".to_string()],
        "one newline removed"
    );
    // fmt_size stops before the NUL: -EINVAL (the format must end within it).
    let args = [SCRATCH, size - 1, 42, SCRATCH + 32, 0];
    let refused = call(&registry, TRACE_PRINTK, &mut context, &mut memory, args);
    assert_eq!(refused, Ok(errno(-EINVAL)));
    let args = [SCRATCH, 0, 0, 0, 0];
    let refused = call(&registry, TRACE_PRINTK, &mut context, &mut memory, args);
    assert_eq!(refused, Ok(errno(-EINVAL)));
    // A format outside guest memory is the mapping's fault.
    let args = [SCRATCH + 60, 8, 0, 0, 0];
    let fault = call(&registry, TRACE_PRINTK, &mut context, &mut memory, args);
    assert!(matches!(fault, Err(SyscallError::AccessViolation { .. })));
    assert_eq!(context.logs.len(), 1);
}

#[test]
fn logs_are_capped() {
    let mut context = HelperContext::new();
    for _ in 0..100_000 {
        context.record_log(String::new());
    }
    assert_eq!(context.logs.len(), sbvm::ebpf::helpers::LOG_BYTES_CAP);
    assert_eq!(
        context.dropped_logs,
        100_000 - sbvm::ebpf::helpers::LOG_BYTES_CAP as u64
    );
    assert_eq!(
        context.take_logs().len(),
        sbvm::ebpf::helpers::LOG_BYTES_CAP
    );
    context.record_log("again".into());
    assert_eq!(context.logs, vec!["again".to_string()]);
}

#[test]
fn time_random_and_cpu() {
    let registry = registry();
    let mut memory = mapping(Vec::new(), Vec::new());
    let mut context = HelperContext::with_seed(1);
    let mut call = |id, context: &mut HelperContext| {
        call(&registry, id, context, &mut memory, [0; 5]).unwrap()
    };
    let first = call(KTIME_GET_NS, &mut context);
    std::thread::sleep(std::time::Duration::from_millis(2));
    let second = call(KTIME_GET_NS, &mut context);
    assert!(
        second >= first + 2_000_000,
        "monotonic: {first} then {second}"
    );
    // Marsaglia's xorshift64 (13, 7, 17) from state 1 first gives 1082269761.
    assert_eq!(call(GET_PRANDOM_U32, &mut context), 1_082_269_761);
    let sequence = |seed| {
        let mut context = HelperContext::with_seed(seed);
        (0..4)
            .map(|_| context.next_random_u32())
            .collect::<Vec<_>>()
    };
    assert_eq!(sequence(99), sequence(99), "deterministic per seed");
    assert_ne!(sequence(99), sequence(100));
    context.set_seed(1);
    assert_eq!(
        call(GET_PRANDOM_U32, &mut context),
        1_082_269_761,
        "reseeded"
    );
    assert_eq!(call(GET_SMP_PROCESSOR_ID, &mut context), 0);
}

#[test]
fn an_embedder_helper_registered_first_is_kept() {
    let mut registry = SyscallRegistry::<HelperContext>::default();
    registry
        .register_with_key(TRACE_PRINTK, "my_printk", |_, _, _| Ok(99))
        .unwrap();
    register_builtin_helpers(&mut registry);
    assert_eq!(registry.lookup(TRACE_PRINTK).unwrap().name, "my_printk");
    assert_eq!(
        registry.lookup(MAP_LOOKUP_ELEM).unwrap().name,
        "bpf_map_lookup_elem"
    );
    assert_eq!(registry.iter().count(), 7);
}

// --- a whole program through the VM --------------------------------------------------

/// Update key 7 to 40, look it up, add 2 through the returned pointer, return the sum
/// (`call N` calls helper N; the map is named by its address).
fn counter() -> String {
    let map = sbvm::ebpf::layout::map_address(0).unwrap();
    format!(
        "
    lddw r1, {map:#x}
    mov64 r2, r10
    add64 r2, -8
    stw [r10-8], 7
    mov64 r3, r10
    add64 r3, -16
    stdw [r10-16], 40
    mov64 r4, 0
    call 2
    lddw r1, {map:#x}
    mov64 r2, r10
    add64 r2, -8
    call 1
    ldxdw r6, [r0+0]
    add64 r6, 2
    stxdw [r0+0], r6
    mov64 r0, r6
    exit"
    )
}

#[test]
fn a_program_keeps_state_in_a_map_across_runs() {
    use sbvm::vm::{Config, Engine, Executable, Runtime, Vm};
    use std::sync::Arc;

    let mut runtime = Runtime::<HelperContext>::new(Config::default());
    register_builtin_helpers(&mut runtime.syscalls);
    let version = SbpfVersion::Ebpf;
    let executable = Executable::from_assembly(&counter(), version, Arc::new(runtime)).unwrap();
    let config = executable.config().clone();
    let mut maps = Maps::new(&[def("counts", MapKind::Hash, 4, 8, 4)]).unwrap();
    let mut context = HelperContext::new();
    for (run, engine) in [Engine::Interpreter, Engine::Jit, Engine::Interpreter]
        .into_iter()
        .enumerate()
    {
        let result = maps.with_lent(&mut context, |maps, context| {
            // The maps' regions live as long as this call; the others longer.
            let stack = vec![0; config.stack_size()];
            let mut regions = vec![
                executable.ro_region(),
                MemoryRegion::owned(stack, sbvm::memory::MM_STACK_START),
            ];
            regions.extend(maps);
            let memory = MemoryMapping::new(regions, &config, version).unwrap();
            let mut vm = Vm::new(&executable, context, memory);
            vm.execute_with(engine).1
        });
        // Each run sets 40 again and adds 2: the update wrote in place, the pointer held.
        assert_eq!(result, Ok(42), "run {run} with {engine:?}");
        let counts = maps.get("counts").unwrap();
        assert_eq!(
            counts.lookup(&7u32.to_le_bytes()),
            Some(&42u64.to_le_bytes()[..])
        );
        assert_eq!(counts.entries().len(), 1);
    }
}
