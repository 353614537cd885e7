//! A `.BTF` section built type by type, as the kernel's `Documentation/bpf/btf.rst` lays it
//! out: a 24-byte header, the type records (ids from 1), the string table.

#![allow(dead_code)]

use super::writer::StrTab;

/// The kind numbers of `btf.rst` ("BTF_KIND_*").
pub const INT: u32 = 1;
pub const PTR: u32 = 2;
pub const ARRAY: u32 = 3;
pub const STRUCT: u32 = 4;
pub const TYPEDEF: u32 = 8;
pub const VOLATILE: u32 = 9;
pub const CONST: u32 = 10;
pub const VAR: u32 = 14;
pub const DATASEC: u32 = 15;

pub struct BtfBuilder {
    types: Vec<u8>,
    strings: StrTab,
    next_id: u32,
}

impl Default for BtfBuilder {
    fn default() -> Self {
        BtfBuilder::new()
    }
}

impl BtfBuilder {
    pub fn new() -> BtfBuilder {
        BtfBuilder {
            types: Vec::new(),
            strings: StrTab::new(),
            next_id: 1,
        }
    }

    fn word(&mut self, value: u32) {
        self.types.extend_from_slice(&value.to_le_bytes());
    }

    /// A `struct btf_type` with `extra` words after it; returns its id.
    pub fn raw(
        &mut self,
        name: &str,
        kind: u32,
        vlen: u32,
        size_or_type: u32,
        extra: &[u32],
    ) -> u32 {
        let name = self.strings.add(name);
        self.word(name);
        self.word((kind << 24) | vlen);
        self.word(size_or_type);
        for &word in extra {
            self.word(word);
        }
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// `INT` of `size` bytes (encoding: `bits = size * 8`, unsigned).
    pub fn int(&mut self, name: &str, size: u32) -> u32 {
        self.raw(name, INT, 0, size, &[size * 8])
    }

    pub fn ptr(&mut self, target: u32) -> u32 {
        self.raw("", PTR, 0, target, &[])
    }

    pub fn array(&mut self, elem: u32, index_type: u32, nelems: u32) -> u32 {
        self.raw("", ARRAY, 0, 0, &[elem, index_type, nelems])
    }

    pub fn typedef(&mut self, name: &str, target: u32) -> u32 {
        self.raw(name, TYPEDEF, 0, target, &[])
    }

    /// `STRUCT` of `size` bytes; members are (name, type, bit offset).
    pub fn structure(&mut self, name: &str, size: u32, members: &[(&str, u32, u32)]) -> u32 {
        let mut extra = Vec::new();
        for &(member, type_id, offset) in members {
            extra.push(self.strings.add(member));
            extra.push(type_id);
            extra.push(offset);
        }
        self.raw(name, STRUCT, members.len() as u32, size, &extra)
    }

    /// A global `VAR`.
    pub fn var(&mut self, name: &str, type_id: u32) -> u32 {
        self.raw(name, VAR, 0, type_id, &[1])
    }

    /// `DATASEC` with (var, offset, size) entries.
    pub fn datasec(&mut self, name: &str, size: u32, vars: &[(u32, u32, u32)]) -> u32 {
        let extra: Vec<u32> = vars.iter().flat_map(|&(v, o, s)| [v, o, s]).collect();
        self.raw(name, DATASEC, vars.len() as u32, size, &extra)
    }

    /// The section: header (magic 0xeb9f, version 1, hdr_len 24), types, strings.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&0xeb9fu16.to_le_bytes());
        out.push(1);
        out.push(0);
        let type_len = self.types.len() as u32;
        for word in [24, 0, type_len, type_len, self.strings.bytes.len() as u32] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&self.types);
        out.extend_from_slice(&self.strings.bytes);
        out
    }
}

/// The BTF clang writes for `bpf_helpers.h` maps: for each (name, type, max_entries, key
/// size, value size) a struct `{ int (*type)[T]; int (*max_entries)[N]; K *key; V *value; }`,
/// a `VAR`, and one `DATASEC .maps` listing them with its size and offsets left zero, as
/// LLVM leaves them (seen in llc 14's output for such a struct with debug info).
pub fn maps_btf(maps: &[(&str, u32, u32, u32, u32)]) -> BtfBuilder {
    let mut btf = BtfBuilder::new();
    let int = btf.int("int", 4);
    let index = btf.int("__ARRAY_SIZE_TYPE__", 4);
    let mut vars = Vec::new();
    for &(name, kind, max_entries, key, value) in maps {
        let type_array = btf.array(int, index, kind);
        let type_ptr = btf.ptr(type_array);
        let max_array = btf.array(int, index, max_entries);
        let max_ptr = btf.ptr(max_array);
        let key_int = btf.int("key_t", key);
        let key_alias = btf.typedef("key_alias", key_int);
        let key_ptr = btf.ptr(key_alias);
        // The value as an array of bytes, so its size goes through ARRAY × element.
        let byte = btf.int("unsigned char", 1);
        let value_array = btf.array(byte, index, value);
        let value_const = btf.raw("", CONST, 0, value_array, &[]);
        let value_ptr = btf.ptr(value_const);
        let def = btf.structure(
            "",
            32,
            &[
                ("type", type_ptr, 0),
                ("max_entries", max_ptr, 64),
                ("key", key_ptr, 128),
                ("value", value_ptr, 192),
            ],
        );
        vars.push(btf.var(name, def));
    }
    let entries: Vec<(u32, u32, u32)> = vars.iter().map(|&v| (v, 0, 0)).collect();
    btf.datasec(".maps", 0, &entries);
    btf
}
