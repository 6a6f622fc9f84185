//! Reading the three input kinds into polars frames, with full data-quality
//! accounting: open (globs, gzip, encodings, delimiters), map columns, parse and
//! validate every value, and intern dimension values.

pub mod chunk;
pub mod columns;
pub mod compact;
pub mod dictionary;
pub mod guess;
pub mod hints;
pub mod hits;
pub mod packed;
pub mod parse;
pub mod quality;
pub mod request;
pub mod source;
pub mod table;

use serde::Serialize;

pub use compact::Rows;
pub use dictionary::{Dictionaries, Dictionary};
pub use quality::DataQuality;
pub use request::{FieldRequest, TableRequest, Timestamps, ValueKind, Window};
pub use table::Table;

/// The kinds of input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One survey response per row.
    Surveys,
    /// One support contact or ticket per row.
    Interactions,
    /// One order or billable transaction per row.
    Transactions,
    /// A customer snapshot: one customer per row with a churn flag (SPEC §12).
    Customers,
    /// One employee (hire and leave dates) per row (SPEC §12).
    Employees,
    /// One employee survey response per row (SPEC §12).
    EmployeeSurveys,
}

impl Kind {
    /// Returns the kind's name as used in flags and config sections.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Surveys => "surveys",
            Kind::Interactions => "interactions",
            Kind::Transactions => "transactions",
            Kind::Customers => "customers",
            Kind::Employees => "employees",
            Kind::EmployeeSurveys => "employee_surveys",
        }
    }

    /// Every kind, in the order inputs are listed.
    pub const ALL: [Kind; 6] = [
        Kind::Surveys,
        Kind::Interactions,
        Kind::Transactions,
        Kind::Customers,
        Kind::Employees,
        Kind::EmployeeSurveys,
    ];

    /// The flag that names its files (`--employee-surveys`).
    pub fn flag(self) -> String {
        format!("--{}", self.as_str().replace('_', "-"))
    }
}

/// The column name under which a `--by` dimension is stored in a frame.
pub fn dimension_column(name: &str) -> String {
    format!("by.{name}")
}
