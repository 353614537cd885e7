#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/ and fuzz/dicts/<target>.dict from the repository's own inputs.

Run through scripts/fuzz-seeds.sh (which builds the CLI first): `fuzz_seeds.py SBVM REPO`.

Every seed is the project's own: programs assembled by `sbvm asm` from examples/, tests/ and the
conformance cases, eBPF objects clang-19 compiles from tests/data/ebpf-c, the Solana fixture
JSONs, and structured cases encoded here for the targets that read an `Arbitrary` type. Files the
repository already keeps (the example programs, the fixtures) are not copied: their paths go in
fuzz/seeds/<target>.list, which scripts/fuzz-ci.sh reads.

The structured targets read their input the way `arbitrary` 1.x decodes it (libfuzzer-sys
calls `T::arbitrary_take_rest`): integers little-endian, a bool is a byte's low bit, an
`Option` a bool then the value, a `Vec` (also the last field's "take rest") elements each
preceded by a byte whose low bit says "one more", an enum's variant a u32 `x` with
`(x * variants) >> 32 == index`. Reordering a target's fields changes what these seeds mean, so
rerun this script when a target's input type changes.
"""

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

SBPF_VERSIONS = ["v0", "v1", "v2", "v3", "v4"]
# jit_differential picks `[V0..V4, Ebpf][version % 6]`.
JIT_VERSION_INDEX = {**{v: i for i, v in enumerate(SBPF_VERSIONS)}, "ebpf": 5}
# bytes_verify_disasm_roundtrip: `selector % 7` is the e_flags (0..4 the versions), 6 eBPF.
ROUNDTRIP_SELECTOR = {**{v: i for i, v in enumerate(SBPF_VERSIONS)}, "ebpf": 6}

# Conformance cases (tests/conformance/cases) and eBPF conformance files taken as seeds: the
# first few of each family keep the seed tree small while covering every instruction class.
CASES_PER_FAMILY = 2
EBPF_CONFORMANCE_FILES = 12
CONFORMANCE_VERSIONS = ["v0", "v2", "v3"]
# Fixture JSONs: the smallest few of each directory.
FIXTURES_PER_DIRECTORY = 4
MAX_FIXTURE_BYTES = 16 * 1024


# --- arbitrary's encoding -------------------------------------------------------------------

def u8(value):
    return struct.pack("<B", value & 0xFF)


def i8(value):
    return struct.pack("<b", value)


def u16(value):
    return struct.pack("<H", value)


def u32(value):
    return struct.pack("<I", value)


def u64(value):
    return struct.pack("<Q", value & (2**64 - 1))


def boolean(value):
    return b"\x01" if value else b"\x00"


def option(encoded):
    return b"\x00" if encoded is None else b"\x01" + encoded


def vec(items):
    return b"".join(b"\x01" + item for item in items) + b"\x00"


def variant(index, count, *fields):
    """An enum value: the discriminant arbitrary maps to `index` of `count`, then the fields."""
    discriminant = -(-(index << 32) // count)  # ceil(index * 2^32 / count)
    return u32(discriminant) + b"".join(fields)


# --- helpers --------------------------------------------------------------------------------

def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, **kwargs)


def write(directory, name, data):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


def also(seeds, target, repo, path):
    """Names a file the repository already keeps as a seed of `target` (fuzz/seeds/TARGET.list),
    rather than a copy of it: scripts/fuzz-ci.sh gathers them."""
    seeds.mkdir(parents=True, exist_ok=True)
    with open(seeds / f"{target}.list", "a") as listed:
        listed.write(path.relative_to(repo).as_posix() + "\n")


def conformance_sources(repo):
    """(name, dialect, assembly) of the conformance cases taken as seeds."""
    families = {}
    for case in sorted((repo / "tests/conformance/cases").glob("*.case")):
        families.setdefault(case.stem.split("_")[0], []).append(case)
    for family in sorted(families):
        for case in families[family][:CASES_PER_FAMILY]:
            yield case.stem, "sbpf", asm_section(case.read_text())
    files = sorted((repo / "tests/data/ebpf-conformance").glob("*.data"))
    for data in files[:EBPF_CONFORMANCE_FILES]:
        yield data.stem, "ebpf", asm_section(data.read_text())


def asm_section(text):
    """The `-- asm` section of a conformance file."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("-- "):
            inside = line.strip() == "-- asm"
        elif inside:
            lines.append(line)
    return "\n".join(lines) + "\n"


def assemble(sbvm, source, version, elf, work):
    """The raw text section (or ELF file) of `source` for `version`, None if it does not assemble."""
    path = work / "source.asm"
    path.write_text(source)
    out = work / "out.bin"
    args = [sbvm, "asm", "--version", version, "-o", str(out), str(path)]
    if elf:
        args.insert(2, "--elf")
    try:
        run(*args)
    except subprocess.CalledProcessError:
        return None
    return out.read_bytes()


# --- the targets ----------------------------------------------------------------------------

def program_seeds(sbvm, repo, seeds, work):
    """ELF files, raw text sections and assembly texts of the project's programs."""
    programs = [
        *sorted((repo / "examples").glob("*.asm")),
        repo / "tests/elf_programs/every_relocation.asm",
        repo / "tests/data/solana/cpi/programs/cpi_script.asm",
    ]
    texts = []  # (name, version, raw text section)
    for program in programs:
        source = program.read_text()
        also(seeds, "text_assemble_no_panic", repo, program)
        for version in SBPF_VERSIONS:
            elf = assemble(sbvm, source, version, True, work)
            if elf is not None:
                write(seeds / "elf_load_no_panic", f"{program.stem}-{version}.so", elf)
            text = assemble(sbvm, source, version, False, work)
            if text is not None:
                texts.append((program.stem, version, text))
    for name, dialect, source in conformance_sources(repo):
        versions = ["ebpf"] if dialect == "ebpf" else CONFORMANCE_VERSIONS
        if dialect == "sbpf":
            write(seeds / "text_assemble_no_panic", f"{name}.asm", source.encode())
        for version in versions:
            text = assemble(sbvm, source, version, False, work)
            if text is not None:
                texts.append((name, version, text))
            if version in ("v0", "v3"):
                elf = assemble(sbvm, source, version, True, work)
                if elf is not None:
                    write(seeds / "elf_load_no_panic", f"{name}-{version}.so", elf)
    for name, version, text in texts:
        selector = u8(ROUNDTRIP_SELECTOR[version])
        write(seeds / "bytes_verify_disasm_roundtrip", f"{name}-{version}", selector + text)
        # jit_differential's Case { version: u8, budget: u16, input: [u8; 32], text: Vec<u8> }.
        case = u8(JIT_VERSION_INDEX[version]) + u16(4000) + bytes(range(32))
        case += vec([bytes([byte]) for byte in text])
        write(seeds / "jit_differential", f"{name}-{version}", case)


def ebpf_object_seeds(repo, seeds, work):
    """clang-19 objects of tests/data/ebpf-c, as the tests build them and without debug info."""
    builds = {"": ["-O2", "-g", "-mcpu=v3"], "-v1": ["-O2", "-mcpu=v1"]}
    for source in sorted((repo / "tests/data/ebpf-c").glob("*.c")):
        for suffix, flags in builds.items():
            out = work / "object.o"
            run("clang-19", "-target", "bpf", *flags, "-I/usr/include/x86_64-linux-gnu",
                "-c", str(source), "-o", str(out))
            write(seeds / "ebpf_object_no_panic", f"{source.stem}{suffix}.o", out.read_bytes())
    # One object for the sBPF loader too: a well-formed ELF it must refuse.
    shutil.copy(seeds / "ebpf_object_no_panic/two_programs-v1.o",
                seeds / "elf_load_no_panic/two_programs-ebpf.o")


def fixture_seeds(repo, seeds):
    """The smallest fixtures of each directory under tests/data/solana; returns every key seen."""
    keys = set()
    directories = {path.parent for path in (repo / "tests/data/solana").rglob("*.json")}
    for directory in sorted(directories):
        fixtures = sorted(directory.glob("*.json"), key=lambda path: (path.stat().st_size, path.name))
        for fixture in fixtures:
            collect_keys(json.loads(fixture.read_text()), keys)
        taken = [f for f in fixtures if f.stat().st_size <= MAX_FIXTURE_BYTES]
        for fixture in taken[:FIXTURES_PER_DIRECTORY]:
            also(seeds, "fixture_json_no_panic", repo, fixture)
    return keys


def collect_keys(value, keys):
    if isinstance(value, dict):
        for key, inner in value.items():
            keys.add(key)
            collect_keys(inner, keys)
    elif isinstance(value, list):
        for inner in value:
            collect_keys(inner, keys)


def instruction_seeds(seeds):
    """instruction_engines_agree's Case { accounts, metas, stores }: the program stores each
    (offset, value) at input + offset. The loader v2 input: u64 count, then per account a
    96-byte header (dup, signer, writable, executable, padding, key, owner, lamports, data
    length) before its data."""
    def account(data_len, lamports, owned, executable=False):
        return u16(data_len) + u64(lamports) + boolean(owned) + boolean(executable)

    def meta(index, signer, writable):
        return u8(index) + boolean(signer) + boolean(writable)

    def case(accounts, metas, stores):
        return vec(accounts) + vec(metas) + vec([u16(off) + u64(val) for off, val in stores])

    first_data, first_lamports, first_owner, first_len = 8 + 88, 8 + 72, 8 + 40, 8 + 80
    cases = {
        "write-own-data": case([account(64, 1000, True)], [meta(0, True, True)],
                               [(first_data, 0x1122334455667788)]),
        "write-readonly-data": case([account(64, 1000, True)], [meta(0, False, False)],
                                    [(first_data, 7)]),
        "write-foreign-data": case([account(64, 1000, False)], [meta(0, True, True)],
                                   [(first_data + 8, 7)]),
        "mint-lamports": case([account(0, 1000, True)], [meta(0, True, True)],
                              [(first_lamports, 2000)]),
        "change-owner": case([account(0, 1000, True)], [meta(0, True, True)],
                             [(first_owner, 0x5050505050505050)]),
        "grow-data": case([account(16, 1000, True)], [meta(0, True, True)],
                          [(first_len, 1024), (first_data + 1000, 9)]),
        "duplicates": case([account(8, 10, True), account(32, 20, True)],
                           [meta(0, True, True), meta(1, False, True), meta(0, False, False)],
                           [(first_data, 1)]),
        "executable-and-empty": case([account(0, 1, True, True), account(100, 0, False)],
                                     [meta(0, False, False), meta(1, True, True)], []),
    }
    for name, data in cases.items():
        write(seeds / "instruction_engines_agree", name, data)


def cpi_seeds(seeds):
    """cpi_account_infos's Case (fuzz_targets/cpi_account_infos/spec.rs, in field order)."""
    owners = {"caller": 0, "system": 1, "callee": 2, "other": 3}
    fields = {"key": 0, "lamports": 1, "owner": 2, "data": 3, "record": 4, "data_len": 5}

    def user(data_len, lamports, owner, pda=False, executable=False):
        return u8(data_len) + u32(lamports) + variant(owners[owner], 4) + boolean(pda) \
            + boolean(executable)

    def caller_meta(pick, signer, writable):
        return u8(pick) + boolean(signer) + boolean(writable)

    def position_meta(position, signer, writable):
        return variant(0, 3, u8(position)) + boolean(signer) + boolean(writable) + option(None)

    def change(index, *values):
        return variant(index, 3, *values)

    def set_len(position, length):
        return change(0, u8(position), u16(length))

    def transfer(source, target, amount):
        return change(1, u8(source), u8(target), u16(amount))

    def fill(position, offset, value):
        return change(2, u8(position), u8(offset), u64(value))

    def target(position, field, delta=0):
        return u8(position) + variant(fields[field], 7) + i8(delta)

    def callee_op(index, *values):
        return variant(index, 7, *values)

    def script(*ops):
        return variant(0, 2, vec(list(ops)))

    def raw_data(data):
        return variant(1, 2, vec([bytes([b]) for b in data]))

    def instruction(callee, metas, data):
        # callee, metas, data, then five pointer/length overrides left to the harness, caps.
        return callee + vec(metas) + data + option(None) * 5 + u64(0) + u64(0)

    def case(rust, users, caller_metas, instr, with_system=False, caller_stores=(),
             signers=(), patches=()):
        return (boolean(rust) + vec(users) + vec(caller_metas) + boolean(with_system)
                + vec(list(caller_stores)) + instr + boolean(False) + vec([])
                + vec(list(signers)) + variant(0, 2) * 5 + vec(list(patches)))

    callee = variant(0, 5)
    system = variant(1, 5)
    writable_callee_account = [user(32, 1000, "callee")]
    cases = {}
    for rust in (False, True):
        flavour = "rust" if rust else "c"
        cases[f"{flavour}-callee-fills-data"] = case(
            rust, writable_callee_account, [caller_meta(0, False, True)],
            instruction(callee, [position_meta(0, False, True)], script(
                callee_op(0, fill(0, 0, 0x0102030405060708)))))
        cases[f"{flavour}-callee-grows-and-logs"] = case(
            rust, writable_callee_account, [caller_meta(0, False, True)],
            instruction(callee, [position_meta(0, False, True)], script(
                callee_op(0, set_len(0, 200)),
                callee_op(4, target(0, "key"), u8(32)),
                callee_op(5, target(0, "data"), u8(16)))))
        cases[f"{flavour}-callee-moves-lamports"] = case(
            rust, [user(0, 1000, "callee"), user(8, 50, "callee")],
            [caller_meta(0, False, True), caller_meta(1, False, True)],
            instruction(callee, [position_meta(0, False, True), position_meta(1, False, True)],
                        script(callee_op(0, transfer(0, 1, 300)))))
        cases[f"{flavour}-pda-signs-system-transfer"] = case(
            rust, [user(0, 5000, "system", pda=True), user(0, 0, "system")],
            [caller_meta(0, False, True), caller_meta(1, False, True)],
            instruction(system, [position_meta(0, True, True), position_meta(1, False, True)],
                        raw_data(u32(2) + u64(1234))),
            with_system=True, signers=[variant(0, 2, u8(0))])
    cases["c-caller-changes-then-callee-fails"] = case(
        False, writable_callee_account + [user(16, 10, "caller")],
        [caller_meta(0, False, True), caller_meta(1, True, True)],
        instruction(callee, [position_meta(0, False, True), position_meta(1, True, False)],
                    script(callee_op(1, target(0, "data", 4), u64(99)), callee_op(6, u32(1)))),
        caller_stores=[variant(0, 2, fill(1, 0, 5))])
    cases["rust-callee-writes-readonly"] = case(
        True, writable_callee_account, [caller_meta(0, False, False)],
        instruction(callee, [position_meta(0, False, False)], script(
            callee_op(2, target(0, "data"), u8(1)))))
    for name, data in cases.items():
        write(seeds / "cpi_account_infos", name, data)


# --- dictionaries ---------------------------------------------------------------------------

def dict_line(token):
    escaped = "".join(
        chr(b) if 0x20 <= b < 0x7F and chr(b) not in '"\\' else f"\\x{b:02x}" for b in token)
    return f'"{escaped}"\n'


def write_dict(dicts, target, comment, tokens):
    dicts.mkdir(parents=True, exist_ok=True)
    lines = [f"# {line}\n" for line in comment.splitlines()]
    lines += [dict_line(token) for token in sorted(set(tokens))]
    (dicts / f"{target}.dict").write_text("".join(lines))


def mnemonics(sbvm, work):
    """Every mnemonic the disassembler prints (the instruction table's names), found by
    disassembling one slot per opcode byte with a few register and immediate choices."""
    slots = bytearray()
    for opcode in range(256):
        for regs in (0x00, 0x01, 0x10, 0x21):
            for imm in (0, 1, 8, 16, 32, 64, -1, 0x40, 0x50, 0xA0, 0xE1, 0xF1):
                slots += struct.pack("<BBhi", opcode, regs, 0, imm) + bytes(8)
    path = work / "every-opcode.bin"
    path.write_bytes(slots)
    names = set()
    for version in SBPF_VERSIONS + ["ebpf"]:
        listing = run(sbvm, "disasm", "--raw", "--version", version, str(path), text=True).stdout
        for line in listing.splitlines():
            words = line.split()
            if words and words[0].isidentifier() and words[0].islower() and len(words) > 1 \
                    or words and words[0] == "exit":
                names.add(words[0])
    return names


def dictionaries(sbvm, dicts, json_keys, work):
    names = mnemonics(sbvm, work)
    registers = [f"r{i}" for i in range(11)]
    directives = [".fill", ".rodata", ".ascii", ".asciz", ".byte", ".half", ".word", ".quad"]
    asm_tokens = [n.encode() for n in names] + [r.encode() for r in registers] + [
        t.encode() for t in directives + ["entrypoint:", "function_", "[r10-8]", "[r1+0]",
                                          "hashcall", "syscall", "sol_log_", "sol_log_64_",
                                          "sol_memcpy_", "abort", "0x", "+", "-", ","]]
    write_dict(dicts, "text_assemble_no_panic",
               "Assembler tokens: every mnemonic the disassembler prints (generated by\n"
               "scripts/fuzz-seeds.sh), registers, directives, labels and syscall names.",
               asm_tokens)

    elf_tokens = [
        b"\x7fELF", b"\x7fELF\x02\x01\x01", b"\x02\x01\x01\x00",
        struct.pack("<H", 3),    # e_type ET_DYN
        struct.pack("<H", 247),  # e_machine EM_BPF
        struct.pack("<H", 263),  # e_machine EM_SBPF
        struct.pack("<I", 1), struct.pack("<I", 2), struct.pack("<I", 3),  # e_flags V1..V3
        struct.pack("<I", 0x20),  # e_flags SBPF_V2 (legacy)
        struct.pack("<H", 64), struct.pack("<H", 56),  # e_ehsize, e_phentsize
        struct.pack("<I", 1), struct.pack("<I", 2),  # p_type PT_LOAD, PT_DYNAMIC
        struct.pack("<Q", 0x1_0000_0000), struct.pack("<Q", 0x2_0000_0000),  # vaddrs
        struct.pack("<I", 8),  # R_BPF_64_RELATIVE
        struct.pack("<I", 10),  # R_BPF_64_32
        b".text", b".rodata", b".data.rel.ro", b".eh_frame", b".dynsym", b".dynstr",
        b".rel.dyn", b".dynamic", b".bss", b".data", b".symtab", b".strtab", b".shstrtab",
        b"entrypoint", b"sol_log_", b"abort", b"custom_panic",
    ]
    write_dict(dicts, "elf_load_no_panic",
               "ELF header values, program/section/relocation constants and names of sBPF\n"
               "programs (ELF-64 and the sBPF ABI).",
               elf_tokens)
    ebpf_tokens = elf_tokens + [
        b".maps", b"maps", b"license", b"GPL", b".BTF", b".BTF.ext", b".rel.text",
        b"kprobe/", b"xdp", b"socket", b"tracepoint/", b".rel", b".llvm_addrsig",
        struct.pack("<I", 1),  # R_BPF_64_64
    ]
    write_dict(dicts, "ebpf_object_no_panic",
               "ELF constants plus the section names clang gives eBPF objects.",
               ebpf_tokens)
    json_tokens = [f'"{key}"'.encode() for key in json_keys] + [
        b"true", b"false", b"null", b"Ok(())", b"Err(", b"[]", b"{}", b'":', b"0x"]
    write_dict(dicts, "fixture_json_no_panic",
               "Field names of the fixtures under tests/data/solana (generated by\n"
               "scripts/fuzz-seeds.sh) and JSON tokens.",
               json_tokens)


def main():
    sbvm, repo = sys.argv[1], Path(sys.argv[2]).resolve()
    seeds, dicts = repo / "fuzz/seeds", repo / "fuzz/dicts"
    work = Path(sys.argv[3])
    for directory in (seeds, dicts):
        shutil.rmtree(directory, ignore_errors=True)
    program_seeds(sbvm, repo, seeds, work)
    ebpf_object_seeds(repo, seeds, work)
    keys = fixture_seeds(repo, seeds)
    instruction_seeds(seeds)
    cpi_seeds(seeds)
    dictionaries(sbvm, dicts, keys, work)


if __name__ == "__main__":
    main()
