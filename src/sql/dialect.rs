//! What differs between the SQL engines servq writes for (SPEC §13): reading a CSV
//! file, quoting, regular expressions, casts and day arithmetic. Everything else in
//! the script is plain SQL that all three run alike.

/// An SQL engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// Apache Spark SQL (3.4 or later: `try_cast`).
    Spark,
    /// DuckDB.
    Duckdb,
    /// PostgreSQL (12 or later).
    Postgres,
}

/// A file the script reads: its path, delimiter and header names.
#[derive(Debug, Clone)]
pub struct CsvFile {
    /// The absolute path.
    pub path: String,
    /// The field delimiter.
    pub delimiter: u8,
    /// The header names, in order.
    pub headers: Vec<String>,
}

impl Dialect {
    /// The dialect's name, as `--dialect` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Spark => "spark",
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
        }
    }

    /// A string literal. Spark reads backslash escapes in literals (and, before 4.0,
    /// two quotes as two adjacent literals): its backslashes and quotes are escaped with a
    /// backslash; the others double the quote.
    pub fn string(self, s: &str) -> String {
        match self {
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// A quoted identifier.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// The text type.
    pub fn text(self) -> &'static str {
        match self {
            Dialect::Spark => "STRING",
            Dialect::Duckdb => "VARCHAR",
            Dialect::Postgres => "TEXT",
        }
    }

    /// The distinct values of `text` over the rows, sorted and joined by U+001F (one
    /// text; NULL without any).
    pub fn distinct_joined(self, text: &str) -> String {
        match self {
            Dialect::Spark => format!("array_join(array_sort(collect_set({text})), chr(31))"),
            _ => format!("string_agg(DISTINCT {text}, chr(31) ORDER BY {text})"),
        }
    }

    /// The name of the double type.
    pub fn double(self) -> &'static str {
        match self {
            Dialect::Postgres => "DOUBLE PRECISION",
            _ => "DOUBLE",
        }
    }

    /// The statements that set the session up (UTC for date arithmetic).
    pub fn preamble(self) -> Vec<String> {
        match self {
            Dialect::Spark => vec!["SET spark.sql.session.timeZone = UTC".to_string()],
            Dialect::Duckdb => vec![],
            Dialect::Postgres => {
                let iso = "SET DateStyle = 'ISO, YMD'".to_string();
                vec!["SET TIME ZONE 'UTC'".to_string(), iso, "SET client_min_messages = warning".to_string()]
            }
        }
    }

    /// The statements that make `view` the rows of one CSV file, every column as text,
    /// named `c0`, `c1`, … by position (the header line is skipped, never bound by
    /// name: headers that differ in case, repeat or have spaces around them are read as
    /// servq reads them). PostgreSQL loads the file with `COPY`; the others read it in
    /// place.
    pub fn read_csv(self, view: &str, file: &CsvFile) -> Vec<String> {
        let path = self.string(&file.path);
        let delimiter = self.string(&(file.delimiter as char).to_string());
        let names: Vec<String> = (0..file.headers.len()).map(|i| format!("c{i}")).collect();
        match self {
            Dialect::Duckdb => {
                let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
                vec![format!(
                    "CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM read_csv({path}, header = true, all_varchar = true, names = [{}], delim = {delimiter}, quote = '\"', escape = '\"')",
                    quoted.join(", ")
                )]
            }
            Dialect::Spark => {
                let schema: Vec<String> = names.iter().map(|n| format!("{n} STRING")).collect();
                vec![format!(
                    "CREATE OR REPLACE TEMPORARY VIEW {view} ({}) USING csv OPTIONS (path {path}, header 'true', sep {delimiter}, quote '\"', escape '\"', multiLine 'true', mode 'PERMISSIVE')",
                    schema.join(", ")
                )]
            }
            Dialect::Postgres => {
                let columns: Vec<String> = names.iter().map(|n| format!("{n} TEXT")).collect();
                vec![
                    format!("DROP TABLE IF EXISTS {view}"),
                    format!("CREATE TEMP TABLE {view} ({})", columns.join(", ")),
                    format!(
                        "COPY {view} FROM {path} WITH (FORMAT csv, HEADER true, DELIMITER {delimiter}, QUOTE '\"')"
                    ),
                ]
            }
        }
    }

    /// How the script names column `index` of a file read by [`Dialect::read_csv`].
    pub fn file_column(self, index: usize) -> String {
        format!("c{index}")
    }

    /// Makes `name` a table of the rows of `query`, computed once.
    pub fn materialise(self, name: &str, query: &str) -> Vec<String> {
        match self {
            // CACHE TABLE makes a temporary view (see `forget`).
            Dialect::Spark => vec![format!("CACHE TABLE {name} AS {query}")],
            Dialect::Duckdb => vec![format!("CREATE OR REPLACE TEMP TABLE {name} AS {query}")],
            Dialect::Postgres => {
                vec![format!("DROP TABLE IF EXISTS {name}"), format!("CREATE TEMP TABLE {name} AS {query}")]
            }
        }
    }

    /// The statements that drop what an earlier run of a script left under `names`
    /// (tables made by [`Dialect::materialise`]) before the views they read are
    /// replaced: Spark keeps a cached table tied to the view it was made from.
    pub fn forget(self, names: &[String]) -> Vec<String> {
        match self {
            Dialect::Spark => names
                .iter()
                .flat_map(|n| [format!("UNCACHE TABLE IF EXISTS {n}"), format!("DROP VIEW IF EXISTS {n}")])
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The cleaned rows: a table in DuckDB (its aggregation over the view's nested
    /// expressions took 48 s for 10M rows, over the table 0.3 s after a 7 s load), a view
    /// elsewhere (PostgreSQL keeps the layers apart with `OFFSET 0`; Spark plans it well:
    /// caching it took FCR at 10M rows from 52 s to 120 s).
    pub fn cleaned(self, name: &str, query: &str) -> Vec<String> {
        match self {
            Dialect::Duckdb => self.materialise(name, query),
            Dialect::Spark | Dialect::Postgres => self.view(name, query),
        }
    }

    /// A view.
    pub fn view(self, name: &str, query: &str) -> Vec<String> {
        match self {
            Dialect::Spark => vec![format!("CREATE OR REPLACE TEMPORARY VIEW {name} AS {query}")],
            Dialect::Duckdb => vec![format!("CREATE OR REPLACE TEMP VIEW {name} AS {query}")],
            Dialect::Postgres => vec![format!("CREATE OR REPLACE TEMP VIEW {name} AS {query}")],
        }
    }

    /// True when `text` matches the regular expression `pattern` somewhere (patterns
    /// are anchored by the caller and use no backslash).
    pub fn matches(self, text: &str, pattern: &str) -> String {
        let pattern = self.string(pattern);
        match self {
            Dialect::Spark => format!("({text} RLIKE {pattern})"),
            Dialect::Duckdb => format!("regexp_matches({text}, {pattern})"),
            Dialect::Postgres => format!("({text} ~ {pattern})"),
        }
    }

    /// A query of the literal `rows` (`(1, 2, 3)`, …) with the columns `columns`.
    pub fn values(self, rows: &[String], columns: &[&str]) -> String {
        let columns = columns.join(", ");
        match self {
            Dialect::Spark => format!("SELECT * FROM VALUES {} AS t({columns})", rows.join(", ")),
            _ => format!("SELECT * FROM (VALUES {}) AS t({columns})", rows.join(", ")),
        }
    }

    /// A query of the whole numbers `from..=to` in the BIGINT column `column`.
    pub fn range(self, column: &str, from: i64, to: i64) -> String {
        match self {
            Dialect::Spark => format!("SELECT id AS {column} FROM range({from}, {})", to + 1),
            Dialect::Duckdb => format!("SELECT range AS {column} FROM range({from}, {})", to + 1),
            Dialect::Postgres => {
                format!("SELECT CAST(g AS BIGINT) AS {column} FROM generate_series({from}, {to}) AS g")
            }
        }
    }

    /// The text of capturing group `group` (1-based) of `pattern` in `text` (which
    /// the pattern matches).
    pub fn extract(self, text: &str, pattern: &str, group: usize) -> String {
        let pattern = self.string(pattern);
        match self {
            Dialect::Spark | Dialect::Duckdb => format!("regexp_extract({text}, {pattern}, {group})"),
            Dialect::Postgres => format!("(regexp_match({text}, {pattern}))[{group}]"),
        }
    }

    /// `text` without ASCII white space (space, tab, line feed, carriage return, form
    /// feed, vertical tab) at either end.
    pub fn trim(self, text: &str) -> String {
        // Spark reads backslash escapes in literals: its pattern's backslashes are doubled.
        let class = r"[ \t\n\r\f\x0B]";
        match self {
            Dialect::Spark => {
                let class = class.replace('\\', "\\\\");
                format!("regexp_replace({text}, '^{class}+|{class}+$', '')")
            }
            Dialect::Duckdb | Dialect::Postgres => format!("regexp_replace({text}, '^{class}+|{class}+$', '', 'g')"),
        }
    }

    /// `text` as a double (NULL when it is not one; it matched the number pattern).
    /// PostgreSQL reads from 1e-300 to 1e300 only (and 0), so that no arithmetic of the
    /// script on the value can overflow or underflow there, which stops it.
    pub fn number(self, text: &str) -> String {
        match self {
            Dialect::Spark => format!("try_cast({text} AS DOUBLE)"),
            Dialect::Duckdb => format!("TRY_CAST({text} AS DOUBLE)"),
            // Read as NUMERIC (1e400 raises no error there), then rounded to a double as
            // servq reads a number; beyond the range it is no number (rejected).
            Dialect::Postgres => format!(
                "CASE WHEN length({text}) > 1000 THEN NULL WHEN CAST({text} AS NUMERIC) = 0 THEN 0 WHEN ABS(CAST({text} AS NUMERIC)) > 1e300 OR ABS(CAST({text} AS NUMERIC)) < 1e-300 THEN NULL ELSE CAST(CAST({text} AS NUMERIC) AS DOUBLE PRECISION) END"
            ),
        }
    }

    /// [`Dialect::number`] over a double's whole range, for a value whose arithmetic
    /// cannot overflow or underflow (survey weights). In PostgreSQL, as NUMERIC rounded
    /// to a double as servq reads it (correctly, as strtod); what rounds to infinity
    /// (from (2^54 − 1)·2^970 up) or to 0 (2^-1075 and below) is no number, where the
    /// cast would stop PostgreSQL. The exact bounds are tested only outside 1e±300.
    pub fn number_wide(self, text: &str) -> String {
        if self != Dialect::Postgres {
            return self.number(text);
        }
        let n = format!("CAST({text} AS NUMERIC)");
        let two = "POWER(CAST(2 AS NUMERIC), ";
        format!(
            "CASE WHEN length({text}) > 1000 THEN NULL WHEN {n} = 0 THEN 0 WHEN ABS({n}) BETWEEN 1e-300 AND 1e300 THEN CAST({n} AS DOUBLE PRECISION) WHEN ABS({n}) * {two}1075) <= 1 OR ABS({n}) >= {two}970) * 18014398509481983 THEN NULL ELSE CAST({n} AS DOUBLE PRECISION) END"
        )
    }

    /// `text` (digits only, at most 9) as an integer.
    pub fn integer(self, text: &str) -> String {
        format!("CAST({text} AS INTEGER)")
    }

    /// The days since 1970-01-01 of a valid year, month and day.
    pub fn epoch_days(self, year: &str, month: &str, day: &str) -> String {
        match self {
            Dialect::Spark => format!("datediff(make_date({year}, {month}, {day}), DATE '1970-01-01')"),
            _ => format!("(make_date({year}, {month}, {day}) - DATE '1970-01-01')"),
        }
    }

    /// The date `days` days after 1970-01-01.
    pub fn date_of(self, days: &str) -> String {
        match self {
            Dialect::Spark => format!("date_add(DATE '1970-01-01', CAST({days} AS INT))"),
            _ => format!("(DATE '1970-01-01' + CAST({days} AS INTEGER))"),
        }
    }

    /// The whole number below `x / y` (y > 0).
    pub fn floor_div(self, x: &str, y: i64) -> String {
        format!("CAST(FLOOR(({x}) / {y}.0) AS BIGINT)")
    }
}
