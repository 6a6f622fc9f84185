//! SPEC §13 against the real engines: the script of `servq sql` (every KPI it
//! translates), run by DuckDB, by Spark in local mode and by a PostgreSQL server, gives through `report --stats` the
//! tidy CSV of `servq report` on the same files, byte for byte. One test per engine
//! (the JVM starts once); each fails when its engine is missing (`.ci/run` installs
//! them: the Python packages duckdb and pyspark, Debian's postgresql and a JRE).

use std::path::Path;
use std::process::Command as Process;

use crate::util::{Workdir, sample, stdout_of};

/// The engine helpers of tests/engines.
fn helper(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines").join(name).display().to_string()
}

/// One comparison: the inputs and flags given to `sql`, `report` and `report --stats`.
struct Case {
    name: &'static str,
    /// Input flags (files), given to `sql` and `report`.
    inputs: Vec<String>,
    /// Flags given to all three.
    flags: Vec<String>,
    /// `--table KIND=NAME` for `sql` instead of the files (the name is `<kind>_table`),
    /// with the config mapping its columns, and the SQL that loads it from the file.
    table: Option<(String, String)>,
    /// The stderr line report --stats must print.
    accounted: &'static str,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The generated 100k-row export with bad values (tests/engines/make_surveys.py).
fn generated(w: &Workdir) -> String {
    let path = w.path("generated.csv");
    let status = Process::new("python3").args([&helper("make_surveys.py"), &path, "100000"]).status().unwrap();
    assert!(status.success(), "make_surveys.py failed");
    path
}

/// The generated 100k-row interactions with bad values (tests/engines/make_interactions.py).
fn generated_interactions(w: &Workdir) -> String {
    made(w, "make_interactions.py", "interactions.csv")
}

/// A generated 100k-row file with bad values (tests/engines/<script>).
fn made(w: &Workdir, script: &str, name: &str) -> String {
    let path = w.path(name);
    let status = Process::new("python3").args([&helper(script), &path, "100000"]).status().unwrap();
    assert!(status.success(), "{script} failed");
    path
}

fn cases(w: &Workdir) -> Vec<Case> {
    let generated = generated(w);
    let interactions = generated_interactions(w);
    let transactions = made(w, "make_transactions.py", "transactions.csv");
    let crr = w.write(
        "crr.toml",
        "[metrics.retention]\nvariant = \"crr\"\n\n[metrics.clv]\nmargin_rate = 0.3\nannual_discount_rate = 0.12\nhorizon = 5\n",
    );
    let customers = "transactions,revenue,active_customers,revenue_per_customer,retention,churn,clv";
    let tx_accounted = "100,000 rows read, 94,996 used, 5,004 rejected";
    let fcr_all = w.write("fcr_all.toml", "[metrics.fcr]\ndenominator = \"all\"\n");
    // Targets per channel, in any case, one matching nothing (a note), per priority
    // without a priority column (the default then).
    let targets = w.write(
        "targets.toml",
        "[metrics.sla]\nminutes = 8\nper_channel = { chat = 5, WEB = 9.5, \" Phone \" = 2, nope = 1 }\n[metrics.resolution]\nper_priority = { urgent = 4 }\n",
    );
    let repeat = w.write("repeat.toml", "[metrics.fcr]\nmethod = \"repeat-window\"\nwindow_days = 5\n");
    let every = "fcr,abandon_rate,complaints_per_1000,response_median_min,response_p90_min,response_mean_min,sla_pct,handle_mean_min,resolution_median_h,resolution_p90_h,resolution_sla_pct";
    let snapshot = made(w, "make_customers.py", "customers.csv");
    let undated = w.path("customers_undated.csv");
    let status =
        Process::new("python3").args([&helper("make_customers.py"), &undated, "100000", "--undated"]).status().unwrap();
    assert!(status.success(), "make_customers.py --undated failed");
    let roster = made(w, "make_employees.py", "employees.csv");
    let servqual = made(w, "make_servqual.py", "servqual.csv");
    let servqual_all = "servqual_gap_tangibles,servqual_gap_reliability,servqual_gap_responsiveness,servqual_gap_assurance,servqual_gap_empathy,servqual_gap,servqual_weighted_gap,servperf_tangibles,servperf_reliability,servperf_responsiveness,servperf_assurance,servperf_empathy";
    let dimensions = w.write(
        "dimensions.toml",
        "[metrics.servqual]\nscale = [0, 7]\ndimensions = { tangibles = [1, 2, 3], reliability = [4, 5, 6, 7, 8, 9, 10], responsiveness = [11], assurance = [12, 13, 14, 15, 16, 17], empathy = [18, 19, 20, 21, 22] }\n",
    );
    let labelled = |style: &str| {
        let path = w.path(&format!("labels_{style}.csv"));
        let status = Process::new("python3").args([&helper("make_labels.py"), &path, "30000", style]).status().unwrap();
        assert!(status.success(), "make_labels.py {style} failed");
        path
    };
    let (zh5, good_bad, custom) = (labelled("zh-5"), labelled("good-bad"), labelled("custom"));
    let label_config =
        |preset: &str| w.write(&format!("{preset}.toml"), format!("[metrics.csat]\nlabels = {preset}\n"));
    let zh5_config = label_config("\"zh-5\"");
    let good_bad_config = label_config("\"good-bad\"");
    let custom_config = w.write(
        "custom.toml",
        "[metrics.csat]\nlabels = { \"Very Satisfied\" = 5, \"satisfied\" = 4, \"neutral\" = 3, \"Dissatisfied\" = 2, \"very dissatisfied\" = 1 }\n",
    );
    let by_topic = w.write("topic.toml", "[metrics.complaints]\ncolumn = \"topic\"\nvalue = \" Billing \"\n");
    let surveys = |file: &str| strings(&["--surveys", file]);
    let time_config = w.write("time.toml", "[columns.surveys]\ndate = \"fecha\"\ntime = \"hora\"\n");
    let contact_time = w.write("contact_time.toml", "[columns.interactions]\ndate = \"d\"\ntime = \"t\"\n");
    // The generated surveys with a weight column of the given scale.
    let weighted = |scale: f64| {
        let path = w.path(&format!("weighted_{scale:e}.csv"));
        if !Path::new(&path).exists() {
            let args =
                [helper("make_surveys.py"), path.clone(), "100000".into(), "--weights".into(), scale.to_string()];
            assert!(Process::new("python3").args(args).status().unwrap().success(), "make_surveys.py --weights failed");
        }
        path
    };
    let gen_accounted = "100,000 rows read, 97,014 used, 2,986 rejected";
    vec![
        Case {
            name: "sample surveys by channel (every survey KPI)",
            inputs: surveys(&sample("surveys.csv")),
            flags: strings(&["--by", "channel"]),
            table: None,
            accounted: "surveys (statistics in stats.csv): 4,123 rows read, 4,119 used, 4 rejected (impossible date × 4; values left out: csat × 10, nps × 8)",
        },
        Case {
            name: "sample employee surveys by site",
            inputs: strings(&["--employee-surveys", &sample("employee_surveys.csv")]),
            flags: strings(&["--by", "site", "--period", "quarter"]),
            table: None,
            accounted: "employee_surveys (statistics in stats.csv): 360 rows read, 360 used, 0 rejected",
        },
        Case {
            name: "generated, weekly, missing codes",
            inputs: surveys(&generated),
            flags: strings(&["--by", "channel", "--period", "week", "--missing", "-99", "--missing", "NA"]),
            table: None,
            accounted: gen_accounted,
        },
        Case {
            name: "generated, quarters cut by --from/--to, +05:30",
            inputs: surveys(&generated),
            flags: strings(&[
                "--by",
                "channel,segment",
                "--period",
                "quarter",
                "--from",
                "2025-02-10",
                "--to",
                "2025-11-20",
                "--tz",
                "+05:30",
                "--missing",
                "-99",
            ]),
            table: None,
            accounted: "outside --from/--to",
        },
        Case {
            name: "generated, daily, -09:30",
            inputs: surveys(&generated),
            flags: strings(&["--by", "segment", "--period", "day", "--tz", "-09:30", "--min-n", "5"]),
            table: None,
            accounted: gen_accounted,
        },
        Case {
            name: "generated from an engine table, yearly, as of mid-year",
            inputs: surveys(&generated),
            flags: strings(&["--period", "year", "--as-of", "2025-06-15", "--metrics", "csat,ces_mean,nps"]),
            table: Some(("surveys_table".to_string(), generated.clone())),
            accounted: gen_accounted,
        },
        Case {
            name: "h18-4: headers that differ in case or have spaces around them",
            inputs: surveys(&w.write(
                "odd_headers.csv",
                " Submitted_At ,Region,region,csat,nps\n2025-01-03,EU,north,5,10\n2025-01-09,US,south,2,3\n2025-02-01,EU,south,4,9\n",
            )),
            flags: strings(&["--by", "region", "--min-n", "1"]),
            table: None,
            accounted: "3 rows read, 3 used, 0 rejected",
        },
        Case {
            name: "h18b-2: vertical tabs and spaces around values and groups",
            inputs: surveys(&w.write(
                "vt.csv",
                "date,csat,nps,channel\n2025-01-03,\u{b}5,\u{b}9 ,\u{b}web\n2025-01-04, 4\u{b},10,web \n2025-01-05,1,\u{b}\u{b},\u{b}\n",
            )),
            flags: strings(&["--by", "channel", "--min-n", "1"]),
            table: None,
            accounted: "3 rows read, 3 used, 0 rejected",
        },
        Case {
            name: "sample interactions by channel (FCR by flag, abandon rate, durations from resolved_at)",
            inputs: strings(&["--interactions", &sample("interactions.csv")]),
            flags: strings(&["--by", "channel", "--period", "week", "--metrics", every]),
            table: None,
            accounted: "interactions (statistics in stats.csv): 6,741 rows read, 6,741 used, 0 rejected",
        },
        Case {
            name: "generated interactions, weekly, missing codes, every duration, SLA targets per channel",
            inputs: strings(&["--interactions", &interactions]),
            flags: strings(&[
                "--config", &targets, "--by", "channel", "--period", "week", "--missing", "-99", "--missing", "NA",
                "--metrics", every,
            ]),
            table: None,
            accounted: "100,000 rows read, 97,059 used, 2,941 rejected",
        },
        Case {
            name: "generated interactions, FCR over every judged contact, quarters cut, +05:30",
            inputs: strings(&["--interactions", &interactions]),
            flags: strings(&[
                "--config",
                &fcr_all,
                "--by",
                "segment,channel",
                "--period",
                "quarter",
                "--from",
                "2025-02-10",
                "--tz",
                "+05:30",
                "--metrics",
                every,
            ]),
            table: None,
            accounted: "outside --from/--to",
        },
        Case {
            name: "generated interactions, FCR by repeat contacts (customer and topic), weekly, as of, -09:30",
            inputs: strings(&["--interactions", &interactions]),
            flags: strings(&[
                "--config",
                &repeat,
                "--by",
                "channel",
                "--period",
                "week",
                "--as-of",
                "2025-10-01",
                "--tz",
                "-09:30",
                "--missing",
                "NA",
                "--metrics",
                "fcr,response_median_min",
            ]),
            table: None,
            accounted: "100,000 rows read, 97,059 used, 2,941 rejected",
        },
        Case {
            name: "generated transactions by channel, monthly, missing codes (customer metrics)",
            inputs: strings(&["--transactions", &transactions]),
            flags: strings(&["--by", "channel", "--missing", "NA", "--missing", "-99", "--metrics", customers]),
            table: None,
            accounted: tx_accounted,
        },
        Case {
            name: "generated transactions, crr retention, clv from revenue, weekly by channel and segment, cut, +05:30, as of",
            inputs: strings(&["--transactions", &transactions]),
            flags: strings(&[
                "--config",
                &crr,
                "--by",
                "channel,segment",
                "--period",
                "week",
                "--tz",
                "+05:30",
                "--from",
                "2025-02-10",
                "--to",
                "2025-11-20",
                "--as-of",
                "2025-09-30",
                "--metrics",
                customers,
            ]),
            table: None,
            accounted: "outside --from/--to",
        },
        Case {
            name: "generated transactions from an engine table, quarterly by segment",
            inputs: strings(&["--transactions", &transactions]),
            flags: strings(&["--by", "segment", "--period", "quarter", "--metrics", customers]),
            table: Some(("transactions_table".to_string(), transactions.clone())),
            accounted: "100,000 rows read, 95,996 used, 4,004 rejected",
        },
        Case {
            name: "every shape of amount, one a day (plain, exponents, seven decimals, the largest, words)",
            inputs: strings(&["--transactions", &w.write("amounts.csv", amounts())]),
            flags: strings(&["--period", "day", "--min-n", "1", "--missing", "NA", "--metrics", "revenue,clv"]),
            table: None,
            accounted: "values left out: margin × 16, revenue × 21",
        },
        Case {
            name: "complaints per 1000 transactions, generated, by channel; and by a column transactions lack",
            inputs: strings(&["--interactions", &interactions, "--transactions", &transactions]),
            flags: strings(&["--by", "channel", "--missing", "NA", "--metrics", "complaints_per_1000,retention"]),
            table: None,
            accounted: "transactions (statistics in stats.csv)",
        },
        Case {
            name: "complaints per 1000 transactions by priority (transactions have none: per period)",
            inputs: strings(&[
                "--interactions",
                &sample("interactions.csv"),
                "--transactions",
                &sample("transactions.csv"),
            ]),
            flags: strings(&["--by", "priority", "--period", "week", "--metrics", "complaints_per_1000,active_customers"]),
            table: None,
            accounted: "transactions (statistics in stats.csv): 4,978 rows read, 4,978 used, 0 rejected",
        },
        Case {
            name: "generated interactions from an engine table, time columns mapped, monthly",
            inputs: strings(&["--interactions", &interactions]),
            flags: strings(&["--by", "segment", "--metrics", every]),
            table: Some(("interactions_table".to_string(), interactions.clone())),
            accounted: "100,000 rows read, 97,059 used, 2,941 rejected",
        },
        Case {
            name: "generated customer snapshot, monthly by segment and plan, missing codes (churn_rate)",
            inputs: strings(&["--customers", &snapshot]),
            flags: strings(&["--by", "segment,plan", "--missing", "NA", "--missing", "-99", "--tz", "+05:30"]),
            table: None,
            accounted: "100,000 rows read, 96,926 used, 3,074 rejected (impossible date × 705; missing date × 470; not an ISO date × 1,899; values left out: churned × 2,853)",
        },
        Case {
            name: "sample customer snapshot without dates beside dated surveys, cut by --from/--to (churn over all of it)",
            inputs: strings(&["--surveys", &sample("surveys.csv"), "--customers", &sample("customers.csv")]),
            flags: strings(&["--by", "segment", "--from", "2025-02-01", "--to", "2025-05-31", "--metrics", "csat,churn_rate"]),
            table: None,
            accounted: "customers (statistics in stats.csv): 900 rows read, 900 used, 0 rejected",
        },
        Case {
            name: "generated customer snapshot without dates from an engine table, by plan",
            inputs: strings(&["--customers", &undated]),
            flags: strings(&["--by", "plan"]),
            table: Some(("customers_table".to_string(), undated.clone())),
            accounted: "100,000 rows read, 100,000 used, 0 rejected (values left out: churned × 4,330)",
        },
        Case {
            name: "generated employees, monthly by team and site, missing codes, +05:30 (headcount, turnover)",
            inputs: strings(&["--employees", &roster]),
            flags: strings(&["--by", "team,site", "--missing", "NA", "--missing", "-99", "--tz", "+05:30"]),
            table: None,
            accounted: "100,000 rows read, 98,539 used, 1,461 rejected (impossible date × 318; missing date × 229; not an ISO date × 914; values left out: leave_date × 766)",
        },
        Case {
            name: "sample employees beside sample surveys, quarterly by site, cut by --from/--to, as of",
            inputs: strings(&["--surveys", &sample("surveys.csv"), "--employees", &sample("employees.csv")]),
            flags: strings(&[
                "--by",
                "site",
                "--period",
                "quarter",
                "--from",
                "2025-02-01",
                "--to",
                "2025-11-30",
                "--as-of",
                "2025-10-15",
                "--metrics",
                "csat,headcount,turnover,turnover_annualised",
            ]),
            table: None,
            accounted: "employees (statistics in stats.csv): 90 rows read, 90 used, 0 rejected",
        },
        Case {
            name: "generated employees from an engine table, weekly by site",
            inputs: strings(&["--employees", &roster]),
            flags: strings(&["--by", "site", "--period", "week"]),
            table: Some(("employees_table".to_string(), roster.clone())),
            accounted: "100,000 rows read, 98,539 used, 1,461 rejected",
        },
        Case {
            name: "generated SERVQUAL survey by channel, missing codes (every SERVQUAL KPI)",
            inputs: surveys(&servqual),
            flags: strings(&["--by", "channel", "--missing", "NA", "--missing", "-99", "--metrics", servqual_all]),
            table: None,
            accounted: "100,000 rows read, 97,080 used, 2,920 rejected",
        },
        Case {
            name: "generated SERVQUAL survey, quarterly, dimensions and scale of the config, +05:30",
            inputs: surveys(&servqual),
            flags: strings(&["--period", "quarter", "--config", &dimensions, "--tz", "+05:30", "--metrics", servqual_all]),
            table: None,
            accounted: "W_tangibles × 481",
        },
        Case {
            name: "sample surveys and SERVQUAL survey together by segment (items in one file only)",
            inputs: strings(&["--surveys", &sample("surveys.csv"), "--surveys", &sample("servqual.csv")]),
            flags: strings(&["--by", "segment", "--metrics", "csat,servqual_gap,servqual_weighted_gap,servperf_empathy"]),
            table: None,
            accounted: "4,593 rows read",
        },
        Case {
            name: "rating labels zh-5 mixed with numbers, by channel, missing codes",
            inputs: surveys(&zh5),
            flags: strings(&["--by", "channel", "--config", &zh5_config, "--missing", "NA", "--metrics", "csat,csat_mean,csat_bottom_box"]),
            table: None,
            accounted: "30,000 rows read",
        },
        Case {
            name: "rating labels good-bad (binary CSAT: no mean), weekly",
            inputs: surveys(&good_bad),
            flags: strings(&["--period", "week", "--config", &good_bad_config, "--metrics", "csat,csat_mean,csat_bottom_box"]),
            table: None,
            accounted: "30,000 rows read",
        },
        Case {
            name: "rating labels of a custom map in any ASCII case, quarterly by channel",
            inputs: surveys(&custom),
            flags: strings(&["--period", "quarter", "--by", "channel", "--config", &custom_config, "--metrics", "csat,csat_mean"]),
            table: None,
            accounted: "30,000 rows read",
        },
        Case {
            name: "survey weights in many spellings, some rejected, by channel and segment (every weighted KPI)",
            inputs: surveys(&weighted(1.0)),
            flags: strings(&["--by", "channel,segment", "--missing", "NA"]),
            table: None,
            accounted: "values left out: ces × 2,621, csat × 2,857, nps × 1,793, weight × 2,973",
        },
        Case {
            name: "survey weights near 1e-290 (two factors to whole steps), weekly, cut, +05:30",
            inputs: surveys(&weighted(1e-290)),
            flags: strings(&[
                "--by", "segment", "--period", "week", "--from", "2025-03-01", "--to", "2025-09-30", "--tz", "+05:30",
            ]),
            table: None,
            accounted: "46,332 outside --from/--to",
        },
        Case {
            name: "survey weights near 1e300, quarterly",
            inputs: surveys(&weighted(1e300)),
            flags: strings(&["--period", "quarter", "--metrics", "csat,csat_mean,nps,ces_mean"]),
            table: None,
            accounted: "100,000 rows read, 97,014 used, 2,986 rejected",
        },
        Case {
            name: "survey weights at a double's top (the largest beside subnormals: 0 steps, unmultiplied), daily",
            inputs: surveys(&extreme_weights(
                w,
                "top.csv",
                &["1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "9e307", "1e300", "4.9e-324", "1"],
            )),
            flags: strings(&["--period", "day", "--min-n", "1", "--metrics", "csat,csat_mean,nps"]),
            table: None,
            accounted: "values left out: weight × 3",
        },
        Case {
            name: "subnormal survey weights (2^-1074 is 2^37 steps; 2^-1075 rounds to 0: rejected), daily",
            inputs: surveys(&extreme_weights(
                w,
                "subnormal.csv",
                &["4.9e-324", "2.4703282292062328e-324", "2.4703282292062327e-324", "1e-320", "3e-310", "0", "1e-400"],
            )),
            flags: strings(&["--period", "day", "--min-n", "1", "--metrics", "csat,csat_mean,nps"]),
            table: None,
            accounted: "values left out: weight × 6",
        },
        Case {
            name: "generated surveys, daily by channel, America/New_York (offsets moved by daylight saving time)",
            inputs: surveys(&generated),
            flags: strings(&["--by", "channel", "--period", "day", "--tz", "America/New_York", "--min-n", "5"]),
            table: None,
            accounted: gen_accounted,
        },
        Case {
            name: "instants around New York's 2025 changes, Z and other offsets, daily",
            inputs: surveys(&w.write("dst.csv", DST_EDGES)),
            flags: strings(&["--period", "day", "--tz", "America/New_York", "--min-n", "1", "--metrics", "csat,nps"]),
            table: None,
            accounted: "16 rows read, 16 used, 0 rejected",
        },
        Case {
            name: "interactions across New York's 2025 changes: elapsed response times, repeat contacts, as-of end",
            inputs: strings(&["--interactions", &w.write("elapsed.csv", DST_ELAPSED)]),
            flags: strings(&[
                "--period", "month", "--tz", "America/New_York", "--as-of", "2025-11-03", "--min-n", "1", "--metrics",
                "response_mean_min,response_median_min,fcr",
            ]),
            table: None,
            accounted: "11 rows read, 11 used, 0 rejected",
        },
        Case {
            name: "generated interactions, every duration and FCR by repeat contacts, weekly, Australia/Lord_Howe (30-minute DST)",
            inputs: strings(&["--interactions", &interactions]),
            flags: strings(&[
                "--config", &repeat, "--by", "channel", "--period", "week", "--tz", "Australia/Lord_Howe", "--metrics", every,
            ]),
            table: None,
            accounted: "100,000 rows read, 97,059 used, 2,941 rejected",
        },
        Case {
            name: "generated employees by site, monthly, Europe/London (hire and leave dates with offsets)",
            inputs: strings(&["--employees", &roster]),
            flags: strings(&["--by", "site", "--missing", "NA", "--tz", "Europe/London"]),
            table: None,
            accounted: "100,000 rows read, 98,539 used, 1,461 rejected",
        },
        Case {
            name: "generated transactions, monthly, Asia/Kolkata (retention, CLV)",
            inputs: strings(&["--transactions", &transactions]),
            flags: strings(&["--tz", "Asia/Kolkata", "--metrics", customers]),
            table: None,
            accounted: "100,000 rows read, 95,996 used, 4,004 rejected",
        },
        Case {
            name: "dates by --date-format %d/%m/%Y %H:%M (single digits, spaces, impossible, ISO beside), weekly",
            inputs: surveys(&w.write("formatted.csv", formatted_dates(|d, m, y, h, i, k| match k % 14 {
                0 => format!("{d:02}/{m:02}/{y} {h:02}:{i:02}"),
                1 => format!("{d}/{m}/{y} {h}:{i}"),
                2 => format!("{d:02}/{m:02}/{y}"),
                3 => format!("{y}-{m:02}-{d:02}T{h:02}:{i:02}+05:30"),
                4 => format!("{d:02}/{m:02}/{y}  {h:02}:{i:02}"),
                5 => format!("{d:02}/{m:02}/{y}{h:02}:{i:02}"),
                6 => format!("31/02/{y} {h:02}:{i:02}"),
                7 => format!("{d:02}/{m:02}/{y} 24:00"),
                8 => format!("{d:02}/{m:02}/{y} {h:02}:60"),
                9 => String::new(),
                10 => format!("{d:02}-{m:02}-{y} {h:02}:{i:02}"),
                11 => format!("{d:02}/{m:02}/{y} {h:02}:{i:02}:30"),
                12 => format!("{d:02}/{m:02}/+{y} {h:02}:{i:02}"),
                _ => format!("29/02/{y} {h}:{i:02}"),
            }))),
            flags: strings(&["--date-format", "%d/%m/%Y %H:%M", "--period", "week", "--min-n", "1", "--metrics", "csat,nps"]),
            table: None,
            accounted: "does not match --date-format %d/%m/%Y %H:%M",
        },
        Case {
            name: "dates by --date-format %Y%m%d (digits that meet, spaces between, ISO beside), monthly",
            inputs: surveys(&w.write("basic.csv", formatted_dates(|d, m, y, _, _, k| match k % 9 {
                0 => format!("{y}{m:02}{d:02}"),
                1 => format!("{y} {m} {d}"),
                2 => format!("{y}{m}{d}"),
                3 => format!("{y}-{m:02}-{d:02}"),
                4 => format!("+{y} {m:02}{d:02}"),
                5 => format!("{y}{m:02}{d}"),
                6 => format!("{y}0230"),
                7 => format!("0{y}{m:02}{d:02}"),
                _ => format!("{y}{m:02}{d:02}1"),
            }))),
            flags: strings(&["--date-format", "%Y%m%d", "--min-n", "1", "--metrics", "csat,nps"]),
            table: None,
            accounted: "does not match --date-format %Y%m%d",
        },
        Case {
            name: "generated interactions with --date-format (ISO dates and times read beside it), monthly",
            inputs: strings(&["--interactions", &interactions]),
            flags: strings(&["--date-format", "%d.%m.%Y", "--metrics", every]),
            table: None,
            accounted: "100,000 rows read, 97,059 used, 2,941 rejected",
        },
        Case {
            name: "a separate time column (H:MM, seconds with fractions, AM/PM, bad times), daily, +05:30",
            inputs: surveys(&w.write("timed.csv", timed_rows())),
            flags: strings(&["--config", &time_config, "--period", "day", "--tz", "+05:30", "--min-n", "1", "--metrics", "csat,nps"]),
            table: None,
            accounted: "not a time of day (HH:MM or HH:MM:SS)",
        },
        Case {
            name: "a separate time column beside dates with offsets, daily, America/New_York",
            inputs: surveys(&w.write("timed.csv", timed_rows())),
            flags: strings(&[
                "--config", &time_config, "--period", "day", "--tz", "America/New_York", "--min-n", "1", "--metrics", "csat",
            ]),
            table: None,
            accounted: "not a time of day (HH:MM or HH:MM:SS)",
        },
        Case {
            name: "a time column beside dates with offsets across New York's changes: days, responses, repeat contacts",
            inputs: strings(&["--interactions", &w.write("timed_contacts.csv", TIMED_CONTACTS)]),
            flags: strings(&[
                "--config", &contact_time, "--period", "day", "--tz", "America/New_York", "--min-n", "1", "--metrics",
                "fcr,response_mean_min",
            ]),
            table: None,
            accounted: "7 rows read, 7 used, 0 rejected",
        },
        Case {
            name: "a survey table with a mapped weight column, by channel",
            inputs: surveys(&weighted(1.0)),
            flags: strings(&[
                "--by",
                "channel",
                "--metrics",
                "csat,csat_mean,csat_bottom_box,ces,ces_mean,nps,nps_promoters_pct,nps_detractors_pct",
            ]),
            table: Some(("surveys_table".to_string(), weighted(1.0))),
            accounted: "100,000 rows read, 97,014 used, 2,986 rejected",
        },
        Case {
            name: "complaints as a value of the topic column (any case, spaces around), by channel, monthly",
            inputs: strings(&["--interactions", &interactions]),
            flags: strings(&["--by", "channel", "--config", &by_topic, "--metrics", "complaints_per_1000"]),
            table: None,
            accounted: "100,000 rows read",
        },
    ]
}

/// Survey responses at instants around New York's changes of 2025 (EST to EDT on
/// 2025-03-09 at 07:00 UTC, back on 2025-11-02 at 06:00 UTC), with offsets that put them
/// on one side or the other of a local midnight, and local times without an offset
/// (taken as New York's, not moved).
const DST_EDGES: &str = "submitted_at,csat,nps
2025-03-09T04:59:59Z,5,10
2025-03-09T05:00:00Z,4,9
2025-03-09T06:59:59Z,3,8
2025-03-09T07:00:00Z,2,7
2025-03-10T03:59:59Z,1,6
2025-03-10T04:00:00Z,5,5
2025-03-09T23:30:00-01:00,4,4
2025-11-02T03:59:59Z,3,3
2025-11-02T04:00:00Z,2,2
2025-11-02T05:59:59Z,1,1
2025-11-02T06:00:00Z,5,0
2025-11-03T04:59:59Z,4,10
2025-11-03T05:00:00Z,3,9
2025-11-02T01:30:00,2,8
2025-11-02T01:30:00-04:00,1,7
2025-03-09T02:30:00,5,6
";

/// Contacts around New York's changes of 2025, whose elapsed times differ from their
/// local clock's (h18i-1; worked in `h18i_1_times_across_a_change_of_offset_are_elapsed`).
const DST_ELAPSED: &str = "opened_at,first_response_at,customer_id
2025-11-02T01:30:00-04:00,2025-11-02T01:20:00-05:00,a
2025-11-02 01:30,2025-11-02 01:20,b
2025-03-09 01:50,2025-03-09 03:10,c
2025-03-09 02:30,2025-03-09 03:40,d
2025-11-01 23:00,2025-11-02 02:00,e
2025-10-27 12:00,,x
2025-11-03 11:30,,x
2025-10-28 00:30,,y
2025-10-20 10:00,,z
2025-10-27 12:00,,w
2025-10-29T12:00:00-04:00,,w
";

/// h18i-1: with a named zone, a response time and FCR's repeat window are elapsed time
/// (SPEC §4), on the files and in the engines. Worked by hand in [`DST_ELAPSED`]:
/// a: 01:30 EDT to the second 01:20 (EST) is 50 minutes (the local clock read −10);
/// b: `01:30` to `01:20` without offsets, both read with the offset before the change
/// (EDT), is negative (rejected); c: 01:50 EST to 03:10 EDT is 20 minutes (not 80);
/// d: `02:30`, which the spring change skips, is 02:30 EST (07:30 UTC), 10 minutes
/// before 03:40 EDT; e: 23:00 EDT to 02:00 EST is 240 minutes (not 180). March: mean of
/// 20 and 10, 15; November: of 50 and 240, 145. FCR, as of 2025-11-03 (its end is
/// 2025-11-04 05:00 UTC): x at 10-27 12:00 EDT has its next contact at 11-03 11:30 EST,
/// 7 days and 30 minutes later: no repeat (the local clock read 6 days 23:30); y at
/// 10-28 00:30 EDT (04:30 UTC) has its window over at 11-04 04:30 UTC, before the end
/// (the local clock read 11-04 00:30, after it); z resolved; w repeats two days later:
/// October is 3 of 4, 75% (the local clock gave 1 of 3).
#[test]
fn h18i_1_times_across_a_change_of_offset_are_elapsed() {
    let w = Workdir::new();
    let file = w.write("elapsed.csv", DST_ELAPSED);
    let flags = [
        "--tz",
        "America/New_York",
        "--period",
        "month",
        "--as-of",
        "2025-11-03",
        "--min-n",
        "1",
        "--metrics",
        "response_mean_min,fcr",
    ];
    let out =
        w.servq().args(["report", "--interactions", &file]).args(flags).args(["--format", "csv"]).output().unwrap();
    let direct = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("negative (before the row date) × 1 (line 3)"), "{stderr}");
    for line in [
        "2025-03,2025-03-01,2025-03-31,fcr,100,2,",
        "2025-03,2025-03-01,2025-03-31,response_mean_min,15,2,",
        "2025-10,2025-10-01,2025-10-31,fcr,75,4,",
        "2025-11,2025-11-01,2025-11-30,response_mean_min,145,2,",
    ] {
        assert!(direct.lines().any(|l| l.starts_with(line)), "{line}: {direct}");
    }
    let script = stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--interactions", &file]).args(flags));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(w.write("elapsed.sql", script), stats.clone())]);
    let from_stats = stdout_of(w.servq().args(["report", "--stats", &stats]).args(flags).args(["--format", "csv"]));
    assert_eq!(from_stats, direct);
}

/// Contacts whose date has an offset and whose time column takes them across one of New
/// York's changes of 2025 (h18j-1).
const TIMED_CONTACTS: &str = "customer_id,d,t,first_response_at
c,2025-02-01T12:00:00Z,,
a,2025-03-03T04:30:00Z,,
b,2025-03-09T00:00:00-05:00,23:30,2025-03-10T00:40:00-04:00
b,2025-03-08T00:00:00-05:00,01:59,
d,2025-11-01T00:00:00-04:00,23:30,2025-11-02T01:10:00-05:00
d,2025-11-02T00:00:00-04:00,02:30,
e,2025-11-02T00:00:00Z,05:59:59,2025-11-02 01:30
";

/// h18j-1: a date with an offset and a separate time column are an instant (the date's
/// plus the time of day), and the row's day is that instant's in the zone, across a
/// change of offset too: 2010-10-31T00:00+00:00 and 23:30 is 23:30 UTC, 23:30 GMT on the
/// 31st in London (BST ended that morning; the clock reading gave 00:30 on 1 November),
/// 10 minutes before its reply; in New York, 2025-03-09T00:00-05:00 and 23:30 is
/// 2025-03-10T04:30 UTC, 00:30 EDT on the 10th, which is then the as-of day, so the
/// window of the contact of 2025-03-03T04:30Z (over at 03-10 04:30 UTC, before the end of
/// the 10th) is known: files and engine alike.
#[test]
fn h18j_1_a_time_column_moves_an_instant_to_its_own_day() {
    let w = Workdir::new();
    let config = w.write("time.toml", "[columns.interactions]\ndate = \"d\"\ntime = \"t\"\n");
    let london = w.write(
        "london.csv",
        "customer_id,d,t,first_response_at\na,2010-10-31T00:00:00+00:00,23:30,2010-10-31T23:40:00Z\n",
    );
    let new_york = w.write(
        "new_york.csv",
        "customer_id,d,t\nc,2025-02-01T12:00:00Z,\na,2025-03-03T04:30:00Z,\nb,2025-03-09T00:00:00-05:00,23:30\n",
    );
    let cases = [
        (
            london,
            ["--tz", "Europe/London", "--metrics", "response_mean_min"],
            "2010-10-31,2010-10-31,2010-10-31,response_mean_min,10,1,",
        ),
        (new_york, ["--tz", "America/New_York", "--metrics", "fcr"], "2025-03-02,2025-03-02,2025-03-02,fcr,100,1,"),
    ];
    for (file, zone, expected) in cases {
        let flags = ["--config", &config, "--period", "day", "--min-n", "1"];
        let direct = stdout_of(
            w.servq().args(["report", "--interactions", &file]).args(flags).args(zone).args(["--format", "csv"]),
        );
        assert!(direct.lines().any(|l| l.starts_with(expected)), "{expected}: {direct}");
        let script =
            stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--interactions", &file]).args(flags).args(zone));
        let stats = w.path("stats.csv");
        run_python("duckdb", &[(w.write("timed.sql", script), stats.clone())]);
        let from_stats =
            stdout_of(w.servq().args(["report", "--stats", &stats]).args(flags).args(zone).args(["--format", "csv"]));
        assert_eq!(from_stats, direct);
    }
}

/// h18j-3: FCR by repeat contacts with every window still open says so (it said that no
/// flag value was valid, which no file has by that method).
#[test]
fn h18j_3_every_window_open_is_said() {
    let w = Workdir::new();
    let file = w.write("open.csv", "customer_id,opened_at\nc1,2025-06-01T10:00:00\nc2,2025-06-02T10:00:00\n");
    let out = w.servq().args(["report", "--interactions", &file, "--metrics", "fcr"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("fcr: not computed: the repeat window of each of the 2 contacts is still open at the end of the as-of day (give a later --as-of, or data that reaches further)"),
        "{stderr}"
    );
}

/// 2,000 survey responses with a date column `fecha` (dates, date-times, offsets) and a
/// separate time column `hora` in every shape `parse_time_of_day` reads or rejects.
fn timed_rows() -> String {
    const TIMES: [&str; 22] = [
        "",
        "09:30",
        "9:30",
        "23:59:59",
        "23:59:60",
        "00:00",
        "12:00:30.5",
        "7:05:01,25",
        "11:59 PM",
        "12:15 a.m.",
        "1:00PM",
        "12:00 P.M.",
        "0:30 AM",
        "13:00 PM",
        "24:00",
        "10:60",
        "9:5",
        "10:00:",
        "abc",
        "10 :00",
        "08:00 pm",
        "07:45:30 am",
    ];
    const DATES: [&str; 5] = [
        "2025-03-{d}",
        "2025-03-{d}T22:00",
        "2025-03-{d}T20:00-05:00",
        "2025-03-{d}T01:00+09:00",
        "2025-03-{d} 23:59:59Z",
    ];
    let mut text = String::from("fecha,hora,csat,nps\n");
    for k in 0..2000usize {
        let date = DATES[k % 5].replace("{d}", &format!("{:02}", k / 7 % 28 + 1));
        text.push_str(&format!("{date},\"{}\",{},{}\n", TIMES[k % 22], k % 5 + 1, k % 11));
    }
    text
}

/// 3,000 survey responses of 2024 and 2025 whose dates `shape` writes from the day,
/// month, year, hour, minute and the row's number.
fn formatted_dates(shape: impl Fn(u32, u32, u32, u32, u32, usize) -> String) -> String {
    let mut text = String::from("submitted_at,csat,nps\n");
    for k in 0..3000usize {
        let n = k as u32 * 7919;
        let (d, m, y) = (n % 28 + 1, n / 28 % 12 + 1, 2024 + n / 336 % 2);
        let (h, i) = (n / 5 % 24, n / 3 % 60);
        text.push_str(&format!("{},{},{}\n", shape(d, m, y, h, i, k), k % 5 + 1, k % 11));
    }
    text
}

/// Three days of surveys, each with every one of `weights` (rotated, so each day pairs
/// them with other scores).
fn extreme_weights(w: &Workdir, name: &str, weights: &[&str]) -> String {
    let mut text = String::from("submitted_at,csat,nps,weight\n");
    for day in 1..=3 {
        for (i, weight) in weights.iter().enumerate() {
            let k = i + day;
            text.push_str(&format!("2025-01-0{day},{},{},{weight}\n", k % 5 + 1, (3 * k) % 11));
        }
    }
    w.write(name, text)
}

/// Transactions of one customer a day, each with another amount as revenue and margin:
/// `parse_money`'s paths (plain decimals exactly, the seventh decimal rounding half up,
/// exponents through a double, the largest amount and one millionth more, negatives).
fn amounts() -> String {
    let amounts = [
        "1",
        "-1",
        "-0",
        "+5",
        ".5",
        "5.",
        "0.0000005",
        "-0.0000005",
        "-0.0000001",
        "1.5e3",
        "-1e-9",
        "1e-400",
        "1e400",
        "abc",
        "\"1,5\"",
        "9223372036854.775807",
        "9223372036854.775808",
        "9223372036854.7758075",
        "9223372036854.7758064",
        "00000000000000012.5",
        "1.2.3",
        "$5",
        "1e13",
        "9.1e12",
        "9.3e12",
        " 7 ",
        "",
        "NA",
        "inf",
        "nan",
        "0x10",
        "12345678901234567890",
        "1E2",
        "0.12345649999",
        "0.1234565",
        "-.5",
        "+.",
        "-",
        "1e-7",
        "5e-7",
        "4.9999999e-7",
        "1.0000005",
        "2.5e-6",
        "-2.5e-6",
        "0e5",
        "1234567.1234565",
    ];
    let mut out = String::from("order_id,customer_id,order_date,revenue,margin\n");
    for (i, amount) in amounts.iter().enumerate() {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(i as u64);
        out.push_str(&format!("O{i},C{},{day},{amount},{amount}\n", i % 3));
    }
    out
}

/// The config that names the engine table's date column.
/// An interactions table's time columns are read when mapped.
const TABLE_CONFIG: &str = "[columns.surveys]\ndate = \"submitted_at\"\n\n[columns.interactions]\ndate = \"opened_at\"\nfirst_response_at = \"first_response_at\"\nresolved_at = \"resolved_at\"\n\n[columns.transactions]\ndate = \"order_date\"\n\n[columns.customers]\nchurned = \"Churn\"\n\n[columns.employees]\ndate = \"hire_date\"\n";

/// The SQL that loads `file` into the table `name`, every column as text.
fn load_table(engine: &str, name: &str, file: &str) -> String {
    let header = std::fs::read_to_string(file).unwrap().lines().next().unwrap().to_string();
    let columns: Vec<&str> = header.split(',').collect();
    match engine {
        "duckdb" => format!(
            "CREATE TABLE {name} AS SELECT * FROM read_csv('{file}', header = true, all_varchar = true, quote = '\"', escape = '\"');\n"
        ),
        "spark" => format!(
            "CREATE OR REPLACE TEMPORARY VIEW {name} USING csv OPTIONS (path '{file}', header 'true', multiLine 'true', escape '\"');\n"
        ),
        _ => format!(
            "DROP TABLE IF EXISTS {name};\nCREATE TABLE {name} ({});\nCOPY {name} FROM '{file}' WITH (FORMAT csv, HEADER true);\n",
            columns.iter().map(|c| format!("\"{c}\" TEXT")).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Writes each case's script (`<i>.sql`) for `engine`.
fn scripts(w: &Workdir, engine: &str, cases: &[Case]) -> Vec<(String, String)> {
    let config = w.write("table.toml", TABLE_CONFIG);
    // A survey table's weight column is read when mapped.
    let weighted = w.write(
        "table_weighted.toml",
        TABLE_CONFIG.replace("[columns.surveys]\n", "[columns.surveys]\nweight = \"weight\"\n"),
    );
    cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let mut cmd = w.servq();
            cmd.args(["sql", "--dialect", engine]).args(&case.flags);
            let mut script = String::new();
            match &case.table {
                Some((name, file)) => {
                    let kind = name.strip_suffix("_table").expect("a table is named <kind>_table");
                    let header = std::fs::read_to_string(file).unwrap().lines().next().unwrap_or("").to_string();
                    let config = if header.ends_with(",weight") { &weighted } else { &config };
                    cmd.args(["--config", config, "--table", &format!("{kind}={name}")]);
                    script.push_str(&load_table(engine, name, file));
                }
                None => {
                    cmd.args(&case.inputs);
                }
            }
            script.push_str(&stdout_of(&mut cmd));
            (w.write(&format!("{i}.sql"), script), w.path(&format!("{i}.csv")))
        })
        .collect()
}

/// Compares each case's `report --stats` with `report` on the files.
fn compare(w: &Workdir, cases: &[Case], results: &[(String, String)], engine: &str) {
    for (case, (_, stats)) in cases.iter().zip(results) {
        let stats_file = w.path("stats.csv");
        std::fs::copy(stats, &stats_file).unwrap();
        let direct = stdout_of(w.servq().arg("report").args(&case.inputs).args(&case.flags).args(["--format", "csv"]));
        let out =
            w.servq().args(["report", "--stats", "stats.csv", "--format", "csv"]).args(&case.flags).output().unwrap();
        assert!(out.status.success(), "{engine}, {}: {}", case.name, String::from_utf8_lossy(&out.stderr));
        let from_stats = String::from_utf8(out.stdout).unwrap();
        assert!(direct.lines().count() > 5, "{engine}, {}: too few figures to compare:\n{direct}", case.name);
        assert_eq!(from_stats, direct, "{engine}, {}: the engine's figures differ from servq report's", case.name);
        // The cohort heatmap of the HTML report, from the engine's cohort counts.
        if case.inputs.iter().any(|i| i == "--transactions") {
            let html = |args: &[&str]| {
                let page = stdout_of(w.servq().args(args).args(&case.flags).args(["--format", "html", "-q"]));
                let start =
                    page.find("Cohort retention").unwrap_or_else(|| panic!("{engine}, {}: no heatmap", case.name));
                page[start..start + page[start..].find("</table>").unwrap()].to_string()
            };
            let mut direct_args = vec!["report"];
            direct_args.extend(case.inputs.iter().map(String::as_str));
            let direct = html(&direct_args);
            assert!(direct.matches("<tr>").count() > 3, "{engine}, {}: too few cohorts:\n{direct}", case.name);
            assert_eq!(html(&["report", "--stats", "stats.csv"]), direct, "{engine}, {}: cohorts differ", case.name);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(case.accounted),
            "{engine}, {}: stderr lacks {:?}:\n{stderr}",
            case.name,
            case.accounted
        );
    }
}

/// Runs scripts with tests/engines/run_sql.py (DuckDB, Spark), all in one process.
pub(crate) fn run_python(engine: &str, scripts: &[(String, String)]) {
    let pairs: Vec<String> = scripts.iter().map(|(sql, csv)| format!("{sql}:{csv}")).collect();
    let out = Process::new("python3").arg(helper("run_sql.py")).arg(engine).args(&pairs).output().unwrap();
    assert!(
        out.status.success(),
        "{engine} failed (is it installed? .ci/run installs it): {}\n…\n{}",
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("Error") || l.contains("Exception"))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr).lines().rev().take(15).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn duckdb_runs_the_sql_to_the_same_figures() {
    let w = Workdir::new();
    let cases = cases(&w);
    let mut scripts = scripts(&w, "duckdb", &cases);
    // The first case's statistics as Parquet too, read back from stdin.
    let parquet = w.path("first.parquet");
    scripts.push((scripts[0].0.clone(), parquet.clone()));
    run_python("duckdb", &scripts);
    let parquet = std::fs::read(scripts.pop().unwrap().1).unwrap();
    compare(&w, &cases, &scripts, "duckdb");
    let direct =
        stdout_of(w.servq().arg("report").args(&cases[0].inputs).args(&cases[0].flags).args(["--format", "csv"]));
    let from_stdin = stdout_of(
        w.servq().args(["report", "--stats", "-", "--format", "csv"]).args(&cases[0].flags).write_stdin(parquet),
    );
    assert_eq!(from_stdin, direct, "Parquet statistics on stdin");
}

#[test]
fn spark_local_mode_runs_the_sql_to_the_same_figures() {
    let w = Workdir::new();
    let cases = cases(&w);
    let scripts = scripts(&w, "spark", &cases);
    run_python("spark", &scripts);
    compare(&w, &cases, &scripts, "spark");
}

/// A PostgreSQL server of the test's own, stopped when dropped.
struct Server {
    dir: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Process::new("bash").args([&helper("postgres.sh"), "stop", &self.dir]).status();
    }
}

#[test]
fn postgresql_runs_the_sql_to_the_same_figures() {
    let w = Workdir::new();
    // The server runs as the postgres user: it must reach the files COPY reads.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(w.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let cases = cases(&w);
    let scripts = scripts(&w, "postgres", &cases);
    let dir = w.path("pg");
    let port = (54_000 + std::process::id() % 1000).to_string();
    let started = Process::new("bash").args([&helper("postgres.sh"), "start", &dir, &port]).output().unwrap();
    assert!(
        started.status.success(),
        "no PostgreSQL server (apt-get install postgresql; .ci/run does): {}",
        String::from_utf8_lossy(&started.stderr)
    );
    let _server = Server { dir: dir.clone() };
    for (sql, csv) in &scripts {
        let out = Process::new("psql")
            .args(["-h", &dir, "-p", &port, "-U", "postgres", "-d", "postgres", "-q", "-X", "--csv"])
            .args(["-v", "ON_ERROR_STOP=1", "-f", sql])
            .output()
            .unwrap();
        assert!(out.status.success(), "psql failed on {sql}: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::write(csv, out.stdout).unwrap();
    }
    compare(&w, &cases, &scripts, "postgres");
}

/// A statistics table written by hand: csat 3 satisfied of 4 (75%), nps 2 promoters
/// and 1 detractor of 4 (+25), and the quality rows.
const HAND_STATS: &str = "kind,period_start,channel,stat,value
meta,,,period.month,1
surveys,2025-03-01,chat,csat.n,4
surveys,2025-03-01,chat,csat.good,3
surveys,2025-03-01,chat,csat.bottom,1
surveys,2025-03-01,chat,csat.sum,15
surveys,2025-03-01,chat,csat.sumsq,63
surveys,2025-03-01,chat,nps.n,4
surveys,2025-03-01,chat,nps.promoters,2
surveys,2025-03-01,chat,nps.detractors,1
surveys,,,rows.read,5
surveys,,,rows.used,4
surveys,,,rows.rejected,1
surveys,,,rows.rejected.impossible date,1
surveys,,,date.latest,20177
surveys,,,date.first,20148
surveys,,,date.last,20177
";

#[test]
fn report_stats_turns_hand_written_statistics_into_hand_computed_figures() {
    let w = Workdir::new();
    w.write("stats.csv", HAND_STATS);
    let out = stdout_of(w.servq().args(["report", "--stats", "stats.csv", "--by", "channel", "--format", "csv"]));
    let rows = crate::util::csv_rows(&out);
    let get = |metric: &str| rows.iter().find(|r| r["metric"] == metric).unwrap_or_else(|| panic!("{metric}: {out}"));
    // csat = 100 × 3 / 4; Wilson 95%: (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n).
    let csat = get("csat");
    assert_eq!((csat["value"].as_str(), csat["n"].as_str(), csat["period"].as_str()), ("75", "4", "2025-03"));
    crate::util::assert_close(&csat["ci_low"], 30.064184258240193);
    crate::util::assert_close(&csat["ci_high"], 95.44127391902994);
    // csat_mean = 15 / 4 = 3.75; sd² = (63 − 15²/4) / 3 = 2.25, t(0.975, 3) = 3.182446.
    let mean = get("csat_mean");
    assert_eq!(mean["value"], "3.75");
    crate::util::assert_close(&mean["ci_low"], 3.75 - 3.182446305284263 * 1.5 / 2.0);
    assert_eq!(get("csat_bottom_box")["value"], "25");
    // nps = 100 × (2 − 1) / 4; 2025-03-30 is the latest date, so March is partial.
    let nps = get("nps");
    assert_eq!((nps["value"].as_str(), nps["flags"].as_str()), ("25", "low_n;partial"));
}

/// Hand-written transaction statistics: web has 3 customers in January (4 orders), 2 of
/// them again in February, 1 of those and 1 new customer in March; chat has 1 customer
/// in January and, in March, one who bought on the web in January.
const HAND_TRANSACTIONS: &str = "kind,period_start,channel,stat,value
meta,,,period.month,1
transactions,2025-01-01,web,transactions.n,4
transactions,2025-01-01,web,customers.active,3
transactions,2025-01-01,web,customers.kept,0
transactions,2025-01-01,web,customers.new,3
transactions,2025-02-01,web,transactions.n,2
transactions,2025-02-01,web,customers.active,2
transactions,2025-02-01,web,customers.kept,2
transactions,2025-03-01,web,transactions.n,3
transactions,2025-03-01,web,customers.active,2
transactions,2025-03-01,web,customers.kept,1
transactions,2025-03-01,web,customers.new,1
transactions,2025-01-01,chat,transactions.n,1
transactions,2025-01-01,chat,customers.active,1
transactions,2025-01-01,chat,customers.new,1
transactions,2025-03-01,chat,transactions.n,1
transactions,2025-03-01,chat,customers.active,1
transactions,,,rows.read,11
transactions,,,rows.used,11
transactions,,,rows.rejected,0
transactions,,,date.latest,20178
transactions,,,date.first,20090
transactions,,,date.last,20178
";

#[test]
fn report_stats_turns_hand_written_transaction_statistics_into_hand_computed_figures() {
    let w = Workdir::new();
    w.write("stats.csv", HAND_TRANSACTIONS);
    let args = ["report", "--stats", "stats.csv", "--by", "channel", "--format", "csv", "--min-n", "1"];
    let out = stdout_of(w.servq().args(args).args(["--metrics", "transactions,active_customers,retention,churn"]));
    let rows = crate::util::csv_rows(&out);
    let get = |period: &str, channel: &str, metric: &str| {
        rows.iter()
            .find(|r| r["period"] == period && r["channel"] == channel && r["metric"] == metric)
            .map(|r| (r["value"].clone(), r["n"].clone(), r["ci_low"].clone(), r["ci_high"].clone()))
    };
    assert_eq!(get("2025-01", "web", "transactions").unwrap().0, "4");
    assert_eq!(get("2025-03", "chat", "active_customers").unwrap().0, "1");
    // web, February: 2 of the 3 January customers stay (Wilson 95%, computed apart).
    let (value, n, low, high) = get("2025-02", "web", "retention").unwrap();
    assert_eq!((value.as_str(), n.as_str()), ("66.66666666666667", "3"));
    crate::util::assert_close(&low, 20.765960080204767);
    crate::util::assert_close(&high, 93.85080552796036);
    // web, March: 1 of 2 (the new customer does not count); churn mirrors it.
    assert_eq!(get("2025-03", "web", "retention").unwrap().0, "50");
    let (value, _, low, high) = get("2025-03", "web", "churn").unwrap();
    assert_eq!(value, "50");
    crate::util::assert_close(&low, 100.0 - 90.54687942657694);
    crate::util::assert_close(&high, 100.0 - 9.453120573423073);
    // chat, February: its January customer is gone (no February row at all): 0 of 1.
    let (value, n, _, high) = get("2025-02", "chat", "retention").unwrap();
    assert_eq!((value.as_str(), n.as_str()), ("0", "1"));
    crate::util::assert_close(&high, 79.34506856227627);
    // chat, March: nobody was active in February: no figure; nor for January anywhere.
    assert_eq!(get("2025-03", "chat", "retention"), None);
    assert!(!rows.iter().any(|r| r["period"] == "2025-01" && r["metric"] == "retention"), "{out}");
    assert_eq!(rows.iter().filter(|r| r["metric"] == "retention").count(), 3, "{out}");
}

/// Hand-written duration statistics: five response times 1, 2, 4, 7 and 10 minutes in
/// one month, two of them written as clocks, and a sum beyond 64 bits.
const HAND_DURATIONS: &str = "kind,period_start,stat,value
interactions,2025-03-01,response.n,5
interactions,2025-03-01,response.median.lower,0:04:00
interactions,2025-03-01,response.p90.lower,7
interactions,2025-03-01,response.p90.upper,10:00
interactions,2025-03-01,response.mean_n,5
interactions,2025-03-01,response.sum,1440000
interactions,2025-03-01,response.sumsq,612000000000
interactions,2025-03-01,sla.n,5
interactions,2025-03-01,sla.good,5
interactions,2025-03-01,handle.mean_n,400000
interactions,2025-03-01,handle.sum,12000000000000000000
interactions,2025-03-01,handle.sumsq,360000000000000000000000000000000
interactions,,rows.read,5
interactions,,rows.used,5
interactions,,columns.first_response_minutes,1
interactions,,columns.handle_time,1
interactions,,values.valid.first_response_minutes,5
interactions,,values.valid.handle_time,2
interactions,,date.latest,20180
interactions,,date.first,20148
interactions,,date.last,20180
meta,,period.month,1
";

#[test]
fn report_stats_turns_hand_written_duration_statistics_into_hand_computed_figures() {
    let w = Workdir::new();
    w.write("durations.csv", HAND_DURATIONS);
    let args = ["report", "--stats", "durations.csv", "--format", "csv", "--min-n", "1"];
    let out = stdout_of(
        w.servq()
            .args(args)
            .args(["--metrics", "response_median_min,response_p90_min,response_mean_min,sla_pct,handle_mean_min"]),
    );
    let rows = crate::util::csv_rows(&out);
    let get = |metric: &str| rows.iter().find(|r| r["metric"] == metric).unwrap_or_else(|| panic!("{metric}: {out}"));
    // Median: h = 4 · 0.5 = 2, the value at position 2 (0:04:00 = 4 min).
    assert_eq!((get("response_median_min")["value"].as_str(), get("response_median_min")["n"].as_str()), ("4", "5"));
    // p90: h = 4 · 0.9 = 3.6 -> 7 + 0.6 · (10 − 7) = 8.8 (10:00 is ten minutes).
    crate::util::assert_close(&get("response_p90_min")["value"], 8.8);
    // Mean 1 440 000 ms / 5 = 4.8 min; sd² = (5 · 612e9 − 1440000²) / 20 / 60000² = 13.7.
    let mean = get("response_mean_min");
    assert_eq!(mean["value"], "4.8");
    crate::util::assert_close(&mean["ci_low"], 4.8 - 2.7764451051977987 * 13.7_f64.sqrt() / 5_f64.sqrt());
    assert_eq!(get("handle_mean_min")["n"], "400000");
    assert_eq!(get("sla_pct")["value"], "100");
    // A sum beyond 64 bits: 400 000 values of 3·10¹³ ms each (950 years), mean 5·10⁸
    // minutes, sd 0 (Σx² = 4·10⁵ · 9·10²⁶).
    let handle = get("handle_mean_min");
    assert_eq!((handle["value"].as_str(), handle["ci_low"].as_str()), ("500000000", "500000000"));
    // A sum beyond 128 bits is refused, never cut to the largest number.
    let huge = HAND_DURATIONS.replace("360000000000000000000000000000000", "680564733841876926926749214863536422912");
    w.write("huge.csv", huge);
    w.servq().args(["report", "--stats", "huge.csv"]).assert().code(2).stderr(predicates::str::contains(
        "value '680564733841876926926749214863536422912' of handle.sumsq: not a whole number",
    ));
    // A quantile whose order statistics are missing is refused, not guessed.
    w.write("broken.csv", HAND_DURATIONS.replace("interactions,2025-03-01,response.p90.upper,10:00\n", ""));
    w.servq()
        .args(["report", "--stats", "broken.csv", "--metrics", "response_p90_min"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("response.p90: the statistics have 5 values but not the order statistics"));
}

#[test]
fn report_stats_refuses_statistics_of_another_grouping_or_period() {
    let w = Workdir::new();
    w.write("stats.csv", HAND_STATS);
    for (args, message) in [
        (vec!["--by", "segment"], "the statistics were computed with --by channel: give report the same --by"),
        (vec!["--by", "channel", "--period", "week"], "computed with --period month: give report --period month"),
        (vec!["--by", "channel", "--from", "2025-01-01"], "computed with --from none: give report the same --from"),
    ] {
        w.servq()
            .args(["report", "--stats", "stats.csv"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
    w.write("bad.csv", "metric,value\ncsat,3\n");
    w.servq()
        .args(["report", "--stats", "bad.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a servq statistics table: the columns must be kind, period_start"));
    // check judges the same figures: csat 75 fails a 80 minimum.
    w.servq()
        .args(["check", "--stats", "stats.csv", "--by", "channel", "--require", "csat>=80", "--all-periods"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("75"));
}

#[test]
fn sql_refuses_what_it_does_not_translate_and_says_so() {
    let w = Workdir::new();
    let surveys = sample("surveys.csv");
    let interactions = sample("interactions.csv");
    let spaced = w.write("spaced.toml", "[metrics.servqual]\nexpectation = \"Exp {i}\"\n");
    let cased = w.write("cased.toml", "[metrics.servqual]\nexpectation = \"q{i}\"\nperception = \"Q{i}\"\n");
    let sla_backslash = w.write("sla.toml", "[metrics.sla]\nper_channel = { 'a\\b' = 5 }\n");
    for (args, message) in [
        (
            vec!["--metrics", "csat,servqual_gap", "--config", &spaced],
            "servqual_gap: servq sql names its columns after the item 'Exp 1' (it has other characters)",
        ),
        (
            vec!["--metrics", "servperf_empathy", "--config", &cased],
            "servperf_empathy: servq sql names its columns after the item 'Q1' (another item differs from it only in case)",
        ),
        (
            vec!["--metrics", "servqual_gap", "--unweighted"],
            "nothing to compute in SQL: servqual: no column E1, E2, E3, E4, P1, P2 and 43 more in surveys",
        ),
        (
            vec!["--interactions", &interactions, "--config", &sla_backslash, "--metrics", "sla_pct"],
            "sla_pct: not translated to SQL for these columns or options (fcr: from a first_contact_resolved or contacts_to_resolve column, or by repeat contacts of a customer_id; complaints_per_1000: from a boolean complaint column, or a complaint value without a quote or backslash; sla_pct, resolution_sla_pct: no quote or backslash in a value of per_channel or per_priority)",
        ),
        (vec!["--metrics", "fcr"], "nothing to compute in SQL: fcr: not computed: no interactions input"),
        (
            vec!["--date-format", "%d/%b/%Y"],
            "servq sql cannot translate --date-format %d/%b/%Y: its field ShortMonthName is not translated",
        ),
        (vec!["--table", "nonsense"], "--table nonsense: give KIND=NAME"),
        (vec!["--table", "tickets=x"], "unknown input 'tickets'"),
    ] {
        w.servq()
            .args(["sql", "--dialect", "duckdb", "--surveys", &surveys])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
    // Every statement ends a line with `;` and the last is the SELECT of the statistics.
    let script = stdout_of(w.servq().args(["sql", "--dialect", "spark", "--surveys", &surveys, "--unweighted"]));
    let last = script.trim_end().rsplit(";\n").next().unwrap();
    assert!(last.starts_with("SELECT * FROM ("), "{last}");
    assert!(script.trim_end().ends_with(';'));
}

/// `servq sql`'s stderr for the given arguments (exit 2).
fn sql_refusal(w: &Workdir, args: &[&str]) -> String {
    let out = w.servq().arg("sql").args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn h18_1_9_13_what_postgresql_copy_reads_otherwise_is_refused() {
    let w = Workdir::new();
    for (name, text, message) in [
        ("inch.csv", "date,csat,channel\n2025-01-01,5,27\" TV\n", "line 2: a quote inside an unquoted field"),
        ("end.csv", "date,csat\n2025-01-01,5\n\\.\n2025-01-02,1\n", "line 3: a line \\."),
        ("blank.csv", "date,csat\n2025-01-01,5\n\n2025-01-02,1\n", "line 3: a blank line"),
    ] {
        let file = w.write(name, text);
        let err = sql_refusal(&w, &["--dialect", "postgres", "--surveys", &file]);
        assert!(err.contains(message) && err.contains("PostgreSQL's COPY reads it otherwise"), "{err}");
        // DuckDB and Spark read these as servq does.
        if name == "inch.csv" {
            w.servq().args(["sql", "--dialect", "duckdb", "--surveys", &file]).assert().success();
        }
    }
}

#[test]
fn h18_3_13_files_an_engine_would_misread_are_refused() {
    let w = Workdir::new();
    let line = "date,csat\n2025-01-01,5\n";
    let globbed = w.write("q[1].csv", line);
    for dialect in ["duckdb", "spark"] {
        let err = sql_refusal(&w, &["--dialect", dialect, "--surveys", &globbed]);
        assert!(err.contains("would read the path as a pattern"), "{err}");
    }
    w.servq().args(["sql", "--dialect", "postgres", "--surveys", &globbed]).assert().success();
    let mut gb = b"date,csat,channel\n2025-01-01,5,".to_vec();
    gb.extend([0xb5, 0xe7, 0xbb, 0xb0, b'\n']);
    let gb = w.write("gb.csv", gb);
    assert!(sql_refusal(&w, &["--dialect", "duckdb", "--surveys", &gb]).contains("not UTF-8"));
    let utf16 = w.write("u16.csv", [0xff, 0xfe, b'd', 0, b'\n', 0]);
    assert!(sql_refusal(&w, &["--dialect", "spark", "--surveys", &utf16]).contains("UTF-16 text"));
    let by_kind = w.write("kind.csv", "date,csat,kind\n2025-01-01,5,a\n");
    let err = sql_refusal(&w, &["--dialect", "duckdb", "--surveys", &by_kind, "--by", "kind"]);
    assert!(err.contains("--by kind: the statistics table has a column of that name"), "{err}");
}

#[test]
fn h18_12_14_sql_refuses_as_report_does() {
    let w = Workdir::new();
    let dated = w.write("dated.csv", "date,csat\n2025-01-01,5\n");
    let undated = w.write("undated.csv", "csat\n4\n");
    let err = sql_refusal(&w, &["--dialect", "duckdb", "--surveys", &dated, &undated]);
    assert!(err.contains("undated.csv: no date column for surveys"), "{err}");
    let err = sql_refusal(&w, &["--dialect", "duckdb", "--surveys", &undated, "--from", "2025-01-01"]);
    assert!(err.contains("no date column for surveys (--from/--to need one)"), "{err}");
    let err = sql_refusal(&w, &["--dialect", "duckdb", "--surveys", &dated, "--strict"]);
    assert!(err.contains("--strict judges the input rows, which servq sql does not read"), "{err}");
    w.write("stats.csv", HAND_STATS);
    w.servq()
        .args(["report", "--stats", "stats.csv", "--by", "channel", "--rejects", "r.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--rejects judges the input rows, which report --stats does not read"));
}

#[test]
fn h18_6_an_engine_table_is_dated_even_for_one_period() {
    let w = Workdir::new();
    let script = stdout_of(
        w.servq()
            .args(["sql", "--dialect", "duckdb", "--table", "surveys=t", "--period", "none"])
            .args(["--metrics", "csat"]),
    );
    assert!(script.contains("CAST(\"date\" AS VARCHAR) AS d"), "{script}");
    assert!(script.contains("'impossible date'"));
}

#[test]
fn h18_2_10_statistics_of_other_settings_or_repeated_rows_are_refused() {
    let w = Workdir::new();
    let surveys = sample("surveys.csv");
    // The fingerprint servq sql writes for the default settings.
    let script = stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--surveys", &surveys, "--by", "channel"]));
    let at = script.find("'settings' AS stat, CAST(").expect("a settings row") + "'settings' AS stat, CAST(".len();
    let fingerprint: String = script[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    w.write("stats.csv", format!("{HAND_STATS}meta,,,settings,{fingerprint}\n"));
    w.servq().args(["report", "--stats", "stats.csv", "--by", "channel"]).assert().success();
    let config = w.write("sat5.toml", "[metrics.csat]\nsatisfied_min = 5\n");
    for args in [vec!["--config", config.as_str()], vec!["--missing", "-99"], vec!["--tz", "+08:00"]] {
        w.servq()
            .args(["report", "--stats", "stats.csv", "--by", "channel"])
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("the statistics were computed with other settings"));
    }
    w.write("twice.csv", format!("{HAND_STATS}surveys,2025-03-01,chat,csat.n,4\n"));
    w.servq()
        .args(["report", "--stats", "twice.csv", "--by", "channel"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("row 18 repeats the statistic csat.n"));
}

#[test]
fn h18b_1_4_5_6_line_ends_the_engines_misread_are_refused_and_fcr_says_why() {
    let w = Workdir::new();
    let mixed = w.write("mixed.csv", "opened_at,answered\r\n2025-01-06,Y\n2025-01-06,N\r\n");
    for dialect in ["duckdb", "spark", "postgres"] {
        let err = sql_refusal(&w, &["--dialect", dialect, "--interactions", &mixed]);
        assert!(err.contains("mixed.csv: line 2: the line ends change between CRLF and LF"), "{err}");
    }
    let cr = w.write("cr.csv", "date,csat\r2025-01-01,5\r");
    assert!(sql_refusal(&w, &["--dialect", "duckdb", "--surveys", &cr]).contains("lines end with CR alone"));
    // CRLF throughout is read.
    let crlf = w.write("crlf.csv", "opened_at,answered\r\n2025-01-06,Y\r\n");
    w.servq().args(["sql", "--dialect", "postgres", "--interactions", &crlf]).assert().success();
    // FCR by repeat contacts is translated now; without a customer it is refused, and says why.
    let repeat = w.write("repeat.csv", "opened_at,customer_id,resolved\n2025-01-01,c1,true\n");
    w.servq().args(["sql", "--dialect", "duckdb", "--interactions", &repeat, "--metrics", "fcr"]).assert().success();
    let anonymous = w.write("anonymous.csv", "opened_at,resolved\n2025-01-01,true\n");
    let err = sql_refusal(&w, &["--dialect", "duckdb", "--interactions", &anonymous, "--metrics", "fcr"]);
    assert!(
        err.contains("fcr: not translated to SQL for these columns or options (fcr: from a first_contact_resolved or contacts_to_resolve column, or by repeat contacts of a customer_id"),
        "{err}"
    );
}

/// h18c-1: statistics of a duration with no valid value anywhere (an empty column, or
/// values all outside --from/--to) give the notes a run on the files gives, not an error.
#[test]
fn h18c_1_a_duration_without_any_value_is_noted_not_an_error() {
    let w = Workdir::new();
    let stats = "kind,period_start,stat,value
interactions,2025-01-01,response.n,0
interactions,2025-01-01,handle.mean_n,2
interactions,2025-01-01,handle.sum,300000
interactions,2025-01-01,handle.sumsq,50000000000
interactions,,rows.read,2
interactions,,rows.used,2
interactions,,columns.first_response_minutes,1
interactions,,columns.handle_time,1
interactions,,values.valid.first_response_minutes,0
interactions,,values.valid.handle_time,2
interactions,,date.latest,20090
meta,,period.month,1
";
    w.write("empty.csv", stats);
    let out = w
        .servq()
        .args(["report", "--stats", "empty.csv", "--format", "csv", "--metrics", "response_median_min,handle_mean_min"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr
            .contains("response_median_min: not computed: no valid first_response_minutes or first_response_at value"),
        "{stderr}"
    );
    // handle: 100 000 ms and 200 000 ms: mean 2.5 minutes.
    let rows = crate::util::csv_rows(&String::from_utf8(out.stdout).unwrap());
    assert_eq!((rows.len(), rows[0]["metric"].as_str(), rows[0]["value"].as_str()), (1, "handle_mean_min", "2.5"));
}

/// h18c-2: `-0` is a duration of 0: no `-0` figure, whatever the order of the rows and
/// the engine (it sorted as 0 and printed as `-0` by row order before).
#[test]
fn h18c_2_negative_zero_durations_are_zero_in_any_order() {
    let w = Workdir::new();
    let file = w.write(
        "z.csv",
        "opened_at,first_response_minutes\n2025-01-01,-0\n2025-01-01,0\n2025-01-01,-0\n2025-01-01,0\n2025-01-01,-0\n",
    );
    for streaming in [false, true] {
        let mut cmd = w.servq();
        cmd.args([
            "report",
            "--interactions",
            &file,
            "--format",
            "csv",
            "--metrics",
            "response_median_min,response_p90_min",
        ]);
        if streaming {
            cmd.arg("--streaming");
        }
        let rows = crate::util::csv_rows(&stdout_of(&mut cmd));
        let values: Vec<&str> = rows.iter().map(|r| r["value"].as_str()).collect();
        assert_eq!(values, ["0", "0"], "streaming {streaming}");
    }
}

/// h18c-3: a missing code followed by a vertical tab is that missing code, as the value
/// itself is trimmed (it was a group `NA` and a rejected score on the files, missing in
/// the engines).
#[test]
fn h18c_3_a_missing_code_with_a_vertical_tab_is_missing() {
    let w = Workdir::new();
    let file = w.write(
        "vt.csv",
        "opened_at,channel,first_response_minutes\n2025-01-01,a,5\n2025-01-01,a,NA\u{b}\n2025-01-01,NA\u{b},7\n",
    );
    let rows = crate::util::csv_rows(&stdout_of(w.servq().args([
        "report",
        "--interactions",
        &file,
        "--by",
        "channel",
        "--missing",
        "NA",
        "--format",
        "csv",
        "--min-n",
        "1",
        "--metrics",
        "response_mean_min",
    ])));
    let seen: Vec<(&str, &str, &str)> =
        rows.iter().map(|r| (r["channel"].as_str(), r["value"].as_str(), r["flags"].as_str())).collect();
    // January is not over at the as-of date (its only day): partial, and nothing rejected.
    assert_eq!(seen, [("", "7", "partial"), ("a", "5", "partial")]);
}

/// FCR by repeat contacts in DuckDB, against a hand count: C1 on the 1st (repeated on
/// the 3rd: not resolved first time), the 3rd (next contact 17 days later: resolved),
/// the 20th (its 7-day window not over at the latest date: unknown); C2 twice at one
/// time (repeats of each other); a contact without a customer (counted apart).
/// FCR = 1 / 4 = 25%.
#[test]
fn duckdb_counts_repeat_contacts_as_counted_by_hand() {
    let w = Workdir::new();
    let file = w.write(
        "repeat.csv",
        "opened_at,customer_id,channel\n2025-01-01T09:00,C1,web\n2025-01-03,C1,web\n2025-01-20,C1,web\n2025-01-05T10:00,C2,web\n2025-01-05T10:00,C2,web\n2025-01-06, ,web\n",
    );
    let script = w.write(
        "repeat.sql",
        stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--interactions", &file, "--metrics", "fcr"])),
    );
    let stats = w.path("repeat_stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let text = std::fs::read_to_string(&stats).unwrap();
    for (stat, value) in
        [("fcr.n", "4"), ("fcr.good", "1"), ("fcr.unknown", "1"), ("fcr.no_customer", "1"), ("fcr.unresolved", "0")]
    {
        assert!(text.contains(&format!("interactions,2025-01-01,{stat},{value}\n")), "{stat} = {value}:\n{text}");
    }
    std::fs::copy(&stats, w.path("stats.csv")).unwrap();
    let rows = crate::util::csv_rows(&stdout_of(w.servq().args([
        "report",
        "--stats",
        "stats.csv",
        "--metrics",
        "fcr",
        "--format",
        "csv",
    ])));
    assert_eq!((rows[0]["value"].as_str(), rows[0]["n"].as_str()), ("25", "4"));
}

/// Churn flags as counted by hand (SPEC §12): `Yes`, ` churned `, `Attrited Customer`
/// and `是` are churned, `existing customer` and `留存` are not; `EXİSTING` (a Turkish
/// dotted capital I, which DuckDB's LOWER folds to `existing`), full-width `ｙｅｓ` and
/// `maybe` are rejected; `NA` is missing. churn_rate = 4 / 6.
#[test]
fn duckdb_counts_churn_flags_as_counted_by_hand() {
    let w = Workdir::new();
    let file = w.write(
        "churn.csv",
        "customer_id,Churn\nA,Yes\nB, churned \nC,Attrited Customer\nD,是\nE,existing customer\nF,留存\nG,EXİSTING\nH,ｙｅｓ\nI,maybe\nJ,NA\n",
    );
    let args = ["--customers", &file, "--missing", "NA"];
    let script = w.write("churn.sql", stdout_of(w.servq().args(["sql", "--dialect", "duckdb"]).args(args)));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let text = std::fs::read_to_string(&stats).unwrap();
    for (stat, value) in [
        ("1970-01-01,churned.n", "6"),
        ("1970-01-01,churned.yes", "4"),
        (",values.rejected.churned", "3"),
        (",values.missing.churned", "1"),
    ] {
        assert!(text.contains(&format!("customers,{stat},{value}\n")), "{stat} = {value}:\n{text}");
    }
    let out =
        w.servq().args(["report", "--stats", "stats.csv", "--format", "csv", "--missing", "NA"]).output().unwrap();
    let rows = crate::util::csv_rows(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(
        (rows[0]["period"].as_str(), rows[0]["value"].as_str(), rows[0]["n"].as_str()),
        ("all", "66.66666666666667", "6")
    );
    assert_eq!(rows[0]["flags"], "low_n;rejected", "6 under --min-n 30; 3 of 9 flags rejected");
}

/// Survey weights as counted by hand (SPEC §14): the largest weight 2 is in [2^1, 2^2),
/// so a step is 2^(1 − 50) = 2^-49 and the weights 1.5, 0.5 and 2 are 1.5·2^49 =
/// 844,424,930,131,968 steps and so on. The responses with a rejected (`abc`) or missing
/// weight are left out of every figure of the column, and counted apart.
#[test]
fn duckdb_weighs_surveys_as_counted_by_hand() {
    let w = Workdir::new();
    let file = w.write(
        "weighted.csv",
        "submitted_at,csat,weight\n2025-01-02,5,1.5\n2025-01-03,2,0.5\n2025-01-04,4,2\n2025-01-05,3,abc\n2025-01-06,4,\n",
    );
    let args = ["--surveys", &file, "--metrics", "csat,csat_mean,csat_bottom_box", "--period", "year"];
    let script = w.write("weighted.sql", stdout_of(w.servq().args(["sql", "--dialect", "duckdb"]).args(args)));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let text = std::fs::read_to_string(&stats).unwrap();
    for (stat, value) in [
        ("2025-01-01,csat.n", "3"),
        ("2025-01-01,csat.n@w", "2251799813685248"),     // 4 × 2^49
        ("2025-01-01,csat.good@w", "1970324836974592"),  // (1.5 + 2) × 2^49
        ("2025-01-01,csat.bottom@w", "281474976710656"), // 0.5 × 2^49
        ("2025-01-01,csat.sum@w", "9288674231451648"),   // (7.5 + 1 + 8) × 2^49
        ("2025-01-01,csat.n@w2", "2059932225370872777432142708736"), // 6.5 × 2^98
        ("2025-01-01,csat.unweighted", "2"),
        ("2025-01-01,csat.weight_rejected", "1"),
        ("2025-01-01,csat.scored", "5"),
        (",weight.unit", "-49"),
        (",values.rejected.weight", "1"),
        (",values.missing.weight", "1"),
    ] {
        assert!(text.contains(&format!("surveys,{stat},{value}\n")), "{stat} = {value}:\n{text}");
    }
    let out =
        w.servq().args(["report", "--stats", "stats.csv", "--format", "csv", "--period", "year"]).output().unwrap();
    let rows = crate::util::csv_rows(&String::from_utf8(out.stdout).unwrap());
    let figure = |metric: &str| {
        let row = rows.iter().find(|r| r["metric"] == metric).unwrap();
        (row["value"].clone(), row["n"].clone())
    };
    assert_eq!(figure("csat"), ("87.5".to_string(), "3".to_string()), "100 × 3.5 / 4");
    assert_eq!(figure("csat_mean"), ("4.125".to_string(), "3".to_string()), "16.5 / 4");
    assert_eq!(figure("csat_bottom_box"), ("12.5".to_string(), "3".to_string()), "100 × 0.5 / 4");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("csat: 2 response(s) with a score but no valid weight left out"), "{stderr}");
}

/// Named zones as counted by hand: [`DST_EDGES`] in New York time. 03-08: the second
/// before EST's midnight; 03-09: EST's midnight, 01:59:59 EST, 03:00 EDT, 23:59:59 EDT,
/// 00:30 UTC of the 10th (20:30 EDT) and the local 02:30 that the change skips (taken as
/// written); 03-10: EDT's midnight; 11-01: 23:59:59 EDT; 11-02: EDT's midnight, 01:59:59
/// EDT, 01:00 EST, 23:59:59 EST, the local 01:30 and 01:30 at -04:00; 11-03: EST's midnight.
#[test]
fn duckdb_moves_instants_to_a_named_zone_as_counted_by_hand() {
    let w = Workdir::new();
    let file = w.write("dst.csv", DST_EDGES);
    let args = ["--surveys", &file, "--period", "day", "--tz", "America/New_York", "--metrics", "csat"];
    let script = w.write("dst.sql", stdout_of(w.servq().args(["sql", "--dialect", "duckdb"]).args(args)));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let text = std::fs::read_to_string(&stats).unwrap();
    let counts: Vec<&str> = text.lines().filter(|l| l.contains(",csat.n,")).collect();
    assert_eq!(
        counts,
        [
            "surveys,2025-03-08,csat.n,1",
            "surveys,2025-03-09,csat.n,6",
            "surveys,2025-03-10,csat.n,1",
            "surveys,2025-11-01,csat.n,1",
            "surveys,2025-11-02,csat.n,6",
            "surveys,2025-11-03,csat.n,1",
        ],
        "{text}"
    );
}

/// `--date-format %d/%m/%Y` as chrono reads it, counted by hand: `05/01/2025` and
/// `5/1/2025` are 5 January; `1/ 2/2025` (white space before a number) 1 February;
/// ` 7/02/2025 ` 7 February; `29/02/2024` a leap day; ISO dates are read beside the
/// format (one with an offset); `31/02/2025`, `13/13/2025`, `+2025/02/01`, `01/02/20251`
/// (a digit left over), `00/02/2025` and `29/02/2025` match neither.
#[test]
fn duckdb_reads_a_date_format_as_counted_by_hand() {
    let w = Workdir::new();
    let file = w.write(
        "formatted.csv",
        "submitted_at,csat\n05/01/2025,5\n5/1/2025,4\n31/02/2025,3\n2025-01-07,2\n2025-01-07T10:00+09:00,1\n13/13/2025,5\n 7/02/2025 ,4\n+2025/02/01,2\n1/ 2/2025,1\n01/02/20251,5\n00/02/2025,4\n,3\n29/02/2024,2\n29/02/2025,1\n",
    );
    let args = ["--surveys", &file, "--period", "day", "--date-format", "%d/%m/%Y", "--metrics", "csat"];
    let script = w.write("formatted.sql", stdout_of(w.servq().args(["sql", "--dialect", "duckdb"]).args(args)));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let text = std::fs::read_to_string(&stats).unwrap();
    let counts: Vec<&str> = text.lines().filter(|l| l.contains(",csat.n,")).collect();
    assert_eq!(
        counts,
        [
            "surveys,2024-02-29,csat.n,1",
            "surveys,2025-01-05,csat.n,2",
            "surveys,2025-01-07,csat.n,2",
            "surveys,2025-02-01,csat.n,1",
            "surveys,2025-02-07,csat.n,1",
        ],
        "{text}"
    );
    assert!(text.contains("surveys,,rows.rejected.does not match --date-format %d/%m/%Y,6\n"), "{text}");
    assert!(text.contains("surveys,,rows.rejected.missing date,1\n"), "{text}");
}

/// A separate time column as counted by hand (SPEC §10): the time of day is added to
/// the date after the date is moved to the zone: 2025-01-01T20:00-05:00 is 01:00 UTC of
/// the 2nd, and 03:00 later 04:00; `11:59 PM` is 23:59; a date-time 23:00 and `02:00`
/// are 01:00 the next day; an empty time is midnight; `12:15 a.m.` is 00:15; `25:00`
/// and `0:30 AM` are no times of day (the rows are rejected).
#[test]
fn duckdb_joins_a_time_column_as_counted_by_hand() {
    let w = Workdir::new();
    let file = w.write(
        "timed.csv",
        "fecha,hora,csat\n2025-01-01,23:30,5\n2025-01-01T20:00-05:00,03:00,4\n2025-01-01,11:59 PM,3\n2025-01-01T23:00,02:00,2\n2025-01-03,25:00,1\n2025-01-03,,5\n2025-01-03,0:30 AM,4\n2025-01-03,12:15 a.m.,3\n",
    );
    let config = w.write("time.toml", "[columns.surveys]\ndate = \"fecha\"\ntime = \"hora\"\n");
    let args = ["--surveys", &file, "--config", &config, "--period", "day", "--metrics", "csat"];
    let script = w.write("timed.sql", stdout_of(w.servq().args(["sql", "--dialect", "duckdb"]).args(args)));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let text = std::fs::read_to_string(&stats).unwrap();
    let counts: Vec<&str> = text.lines().filter(|l| l.contains(",csat.n,")).collect();
    assert_eq!(
        counts,
        ["surveys,2025-01-01,csat.n,2", "surveys,2025-01-02,csat.n,2", "surveys,2025-01-03,csat.n,2"],
        "{text}"
    );
    assert!(text.contains("surveys,,rows.rejected.not a time of day (HH:MM or HH:MM:SS),2\n"), "{text}");
}

/// `servq cohorts --stats` gives the matrix of `servq cohorts` on the files, with and
/// without the partial period, in every format it writes.
#[test]
fn duckdb_cohorts_from_statistics_are_the_files_cohorts() {
    let w = Workdir::new();
    let transactions = made(&w, "make_transactions.py", "transactions.csv");
    let flags = ["--period", "quarter", "--missing", "NA"];
    let script = stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--transactions", &transactions]).args(flags));
    let script = w.write("cohorts.sql", script);
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    for extra in [vec!["--format", "csv"], vec!["--format", "json"], vec!["--format", "csv", "--include-partial"]] {
        let direct = stdout_of(w.servq().args(["cohorts", "--transactions", &transactions]).args(flags).args(&extra));
        assert!(direct.lines().count() > 4, "{direct}");
        let out = w.servq().args(["cohorts", "--stats", &stats]).args(flags).args(&extra).output().unwrap();
        assert!(out.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&out.stderr));
        let from_stats = String::from_utf8(out.stdout).unwrap();
        if extra.contains(&"json") {
            // The files' account has their names and lines; the statistics' has none.
            let cohorts = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap()["cohorts"].clone();
            assert_eq!(cohorts(&from_stats), cohorts(&direct), "{extra:?}");
        } else {
            assert_eq!(from_stats, direct, "{extra:?}");
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("100,000 rows read"), "{stderr}");
    }
}

/// h18i-2: a weight 1e20 beside weights 1 and 3 makes the step 2^16 (2^(66 − 50)), in
/// which 1 and 3 are 0 steps: the web group has no weighted figure, and the note says
/// why (it said "weights sum to 0"), on the files and through DuckDB alike.
#[test]
fn h18i_2_weights_far_below_the_largest_say_why_they_give_no_figure() {
    let w = Workdir::new();
    let file = w.write(
        "far.csv",
        "submitted_at,csat,weight,channel\n2025-03-01,5,1,web\n2025-03-01,3,3,web\n2025-03-01,4,1e20,chat\n",
    );
    let flags = ["--period", "day", "--by", "channel", "--metrics", "csat", "--format", "csv"];
    let note = "csat: 1 period(s) or group(s) have no weighted figure: their weights are all 0 or below half the step 2^16 = 6.5536e4 in which weights are summed exactly";
    let out = w.servq().args(["report", "--surveys", &file]).args(flags).output().unwrap();
    let (direct, stderr) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
    assert!(stderr.contains(note), "{stderr}");
    assert!(direct.contains("chat,csat,100,1,") && direct.contains("web,csat,,2,,,low_n"), "{direct}");
    let script = stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--surveys", &file]).args(&flags[..6]));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(w.write("far.sql", script), stats.clone())]);
    let out = w.servq().args(["report", "--stats", &stats]).args(flags).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), direct);
    assert!(String::from_utf8(out.stderr).unwrap().contains(note));
}

/// h18i-3: a survey file without a weight column beside one with a weight column is in
/// no weighted figure; `report` and `servq sql` now name it.
#[test]
fn h18i_3_a_survey_file_without_a_weight_column_is_named() {
    let w = Workdir::new();
    let march = w.write("mar.csv", "submitted_at,csat\n2025-03-02,5\n2025-03-03,4\n");
    let april = w.write("apr.csv", "submitted_at,csat,weight\n2025-04-02,5,2\n2025-04-03,3,0.5\n");
    let args = ["--surveys", &march, "--surveys", &april, "--metrics", "csat"];
    let out = w.servq().arg("report").args(args).args(["--format", "csv"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("mar.csv: no weight column: its 2 used response(s) are in no weighted figure (give every surveys file a weight column, or --unweighted)"),
        "{stderr}"
    );
    let out = w.servq().args(["sql", "--dialect", "duckdb"]).args(args).output().unwrap();
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("mar.csv: no weight column: its responses are in no weighted figure")
    );
}

/// h18i-5: an exponent written with leading zeros (`1e0001`, `5e-0324`) is a number in
/// the engines as on the files (only exponents of 1000 and more are refused).
#[test]
fn h18i_5_exponents_with_leading_zeros_are_read_in_the_engines() {
    let w = Workdir::new();
    let file = w.write(
        "exponents.csv",
        "submitted_at,csat,weight\n2025-03-01,5,1e0001\n2025-03-01,4,1\n2025-03-02,3,1E+0000\n2025-03-02,2,5e-0001\n",
    );
    let flags = ["--period", "day", "--metrics", "csat_mean", "--format", "csv"];
    let direct = stdout_of(w.servq().args(["report", "--surveys", &file]).args(flags));
    assert!(direct.contains("csat_mean,4.909090909090909,2,"), "(5 × 10 + 4 × 1) / 11:\n{direct}");
    let script = stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--surveys", &file]).args(&flags[..4]));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(w.write("exponents.sql", script), stats.clone())]);
    assert_eq!(stdout_of(w.servq().args(["report", "--stats", &stats]).args(flags)), direct);
}

/// h18i-7: a day in any padding (`%-d`, `%_d`, `%0d`) is a day: the format is taken.
#[test]
fn h18i_7_a_padded_day_is_a_day() {
    let w = Workdir::new();
    let file = w.write("padded.csv", "submitted_at,csat\n1/3/2025,5\n");
    for format in ["%-d/%-m/%Y", "%_d/%m/%Y", "%0d/%m/%Y"] {
        let out = stdout_of(w.servq().args([
            "report",
            "--surveys",
            &file,
            "--date-format",
            format,
            "--metrics",
            "csat",
            "--format",
            "csv",
        ]));
        assert!(out.contains("2025-03,2025-03-01,2025-03-31,csat,100,1,"), "{format}: {out}");
    }
}

/// h18i-8: a missing code in a separate time column is a missing time (midnight), as an
/// empty one, not a rejected row: on the files and in the engines.
#[test]
fn h18i_8_a_missing_code_in_the_time_column_is_midnight() {
    let w = Workdir::new();
    let file = w.write("timed.csv", "fecha,hora,csat\n2025-03-01,NA,5\n2025-03-01,,4\n2025-03-01,23:00,2\n");
    let config = w.write("time.toml", "[columns.surveys]\ndate = \"fecha\"\ntime = \"hora\"\n");
    let flags = ["--config", &config, "--missing", "NA", "--period", "day", "--metrics", "csat"];
    let out = w.servq().args(["report", "--surveys", &file]).args(flags).args(["--format", "csv"]).output().unwrap();
    let direct = String::from_utf8(out.stdout).unwrap();
    assert!(String::from_utf8(out.stderr).unwrap().contains("3 rows read, 3 used, 0 rejected"));
    assert!(direct.contains("2025-03-01,2025-03-01,2025-03-01,csat,66.66666666666667,3,"), "5 and 4 of 3: {direct}");
    let script = stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--surveys", &file]).args(flags));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(w.write("timed.sql", script), stats.clone())]);
    let from_stats = stdout_of(w.servq().args(["report", "--stats", &stats]).args(flags).args(["--format", "csv"]));
    assert_eq!(from_stats, direct);
}

/// `servq clv --stats` gives the table of `servq clv` on the files (every parameter per
/// group), also with what-if flags, which shape the formula and not the statistics.
#[test]
fn duckdb_clv_from_statistics_is_the_files_clv() {
    let w = Workdir::new();
    let transactions = made(&w, "make_transactions.py", "transactions.csv");
    let flags = ["--by", "segment", "--missing", "NA"];
    let script = stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--transactions", &transactions]).args(flags));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(w.write("clv.sql", script), stats.clone())]);
    for extra in [vec!["--format", "csv"], vec!["--format", "csv", "--retention", "0.7", "--horizon", "8"]] {
        let direct = stdout_of(w.servq().args(["clv", "--transactions", &transactions]).args(flags).args(&extra));
        assert!(direct.lines().count() > 2, "{direct}");
        let out = w.servq().args(["clv", "--stats", &stats]).args(flags).args(&extra).output().unwrap();
        assert!(out.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), direct, "{extra:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("100,000 rows read"));
    }
}

/// Employees as counted by hand (SPEC §12), in +05:30: A hired 2025-01-01 leaves at
/// 2025-03-31T23:30-05:00, which is 2025-04-01 10:00 there; B's leave date is unreadable
/// and C's is before the hire (both left out); D is hired 2025-03-15. The last day counted
/// is A's leave day: in March the headcount is 2 (A and D), in April (up to the 1st)
/// 1 leaver over mean(2, 2) = 50%.
#[test]
fn duckdb_counts_employees_as_counted_by_hand() {
    let w = Workdir::new();
    let file = w.write(
        "employees.csv",
        "employee_id,hire_date,leave_date\nA,2025-01-01,2025-03-31T23:30-05:00\nB,2025-02-01,soon\nC,2025-03-01,2025-02-01\nD,2025-03-15,\n",
    );
    let args = ["--employees", &file, "--tz", "+05:30"];
    let script = w.write("employees.sql", stdout_of(w.servq().args(["sql", "--dialect", "duckdb"]).args(args)));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let text = std::fs::read_to_string(&stats).unwrap();
    for row in [
        "employees,2025-01-01,employees.hired,1\n",
        "employees,2025-03-15,employees.hired,1\n",
        "employees,2025-04-01,employees.left,1\n",
        "employees,,employees.left_out,2\n",
    ] {
        assert!(text.contains(row), "{row}:\n{text}");
    }
    assert_eq!(text.matches("employees.hired").count(), 2, "B and C are left out:\n{text}");
    let report = stdout_of(w.servq().args(["report", "--stats", "stats.csv", "--format", "csv", "--tz", "+05:30"]));
    let rows = crate::util::csv_rows(&report);
    let value = |period: &str, metric: &str| {
        rows.iter().find(|r| r["period"] == period && r["metric"] == metric).map(|r| r["value"].clone())
    };
    assert_eq!(value("2025-03", "headcount").as_deref(), Some("2"), "{report}");
    assert_eq!(value("2025-04", "turnover").as_deref(), Some("50"), "{report}");
}

/// SERVQUAL as counted by hand (SPEC §12), one item per dimension: A expects 4 and
/// perceives 5 everywhere (gaps +1; points 20 each: weighted +1), B expects 6 and
/// perceives 4 (gaps −2; points 50, 50, 0, 0, 0: weighted −2), C lacks E1 (out of
/// tangibles and of the overall gap) and has a gap of +4 on reliability.
#[test]
fn duckdb_counts_servqual_as_counted_by_hand() {
    let w = Workdir::new();
    let config = w.write(
        "sq.toml",
        "[metrics.servqual]\ndimensions = { tangibles = [1], reliability = [2], responsiveness = [3], assurance = [4], empathy = [5] }\n",
    );
    let file = w.write(
        "sq.csv",
        "E1,E2,E3,E4,E5,P1,P2,P3,P4,P5,W_tangibles,W_reliability,W_responsiveness,W_assurance,W_empathy\n4,4,4,4,4,5,5,5,5,5,20,20,20,20,20\n6,6,6,6,6,4,4,4,4,4,50,50,0,0,0\n,3,3,3,3,7,7,7,7,7,20,20,20,20,20\n",
    );
    let metrics =
        "servqual_gap_tangibles,servqual_gap_reliability,servqual_gap,servqual_weighted_gap,servperf_tangibles";
    let args = ["--surveys", &file, "--config", &config, "--metrics", metrics];
    let script = w.write("sq.sql", stdout_of(w.servq().args(["sql", "--dialect", "duckdb"]).args(args)));
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let report = stdout_of(w.servq().args([
        "report",
        "--stats",
        "stats.csv",
        "--format",
        "csv",
        "--config",
        &config,
        "--metrics",
        metrics,
    ]));
    let rows = crate::util::csv_rows(&report);
    let value =
        |metric: &str| rows.iter().find(|r| r["metric"] == metric).map(|r| (r["value"].clone(), r["n"].clone()));
    let pair = |v: &str, n: &str| Some((v.to_string(), n.to_string()));
    assert_eq!(value("servqual_gap_tangibles"), pair("-0.5", "2"), "{report}");
    assert_eq!(value("servqual_gap_reliability"), pair("1", "3"), "{report}");
    assert_eq!(value("servqual_gap"), pair("-0.5", "2"), "{report}");
    assert_eq!(value("servqual_weighted_gap"), pair("-0.5", "2"), "{report}");
    assert_eq!(value("servperf_tangibles"), pair("5.333333333333333", "3"), "{report}");
}

/// `report --engine` and `check --engine`: each engine's own command-line client runs the
/// script in one step, and the figures are those of servq report on the files.
fn engine_in_one_step(engine: &str, env: &[(&str, String)], w: &Workdir, check_too: bool) {
    let surveys = w.write("s.csv", std::fs::read_to_string(sample("surveys.csv")).unwrap());
    let interactions = w.write("i.csv", std::fs::read_to_string(sample("interactions.csv")).unwrap());
    let inputs = ["--surveys", &surveys, "--interactions", &interactions, "--by", "channel"];
    let metrics =
        "csat,nps,fcr,response_median_min,response_p90_min,sla_pct,abandon_rate,handle_mean_min,resolution_median_h";
    let flags: Vec<&str> = inputs.iter().copied().chain(["--metrics", metrics]).collect();
    let direct = stdout_of(w.servq().arg("report").args(&flags).args(["--format", "csv"]));
    let mut cmd = w.servq();
    cmd.args(["report", "--engine", engine]).args(&flags).args(["--format", "csv"]);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{engine}: {stderr}");
    assert!(direct.lines().count() > 50, "{direct}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), direct, "{engine}: the figures differ from servq report's");
    assert!(stderr.contains(&format!("surveys (statistics in {engine}'s result): 4,123 rows read")), "{stderr}");
    if !check_too {
        return;
    }
    // check judges the same figures: an impossible target fails (exit 1).
    let mut check = w.servq();
    check.args(["check", "--engine", engine]).args(inputs).args(["--require", "csat>=101"]);
    for (key, value) in env {
        check.env(key, value);
    }
    check.assert().code(1);
}

#[test]
fn duckdb_cli_runs_report_in_one_step() {
    let w = Workdir::new();
    engine_in_one_step("duckdb", &[], &w, true);
}

#[test]
fn psql_runs_report_in_one_step() {
    let w = Workdir::new();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(w.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = w.path("pg");
    let port = (55_000 + std::process::id() % 1000).to_string();
    let started = Process::new("bash").args([&helper("postgres.sh"), "start", &dir, &port]).output().unwrap();
    assert!(started.status.success(), "no PostgreSQL server: {}", String::from_utf8_lossy(&started.stderr));
    let _server = Server { dir: dir.clone() };
    let env = [
        ("PGHOST", dir.clone()),
        ("PGPORT", port),
        ("PGUSER", "postgres".to_string()),
        ("PGDATABASE", "postgres".to_string()),
    ];
    engine_in_one_step("psql", &env, &w, true);
}

#[test]
fn spark_sql_runs_report_in_one_step() {
    let w = Workdir::new();
    // Spark's own configuration, as a user's cluster has one: local mode with few shuffle
    // partitions (its default 200 makes every aggregation of this small input slow).
    let conf = w.path("spark-conf");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(format!("{conf}/spark-defaults.conf"), "spark.master local[2]\nspark.sql.shuffle.partitions 4\n")
        .unwrap();
    // One JVM start: report only.
    engine_in_one_step("spark-sql", &[("SPARK_CONF_DIR", conf)], &w, false);
}

#[test]
fn an_engine_not_on_path_is_named() {
    let w = Workdir::new();
    w.servq()
        .args(["report", "--engine", "duckdb", "--surveys", &sample("surveys.csv")])
        .env("PATH", "/nonexistent")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--engine duckdb: cannot run duckdb"))
        .stderr(predicates::str::contains(
            "put its command-line client on PATH, or run servq sql and give its result to --stats",
        ));
}

/// h18d-1: statistics computed with another `--as-of` (which decides the FCR windows
/// that are over) are refused, as another `--from/--to` is.
#[test]
fn h18d_1_statistics_of_another_as_of_are_refused() {
    let w = Workdir::new();
    let file = w.write("t.csv", "customer_id,opened_at\nC1,2025-01-25\nC1,2025-02-01\nC2,2025-02-20\n");
    let script = w.write(
        "a.sql",
        stdout_of(w.servq().args([
            "sql",
            "--dialect",
            "duckdb",
            "--interactions",
            &file,
            "--metrics",
            "fcr",
            "--as-of",
            "2025-02-27",
        ])),
    );
    run_python("duckdb", &[(script, w.path("stats.csv"))]);
    for args in [vec![], vec!["--as-of", "2025-02-20"]] {
        w.servq().args(["report", "--stats", "stats.csv"]).args(args).assert().code(2).stderr(
            predicates::str::contains(
                "the statistics were computed with --as-of 2025-02-27: give report the same --as-of",
            ),
        );
    }
    w.servq().args(["report", "--stats", "stats.csv", "--as-of", "2025-02-27"]).assert().success();
}

/// h18d-2, h18d-3: a repeat window is over when its last instant is in the data: before
/// the end of the as-of day, and not past `--to` (the rows after it are not read); the
/// same in the engine.
#[test]
fn h18d_2_3_a_window_is_over_only_when_its_last_instant_is_in_the_data() {
    let w = Workdir::new();
    // C1 on Jan 1 (its window ends Jan 8, 00:00, the end of the as-of day Jan 7): not
    // known; C2 on Dec 31: known, no repeat.
    let file = w.write("a.csv", "customer_id,opened_at\nC2,2024-12-31\nC1,2025-01-01\nC9,2025-01-07\n");
    let fcr = |extra: &[&str]| {
        let out = stdout_of(
            w.servq()
                .args(["report", "--interactions", &file, "--metrics", "fcr", "--period", "none", "--format", "csv"])
                .args(extra),
        );
        let rows = crate::util::csv_rows(&out);
        (rows[0]["value"].clone(), rows[0]["n"].clone())
    };
    assert_eq!(fcr(&[]), ("100".to_string(), "1".to_string()));
    // --to Jan 3: every window left (C2's ends Jan 7) runs past Jan 3: nothing is known.
    let out = w
        .servq()
        .args(["report", "--interactions", &file, "--metrics", "fcr", "--period", "none", "--to", "2025-01-03"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    // In the engine, the same boundary.
    let script = w.write(
        "a.sql",
        stdout_of(w.servq().args([
            "sql",
            "--dialect",
            "duckdb",
            "--interactions",
            &file,
            "--metrics",
            "fcr",
            "--period",
            "none",
        ])),
    );
    run_python("duckdb", &[(script, w.path("stats.csv"))]);
    let text = std::fs::read_to_string(w.path("stats.csv")).unwrap();
    assert!(text.contains(",fcr.n,1\n") && text.contains(",fcr.unknown,2\n"), "{text}");
}

/// h18d-5, h18d-6, h18d-7: an engine's error is one readable line with its cause;
/// `~/.duckdbrc` does not reach the result; `-q` drops the engine's data-quality line.
#[test]
fn h18d_5_6_7_engine_errors_rc_files_and_quiet() {
    let w = Workdir::new();
    let home = w.path("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(format!("{home}/.duckdbrc"), ".timer on\nSELECT 'hello';\n").unwrap();
    let surveys = sample("surveys.csv");
    let out = w
        .servq()
        .args(["report", "--engine", "duckdb", "--surveys", &surveys, "--metrics", "csat", "-q", "--format", "csv"])
        .env("HOME", &home)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("rows read"), "-q: {stderr}");
    // A table the engine lacks: its error, on one line.
    let err = w
        .servq()
        .args(["report", "--engine", "duckdb", "--table", "surveys=no_such_table", "--metrics", "csat"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&err.stderr);
    assert_eq!(err.status.code(), Some(2));
    assert!(stderr.contains("--engine duckdb: duckdb failed (exit status: 1): Catalog Error: Table with name no_such_table does not exist"), "{stderr}");
    assert!(!stderr.contains("\\u{a}"), "{stderr}");
}

/// Each edit (`from` → `to`) of a statistics table by channel makes `report --stats`
/// stop (exit 2) with its message.
fn refused_edits(w: &Workdir, stats: &str, edits: &[(&str, &str, &str)]) {
    for (from, to, message) in edits {
        w.write("bad.csv", stats.replace(from, to));
        w.servq()
            .args(["report", "--stats", "bad.csv", "--by", "channel"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(*message));
    }
}

/// h18e-2 (review): statistics that cannot come from one table are refused, never turned
/// into a figure: a share above 100%, a negative count, order statistics out of order,
/// a time-column duration that is not `+<seconds>s`.
#[test]
fn h18e_2_inconsistent_statistics_are_refused() {
    let w = Workdir::new();
    refused_edits(
        &w,
        HAND_STATS,
        &[
            (
                "surveys,2025-03-01,chat,csat.good,3\n",
                "surveys,2025-03-01,chat,csat.good,5\n",
                "csat.good (5) or its promoters and detractors together are more than csat.n (4)",
            ),
            (
                "surveys,2025-03-01,chat,nps.detractors,1\n",
                "surveys,2025-03-01,chat,nps.detractors,3\n",
                "are more than nps.n (4)",
            ),
            (
                "surveys,2025-03-01,chat,csat.sum,15\n",
                "surveys,2025-03-01,chat,csat.sum,-15\n",
                "csat.sum is -15: a count or sum is never negative",
            ),
        ],
    );
    for (from, to, message) in [
        (
            "response.p90.upper,10:00\n",
            "response.p90.upper,6\n",
            "response.p90: the statistics' lower value 7 is above the upper 6",
        ),
        ("response.p90.upper,10:00\n", "response.p90.upper,+-5s\n", "order statistic '+-5s' is not +<seconds>s"),
    ] {
        w.write("bad.csv", HAND_DURATIONS.replace(from, to));
        w.servq()
            .args(["report", "--stats", "bad.csv", "--metrics", "response_p90_min"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
    // h18e-1: a per-channel target with a quote is refused (its literal would differ
    // between the engines), with the reason.
    let quoted = w.write("q.toml", "[metrics.sla]\nper_channel = { \"it's\" = 5 }\n");
    let err = sql_refusal(
        &w,
        &[
            "--dialect",
            "spark",
            "--interactions",
            &sample("interactions.csv"),
            "--config",
            &quoted,
            "--metrics",
            "sla_pct",
        ],
    );
    assert!(err.contains("no quote or backslash in a value of per_channel or per_priority"), "{err}");
}

/// `report` on the files and `report --engine duckdb` on the same arguments: both
/// succeed with the same CSV, which is returned.
fn same_in_duckdb(w: &Workdir, args: &[&str]) -> String {
    let direct = stdout_of(w.servq().arg("report").args(args).args(["--format", "csv"]));
    let engine = stdout_of(w.servq().args(["report", "--engine", "duckdb"]).args(args).args(["--format", "csv"]));
    assert_eq!(engine, direct, "{args:?}");
    direct
}

#[test]
fn h18f_1_complaints_per_1000_when_the_interactions_lack_a_by_column() {
    let w = Workdir::new();
    let tx = w.write(
        "t.csv",
        "order_id,customer_id,order_date,segment,revenue\n1,A,2025-01-05,a,10\n2,B,2025-01-06,b,10\n3,C,2025-01-07,b,10\n",
    );
    let ix = w.write("i.csv", "interaction_id,customer_id,date,complaint\n1,A,2025-01-05,true\n2,B,2025-01-06,false\n");
    let args = ["--transactions", &tx, "--interactions", &ix, "--by", "segment", "--metrics", "complaints_per_1000"];
    let out = same_in_duckdb(&w, &args);
    // 1 complaint per 3 transactions of the month, over all segments: 333.33 per 1000.
    let rows = crate::util::csv_rows(&out);
    assert_eq!(rows.len(), 1, "{out}");
    assert_eq!((rows[0]["segment"].as_str(), rows[0]["n"].as_str()), ("(all)", "3"));
    crate::util::assert_close(&rows[0]["value"], 1000.0 / 3.0);
    w.servq().arg("report").args(args).args(["--format", "csv"]).assert().success().stderr(predicates::str::contains(
        "interactions have no segment column: the rate is given per period over all groups",
    ));
}

#[test]
fn h18f_2_3_blank_customers_and_far_dates_are_rejected_alike() {
    let w = Workdir::new();
    // A customer id of a vertical tab is blank; days after 2059-09 do not fit 16 bits.
    let tx = w.write(
        "t.csv",
        "order_id,customer_id,order_date,revenue\n1,\"\u{b}\",2025-01-05,5\n2,A,2025-01-05,5\n3,A,2060-01-05,5\n4,B,1879-12-31,3\n",
    );
    let out = same_in_duckdb(&w, &["--transactions", &tx, "--period", "day", "--metrics", "transactions,revenue"]);
    assert_eq!(crate::util::csv_rows(&out).len(), 2, "{out}");
    w.servq()
        .args(["validate", "--transactions", &tx, "--period", "day"])
        .assert()
        .stdout(predicates::str::contains("rejects found"))
        .stdout(predicates::str::contains("missing customer_id × 1 (line 2)"))
        .stdout(predicates::str::contains(
            "date too far from 1970 to count customers per period (use a longer --period) × 2",
        ));
    // Outside --from/--to a far date is outside, not rejected; by month it fits.
    same_in_duckdb(&w, &["--transactions", &tx, "--period", "day", "--to", "2030-01-01", "--metrics", "revenue"]);
    let monthly = same_in_duckdb(&w, &["--transactions", &tx, "--metrics", "transactions", "--min-n", "1"]);
    assert_eq!(crate::util::csv_rows(&monthly).len(), 3, "{monthly}");
    // A rejected far date is not the data's latest: March (to the 5th) stays partial.
    let far = w.write(
        "far.csv",
        "order_id,customer_id,order_date,revenue\n1,A,2025-01-10,10\n2,A,2025-02-10,10\n3,A,2025-03-05,10\n4,B,2800-01-01,10\n",
    );
    let out = same_in_duckdb(&w, &["--transactions", &far, "--metrics", "transactions", "--min-n", "1"]);
    assert!(out.contains("2025-03,2025-03-01,2025-03-31,transactions,1,1,,,partial"), "{out}");
}

#[test]
fn h18f_4_5_files_the_engines_would_read_otherwise_are_refused() {
    let w = Workdir::new();
    let a = w.write("a.csv", "order_id,customer_id,order_date,revenue\n1,A,2025-01-05,5\n");
    let empty = w.write("empty.csv", "order_id,customer_id,order_date,revenue\n\n");
    let spaced = w.write("spaced.csv", "order_id,customer_id,order_date,channel,revenue\n1, \"C1\",2025-01-05,web,5\n");
    for (args, message) in [
        (vec!["--transactions", &a, &empty], "empty.csv: no data rows (the file has only a header)"),
        (vec!["--transactions", &spaced], "line 2: a quote inside an unquoted field: "),
    ] {
        for dialect in ["duckdb", "spark", "postgres"] {
            w.servq()
                .args(["sql", "--dialect", dialect])
                .args(&args)
                .assert()
                .code(2)
                .stderr(predicates::str::contains(message));
        }
    }
}

#[test]
fn h18f_9_11_amounts_up_to_the_largest_and_no_margin_note_for_a_margin_rate() {
    let w = Workdir::new();
    let tx = w.write(
        "t.csv",
        "order_id,customer_id,order_date,revenue\n1,A,2025-01-01,9.2233e12\n2,A,2025-01-02,9.2e12\n3,A,2025-02-03,1e13\n4,A,2025-02-04,5\n",
    );
    let config = w.write("rate.toml", "[metrics.clv]\nmargin_rate = 0.3\n");
    let out = same_in_duckdb(&w, &["--transactions", &tx, "--metrics", "revenue", "--min-n", "1"]);
    // 9,223,300,000,000 + 9,200,000,000,000 in January; 1e13 is over the largest amount.
    assert!(out.contains("2025-01,2025-01-01,2025-01-31,revenue,18423300000000,2,"), "{out}");
    let sql =
        w.servq().args(["sql", "--dialect", "duckdb", "--config", &config, "--transactions", &tx]).output().unwrap();
    assert!(sql.status.success());
    let notes = String::from_utf8_lossy(&sql.stderr);
    assert!(!notes.contains("margin"), "{notes}");
}

#[test]
fn h18f_6_10_impossible_transaction_statistics_are_refused() {
    let w = Workdir::new();
    refused_edits(
        &w,
        HAND_TRANSACTIONS,
        &[
            (
                "transactions,2025-02-01,web,customers.kept,2\n",
                "transactions,2025-02-01,web,customers.kept,3\n",
                "customers.kept (3) is more than customers.active (2)",
            ),
            (
                "transactions,2025-03-01,web,customers.active,2\ntransactions,2025-03-01,web,customers.kept,1\n",
                "transactions,2025-03-01,web,customers.active,3\ntransactions,2025-03-01,web,customers.kept,3\n",
                "customers.kept (3) is more than the customers active the period before (2)",
            ),
            (
                "transactions,2025-01-01,chat,transactions.n,1\n",
                "transactions,2025-01-01,chat,transactions.n,0\n",
                "customers.active (1) is more than transactions.n (0)",
            ),
            (
                "transactions,2025-03-01,chat,customers.active,1\n",
                "transactions,2025-03-01,chat,customers.active,1\ntransactions,2025-03-01,,cohort.20090,1\n",
                "cohort.20090 of period 2025-03-01: not a cohort of a month period",
            ),
        ],
    );
    // More than 65,536 groups: servq report counts customers in at most that many.
    let mut many = String::from("kind,period_start,store,stat,value\nmeta,,,period.month,1\n");
    for i in 0..65_537 {
        many.push_str(&format!("transactions,2025-01-01,s{i},transactions.n,1\n"));
    }
    w.write("many.csv", many);
    w.servq()
        .args(["report", "--stats", "many.csv", "--by", "store", "--metrics", "transactions"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("more than 65,536 distinct --by groups to count customers in"));
}

/// Hostile findings h18g-1 and h18g-5: `servq sql` refuses what `servq report` refuses
/// on the files: an empty (0-byte) file, an employees file without hire dates (even
/// when no input has dates), and snapshot files with and without a date column.
#[test]
fn h18g_1_5_sql_refuses_empty_files_and_undated_employees() {
    let w = Workdir::new();
    let empty = w.write("empty.csv", "");
    let no_hire = w.write("staff.csv", "employee_id,team\nA,x\n");
    let undated = w.write("a.csv", "customer_id,churned\nA,yes\n");
    let dated = w.write("d.csv", "customer_id,churned,snapshot_date\nG,yes,2025-01-03\n");
    for (args, message) in [
        (vec!["--employees", &empty], "empty.csv: empty file (no header row)"),
        (vec!["--customers", &empty], "empty.csv: empty file (no header row)"),
        (vec!["--employees", &no_hire, "--period", "none"], "staff.csv: no date column for employees"),
        (vec!["--customers", &undated, &dated], "the customers files: some have a date column and some not"),
    ] {
        w.servq()
            .args(["sql", "--dialect", "duckdb"])
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
}

/// Hostile finding h18g-4: `report --stats` says that a `--by` column no file of the
/// input has is given over all its values, as `report` on the files says it.
#[test]
fn h18g_4_stats_note_a_by_column_no_file_has() {
    let w = Workdir::new();
    let snapshot = w.write("c.csv", "customer_id,churned,segment\nA,yes,x\nB,no,y\n");
    let script = w.write(
        "c.sql",
        stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--customers", &snapshot, "--by", "plan"])),
    );
    let stats = w.path("stats.csv");
    run_python("duckdb", &[(script, stats.clone())]);
    let note = "note: churn_rate: customers have no plan column: given over all its values, (all)";
    for args in [vec!["--stats", "stats.csv"], vec!["--customers", &snapshot]] {
        w.servq()
            .arg("report")
            .args(&args)
            .args(["--by", "plan", "--format", "csv"])
            .assert()
            .success()
            .stderr(predicates::str::contains(note));
    }
}

/// Hostile finding h18h-1: on a SERVQUAL scale below 0, sums of expectations and of
/// perceptions are negative too, and `report --stats` takes them.
#[test]
fn h18h_1_servqual_sums_below_zero_are_statistics_too() {
    let w = Workdir::new();
    let config = w.write(
        "m.toml",
        "[metrics.servqual]\nscale = [-3, 3]\ndimensions = { tangibles = [1], reliability = [2], responsiveness = [3], assurance = [4], empathy = [5] }\n",
    );
    let file = w.write(
        "m.csv",
        "submitted_at,E1,P1,E2,P2,E3,P3,E4,P4,E5,P5\n2025-01-02,-1,2,0,0,1,1,2,2,3,3\n2025-01-03,-3,-2,0,1,1,1,2,2,3,3\n",
    );
    let args = ["--config", &config, "--metrics", "servqual_gap_tangibles,servperf_tangibles", "--format", "csv"];
    let script = w
        .write("m.sql", stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--surveys", &file]).args(&args[..4])));
    run_python("duckdb", &[(script, w.path("stats.csv"))]);
    let from_stats = stdout_of(w.servq().args(["report", "--stats", "stats.csv"]).args(args));
    let rows = crate::util::csv_rows(&from_stats);
    // Gaps 3 and 1: 2; perceptions 2 and −2: 0.
    assert_eq!(
        (rows[0]["metric"].as_str(), rows[0]["value"].as_str()),
        ("servqual_gap_tangibles", "2"),
        "{from_stats}"
    );
    assert_eq!((rows[1]["metric"].as_str(), rows[1]["value"].as_str()), ("servperf_tangibles", "0"), "{from_stats}");
    assert_eq!(from_stats, stdout_of(w.servq().args(["report", "--surveys", &file]).args(args)));
}
