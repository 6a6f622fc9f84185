//! Larger than one machine (SPEC §13): the sufficient statistics of the metrics,
//! computed inside Spark, DuckDB or PostgreSQL by a script servq writes, and read back
//! by `report --stats` ([`crate::compute::stats`]).

pub mod dialect;
pub mod engine;
mod files;
pub mod format;
pub mod script;
