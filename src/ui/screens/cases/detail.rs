//! One opened case: its summary and checks (read-only once submitted), the officer's
//! verdict and fraud classification, notes, submit / review, and the PDF report.

use eframe::egui;
use tdverify_core::{Check, ForgeryMethod, FraudType, Verdict};

use super::context_form::ContextForm;
use crate::i18n::Translator;
use crate::settings::StationDefaults;
use crate::store::{Case, CaseStatus, Classification, ContextUpdate, Permission, Session, Store};
use crate::ui::widgets::checks::show_checks;

/// What the detail view asks of the screen after a frame.
pub enum DetailOutcome {
    /// Nothing to do.
    Stay,
    /// Back to the list.
    Close,
    /// Something changed; tell the user.
    Message(String),
}

/// An opened case and the form fields being edited.
pub struct CaseDetail {
    /// The case as last read from the store.
    pub case: Case,
    /// The inspection's checks.
    pub checks: Vec<Check>,
    /// The officer's classification being edited.
    pub classification: Classification,
    /// The case context being edited (prefilled with the station's defaults).
    pub context: ContextForm,
    /// A note being written.
    pub note: String,
    selected_check: Option<usize>,
    station: StationDefaults,
}

/// What an officer records (recapture is a proposal only).
const VERDICTS: [Verdict; 4] = [Verdict::Genuine, Verdict::Review, Verdict::Fraudulent, Verdict::Inconclusive];

impl CaseDetail {
    /// Shows `case`; empty context fields take the station's defaults.
    pub fn new(case: Case, station: &StationDefaults) -> CaseDetail {
        let checks = crate::report::checks_from_inspection(&case.inspection);
        let classification = case.classification.clone();
        let context = ContextForm::new(ContextUpdate::of_case(&case.metadata, &case.holder), station);
        CaseDetail { case, checks, classification, context, note: String::new(), selected_check: None, station: station.clone() }
    }

    fn reload(&mut self, store: &Store, session: &Session) -> Result<(), String> {
        let case = store.open_case(session, &self.case.case_id).map_err(|e| e.to_string())?;
        let station = self.station.clone();
        *self = CaseDetail::new(case, &station);
        Ok(())
    }

    /// Saves the context (when it changed) and the classification, in that order.
    fn save_form(&self, store: &Store, session: &Session) -> Result<(), crate::store::StoreError> {
        let stored = ContextUpdate::of_case(&self.case.metadata, &self.case.holder);
        if self.context.update != stored {
            store.set_case_context(session, &self.case.case_id, &self.context.update)?;
        }
        store.set_classification(session, &self.case.case_id, &self.classification)
    }

    /// True when this session may change the case (drafts, or experts on any case);
    /// the library enforces it anyway.
    fn editable(&self, session: &Session) -> bool {
        self.case.status == CaseStatus::Draft || session.may(Permission::EditAnyCase)
    }

    /// Draws the case.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, store: &Store, session: &Session) -> DetailOutcome {
        let mut outcome = DetailOutcome::Stay;
        if ui.button(tr.tr("cases-back")).clicked() {
            return DetailOutcome::Close;
        }
        egui::ScrollArea::vertical().id_salt("case-detail-scroll").auto_shrink([false, false]).show(ui, |ui| {
            self.show_body(ui, tr, store, session, &mut outcome);
        });
        outcome
    }

    /// Everything below the back button (scrolls as one, so the context form and the
    /// buttons under it stay reachable on a laptop screen).
    fn show_body(&mut self, ui: &mut egui::Ui, tr: &Translator, store: &Store, session: &Session, outcome: &mut DetailOutcome) {
        let case = &self.case;
        egui::Grid::new("case-summary").num_columns(2).show(ui, |ui| {
            let rows = [
                ("cases-col-case", case.case_id.clone()),
                ("cases-status", case.status.as_str().to_owned()),
                ("cases-col-opened", crate::store::time::format_utc(case.opened)),
                ("cases-officer", case.officer.clone()),
                ("cases-issuer", case.metadata.issuing_state.clone().unwrap_or_else(|| "-".into())),
                ("cases-proposed", case.metadata.proposed_verdict.map(Verdict::as_str).unwrap_or("-").to_owned()),
            ];
            for (label, value) in rows {
                ui.label(tr.tr(label));
                ui.label(value);
                ui.end_row();
            }
        });
        ui.separator();
        egui::ScrollArea::vertical().max_height(260.0).id_salt("case-checks").show(ui, |ui| {
            if self.checks.is_empty() {
                ui.label(tr.tr("cases-no-checks"));
            } else if let Some(clicked) = show_checks(ui, &self.checks, tr, self.selected_check) {
                self.selected_check = Some(clicked);
            }
        });
        ui.separator();

        let editable = self.editable(session);
        ui.add_enabled_ui(editable, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(tr.tr("cases-officer-verdict"));
                for verdict in VERDICTS {
                    ui.selectable_value(&mut self.classification.officer_verdict, Some(verdict), verdict.as_str());
                }
            });
            ui.horizontal_wrapped(|ui| {
                ui.label(tr.tr("cases-fraud-type"));
                ui.selectable_value(&mut self.classification.fraud_type, None, tr.tr("cases-none-chosen"));
                for fraud in FraudType::ALL {
                    ui.selectable_value(&mut self.classification.fraud_type, Some(fraud), fraud.as_str());
                }
            });
            ui.horizontal_wrapped(|ui| {
                ui.label(tr.tr("cases-forgery-methods"));
                for method in ForgeryMethod::ALL {
                    let mut on = self.classification.forgery_methods.contains(&method);
                    if ui.checkbox(&mut on, method.as_str()).changed() {
                        self.classification.forgery_methods.retain(|m| *m != method);
                        if on {
                            self.classification.forgery_methods.push(method);
                        }
                    }
                }
            });
            let fraud = self.classification.officer_verdict == Some(Verdict::Fraudulent);
            egui::CollapsingHeader::new(tr.tr("cases-context"))
                .id_salt("case-context-section")
                .default_open(fraud)
                .open(fraud.then_some(true))
                .show(ui, |ui| {
                    if fraud {
                        ui.label(tr.tr("cases-context-required"));
                    }
                    self.context.show(ui, tr, fraud);
                });
            if ui.button(tr.tr("cases-save-verdict")).clicked() {
                *outcome = match self.save_form(store, session) {
                    Ok(()) => DetailOutcome::Message(tr.tr("cases-saved")),
                    Err(e) => DetailOutcome::Message(e.to_string()),
                };
                let _ = self.reload(store, session);
            }
        });
        if !editable {
            ui.label(tr.tr("cases-read-only"));
        }
        ui.horizontal(|ui| {
            let label = ui.label(tr.tr("cases-note"));
            ui.add(egui::TextEdit::singleline(&mut self.note).desired_width(360.0)).labelled_by(label.id);
            if ui.add_enabled(!self.note.trim().is_empty(), egui::Button::new(tr.tr("cases-add-note"))).clicked() {
                *outcome = match store.add_note(session, &self.case.case_id, self.note.trim()) {
                    Ok(()) => DetailOutcome::Message(tr.tr("cases-note-added")),
                    Err(e) => DetailOutcome::Message(e.to_string()),
                };
                let _ = self.reload(store, session);
            }
        });
        for note in &self.case.notes {
            ui.label(format!("{} {}: {}", note.created, note.author, note.text));
        }
        ui.separator();
        ui.horizontal(|ui| {
            let own_draft = self.case.status == CaseStatus::Draft && session.may(Permission::CreateCase);
            if own_draft && ui.button(tr.tr("cases-submit")).clicked() {
                // Save the form first so what is submitted is what the officer sees.
                let result = self.save_form(store, session).and_then(|()| store.submit_case(session, &self.case.case_id));
                *outcome = match result {
                    Ok(()) => DetailOutcome::Message(tr.tr("cases-submitted")),
                    Err(crate::store::StoreError::IncompleteContext { missing, .. }) => {
                        // The officer's words for the fields, not their export names.
                        let fields: Vec<String> = missing
                            .iter()
                            .map(|f| if f == "fraud_type" { tr.tr("cases-fraud-type") } else { tr.tr(&format!("context-{f}")) })
                            .collect();
                        DetailOutcome::Message(tr.tr_args("cases-context-missing", &[("fields", fields.join(", "))]))
                    }
                    Err(e) => DetailOutcome::Message(e.to_string()),
                };
                let _ = self.reload(store, session);
            }
            let reviewable = self.case.status == CaseStatus::Submitted && session.may(Permission::ReviewCase);
            if reviewable && ui.button(tr.tr("cases-mark-reviewed")).clicked() {
                *outcome = match store.review_case(session, &self.case.case_id) {
                    Ok(()) => DetailOutcome::Message(tr.tr("cases-reviewed")),
                    Err(e) => DetailOutcome::Message(e.to_string()),
                };
                let _ = self.reload(store, session);
            }
            if ui.button(tr.tr("cases-report")).clicked() {
                *outcome = DetailOutcome::Message(self.write_report(tr, store, session));
            }
        });
    }

    /// Writes the PDF next to the store (`reports/<case id>.pdf`), records the export in
    /// the audit trail (the PDF holds personal data in clear), and says where.
    fn write_report(&self, tr: &Translator, store: &Store, session: &Session) -> String {
        let folder = store.database_path().parent().map(|p| p.join("reports")).unwrap_or_else(|| "reports".into());
        if let Err(e) = std::fs::create_dir_all(&folder) {
            return format!("{}: {e}", folder.display());
        }
        let path = folder.join(format!("{}.pdf", self.case.case_id));
        // Audited before the file exists: a report that cannot be recorded is not written.
        if let Err(e) = store.record_case_export(session, &self.case.case_id, &format!("PDF report to {}", path.display())) {
            return e.to_string();
        }
        match crate::report::write_pdf(&crate::report::input_from_case(&self.case), &path) {
            Ok(_) => tr.tr_args("cases-report-written", &[("path", path.display().to_string())]),
            Err(e) => e.to_string(),
        }
    }
}
