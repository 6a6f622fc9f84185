//! Interning of text keys (dimension values, customer ids, topics) into small integer
//! codes, shared by every table so that codes join across inputs.

use std::collections::{BTreeMap, HashMap};

/// Codes for the distinct values of one text column.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    index: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
    values: Vec<Box<str>>,
}

impl Dictionary {
    /// Returns the code of `value`, adding it when new.
    pub fn code(&mut self, value: &str) -> u32 {
        if let Some(&code) = self.index.get(value) {
            return code;
        }
        let code = self.values.len() as u32;
        self.values.push(value.into());
        self.index.insert(value.into(), code);
        code
    }

    /// Returns the value of a code ("" for an unknown code).
    pub fn value(&self, code: u32) -> &str {
        self.values.get(code as usize).map_or("", |v| v)
    }

    /// Returns every value, in code order.
    pub fn values(&self) -> &[Box<str>] {
        &self.values
    }

    /// Returns the code of `value` if it has been seen.
    pub fn lookup(&self, value: &str) -> Option<u32> {
        self.index.get(value).copied()
    }
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
    }
}
