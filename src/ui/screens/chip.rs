//! The chip panel of the document screen: reader state, "place the document",
//! read progress, data groups, the chip portrait, and PA/AA/CA/clone and
//! consistency checks with their reasons. Reading runs on a background thread;
//! without a reader the sample chip can be read from the in-process emulator.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use eframe::egui::{self, RichText};
use tdverify_chip::emulator::VirtualChip;
use tdverify_chip::reader::ChipRead;
use tdverify_core::CheckStatus;

use crate::chip_session::portrait::decode_portraits;
use crate::chip_session::session::{self, ChipSource, SessionEvent, SessionOptions};
use crate::chip_session::verify::{self, ChipVerification};
use crate::i18n::Translator;
use crate::ui::widgets::checks::{show_checks, summary};

/// A finished read as the panel shows it.
pub struct ChipOutcome {
    /// The files and AA/CA results.
    pub read: ChipRead,
    /// PA, clone detection and consistency.
    pub verification: ChipVerification,
    /// The decoded portrait, or why it could not be shown.
    pub portrait: Option<Result<egui::ColorImage, String>>,
    /// Whether this came from the TEST-ONLY sample chip.
    pub sample: bool,
}

enum Message {
    Event(SessionEvent),
    Done(Box<Result<ChipOutcome, String>>),
}

/// Where the panel is in its work.
#[derive(Debug, Clone, PartialEq)]
pub enum ChipState {
    /// Nothing started.
    Idle,
    /// Waiting for a document on the reader.
    PlaceDocument,
    /// Reading: file name, bytes read, bytes in the file.
    Reading(String, usize, usize),
    /// The card left the field.
    CardRemoved,
}

/// The chip panel.
pub struct ChipPanel {
    /// Data folder holding the CSCA store (`<data dir>/csca/`); the default data folder when `None`.
    pub data_dir: Option<PathBuf>,
    /// Card Access Number typed by the officer (ID cards), used when there is no MRZ.
    pub can: String,
    /// Connected PC/SC readers, or why none can be listed.
    pub readers: Option<Result<Vec<String>, String>>,
    /// Current state of a running read.
    pub state: ChipState,
    /// The last finished read, or why it failed.
    pub outcome: Option<Result<ChipOutcome, String>>,
    /// Reads finished since the window opened (a new read is a new input to the inspection).
    pub reads_finished: usize,
    running: Option<Receiver<Message>>,
    portrait_texture: Option<egui::TextureHandle>,
    selected: Option<usize>,
}

impl Default for ChipPanel {
    fn default() -> ChipPanel {
        ChipPanel {
            data_dir: None,
            can: String::new(),
            readers: None,
            state: ChipState::Idle,
            outcome: None,
            reads_finished: 0,
            running: None,
            portrait_texture: None,
            selected: None,
        }
    }
}

impl ChipPanel {
    /// Whether a read is running.
    pub fn is_busy(&self) -> bool {
        self.running.is_some()
    }

    /// Lists the readers again (a quick local call to the PC/SC service).
    pub fn refresh_readers(&mut self) {
        self.readers = Some(tdverify_chip::pcsc_transport::list_readers().map_err(|e| e.to_string()));
    }

    /// Reads the chip on a PC/SC reader with the key from `mrz_text` (or the CAN).
    pub fn start_reader_read(&mut self, mrz_text: &str, reader: Option<String>) {
        let data_dir = self.data_dir.clone().unwrap_or_else(crate::resources::default_data_dir);
        let key = if mrz_text.trim().is_empty() {
            session::key_from_can(&self.can).map(|key| (key, None))
        } else {
            session::key_from_mrz_text(mrz_text).map(|(key, mrz)| (key, Some(mrz)))
        };
        let (key, printed) = match key {
            Ok(pair) => pair,
            Err(e) => {
                self.outcome = Some(Err(e.to_string()));
                return;
            }
        };
        self.spawn(move |events| {
            let store = crate::chip_session::load_csca_store(&data_dir).map_err(|e| e.to_string())?;
            let read = session::read_chip(ChipSource::Reader(reader), key, SessionOptions::default(), events)
                .map_err(|e| e.officer_message())?;
            let verification = verify::verify_read(&read, printed.as_ref(), &store, tdverify_pki::now_unix());
            Ok(outcome(read, verification, false))
        });
    }

    /// Reads the TEST-ONLY sample chip from the in-process emulator (demo, training, no reader).
    pub fn start_sample_read(&mut self) {
        self.spawn(move |events| {
            let (dataset, printed_lines, store) =
                crate::chip_session::fixtures::sample_chip().map_err(|e| e.to_string())?;
            let (key, printed) = session::key_from_mrz_text(&printed_lines.join("\n")).map_err(|e| e.to_string())?;
            let chip = VirtualChip::new(dataset);
            let read = session::read_chip(ChipSource::Emulator(Box::new(chip)), key, SessionOptions::default(), events)
                .map_err(|e| e.officer_message())?;
            let verification = verify::verify_read(&read, Some(&printed), &store, tdverify_pki::now_unix());
            Ok(outcome(read, verification, true))
        });
    }

    fn spawn(
        &mut self,
        work: impl FnOnce(&mut dyn FnMut(SessionEvent)) -> Result<ChipOutcome, String> + Send + 'static,
    ) {
        let (sender, receiver) = mpsc::channel();
        self.outcome = None;
        self.portrait_texture = None;
        self.selected = None;
        self.state = ChipState::PlaceDocument;
        let spawned = std::thread::Builder::new().name("chip-read".into()).spawn(move || {
            let events = sender.clone();
            let result = work(&mut |event| {
                let _ = events.send(Message::Event(event));
            });
            let _ = sender.send(Message::Done(Box::new(result)));
        });
        match spawned {
            Ok(_) => self.running = Some(receiver),
            Err(e) => {
                self.state = ChipState::Idle;
                self.outcome = Some(Err(e.to_string()));
            }
        }
    }

    /// Takes what the background threads sent.
    pub fn poll(&mut self) {
        let Some(receiver) = &self.running else { return };
        loop {
            match receiver.try_recv() {
                Ok(Message::Event(event)) => {
                    self.state = match event {
                        SessionEvent::PlaceDocument(_) => ChipState::PlaceDocument,
                        SessionEvent::Reading(_) | SessionEvent::Resumed => ChipState::Reading(String::new(), 0, 0),
                        SessionEvent::Progress(p) => ChipState::Reading(p.file.name(), p.bytes_read, p.total),
                        SessionEvent::CardRemoved => ChipState::CardRemoved,
                    }
                }
                Ok(Message::Done(result)) => {
                    self.outcome = Some(*result);
                    self.reads_finished += 1;
                    self.state = ChipState::Idle;
                    self.running = None;
                    return;
                }
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.running = None;
                    self.state = ChipState::Idle;
                    return;
                }
            }
        }
    }

    /// Waits for the running read (tests).
    pub fn finish(&mut self, timeout: Duration) {
        let started = std::time::Instant::now();
        while self.running.is_some() && started.elapsed() < timeout {
            self.poll();
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Draws the panel; `mrz_text` is the MRZ panel's text (the chip key).
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, mrz_text: &str) {
        if self.readers.is_none() {
            self.refresh_readers();
        }
        self.poll();
        if self.running.is_some() {
            ui.ctx().request_repaint_after(Duration::from_millis(50));
        }
        ui.heading(tr.tr("chip-title"));
        self.show_readers(ui, tr, mrz_text);
        self.show_state(ui, tr);
        ui.separator();
        self.show_outcome(ui, tr);
    }

    fn show_readers(&mut self, ui: &mut egui::Ui, tr: &Translator, mrz_text: &str) {
        let readers: Vec<String> = match &self.readers {
            None => {
                ui.label(tr.tr("chip-readers-looking"));
                Vec::new()
            }
            Some(Err(why)) => {
                ui.label(RichText::new(tr.tr_args("chip-no-service", &[("reason", why.clone())])).weak());
                Vec::new()
            }
            Some(Ok(readers)) if readers.is_empty() => {
                ui.label(RichText::new(tr.tr("chip-no-reader")).weak());
                Vec::new()
            }
            Some(Ok(readers)) => {
                for reader in readers {
                    ui.label(tr.tr_args("chip-reader", &[("name", reader.clone())]));
                }
                readers.clone()
            }
        };
        let busy = self.is_busy();
        if mrz_text.trim().is_empty() {
            ui.horizontal(|ui| {
                let label = ui.label(tr.tr("chip-can"));
                ui.add(egui::TextEdit::singleline(&mut self.can).desired_width(80.0).char_limit(6))
                    .labelled_by(label.id);
            });
        }
        ui.horizontal(|ui| {
            if !readers.is_empty() && ui.add_enabled(!busy, egui::Button::new(tr.tr("chip-read"))).clicked() {
                self.start_reader_read(mrz_text, None);
            }
            if readers.is_empty() && ui.add_enabled(!busy, egui::Button::new(tr.tr("chip-read-sample"))).clicked() {
                self.start_sample_read();
            }
            if ui.add_enabled(!busy, egui::Button::new(tr.tr("chip-refresh"))).clicked() {
                self.refresh_readers();
            }
        });
    }

    fn show_state(&self, ui: &mut egui::Ui, tr: &Translator) {
        match &self.state {
            ChipState::Idle => {}
            ChipState::PlaceDocument => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(RichText::new(tr.tr("chip-place-document")).strong());
                });
            }
            ChipState::Reading(file, read, total) => {
                let fraction = if *total > 0 { *read as f32 / *total as f32 } else { 0.0 };
                let text = tr.tr_args(
                    "chip-progress",
                    &[("file", file.clone()), ("read", read.to_string()), ("total", total.to_string())],
                );
                ui.add(egui::ProgressBar::new(fraction).text(text));
            }
            ChipState::CardRemoved => {
                ui.colored_label(ui.visuals().warn_fg_color, tr.tr("chip-card-removed"));
            }
        }
    }

    fn show_outcome(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        let Some(outcome) = &self.outcome else {
            if !self.is_busy() {
                ui.label(RichText::new(tr.tr("chip-none")).weak());
            }
            return;
        };
        let outcome = match outcome {
            Err(message) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
                return;
            }
            Ok(outcome) => outcome,
        };
        if outcome.sample {
            ui.label(RichText::new(tr.tr("chip-sample-note")).weak());
        }
        let read = &outcome.read;
        let access = match (&read.access, &read.pace_protocol) {
            (_, Some(protocol)) => protocol.clone(),
            (access, None) => format!("{access:?}").to_uppercase(),
        };
        let names: Vec<String> = read.files.keys().map(|f| f.name()).collect();
        let verification = &outcome.verification;
        let status_of = |id: &str| verification.check(id).map(|c| (c.status, c.message.clone()));
        egui::Grid::new("chip-summary").num_columns(2).striped(true).show(ui, |ui| {
            ui.label(tr.tr("chip-access"));
            ui.label(access);
            ui.end_row();
            ui.label(tr.tr("chip-data-groups"));
            ui.add(egui::Label::new(names.join(", ")).wrap());
            ui.end_row();
            ui.label(tr.tr("chip-pa"));
            status_label(ui, verification.pa.status, &verification.pa.reason);
            ui.end_row();
            for (label, id) in [("chip-aa", "chip.aa"), ("chip-ca", "chip.ca"), ("chip-clone", "chip.clone")] {
                ui.label(tr.tr(label));
                if let Some((status, message)) = status_of(id) {
                    status_label(ui, status, &message);
                }
                ui.end_row();
            }
            ui.label(tr.tr("chip-apdus"));
            ui.label(format!("{} APDU, {:.0} ms", read.apdu_count, read.timings.total_ms));
            ui.end_row();
        });
        match &outcome.portrait {
            Some(Ok(image)) => {
                let texture = self
                    .portrait_texture
                    .get_or_insert_with(|| {
                        ui.ctx().load_texture("chip-portrait", image.clone(), egui::TextureOptions::LINEAR)
                    })
                    .clone();
                ui.add(egui::Image::from_texture(&texture).max_height(200.0).alt_text(tr.tr("chip-portrait")));
            }
            Some(Err(why)) => {
                ui.colored_label(ui.visuals().warn_fg_color, why);
            }
            None => {}
        }
        ui.label(summary(&verification.checks, tr));
        let checks = verification.checks.clone();
        egui::ScrollArea::vertical().id_salt("chip-checks").show(ui, |ui| {
            if let Some(clicked) = show_checks(ui, &checks, tr, self.selected) {
                self.selected = Some(clicked);
            }
        });
    }
}

fn status_label(ui: &mut egui::Ui, status: CheckStatus, message: &str) {
    let color = match status {
        CheckStatus::Pass => egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
        CheckStatus::Fail | CheckStatus::Error => ui.visuals().error_fg_color,
        CheckStatus::Warn | CheckStatus::NotChecked => ui.visuals().warn_fg_color,
        CheckStatus::NotApplicable => ui.visuals().weak_text_color(),
    };
    // Wrapped: a long verdict sentence must not widen the side panel over the images.
    ui.add(egui::Label::new(RichText::new(message).color(color)).wrap());
}

fn outcome(read: ChipRead, verification: ChipVerification, sample: bool) -> ChipOutcome {
    let portrait = read.files.get(&tdverify_chip::lds::FileId::Dg(2)).map(|dg2| {
        decode_portraits(dg2).and_then(|portraits| {
            portraits
                .into_iter()
                .next()
                .map(|p| crate::ui::widgets::image_view::color_image(&p.image, u32::MAX))
                .ok_or_else(|| "DG2 holds no portrait".to_string())
        })
    });
    ChipOutcome { read, verification, portrait, sample }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn sample_chip_reads_on_a_background_thread_and_shows_its_checks() {
        let tr = Translator::new("en-US");
        let mut panel = ChipPanel { readers: Some(Ok(Vec::new())), ..ChipPanel::default() };
        panel.data_dir = Some(std::env::temp_dir());
        let mut harness = Harness::builder()
            .with_size([420.0, 900.0])
            .build_ui_state(move |ui, panel: &mut ChipPanel| panel.show(ui, &tr, ""), panel);
        harness.run();
        harness.get_by_label("Read the sample chip (emulator)").click();
        harness.run_steps(2);
        harness.state_mut().finish(Duration::from_secs(30));
        harness.run();
        let outcome = harness.state().outcome.as_ref().expect("finished");
        let outcome = outcome.as_ref().expect("read succeeded");
        assert!(!outcome.verification.any_failed(), "{:#?}", outcome.verification.checks);
        assert!(matches!(outcome.portrait, Some(Ok(_))));
        harness.get_by_label("Chip portrait");
        harness.get_by_label("passive authentication passed: data groups are as signed by the issuing state");
    }
}
