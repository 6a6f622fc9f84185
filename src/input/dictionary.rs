//! Interning of text keys (dimension values, customer ids, topics) into small integer
//! codes, shared by every table so that codes join across inputs.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Codes for the distinct values of one text column. The values are kept end to end
/// in one string, and the index holds only codes: about 20 bytes per distinct value
/// (millions of customer ids fit in tens of megabytes).
#[derive(Clone, Default)]
pub struct Dictionary {
    /// Every value, in code order, end to end.
    text: String,
    /// Where each value ends in `text`.
    ends: Vec<usize>,
    /// Codes, found by the hash of their value.
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Dictionary {
    /// Returns the code of `value`, adding it when new.
    pub fn code(&mut self, value: &str) -> u32 {
        let hash = self.hasher.hash_one(value);
        let (text, ends) = (&self.text, &self.ends);
        if let Some(&code) = self.index.find(hash, |&c| slice(text, ends, c) == value) {
            return code;
        }
        let code = self.ends.len() as u32;
        self.text.push_str(value);
        self.ends.push(self.text.len());
        let (text, ends, hasher) = (&self.text, &self.ends, &self.hasher);
        self.index.insert_unique(hash, code, |&c| hasher.hash_one(slice(text, ends, c)));
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
        let hash = self.hasher.hash_one(value);
        self.index.find(hash, |&c| slice(&self.text, &self.ends, c) == value).copied()
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
    }
}
