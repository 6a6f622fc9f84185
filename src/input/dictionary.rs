//! Interning of text keys (dimension values, customer ids, topics) into small integer
//! codes, shared by every table so that codes join across inputs.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Codes for the distinct values of one text column. The values are kept end to end
/// in one string, and the index holds codes with the values of up to [`INLINE`] bytes
/// (customer ids, channels): about 40 bytes per distinct value (millions of customer ids
/// fit in tens of megabytes), and a value found is compared without a look into the
/// string (a cache miss per row, on millions of ids).
#[derive(Clone, Default)]
pub struct Dictionary {
    /// Every value, in code order, end to end.
    text: String,
    /// Where each value ends in `text`.
    ends: Vec<usize>,
    /// Codes, found by the hash of their value.
    index: HashTable<Slot>,
    hasher: foldhash::fast::RandomState,
}

/// The longest value kept in the index itself.
const INLINE: usize = 11;

/// One value in the index: its code, and the value when it is short.
#[derive(Clone, Copy)]
struct Slot {
    code: u32,
    /// The value's length, or `u8::MAX` for a value longer than [`INLINE`] bytes.
    len: u8,
    bytes: [u8; INLINE],
}

impl Slot {
    fn new(code: u32, value: &[u8]) -> Self {
        let mut bytes = [0; INLINE];
        match bytes.get_mut(..value.len()) {
            Some(inline) => {
                inline.copy_from_slice(value);
                Slot { code, len: value.len() as u8, bytes }
            }
            None => Slot { code, len: u8::MAX, bytes },
        }
    }

    /// The value (from the index, or from the arena when it is long).
    fn value<'a>(&'a self, text: &'a str, ends: &[usize]) -> &'a [u8] {
        match self.bytes.get(..usize::from(self.len)) {
            Some(inline) => inline,
            None => slice(text, ends, self.code).as_bytes(),
        }
    }

    /// Returns true if and only if the slot holds `value`.
    #[inline]
    fn holds(&self, value: &[u8], text: &str, ends: &[usize]) -> bool {
        if value.len() <= INLINE {
            usize::from(self.len) == value.len() && equal_short(&self.bytes[..value.len()], value)
        } else {
            self.len == u8::MAX && slice(text, ends, self.code).as_bytes() == value
        }
    }
}

/// Whether two values of the same length, up to [`INLINE`] bytes, are equal: compared
/// as two overlapping words (a slice comparison called memcmp once per row).
#[inline]
fn equal_short(a: &[u8], b: &[u8]) -> bool {
    fn word<const N: usize>(s: &[u8], at: usize) -> [u8; N] {
        s.get(at..).and_then(<[u8]>::first_chunk::<N>).copied().unwrap_or([0; N])
    }
    match a.len() {
        n @ 8.. => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        n @ 4.. => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        _ => a.iter().zip(b).all(|(x, y)| x == y),
    }
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Dictionary {
    /// Returns the code of `value`, adding it when new.
    pub fn code(&mut self, value: &str) -> u32 {
        let bytes = value.as_bytes();
        let hash = self.hasher.hash_one(bytes);
        let (text, ends) = (&self.text, &self.ends);
        if let Some(slot) = self.index.find(hash, |slot| slot.holds(bytes, text, ends)) {
            return slot.code;
        }
        let code = self.ends.len() as u32;
        self.text.push_str(value);
        self.ends.push(self.text.len());
        let (text, ends, hasher) = (&self.text, &self.ends, &self.hasher);
        self.index.insert_unique(hash, Slot::new(code, bytes), |slot| hasher.hash_one(slot.value(text, ends)));
        code
    }

    /// Returns the value of a code ("" for an unknown code).
    pub fn value(&self, code: u32) -> &str {
        if (code as usize) < self.ends.len() { slice(&self.text, &self.ends, code) } else { "" }
    }

    /// The number of distinct values (codes run from 0 to this − 1).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Returns true if and only if no value was added.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Returns every value, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len() as u32).map(|c| slice(&self.text, &self.ends, c))
    }

    /// Returns the code of `value` if it has been seen.
    pub fn lookup(&self, value: &str) -> Option<u32> {
        let bytes = value.as_bytes();
        let hash = self.hasher.hash_one(bytes);
        self.index.find(hash, |slot| slot.holds(bytes, &self.text, &self.ends)).map(|slot| slot.code)
    }
}

/// The value of `code` in an arena.
fn slice<'a>(text: &'a str, ends: &[usize], code: u32) -> &'a str {
    let code = code as usize;
    let start = if code == 0 { 0 } else { ends[code - 1] };
    &text[start..ends[code]]
}

/// One dictionary per column name (`by.channel`, `customer_id`, …).
#[derive(Debug, Clone, Default)]
pub struct Dictionaries(BTreeMap<String, Dictionary>);

impl Dictionaries {
    /// Returns the dictionary of a column, created on first use.
    pub fn get_mut(&mut self, column: &str) -> &mut Dictionary {
        self.0.entry(column.to_string()).or_default()
    }

    /// Returns the dictionary of a column, if any value was interned.
    pub fn get(&self, column: &str) -> Option<&Dictionary> {
        self.0.get(column)
    }

    /// Returns the text of `code` in `column` ("" when unknown).
    pub fn value(&self, column: &str, code: u32) -> &str {
        self.0.get(column).map_or("", |d| d.value(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_differ_in_any_byte() {
        for len in 0..=INLINE {
            let a: Vec<u8> = (0..len as u8).map(|i| b'a' + i).collect();
            assert!(equal_short(&a, &a.clone()), "{len}");
            for at in 0..len {
                let mut b = a.clone();
                b[at] = b'#';
                assert!(!equal_short(&a, &b), "{len} {at}");
            }
        }
    }

    #[test]
    fn codes_are_stable_and_dense() {
        let mut d = Dictionary::default();
        assert_eq!(d.code("chat"), 0);
        assert_eq!(d.code("email"), 1);
        assert_eq!(d.code("chat"), 0);
        assert_eq!(d.value(1), "email");
        assert_eq!(d.lookup("phone"), None);
        assert_eq!(d.code(""), 2);
        assert_eq!(d.value(2), "");
        assert_eq!(d.value(3), "");
        assert_eq!(d.iter().collect::<Vec<_>>(), ["chat", "email", ""]);
        for i in 0..10_000 {
            assert_eq!(d.code(&format!("C{i}")), i + 3);
        }
        assert_eq!(d.lookup("C9999"), Some(10_002));
        assert_eq!(d.value(10_002), "C9999");
        // Values longer than the index holds, and as long as it holds.
        let long = "customer-0000000000000";
        let edge = "C1234567890";
        assert_eq!(edge.len(), INLINE);
        assert_eq!(d.code(long), 10_003);
        assert_eq!(d.code(edge), 10_004);
        assert_eq!(d.code(&long[..INLINE + 1]), 10_005);
        assert_eq!((d.code(long), d.code(edge), d.code(&long[..INLINE + 1])), (10_003, 10_004, 10_005));
        assert_eq!(d.lookup(&long[..INLINE]), None);
        assert_eq!(d.lookup("C123456789"), None);
        assert_eq!(d.value(10_003), long);
    }
}
