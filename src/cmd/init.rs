//! `servq init FILE…`: reads the headers of the given files, guesses each file's kind
//! from the columns it recognises, and prints a starter servq.toml with the detected
//! column mapping, the other columns as possible dimensions, and an example check.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::cli::InitArgs;
use crate::error::Outcome;
use crate::input::Kind;
use crate::input::columns::{self, Headers};
use crate::input::source::{self, ReadOptions};
use crate::report::safe::terminal;

/// What was found in one file.
struct Detected {
    kind: Kind,
    mapping: Vec<(&'static str, String)>,
    dimensions: Vec<(String, String)>,
    others: Vec<String>,
}

/// Fields that say which kind a file is (shared ones like customer_id do not).
fn telling_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Surveys => &["csat", "ces", "nps", "comment"],
        Kind::Interactions => &[
            "resolved",
            "first_contact_resolved",
            "contacts_to_resolve",
            "complaint",
            "first_response_minutes",
            "first_response_at",
        ],
        Kind::Transactions => &["revenue", "margin"],
    }
}

fn detect(names: Vec<String>, file: &str) -> Result<Detected> {
    let headers = Headers::new(file, names.clone());
    let none = BTreeMap::new();
    let find = |kind: Kind, field: &str| -> Option<usize> {
        columns::field_def(kind, field).and_then(|def| headers.find_field(kind, def, &none).ok().flatten())
    };
    let kinds = [Kind::Surveys, Kind::Interactions, Kind::Transactions];
    // A telling field counts 2; the kind's own date name (submitted_at, opened_at,
    // order_date…) 1; a customer id with any date makes transactions at least 1 (the
    // only kind that needs nothing else).
    let own_date = |kind: Kind| {
        let def = columns::field_def(kind, "date").expect("every kind has a date");
        def.aliases.iter().any(|alias| names.iter().any(|n| columns::normalise(n) == *alias))
    };
    let customer_and_date =
        find(Kind::Transactions, "customer_id").is_some() && find(Kind::Transactions, "date").is_some();
    let score = |kind: Kind| {
        let telling = 2 * telling_fields(kind).iter().filter(|f| find(kind, f).is_some()).count();
        telling + usize::from(own_date(kind)) + usize::from(kind == Kind::Transactions && customer_and_date)
    };
    let kind = kinds.into_iter().max_by_key(|k| (score(*k), std::cmp::Reverse(*k))).unwrap_or(Kind::Surveys);
    if score(kind) == 0 {
        bail!("{file}: no survey, interaction or transaction column recognised (columns: {})", names.join(", "));
    }
    let mut used = vec![false; names.len()];
    let mut mapping = Vec::new();
    for def in columns::fields_of(kind) {
        if let Some(i) = find(kind, def.name).filter(|i| !used[*i]) {
            used[i] = true;
            mapping.push((def.name, names[i].clone()));
        }
    }
    let mut dimensions = Vec::new();
    let mut others = Vec::new();
    for (i, name) in names.iter().enumerate().filter(|(i, _)| !used[*i]) {
        match ["channel", "segment", "agent_id", "topic", "region"]
            .into_iter()
            .find(|d| headers.find_dimension(d, &none) == Some(i))
        {
            Some(dim) if columns::normalise(name) != dim => dimensions.push((dim.to_string(), name.clone())),
            Some(dim) => others.push(dim.to_string()),
            None => others.push(name.clone()),
        }
    }
    Ok(Detected { kind, mapping, dimensions, others })
}

/// A TOML key: bare when it can be, else quoted.
fn key(text: &str) -> String {
    let bare = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { text.to_string() } else { quoted(text) }
}

/// A TOML string (control characters escaped, as TOML requires).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Runs `servq init`.
pub fn run(args: &InitArgs) -> Result<Outcome> {
    let read = ReadOptions {
        delimiter: args.delimiter,
        encoding: args.encoding.as_deref().map(source::parse_encoding).transpose()?,
        max_record_bytes: None,
        missing: Vec::new(),
    };
    let mut by_kind: BTreeMap<Kind, Vec<(PathBuf, Detected)>> = BTreeMap::new();
    for path in &args.files {
        let file = path.display().to_string();
        if !path.is_file() {
            bail!("{file}: no such file");
        }
        let names = source::headers(path, &read)?;
        let detected = detect(names, &file)?;
        by_kind.entry(detected.kind).or_default().push((path.clone(), detected));
    }
    let mut text = String::new();
    let files: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let _ = writeln!(text, "# servq.toml written by `servq init {}`", terminal(&files.join(" ")));
    let _ = writeln!(text, "# Paths are relative to this file's folder: save it where you ran servq init.\n");
    let _ = writeln!(text, "[inputs]");
    for (kind, list) in &by_kind {
        let paths: Vec<String> = list.iter().map(|(p, _)| quoted(&p.display().to_string())).collect();
        let value = if paths.len() == 1 { paths[0].clone() } else { format!("[{}]", paths.join(", ")) };
        let _ = writeln!(text, "{} = {value}", kind.as_str());
    }
    if let Some(encoding) = &args.encoding {
        let _ = writeln!(text, "encoding = {}", quoted(encoding));
    }
    for (kind, list) in &by_kind {
        let (_, first) = &list[0];
        let _ = writeln!(text, "\n[columns.{}]", kind.as_str());
        for (field, header) in &first.mapping {
            let _ = writeln!(text, "{field} = {}", quoted(header));
        }
        for (dim, header) in &first.dimensions {
            let _ =
                writeln!(text, "{} = {}   # a dimension: use with --by {}", key(dim), quoted(header), terminal(dim));
        }
        let mut possible: Vec<String> = first.dimensions.iter().map(|(d, _)| d.clone()).collect();
        possible.extend(first.others.iter().cloned());
        if !possible.is_empty() {
            let _ = writeln!(text, "# possible dimensions for --by: {}", terminal(&possible.join(", ")));
        }
    }
    let _ = writeln!(text, "\n[report]\nperiod = \"month\"\n# by = [\"channel\"]\nmin_n = 30");
    let _ = writeln!(
        text,
        "\n# An example KPI gate for `servq check`:\n# [[check]]\n# metric = \"nps\"\n# min = 30\n# level = \"error\"   # or \"warn\"\n# min_n = 100"
    );
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Outcome::Success)
}
