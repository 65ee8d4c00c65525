//! Audit tab (Auditor): the audit log with filters and pages, and whether its hash chain
//! is intact, naming the first broken entry when it is not.

use eframe::egui;

use super::{labelled_field, show_message};
use crate::i18n::Translator;
use crate::store::time::parse_utc;
use crate::store::{AuditAction, AuditFilter, AuditPage, AuditReport, Session, Store};

/// Entries per page.
pub const AUDIT_PAGE_SIZE: u64 = 50;

/// The filter form as typed (dates as `YYYY-MM-DD`, both days included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilterForm {
    /// User name.
    pub actor: String,
    /// Action name (`login`, `user_admin` …).
    pub action: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Part of a case id.
    pub case_id: String,
}

impl AuditFilterForm {
    /// The store's filter; an unreadable date is an error naming the field.
    pub fn to_filter(&self) -> Result<AuditFilter, String> {
        let date = |text: &str, what: &str| -> Result<Option<i64>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            parse_utc(text).map(Some).ok_or_else(|| format!("{what}: {text:?} is not a date (YYYY-MM-DD)"))
        };
        let some = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
        let until = date(&self.to, "to")?;
        Ok(AuditFilter {
            actor: some(&self.actor),
            action: some(&self.action),
            from: date(&self.from, "from")?,
            // The last day is included: up to the start of the next one (a full time is taken as typed).
            until: until.map(|t| if self.to.contains('T') { t } else { t + 86_400 }),
            case_id_contains: some(&self.case_id),
        })
    }
}

/// The auditor's view of the log.
#[derive(Default)]
pub struct AuditTab {
    /// The filter being typed.
    pub form: AuditFilterForm,
    /// The filter in force (applied with the button or Enter).
    applied: AuditFilter,
    /// First entry of the page shown.
    pub offset: u64,
    page: Option<AuditPage>,
    /// The chain's verification, once run.
    pub verification: Option<Result<AuditReport, String>>,
    /// A filter error.
    pub message: Option<Result<String, String>>,
}

impl AuditTab {
    pub(super) fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, store: &Store, session: &Session) {
        if self.verification.is_none() {
            self.verification = Some(store.verify_audit(session).map_err(|e| e.to_string()));
        }
        ui.horizontal(|ui| {
            match &self.verification {
                Some(Ok(report)) if report.intact => {
                    ui.colored_label(
                        egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
                        tr.tr_args("admin-audit-verified", &[("entries", report.entries.to_string())]),
                    );
                }
                Some(Ok(report)) => {
                    let first = report.problems.first();
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        tr.tr_args(
                            "admin-audit-broken",
                            &[
                                ("seq", first.map_or(0, |p| p.seq).to_string()),
                                ("kind", first.map(|p| format!("{:?}", p.kind).to_lowercase()).unwrap_or_default()),
                                ("count", report.problems.len().to_string()),
                            ],
                        ),
                    );
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                None => {}
            }
            if ui.button(tr.tr("admin-audit-verify")).clicked() {
                self.verification = None;
            }
        });
        ui.add_space(6.0);
        ui.horizontal_wrapped(|ui| {
            labelled_field(ui, &tr.tr("admin-audit-user"), &mut self.form.actor, 120.0, false);
            let label = ui.label(tr.tr("admin-audit-action"));
            let shown = if self.form.action.is_empty() { tr.tr("admin-audit-any") } else { self.form.action.clone() };
            egui::ComboBox::from_id_salt("admin-audit-action")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.form.action, String::new(), tr.tr("admin-audit-any"));
                    for action in AuditAction::ALL {
                        ui.selectable_value(&mut self.form.action, action.as_str().to_string(), action.as_str());
                    }
                })
                .response
                .labelled_by(label.id);
            labelled_field(ui, &tr.tr("admin-audit-from"), &mut self.form.from, 100.0, false);
            labelled_field(ui, &tr.tr("admin-audit-to"), &mut self.form.to, 100.0, false);
            labelled_field(ui, &tr.tr("admin-audit-case"), &mut self.form.case_id, 160.0, false);
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(tr.tr("admin-audit-apply")).clicked() || enter {
                match self.form.to_filter() {
                    Ok(filter) => {
                        self.applied = filter;
                        self.offset = 0;
                        self.page = None;
                        self.message = None;
                    }
                    Err(e) => self.message = Some(Err(e)),
                }
            }
        });
        show_message(ui, &self.message);
        if self.page.is_none() {
            match store.audit_page(session, &self.applied, self.offset, AUDIT_PAGE_SIZE) {
                Ok(page) => self.page = Some(page),
                Err(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                    return;
                }
            }
        }
        let Some(page) = &self.page else { return };
        let total = page.total;
        let last = (self.offset + page.entries.len() as u64).min(total);
        let mut new_offset = None;
        ui.horizontal(|ui| {
            ui.label(tr.tr_args(
                "admin-audit-showing",
                &[
                    ("first", (if total == 0 { 0 } else { self.offset + 1 }).to_string()),
                    ("last", last.to_string()),
                    ("total", total.to_string()),
                ],
            ));
            if ui.add_enabled(self.offset > 0, egui::Button::new(tr.tr("admin-audit-previous"))).clicked() {
                new_offset = Some(self.offset.saturating_sub(AUDIT_PAGE_SIZE));
            }
            if ui.add_enabled(last < total, egui::Button::new(tr.tr("admin-audit-next"))).clicked() {
                new_offset = Some(self.offset + AUDIT_PAGE_SIZE);
            }
        });
        let broken: Vec<i64> = match &self.verification {
            Some(Ok(report)) => report.problems.iter().map(|p| p.seq).collect(),
            _ => Vec::new(),
        };
        egui::Grid::new("admin-audit").striped(true).num_columns(6).spacing([12.0, 4.0]).show(ui, |ui| {
            for id in [
                "admin-audit-seq",
                "admin-audit-at",
                "admin-audit-user",
                "admin-audit-action",
                "admin-audit-case",
                "admin-audit-detail",
            ] {
                ui.label(egui::RichText::new(tr.tr(id)).strong());
            }
            ui.end_row();
            for entry in &page.entries {
                let seq = egui::RichText::new(entry.seq.to_string());
                if broken.contains(&entry.seq) {
                    ui.label(seq.color(ui.visuals().error_fg_color).strong());
                } else {
                    ui.label(seq);
                }
                ui.label(&entry.at);
                ui.label(&entry.actor);
                ui.label(&entry.action);
                ui.label(entry.case_id.as_deref().map(|id| id.get(..12).unwrap_or(id)).unwrap_or(""));
                ui.label(&entry.detail);
                ui.end_row();
            }
        });
        if let Some(offset) = new_offset {
            self.offset = offset;
            self.page = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_includes_the_last_day_and_names_a_bad_date() {
        let form = AuditFilterForm {
            actor: " admin ".into(),
            from: "2026-01-15".into(),
            to: "2026-01-15".into(),
            ..AuditFilterForm::default()
        };
        let filter = form.to_filter().unwrap();
        assert_eq!(filter.actor.as_deref(), Some("admin"));
        assert_eq!(filter.action, None);
        assert_eq!(filter.until.unwrap() - filter.from.unwrap(), 86_400);
        let bad = AuditFilterForm { to: "15/01/2026".into(), ..AuditFilterForm::default() };
        assert!(bad.to_filter().unwrap_err().starts_with("to:"));
    }

    proptest::proptest! {
        /// Whatever the auditor types, the filter is built or refused with a reason, never a panic,
        /// and a date range that is accepted always spans at least its first day.
        #[test]
        fn typed_filters_never_panic(
            from in "\\PC{0,24}",
            to in "[0-9T:Z-]{0,22}",
            actor in "\\PC{0,12}",
        ) {
            let form = AuditFilterForm { actor, from: from.clone(), to: to.clone(), ..AuditFilterForm::default() };
            if let Ok(filter) = form.to_filter()
                && let (Some(start), Some(end)) = (filter.from, filter.until)
                && from.trim() == to.trim()
                && !to.contains('T')
            {
                proptest::prop_assert_eq!(end - start, 86_400);
            }
        }
    }
}
