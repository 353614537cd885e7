//! The BPF Type Format (`.BTF`): the header, the type table and the string table, read as far
//! as a map definition needs (kernel `Documentation/bpf/btf.rst`, `include/uapi/linux/btf.h`).
//!
//! ```text
//!   .BTF  ┌──────────────── header (hdr_len bytes) ────────────────┐
//!         │ u16 magic 0xEB9F │ u8 version 1 │ u8 flags │ u32 hdr_len │
//!         │ u32 type_off │ u32 type_len │ u32 str_off │ u32 str_len  │
//!         ├──────────── types: [hdr_len + type_off, +type_len) ─────┤
//!         │ btf_type { u32 name_off; u32 info; u32 size_or_type }   │  id 1, 2, … in order
//!         │ + kind-specific bytes (vlen records, array, var, …)     │  (id 0 is void)
//!         ├──────────── strings: [hdr_len + str_off, +str_len) ─────┤
//!         │ "\0name\0name…"                                         │
//!         └─────────────────────────────────────────────────────────┘
//!   info: bits 0–15 vlen, bits 24–28 kind, bit 31 kind_flag
//! ```
//!
//! Every kind up to `ENUM64` (19) is known, so the table can be walked; an unknown kind stops
//! the walk with [`BtfError::UnknownKind`], since its size cannot be skipped. Only what maps
//! need is kept: sizes, pointer and modifier targets, array shapes, struct members, variables
//! and data sections.

/// The magic number, `BTF_MAGIC`.
const MAGIC: u16 = 0xeb9f;
/// Bytes of the header this reader knows (`struct btf_header`).
const HEADER_SIZE: usize = 24;
/// Bytes of a `struct btf_type`.
const TYPE_SIZE: usize = 12;
/// The longest chain of typedefs, modifiers and array elements followed before giving up.
const MAX_DEPTH: usize = 32;

/// What is wrong with a `.BTF` section or a map described in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BtfError {
    /// The header is short or has the wrong magic, version or length.
    #[error("bad header: {reason}")]
    Header {
        /// What is wrong.
        reason: &'static str,
    },
    /// The type or string table, or a type record, runs past its end.
    #[error("{what} at byte {offset:#x} runs past the end of the {table} table")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Its offset in the table.
        offset: usize,
        /// "type" or "string".
        table: &'static str,
    },
    /// A type of a kind this reader does not know.
    #[error("type {id} has unknown kind {kind}")]
    UnknownKind {
        /// The type id.
        id: u32,
        /// The kind number.
        kind: u32,
    },
    /// A name offset outside the string table, or a name that is not UTF-8.
    #[error("name offset {offset:#x} is not a string in the string table")]
    BadString {
        /// The offset.
        offset: u32,
    },
    /// A reference to a type id that does not exist.
    #[error("type id {id} does not exist")]
    BadTypeId {
        /// The id.
        id: u32,
    },
    /// A type whose byte size is asked but that has none (void, a function, a variable…).
    #[error("type {id} has no size")]
    NoSize {
        /// The id.
        id: u32,
    },
    /// A chain of typedefs, modifiers or arrays too long (or a cycle).
    #[error("type {id} resolves through more than 32 links")]
    TooDeep {
        /// The id where resolution started.
        id: u32,
    },
    /// A `.maps` variable whose definition is not what `bpf_helpers.h` writes.
    #[error("map {map}: {reason}")]
    MapDefinition {
        /// The map.
        map: String,
        /// What is wrong.
        reason: String,
    },
    /// No `DATASEC` named `.maps`.
    #[error("no DATASEC named .maps")]
    NoMapsDatasec,
}

/// One member of a struct or union: its name offset and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Member {
    /// Offset of its name in the string table.
    pub name: u32,
    /// Its type id.
    pub type_id: u32,
}

/// One variable of a data section: its type (a `VAR`). Its offset and size are not kept:
/// clang leaves them zero and libbpf fills them in from the ELF symbols, so the loader
/// matches a variable to its symbol by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SecInfo {
    /// The `VAR` type id.
    pub type_id: u32,
}

/// A type, reduced to what maps need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Type {
    /// A type with a byte size: INT, ENUM, ENUM64, FLOAT.
    Sized(u32),
    /// PTR to a type.
    Ptr(u32),
    /// ARRAY of `nelems` elements of `elem`.
    Array {
        /// Element type id.
        elem: u32,
        /// Element count.
        nelems: u32,
    },
    /// STRUCT or UNION.
    Composite {
        /// Byte size.
        size: u32,
        /// Members.
        members: Vec<Member>,
    },
    /// TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: the same as their target.
    Alias(u32),
    /// VAR of a type.
    Var(u32),
    /// DATASEC with its variables.
    Datasec(Vec<SecInfo>),
    /// FWD, FUNC, FUNC_PROTO, DECL_TAG: no size, nothing a map needs.
    Opaque,
}

/// A parsed `.BTF`: types by id (index 0 is void) with their name offsets, and the strings.
#[derive(Debug, Clone)]
pub(super) struct Btf<'a> {
    types: Vec<(u32, Type)>,
    strings: &'a [u8],
}

/// Reads the little-endian `u32` word `index` of the words starting at byte `base`.
fn word_at(bytes: &[u8], base: usize, index: usize) -> Option<u32> {
    let start = index.checked_mul(4)?.checked_add(base)?;
    let word = bytes.get(start..start.checked_add(4)?)?;
    Some(u32::from_le_bytes(word.try_into().ok()?))
}

/// The sub-slice `[base + offset, +len)` of `bytes`, if it is inside.
fn region(bytes: &[u8], base: usize, offset: u32, len: u32) -> Option<&[u8]> {
    let start = base.checked_add(usize::try_from(offset).ok()?)?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    bytes.get(start..end)
}

impl<'a> Btf<'a> {
    /// Parses the section's bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Btf<'a>, BtfError> {
        let header = |reason| BtfError::Header { reason };
        let magic = bytes.get(..2).ok_or(header("shorter than its magic"))?;
        if u16::from_le_bytes([magic[0], magic[1]]) != MAGIC {
            return Err(header("magic is not 0xeb9f (or not little-endian)"));
        }
        if bytes.get(2) != Some(&1) {
            return Err(header("version is not 1"));
        }
        let field = |index: usize| word_at(bytes, 4, index).ok_or(header("truncated"));
        let hdr_len = usize::try_from(field(0)?).map_err(|_| header("hdr_len too large"))?;
        if hdr_len < HEADER_SIZE {
            return Err(header("hdr_len is below 24"));
        }
        let type_table = region(bytes, hdr_len, field(1)?, field(2)?)
            .ok_or(header("type table out of bounds"))?;
        let strings = region(bytes, hdr_len, field(3)?, field(4)?)
            .ok_or(header("string table out of bounds"))?;
        let types = parse_types(type_table)?;
        Ok(Btf { types, strings })
    }

    /// The type with `id`.
    pub fn get(&self, id: u32) -> Result<&Type, BtfError> {
        usize::try_from(id)
            .ok()
            .and_then(|index| self.types.get(index))
            .map(|(_, kind)| kind)
            .ok_or(BtfError::BadTypeId { id })
    }

    /// The name of the type with `id` (empty for anonymous types).
    pub fn type_name(&self, id: u32) -> Result<&'a str, BtfError> {
        let index = usize::try_from(id).map_err(|_| BtfError::BadTypeId { id })?;
        let (name, _) = self.types.get(index).ok_or(BtfError::BadTypeId { id })?;
        self.string(*name)
    }

    /// The string at `offset` in the string table.
    pub fn string(&self, offset: u32) -> Result<&'a str, BtfError> {
        let bad = BtfError::BadString { offset };
        let start = usize::try_from(offset).map_err(|_| bad.clone())?;
        let tail = self.strings.get(start..).ok_or(bad.clone())?;
        let end = tail.iter().position(|&byte| byte == 0).ok_or(bad.clone())?;
        std::str::from_utf8(&tail[..end]).map_err(|_| bad)
    }

    /// Every type id with its type, in order (id 0, void, excluded).
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Type)> {
        self.types
            .iter()
            .enumerate()
            .skip(1)
            .map(|(index, (_, kind))| (index as u32, kind))
    }

    /// Follows aliases (typedef, const, volatile, restrict, type_tag) from `id` to a type that
    /// is none, returning its id.
    pub fn skip_aliases(&self, id: u32) -> Result<u32, BtfError> {
        let mut current = id;
        for _ in 0..MAX_DEPTH {
            match self.get(current)? {
                Type::Alias(target) => current = *target,
                _ => return Ok(current),
            }
        }
        Err(BtfError::TooDeep { id })
    }

    /// The byte size of the type `id`: INT/ENUM/FLOAT/STRUCT/UNION their size, PTR 8, ARRAY
    /// `nelems × element size`, aliases their target's.
    pub fn size_of(&self, id: u32) -> Result<u64, BtfError> {
        self.size_at_depth(id, 0)
    }

    fn size_at_depth(&self, id: u32, depth: usize) -> Result<u64, BtfError> {
        if depth > MAX_DEPTH {
            return Err(BtfError::TooDeep { id });
        }
        match self.get(self.skip_aliases(id)?)? {
            Type::Sized(size) | Type::Composite { size, .. } => Ok(u64::from(*size)),
            Type::Ptr(_) => Ok(8),
            Type::Array { elem, nelems } => {
                let elem_size = self.size_at_depth(*elem, depth.saturating_add(1))?;
                elem_size
                    .checked_mul(u64::from(*nelems))
                    .ok_or(BtfError::NoSize { id })
            }
            Type::Alias(_) | Type::Var(_) | Type::Datasec(_) | Type::Opaque => {
                Err(BtfError::NoSize { id })
            }
        }
    }
}

/// Walks the type table: one record per id from 1, each 12 bytes plus its kind's extra
/// bytes (a fixed part and `vlen` records, btf.rst "Type Encoding").
fn parse_types(table: &[u8]) -> Result<Vec<(u32, Type)>, BtfError> {
    let mut types = vec![(0, Type::Opaque)];
    let mut offset = 0;
    while offset < table.len() {
        let id = u32::try_from(types.len()).map_err(|_| BtfError::BadTypeId { id: u32::MAX })?;
        let truncated = BtfError::Truncated {
            what: "type",
            offset,
            table: "type",
        };
        let word = |index: usize| word_at(table, offset, index).ok_or(truncated.clone());
        let (name, info, size_or_type) = (word(0)?, word(1)?, word(2)?);
        let vlen = (info & 0xffff) as usize;
        let kind = (info >> 24) & 0x1f;
        // Extra bytes after the 12: (fixed, per vlen record).
        let (fixed, per_record): (usize, usize) = match kind {
            1 | 14 | 17 => (4, 0),      // INT encoding, VAR linkage, DECL_TAG component
            3 => (12, 0),               // ARRAY {type, index_type, nelems}
            4 | 5 | 15 | 19 => (0, 12), // members, var_secinfo, enum64 values
            6 | 13 => (0, 8),           // enum values, params
            2 | 7..=12 | 16 | 18 => (0, 0), // PTR, FWD, modifiers, FUNC, FLOAT, TYPE_TAG
            _ => return Err(BtfError::UnknownKind { id, kind }),
        };
        let records_start = offset.checked_add(TYPE_SIZE).ok_or(truncated.clone())?;
        let next = per_record
            .checked_mul(vlen)
            .and_then(|len| len.checked_add(fixed))
            .and_then(|len| records_start.checked_add(len))
            .filter(|&end| end <= table.len())
            .ok_or(truncated.clone())?;
        let records = table.get(records_start..next).unwrap_or(&[]);
        let record_words = |record: &[u8], index| word_at(record, 0, index).unwrap_or(0);
        let parsed = match kind {
            1 | 6 | 16 | 19 => Type::Sized(size_or_type),
            2 => Type::Ptr(size_or_type),
            3 => Type::Array {
                elem: word(3)?,
                nelems: word(5)?,
            },
            4 | 5 => Type::Composite {
                size: size_or_type,
                members: records
                    .chunks_exact(12)
                    .map(|record| Member {
                        name: record_words(record, 0),
                        type_id: record_words(record, 1),
                    })
                    .collect(),
            },
            8..=11 | 18 => Type::Alias(size_or_type),
            14 => Type::Var(size_or_type),
            15 => Type::Datasec(
                records
                    .chunks_exact(12)
                    .map(|record| SecInfo {
                        type_id: record_words(record, 0),
                    })
                    .collect(),
            ),
            _ => Type::Opaque,
        };
        types.push((name, parsed));
        offset = next;
    }
    Ok(types)
}
