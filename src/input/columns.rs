//! Column names: the canonical fields of each input kind, the aliases recognised
//! without a mapping (English and Chinese, case-insensitive), and header resolution.

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use super::Kind;

/// A canonical field and the header names that mean it.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    /// The canonical name, used as the key in `[columns.<kind>]`.
    pub name: &'static str,
    /// Header names recognised without a mapping, in order of preference.
    pub aliases: &'static [&'static str],
}

const fn def(name: &'static str, aliases: &'static [&'static str]) -> FieldDef {
    FieldDef { name, aliases }
}

const COMMON_DATE: &[&str] =
    &["date", "created_at", "timestamp", "datetime", "time", "created", "日期", "时间", "创建时间"];

/// The fields of the surveys input.
pub const SURVEY_FIELDS: &[FieldDef] = &[
    def("date", &["submitted_at", "response_date", "survey_date", "completed_at", "提交时间", "提交日期"]),
    def(
        "customer_id",
        &[
            "customer_id",
            "customer",
            "customerid",
            "client_id",
            "user_id",
            "account_id",
            "客户id",
            "客户编号",
            "用户id",
            "客户",
        ],
    ),
    def("ticket_id", &["ticket_id", "ticket", "case_id", "工单号", "工单id", "工单编号"]),
    def("csat", &["csat", "csat_score", "satisfaction", "satisfaction_score", "满意度", "满意度评分"]),
    def("ces", &["ces", "ces_score", "effort", "customer_effort", "effort_score", "费力度", "客户费力度"]),
    def(
        "nps",
        &[
            "nps",
            "nps_score",
            "likelihood_to_recommend",
            "recommend",
            "ltr",
            "recommendation",
            "推荐意愿",
            "推荐度",
            "推荐可能性",
        ],
    ),
    def("comment", &["comment", "comments", "feedback", "verbatim", "remarks", "评论", "备注", "意见", "留言"]),
    def("weight", &["weight", "权重"]),
];

/// The fields of the interactions input.
pub const INTERACTION_FIELDS: &[FieldDef] = &[
    def("date", &["opened_at", "opened", "created_date", "ticket_date", "开始时间", "创建日期"]),
    def(
        "customer_id",
        &[
            "customer_id",
            "customer",
            "customerid",
            "client_id",
            "user_id",
            "account_id",
            "客户id",
            "客户编号",
            "用户id",
            "客户",
        ],
    ),
    def("ticket_id", &["ticket_id", "ticket", "case_id", "工单号", "工单id", "工单编号"]),
    def("resolved", &["resolved", "is_resolved", "solved", "已解决", "是否解决"]),
    def("first_contact_resolved", &["first_contact_resolved", "fcr", "resolved_first_contact", "首次解决"]),
    def("contacts_to_resolve", &["contacts_to_resolve", "contacts", "contact_count", "联系次数"]),
    def("complaint", &["complaint", "is_complaint", "投诉", "是否投诉"]),
    def(
        "first_response_minutes",
        &["first_response_minutes", "first_response", "response_minutes", "first_response_min", "首次响应分钟"],
    ),
    def("first_response_at", &["first_response_at", "responded_at", "首次响应时间"]),
    def("resolution", &["resolution", "resolution_hours", "resolution_time", "hours_to_resolve", "解决时长"]),
    def("resolved_at", &["resolved_at", "closed_at", "solved_at", "time_to_resolution", "解决时间", "关闭时间"]),
    def("priority", &["priority", "ticket_priority", "severity", "优先级"]),
    def(
        "handle_time",
        &["handle_time", "talk_time", "aht", "avgtalkduration", "avg_talk_duration", "handle_time_minutes", "通话时长"],
    ),
    def("answered", &["answered", "answered_(y/n)", "answered_y/n", "is_answered", "call_answered", "是否接听"]),
    def("topic", &["topic", "category", "reason", "主题", "问题类型", "类别"]),
    def("channel", &["channel", "渠道", "通道"]),
];

/// The fields of the transactions input.
pub const TRANSACTION_FIELDS: &[FieldDef] = &[
    def("date", &["order_date", "transaction_date", "purchase_date", "ordered_at", "订单日期", "下单时间"]),
    def(
        "customer_id",
        &[
            "customer_id",
            "customer",
            "customerid",
            "client_id",
            "user_id",
            "account_id",
            "客户id",
            "客户编号",
            "用户id",
            "客户",
        ],
    ),
    def("revenue", &["revenue", "amount", "sales", "total", "收入", "金额", "销售额"]),
    def("margin", &["margin", "gross_margin", "profit", "毛利", "利润"]),
];

/// The fields of the customer snapshot input (SPEC §12): one row per customer.
pub const CUSTOMER_FIELDS: &[FieldDef] = &[
    def("date", &["snapshot_date", "as_of", "as_of_date", "snapshot", "快照日期"]),
    def(
        "customer_id",
        &["customer_id", "customerid", "customer", "client_id", "account_id", "user_id", "客户id", "客户编号"],
    ),
    def(
        "churned",
        &[
            "churned",
            "churn",
            "exited",
            "is_churned",
            "churn_flag",
            "churn_label",
            "attrition_flag",
            "attrited",
            "cancelled",
            "流失",
            "是否流失",
        ],
    ),
];

/// The fields of the employees input (SPEC §12): the date is the hire date.
pub const EMPLOYEE_FIELDS: &[FieldDef] = &[
    def("date", &["hire_date", "hired", "hired_at", "start_date", "date_of_hire", "入职日期", "入职时间"]),
    def("employee_id", &["employee_id", "employee", "emp_id", "staff_id", "employeeid", "员工编号", "工号"]),
    def(
        "leave_date",
        &[
            "leave_date",
            "left",
            "left_at",
            "end_date",
            "termination_date",
            "exit_date",
            "separation_date",
            "离职日期",
            "离职时间",
        ],
    ),
];

/// The fields of the employee surveys input (SPEC §12).
pub const EMPLOYEE_SURVEY_FIELDS: &[FieldDef] = &[
    def("date", &["submitted_at", "response_date", "survey_date", "completed_at", "提交时间", "提交日期"]),
    def("employee_id", &["employee_id", "employee", "emp_id", "staff_id", "员工编号", "工号"]),
    def("esat", &["esat", "esat_score", "employee_satisfaction", "job_satisfaction", "satisfaction", "员工满意度"]),
    def(
        "enps",
        &[
            "enps",
            "enps_score",
            "employee_nps",
            "recommend_employer",
            "likelihood_to_recommend",
            "recommend",
            "员工推荐度",
        ],
    ),
    def("weight", &["weight", "权重"]),
];

/// Dimension names and their recognised aliases (for `--by`).
const DIMENSION_ALIASES: &[(&str, &[&str])] = &[
    ("channel", &["渠道", "通道"]),
    ("segment", &["客户类型", "细分", "客户分群"]),
    ("agent_id", &["agent", "坐席", "客服"]),
    ("topic", &["category", "主题", "问题类型", "类别"]),
    ("region", &["地区", "区域"]),
];

/// Returns the canonical fields of an input kind.
pub fn fields_of(kind: Kind) -> &'static [FieldDef] {
    match kind {
        Kind::Surveys => SURVEY_FIELDS,
        Kind::Interactions => INTERACTION_FIELDS,
        Kind::Transactions => TRANSACTION_FIELDS,
        Kind::Customers => CUSTOMER_FIELDS,
        Kind::Employees => EMPLOYEE_FIELDS,
        Kind::EmployeeSurveys => EMPLOYEE_SURVEY_FIELDS,
    }
}

/// Returns the definition of a canonical field of `kind`: a fixed field, or a survey
/// item registered with [`item_field`] (SERVQUAL's `E1` … `P22`).
pub fn field_def(kind: Kind, name: &str) -> Option<&'static FieldDef> {
    fields_of(kind).iter().find(|f| f.name == name).or_else(|| {
        let items = ITEMS.lock().unwrap_or_else(|e| e.into_inner());
        (kind == Kind::Surveys).then(|| items.iter().copied().find(|f| f.name == name)).flatten()
    })
}

/// Survey item columns named by a pattern (SERVQUAL's `E{i}`, `P{i}`, `W_{dimension}`),
/// each a field whose only alias is its own header.
static ITEMS: std::sync::Mutex<Vec<&'static FieldDef>> = std::sync::Mutex::new(Vec::new());

/// Registers (once) and returns a survey item field read from the column `header`; its
/// name is the header itself. Items come from the config, so the few leaked names are
/// bounded by it.
pub fn item_field(header: &str) -> &'static str {
    let mut items = ITEMS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = items.iter().find(|f| f.name == header) {
        return f.name;
    }
    let name: &'static str = Box::leak(header.to_string().into_boxed_str());
    let aliases: &'static [&'static str] = Box::leak(vec![name].into_boxed_slice());
    let field: &'static FieldDef = Box::leak(Box::new(FieldDef { name, aliases }));
    items.push(field);
    field.name
}

/// Normalises a header for matching: trimmed, BOM removed, lower case, spaces and
/// hyphens as underscores.
pub fn normalise(header: &str) -> String {
    header.trim().trim_start_matches('\u{feff}').trim().to_lowercase().replace([' ', '-'], "_")
}

/// The headers of one file, ready for look-ups.
pub struct Headers {
    file: String,
    original: Vec<String>,
    normalised: Vec<String>,
}

impl Headers {
    /// Wraps the header row of `file`.
    pub fn new(file: &str, original: Vec<String>) -> Self {
        let normalised = original.iter().map(|h| normalise(h)).collect();
        Headers { file: file.to_string(), original, normalised }
    }

    /// The file the header row is of.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Returns the number of columns.
    pub fn len(&self) -> usize {
        self.original.len()
    }

    /// Returns true if and only if the header row has no columns.
    pub fn is_empty(&self) -> bool {
        self.original.is_empty()
    }

    /// The column named `name`: the header written exactly so, else the first that
    /// matches it case- and space-insensitively.
    pub fn position(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.original.iter().position(|h| h.trim() == name.trim()) {
            return Some(i);
        }
        let wanted = normalise(name);
        self.normalised.iter().position(|h| *h == wanted)
    }

    /// Every column that matches `name` case- and space-insensitively.
    fn positions(&self, name: &str) -> impl Iterator<Item = usize> + '_ {
        let wanted = normalise(name);
        self.normalised.iter().enumerate().filter(move |(_, h)| **h == wanted).map(|(i, _)| i)
    }

    /// The columns the mapping gives to other fields or dimensions than `field`: never
    /// claimed by `field`'s aliases (SPEC §10).
    fn taken(&self, field: &FieldDef, mapping: &BTreeMap<String, String>) -> Vec<usize> {
        let own = |name: &str| name == field.name || (field.name == "date" && field.aliases.contains(&name));
        mapping.iter().filter(|(name, _)| !own(name)).filter_map(|(_, header)| self.position(header)).collect()
    }

    /// The header the mapping gives a field: under its own name, or for the date under
    /// any of the kind's date field names (`opened_at = "Created"`, SPEC §10).
    fn mapped<'m>(field: &FieldDef, mapping: &'m BTreeMap<String, String>) -> Option<(&'m str, &'m str)> {
        if let Some((key, header)) = mapping.get_key_value(field.name) {
            return Some((key, header));
        }
        let dates = if field.name == "date" { field.aliases } else { &[] };
        dates.iter().find_map(|alias| mapping.get_key_value(*alias)).map(|(k, h)| (k.as_str(), h.as_str()))
    }

    /// Every column `field`'s aliases match, in alias order, but those the mapping
    /// gives to something else.
    fn candidates(&self, field: &FieldDef, mapping: &BTreeMap<String, String>) -> Vec<usize> {
        let shared = if field.name == "date" { COMMON_DATE } else { &[] };
        let taken = self.taken(field, mapping);
        let mut found: Vec<usize> = Vec::new();
        for i in field.aliases.iter().chain(shared).flat_map(|alias| self.positions(alias)) {
            if !taken.contains(&i) && !found.contains(&i) {
                found.push(i);
            }
        }
        found
    }

    /// A note when two or more columns could be `field` and none is mapped: which
    /// ones, and which is used.
    pub fn competing(&self, kind: Kind, field: &FieldDef, mapping: &BTreeMap<String, String>) -> Option<String> {
        if Self::mapped(field, mapping).is_some() {
            return None;
        }
        let found = self.candidates(field, mapping);
        (found.len() > 1).then(|| {
            let names: Vec<String> = found.iter().map(|&i| format!("'{}'", self.original[i])).collect();
            format!(
                "{}: columns {} could each be {}; {} is used (map one with [columns.{}] {} = \"…\")",
                kind.as_str(),
                names.join(" and "),
                field.name,
                names[0],
                kind.as_str(),
                field.name
            )
        })
    }

    /// Finds the column of a canonical field: the mapped name when the config maps
    /// one (an error when that column is absent), else the first alias present that
    /// the mapping does not give to another field or dimension.
    pub fn find_field(
        &self,
        kind: Kind,
        field: &FieldDef,
        mapping: &BTreeMap<String, String>,
    ) -> Result<Option<usize>> {
        if let Some((key, mapped)) = Self::mapped(field, mapping) {
            return match self.position(mapped) {
                Some(i) => Ok(Some(i)),
                None => bail!(
                    "{}: column '{mapped}' (mapped to {key} in [columns.{}]) is not in the file; its columns are: {}",
                    self.file,
                    kind.as_str(),
                    self.original.join(", ")
                ),
            };
        }
        Ok(self.candidates(field, mapping).first().copied())
    }

    /// Finds the column of a dimension: the mapped name, the name itself, or a
    /// recognised alias of it.
    pub fn find_dimension(&self, name: &str, mapping: &BTreeMap<String, String>) -> Option<usize> {
        if let Some(i) = mapping.get(name).and_then(|m| self.position(m)) {
            return Some(i);
        }
        if let Some(i) = self.position(name) {
            return Some(i);
        }
        let wanted = normalise(name);
        DIMENSION_ALIASES
            .iter()
            .filter(|(dim, _)| *dim == wanted)
            .flat_map(|(_, aliases)| aliases.iter())
            .find_map(|alias| self.position(alias))
    }

    /// Returns the original header names, comma-separated (for error messages).
    pub fn list(&self) -> String {
        self.original.join(", ")
    }
}

/// Lists the names a field is looked for under (for error messages).
pub fn looked_for(field: &FieldDef) -> String {
    let shared = if field.name == "date" { COMMON_DATE } else { &[] };
    field.aliases.iter().chain(shared).copied().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Headers {
        Headers::new("f.csv", names.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn aliases_are_case_insensitive_and_include_chinese() {
        let h = headers(&["\u{feff}Submitted At", "Likelihood-To-Recommend", "满意度", "客户ID", "渠道"]);
        let none = BTreeMap::new();
        let find = |name| h.find_field(Kind::Surveys, field_def(Kind::Surveys, name).unwrap(), &none).unwrap();
        assert_eq!(find("date"), Some(0));
        assert_eq!(find("nps"), Some(1));
        assert_eq!(find("csat"), Some(2));
        assert_eq!(find("customer_id"), Some(3));
        assert_eq!(find("ces"), None);
        assert_eq!(h.find_dimension("channel", &none), Some(4));
        assert_eq!(h.find_dimension("segment", &none), None);
    }

    #[test]
    fn a_mapping_wins_and_a_missing_mapped_column_is_an_error() {
        let h = headers(&["when", "score", "nps"]);
        let mut map = BTreeMap::new();
        map.insert("nps".to_string(), "score".to_string());
        let nps = field_def(Kind::Surveys, "nps").unwrap();
        assert_eq!(h.find_field(Kind::Surveys, nps, &map).unwrap(), Some(1));
        map.insert("nps".to_string(), "ltr_score".to_string());
        let err = h.find_field(Kind::Surveys, nps, &map).unwrap_err().to_string();
        assert_eq!(
            err,
            "f.csv: column 'ltr_score' (mapped to nps in [columns.surveys]) is not in the file; its columns are: when, score, nps"
        );
    }
}
