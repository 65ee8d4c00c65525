//! The supervisor's DESC export wizard: choose the period and k, preview what goes
//! (counts, what was generalised, which groups were suppressed and why, the first
//! records), choose the destination folder (a USB stick), export with a progress bar,
//! then the summary and the station's public key for the receiving hub. Everything is
//! `tdverify::export`'s; the store refuses anyone but a Supervisor.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use eframe::egui;

use crate::export::{self as desc, Period, Prepared, Progress, Written};
use crate::i18n::Translator;
use crate::store::{Session, Store};

/// A running export: the store travels with the thread and comes back with the result.
struct Running {
    progress: Arc<Mutex<Progress>>,
    handle: JoinHandle<(Store, Result<Written, String>)>,
}

/// What the wizard asks of the Cases screen.
pub enum WizardOutcome {
    /// Keep showing the wizard.
    Stay,
    /// Close it.
    Close,
}

/// The wizard's state.
pub struct ExportWizard {
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    /// k (at least 5).
    pub k: usize,
    /// Destination folder.
    pub out_dir: String,
    /// Export again although the period overlaps an earlier export (audited).
    pub overlap_override: bool,
    /// The preview, once computed.
    pub prepared: Option<Prepared>,
    /// The finished export.
    pub written: Option<Written>,
    /// The last error, in words.
    pub error: Option<String>,
    running: Option<Running>,
}

impl ExportWizard {
    /// A wizard for the quarter holding `now` (Unix seconds), writing to `out_dir`, with
    /// the station's smallest k.
    pub fn new(now: i64, out_dir: PathBuf, min_k: usize) -> ExportWizard {
        let month = crate::store::time::format_utc(now);
        let current = desc::YearMonth::parse(&month[..7]).ok();
        let quarter = current.map(Period::quarter_of);
        ExportWizard {
            from: quarter.map(|q| q.from.to_string()).unwrap_or_default(),
            to: current.map(|m| m.to_string()).unwrap_or_default(),
            k: min_k.max(desc::MIN_K),
            out_dir: out_dir.display().to_string(),
            overlap_override: false,
            prepared: None,
            written: None,
            error: None,
            running: None,
        }
    }

    /// Whether an export is being written (the store is then with the writer thread).
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    fn preview(&mut self, store: &Store, session: &Session) {
        self.prepared = None;
        self.written = None;
        self.error = None;
        let result =
            Period::parse(&self.from, &self.to).and_then(|period| desc::prepare(store, session, period, self.k));
        match result {
            Ok(prepared) => {
                self.overlap_override = false;
                self.prepared = Some(prepared);
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn start(&mut self, store_slot: &mut Option<Store>, session: &Session) {
        let (Some(prepared), Some(store)) = (self.prepared.clone(), store_slot.take()) else { return };
        let progress = Arc::new(Mutex::new(Progress { stage: "starting", fraction: 0.0 }));
        let shared = Arc::clone(&progress);
        let session = session.clone();
        let out = PathBuf::from(self.out_dir.trim());
        let overlap_override = self.overlap_override;
        let handle = std::thread::spawn(move || {
            let result = desc::write(&store, &session, &prepared, &out, overlap_override, &mut |p| {
                if let Ok(mut slot) = shared.lock() {
                    *slot = p;
                }
            })
            .map_err(|e| e.to_string());
            (store, result)
        });
        self.running = Some(Running { progress, handle });
    }

    /// Collects a finished export and gives the store back. Returns true when the
    /// store slot was refilled.
    fn poll(&mut self, store_slot: &mut Option<Store>) -> bool {
        let finished = self.running.as_ref().is_some_and(|r| r.handle.is_finished());
        if !finished {
            return false;
        }
        let Some(running) = self.running.take() else { return false };
        match running.handle.join() {
            Ok((store, result)) => {
                *store_slot = Some(store);
                match result {
                    Ok(written) => {
                        self.written = Some(written);
                        self.prepared = None;
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Err(_) => {
                self.error =
                    Some("the export stopped unexpectedly; unlock the cases again (nothing was signed)".into());
            }
        }
        true
    }

    /// Draws the wizard. `store_slot` is the Cases screen's store: lent to the writer
    /// thread while an export runs.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        store_slot: &mut Option<Store>,
        session: &Session,
    ) -> WizardOutcome {
        self.poll(store_slot);
        ui.heading(tr.tr("export-title"));
        if let Some(running) = &self.running {
            let p = running.progress.lock().map(|p| *p).unwrap_or(Progress { stage: "", fraction: 0.0 });
            ui.label(tr.tr("export-running"));
            ui.add(egui::ProgressBar::new(p.fraction).show_percentage().text(p.stage));
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
            return WizardOutcome::Stay;
        }
        let Some(store) = store_slot.as_ref() else {
            ui.label(tr.tr("export-store-locked"));
            return if ui.button(tr.tr("export-close")).clicked() { WizardOutcome::Close } else { WizardOutcome::Stay };
        };
        let mut outcome = WizardOutcome::Stay;
        let mut start = false;
        egui::ScrollArea::vertical().id_salt("export-wizard-scroll").auto_shrink([false, false]).show(ui, |ui| {
            ui.label(tr.tr("export-intro"));
            egui::Grid::new("export-period").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
                let l = ui.label(tr.tr("export-from"));
                ui.add(egui::TextEdit::singleline(&mut self.from).desired_width(90.0).hint_text("YYYY-MM"))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr.tr("export-to"));
                ui.add(egui::TextEdit::singleline(&mut self.to).desired_width(90.0).hint_text("YYYY-MM"))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr.tr("export-k"));
                ui.add(egui::DragValue::new(&mut self.k).range(desc::MIN_K..=100)).labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr.tr("export-destination"));
                ui.add(egui::TextEdit::singleline(&mut self.out_dir).desired_width(420.0)).labelled_by(l.id);
                ui.end_row();
            });
            ui.horizontal(|ui| {
                if ui.button(tr.tr("export-preview")).clicked() {
                    self.preview(store, session);
                }
                if ui.button(tr.tr("export-close")).clicked() {
                    outcome = WizardOutcome::Close;
                }
            });
            if let Some(error) = &self.error {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            if let Some(written) = &self.written {
                ui.separator();
                ui.label(
                    egui::RichText::new(tr.tr_args(
                        "export-done",
                        &[
                            ("records", written.records.to_string()),
                            ("suppressed", written.suppressed.to_string()),
                            ("path", written.bundle.display().to_string()),
                        ],
                    ))
                    .strong(),
                );
                let hint = ui.label(tr.tr("export-key-hint"));
                // Selectable so it can be copied; editing it changes nothing.
                ui.add(
                    egui::TextEdit::singleline(&mut format!("ed25519:{}", written.station_public_key))
                        .desired_width(620.0),
                )
                .labelled_by(hint.id);
            }
            if let Some(prepared) = &self.prepared {
                ui.separator();
                start = show_preview(ui, tr, prepared, &mut self.overlap_override);
            }
        });
        if start {
            self.start(store_slot, session);
            ui.ctx().request_repaint();
        }
        outcome
    }
}

/// The preview; returns true when the supervisor pressed Export.
fn show_preview(ui: &mut egui::Ui, tr: &Translator, prepared: &Prepared, overlap_override: &mut bool) -> bool {
    let anonymised = &prepared.anonymised;
    ui.label(
        egui::RichText::new(tr.tr_args(
            "export-summary",
            &[
                ("period", prepared.period.to_string()),
                ("eligible", prepared.eligible.to_string()),
                ("records", anonymised.records.len().to_string()),
                ("suppressed", anonymised.suppressed_total().to_string()),
                ("k", prepared.k.to_string()),
            ],
        ))
        .strong(),
    );
    ui.label(tr.tr_args(
        "export-excluded",
        &[
            ("drafts", prepared.excluded.drafts.to_string()),
            ("not_fraud", prepared.excluded.not_fraud.to_string()),
            ("training", prepared.excluded.training.to_string()),
        ],
    ));
    for (step, n) in anonymised.generalised.iter().filter(|(_, n)| *n > 0) {
        ui.label(tr.tr_args(
            "export-generalised",
            &[("step", tr.tr(&format!("export-step-{step}"))), ("records", n.to_string())],
        ));
    }
    if !anonymised.suppressed_groups.is_empty() {
        egui::CollapsingHeader::new(tr.tr("export-suppressed-groups")).id_salt("export-suppressed").show(ui, |ui| {
            for (key, n) in anonymised.suppressed_groups.iter().take(50) {
                ui.label(format!("{n} x {}", desc::describe_group(key)));
            }
        });
    }
    egui::CollapsingHeader::new(tr.tr("export-records")).id_salt("export-records").default_open(true).show(ui, |ui| {
        egui::ScrollArea::vertical().max_height(220.0).id_salt("export-records-scroll").show(ui, |ui| {
            egui::Grid::new("export-records-grid").striped(true).num_columns(7).show(ui, |ui| {
                for head in [
                    "event_period",
                    "issuing_state",
                    "fraud_type",
                    "nationality_claimed",
                    "holder_sex",
                    "age_band",
                    "detection_evidence",
                ] {
                    ui.strong(head);
                }
                ui.end_row();
                for record in anonymised.records.iter().take(100) {
                    ui.label(&record.event_period);
                    ui.label(record.issuing_state.as_deref().unwrap_or("-"));
                    ui.label(record.fraud_type.as_deref().unwrap_or("-"));
                    ui.label(record.nationality_claimed.as_deref().unwrap_or("-"));
                    ui.label(record.holder_sex.as_deref().unwrap_or("-"));
                    ui.label(record.age_band.as_deref().unwrap_or("-"));
                    ui.label(record.detection_evidence.join(" "));
                    ui.end_row();
                }
            });
        });
    });
    if !prepared.overlapping.is_empty() {
        let earlier = &prepared.overlapping[0];
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr.tr_args("export-overlap", &[("created", earlier.created.clone()), ("actor", earlier.actor.clone())]),
        );
        ui.checkbox(overlap_override, tr.tr("export-override"));
    }
    if anonymised.records.is_empty() {
        // Still worth sending: the hub learns the period had suppressed cases only.
        ui.label(tr.tr("export-empty"));
    }
    let allowed = prepared.overlapping.is_empty() || *overlap_override;
    ui.add_enabled(allowed, egui::Button::new(tr.tr("export-write"))).clicked()
}
